"""Two-step sign-in rules for staff who sign in with a password (TOTP from an authenticator app).

Plain functions, no Flask: who must use it, the secret's encryption at rest, checking a code once
per time step, recovery codes, and how long a half-finished sign-in lasts.
"""

import base64
import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime, timedelta

import pyotp
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# A password matched but the code is not typed yet: this long to finish, then start again.
PENDING_FOR = timedelta(minutes=10)
# Wrong codes allowed in one pending step before the person goes back to the password.
CODE_TRIES = 5
# A code from the step before or after the current one is accepted (phones' clocks drift).
VALID_WINDOW = 1
RECOVERY_CODES = 10
# 16 characters of 32 (80 bits): a fast hash is enough to store them; no 0/O or 1/I to misread.
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECOVERY_LENGTH = 16
# The demo school's DSL, deputy and admin share this secret (demo mode shows its current code).
DEMO_TOTP_SECRET = "DEMOSECRETDEMOSECRETDEMOSECRET22"
_HKDF_INFO = b"staff-mfa-totp-secret-v1"


def required(role, staff_mfa, mfa_for_teachers):
    """Whether a member of staff must pass a code after their password.

    `staff_mfa` (config STAFF_MFA) switches the whole feature; with it on, DSLs and admins always,
    teachers when their school asks.
    """
    if not staff_mfa:
        return False
    if role in ("dsl", "admin"):
        return True
    return role == "teacher" and bool(mfa_for_teachers)


def asks_for_code(role, staff_mfa, mfa_for_teachers, has_authenticator):
    """Whether a password sign-in stops at the code step: required, or set up by choice."""
    if not staff_mfa or role == "pupil":
        return False
    return has_authenticator or required(role, staff_mfa, mfa_for_teachers)


def new_secret():
    """A new random TOTP secret (160 bits, base32, as authenticator apps expect)."""
    return pyotp.random_base32(32)


def grouped(secret):
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(secret, issuer, label):
    """The otpauth:// address the QR code carries: `issuer` (the school or site) and `label` (e-mail)."""
    return pyotp.TOTP(secret).provisioning_uri(name=label, issuer_name=issuer)


def _fernet_key(secret_key):
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(derived)


def _fernet(secret_key, fallbacks=()):
    # The current key encrypts; keys in SECRET_KEY_FALLBACKS still decrypt, so a rotation with a
    # fallback keeps every authenticator working (re-encrypted with the new key on next use).
    return MultiFernet([Fernet(_fernet_key(k)) for k in (secret_key, *fallbacks)])


def encrypt_secret(secret, secret_key):
    """The TOTP secret as stored: Fernet (AES-128-CBC + HMAC) with a key derived from SECRET_KEY by HKDF."""
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def decrypt_secret(stored, secret_key, fallbacks=()):
    """The TOTP secret from its stored form, or None if no key can read it (SECRET_KEY changed)."""
    if not stored:
        return None
    try:
        return _fernet(secret_key, fallbacks).decrypt(stored.encode()).decode()
    except InvalidToken:
        return None


def normal_code(text):
    """What was typed, without spaces, dashes and case: '123 456' and '123456' are the same."""
    return "".join(ch for ch in (text or "") if ch.isalnum()).upper()


def matching_step(secret, code, at=None):
    """The time step (30 s counter) whose code `code` is, within VALID_WINDOW of `at`; else None.

    The step, not just yes or no, so the caller can refuse a step already used (a replayed code).
    """
    code = normal_code(code)
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    at = time.time() if at is None else at
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        moment = at + offset * totp.interval
        if hmac.compare_digest(totp.at(moment), code):
            return totp.timecode(datetime.fromtimestamp(moment, UTC))
    return None


def current_code(secret, at=None):
    """The code an app shows now (demo mode only shows it on screen)."""
    return pyotp.TOTP(secret).at(time.time() if at is None else at)


def new_recovery_codes():
    """RECOVERY_CODES new one-time codes, as shown: 'ABCD-EFGH-JKMN-PQRS'."""
    return [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(RECOVERY_LENGTH // 4))
        for _ in range(RECOVERY_CODES)
    ]


def recovery_hash(code):
    """The stored form of a recovery code: SHA-256 of its normal form (80 random bits need no slow hash)."""
    return hashlib.sha256(normal_code(code).encode()).hexdigest()


def looks_like_recovery_code(code):
    """Whether what was typed is shaped like a recovery code rather than a 6-digit app code."""
    return len(normal_code(code)) == RECOVERY_LENGTH


def pending_expired(started_at, now=None):
    """Whether a pending step started at `started_at` (ISO) is older than PENDING_FOR."""
    try:
        started = datetime.fromisoformat(started_at)
    except (TypeError, ValueError):
        return True
    return (now or datetime.now(UTC)) - started > PENDING_FOR


def reset_notice(first_name, admin_name, organisation, sign_in_link):
    """(subject, body) of the e-mail that tells someone an admin reset their authenticator.

    Sent whoever asked for it: a reset nobody asked for is how an account is taken over, and the person
    whose account it is should hear of it from us, not discover it at their next sign-in."""
    subject = "Your two-step sign-in was reset"
    body = (
        f"Hello {first_name},\n\n"
        f"{admin_name}, an admin at {organisation}, reset the authenticator app for your account on the online "
        "safety training service. Your old app and recovery codes no longer work, and you were signed out.\n\n"
        f"When you next sign in with your password you will set up an app again:\n{sign_in_link}\n\n"
        f"If you did not ask for this, tell {admin_name} or your IT team today: someone may be trying to use "
        "your account.\n"
    )
    return subject, body
