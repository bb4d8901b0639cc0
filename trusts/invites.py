"""Inviting a trust lead: their account, and the shared one-time e-mailed invite link (console/invites.py)."""

import secrets

from accounts.passwords import hash_password
from accounts.queries import person_by_id
from audit import audit
from classroom.queries import add_staff
from console.invites import send_invite


def invite_trust_lead(db, trust, first_name, last_name, email, invited_by):
    """Make `email` a lead of `trust` and e-mail them a one-time invite link; returns their id.

    The lead is a `people` row with role 'admin' in the trust's row (m021), with a random password
    nobody knows until they choose their own from the link (/invite/<token>, which then stops working
    and takes them through two-step set-up to the trust's figures). The e-mail goes through the outbox
    and the job queue; the operator's log and the trust's log record the invite.
    """
    unknown = hash_password(secrets.token_urlsafe(32))  # nobody can sign in until they choose theirs
    person_id = add_staff(db, trust["id"], "admin", first_name, last_name, email, unknown)
    send_invite(db, person_by_id(db, person_id), trust["name"], "trust", invited_by.id)
    audit(db, invited_by.school_id, invited_by.id, "trust-lead-invite", "staff", person_id)
    audit(db, trust["id"], invited_by.id, "trust-lead-invite", "staff", person_id)
    return person_id
