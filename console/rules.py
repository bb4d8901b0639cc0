"""The console's rules: invite tokens and their state, chosen passwords, a school's status. No Flask here."""

import hashlib
import secrets
from datetime import datetime, timedelta

# 32 random bytes in the link: unguessable, and only their hash is stored.
TOKEN_BYTES = 32
# A chosen password: long enough to resist guessing behind the sign-in limits (NCSC: three random words).
PASSWORD_MIN = 10
PASSWORD_MAX = 200  # the sign-in form's own limit
COMMON_PASSWORDS = frozenset(
    ("password", "password1", "password12", "password123", "1234567890", "12345678910", "qwertyuiop",
     "iloveyou123", "letmein123", "welcome123", "administrator", "changeme123", "passw0rd123")
)  # fmt: skip

INVITE_GONE = {
    "unknown": "This invite link is not one we know. Check that the whole link was copied from the e-mail.",
    "used": "This invite link has been used already. Each link works once.",
    "expired": "This invite link has expired.",
    "withdrawn": "This invite link was replaced by a newer one.",
}


def new_token():
    """A new invite token for the link (URL-safe)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token):
    """What is stored for a token: its SHA-256, so a copy of the database opens no invite."""
    return hashlib.sha256((token or "").encode()).hexdigest()


def expires_at(moment, days):
    """When an invite made at `moment` stops working, as stored."""
    return (moment + timedelta(days=days)).isoformat(timespec="seconds")


def invite_state(row, moment):
    """'open', or why an invite row (or None) cannot be used now: 'unknown', 'used', 'withdrawn', 'expired'."""
    if row is None:
        return "unknown"
    if row["used_at"]:
        return "used"
    if row["withdrawn_at"]:
        return "withdrawn"
    if datetime.fromisoformat(row["expires_at"]) <= moment:
        return "expired"
    return "open"


def password_problem(password, confirm, email):
    """Why a chosen password cannot be used (a sentence), or None if it can."""
    if not password:
        return "Choose a password."
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters: three random words make a strong password."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or (email and lowered == email.strip().lower()):
        return "That password is too easy to guess. Three random words make a strong one."
    if password != confirm:
        return "The two passwords are not the same. Type the same password twice."
    return None


def school_status(row):
    """'offboarded', 'suspended' or 'active' for a schools row."""
    if row["offboarded_at"]:
        return "offboarded"
    if row["suspended_at"]:
        return "suspended"
    return "active"


def name_confirmed(typed, name):
    """Whether the name typed to confirm an erase is the school's name (spaces and case forgiven)."""
    return " ".join((typed or "").split()).casefold() == " ".join(name.split()).casefold()


def invite_email(first_name, org_name, kind, link, days):
    """(subject, body) of an invite e-mail: an admin of a school ('school'), a trust's lead ('trust') or an operator."""
    if kind == "operator":
        subject = "You are invited to run the online safety training service"
        what = "You have been invited to be an operator of the online safety training service."
    elif kind == "trust":
        subject = f"Set up your account: {org_name}"
        what = (f"You have been invited to lead {org_name} on the online safety training service, where you see "
                "how its schools are getting on with the course.")  # fmt: skip
    else:
        subject = f"Set up your account: {org_name}"
        what = (f"You have been invited to be the admin of {org_name} on the online safety training service. "
                "As its admin you add your school's staff and classes.")  # fmt: skip
    body = (
        f"Hello {first_name},\n\n{what}\n\n"
        f"Open this link to choose your password and set up two-step sign-in:\n{link}\n\n"
        f"The link works once, for {days} days. If it has expired, ask whoever invited you for a new link.\n"
        "If you were not expecting this e-mail, you can ignore it.\n"
    )
    return subject, body
