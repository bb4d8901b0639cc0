"""Inviting a trust lead: their account, and a one-time e-mailed link to choose a password.

Until the operator's shared invites (m022_invites) are merged, the link is a password-reset style
token: signed with SECRET_KEY (itsdangerous, which Flask already uses), it names the person and a
fingerprint of their current password hash, and expires after TRUST_INVITE_DAYS. Choosing a password
changes the hash, so the link works once; it needs no table. Everything about the invite is in
invite_trust_lead and lead_for_token, so the switch to the shared invites is made in one place.
"""

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from accounts.passwords import hash_password
from accounts.queries import person_by_id
from classroom.queries import add_staff
from safeguarding.queries import audit
from safeguarding.tasks import queue_mail
from urls import public_url

SALT = "trust-lead-invite"
SUBJECT = "You are invited to see your trust's online safety training figures"


def _serializer(secret_key):
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(password_hash):
    """A short digest of the password hash: it changes when the password does, and reveals nothing of it."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def invite_token(person, secret_key):
    """The one-time token for the person's invite link."""
    return _serializer(secret_key).dumps({"p": person["id"], "h": _fingerprint(person["password_hash"])})


def lead_for_token(db, token, secret_key, max_age_seconds):
    """The trust lead a live invite token names (an active admin of a trust, password not yet chosen), or None."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age_seconds)
    except BadSignature:  # a wrong, altered or expired token (SignatureExpired is a BadSignature)
        return None
    person = person_by_id(db, data.get("p"))
    if not person or person["role"] != "admin" or _fingerprint(person["password_hash"]) != data.get("h"):
        return None
    school = next(db.query("SELECT kind FROM schools WHERE id = ?", [person["school_id"]]), None)
    return person if school and school["kind"] == "trust" else None


def invite_trust_lead(db, trust, first_name, last_name, email, invited_by):
    """Make `email` a lead of `trust` and e-mail them a one-time link to choose a password; returns their id.

    The lead is a `people` row with role 'admin' in the trust's row (m021), with a random password
    nobody knows until they choose their own from the link (which then stops working). The e-mail goes
    through the outbox and the job queue; the operator's log and the trust's log record the invite.
    """
    unknown = hash_password(secrets.token_urlsafe(32))  # nobody can sign in until they choose theirs
    person_id = add_staff(db, trust["id"], "admin", first_name, last_name, email, unknown)
    person = person_by_id(db, person_id)
    link = public_url("trusts.welcome", token=invite_token(person, current_app.config["SECRET_KEY"]))
    days = current_app.config["TRUST_INVITE_DAYS"]
    body = (
        f"Hello {first_name},\n\n"
        f"You have been made a lead of {trust['name']} on the online safety training service. "
        "You will see how the trust's schools are getting on with the course: figures across each school, "
        "never a pupil's name or answers.\n\n"
        f"Choose your password here (the link works once, for {days} days):\n{link}\n\n"
        "You will then set up an authenticator app for two-step sign-in.\n"
        "If you were not expecting this, ignore this e-mail.\n"
    )
    queue_mail(db, trust["id"], [email], SUBJECT, body)
    audit(db, invited_by.school_id, invited_by.id, "trust-lead-invite", "staff", person_id)
    audit(db, trust["id"], invited_by.id, "trust-lead-invite", "staff", person_id)
    return person_id
