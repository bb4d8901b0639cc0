"""SQL for staff two-step sign-in: authenticator secrets, recovery codes, pending steps, the school setting."""

import hashlib
import secrets
from datetime import UTC, datetime

from accounts.mfa import PENDING_FOR, recovery_hash
from db import now, write_transaction

# A code's step is used once: the update only happens if this step is later than the last one used.
USE_STEP = """
UPDATE people SET totp_last_step = :step
WHERE id = :id AND (totp_last_step IS NULL OR totp_last_step < :step)
"""
SET_SECRET = "UPDATE people SET totp_secret = ?, totp_set_up_at = ?, totp_last_step = ? WHERE id = ?"
REENCRYPT = "UPDATE people SET totp_secret = ? WHERE id = ? AND totp_secret = ?"
CLEAR_SECRET = "UPDATE people SET totp_secret = NULL, totp_set_up_at = NULL, totp_last_step = NULL WHERE id = ?"
USE_RECOVERY = """
UPDATE mfa_recovery_codes SET used_at = :now
WHERE person_id = :person_id AND code_hash = :hash AND used_at IS NULL
"""
RECOVERY_LEFT = "SELECT count(*) AS n FROM mfa_recovery_codes WHERE person_id = ? AND used_at IS NULL"
DELETE_RECOVERY = "DELETE FROM mfa_recovery_codes WHERE person_id = ?"
PENDING = "SELECT * FROM mfa_pending WHERE key = ? AND started_at > ?"
PRUNE_PENDING = "DELETE FROM mfa_pending WHERE started_at <= ? OR person_id = ? AND purpose = ?"
FAIL_PENDING = "UPDATE mfa_pending SET failures = failures + 1 WHERE key = ? RETURNING failures"
DELETE_PENDING = "DELETE FROM mfa_pending WHERE key = ?"
DELETE_PERSON_PENDING = "DELETE FROM mfa_pending WHERE person_id = ?"
PENDING_SECRET = "UPDATE mfa_pending SET new_secret = ? WHERE key = ?"
WITH_AUTHENTICATOR = "SELECT id FROM people WHERE school_id = ? AND totp_secret IS NOT NULL"
MFA_FOR_TEACHERS = "SELECT mfa_for_teachers FROM schools WHERE id = ?"
SET_MFA_FOR_TEACHERS = "UPDATE schools SET mfa_for_teachers = ? WHERE id = ?"


def _key(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _cutoff():
    return (datetime.now(UTC) - PENDING_FOR).isoformat(timespec="seconds")


def start_pending(db, person_id, purpose):
    """Start a pending step for the person (ending their older one of this kind); returns its token.

    Only the token's hash is stored; the token goes in the Flask session.
    """
    token = secrets.token_urlsafe(32)
    with write_transaction(db):
        db.execute(PRUNE_PENDING, [_cutoff(), person_id, purpose])
        db["mfa_pending"].insert(
            {"key": _key(token), "person_id": person_id, "purpose": purpose, "started_at": now(), "failures": 0}
        )
    return token


def pending(db, token):
    """The live pending step for this token (not older than PENDING_FOR), or None."""
    if not token:
        return None
    return next(db.query(PENDING, [_key(token), _cutoff()]), None)


def fail_pending(db, token):
    """Count one wrong code on the pending step; returns the failures so far."""
    with write_transaction(db):
        row = db.execute(FAIL_PENDING, [_key(token)]).fetchone()
    return row[0] if row else None


def end_pending(db, token):
    """Forget a pending step (finished, or too many wrong codes)."""
    with write_transaction(db):
        db.execute(DELETE_PENDING, [_key(token)])


def set_pending_secret(db, token, encrypted_secret):
    """Keep the (encrypted) new secret shown on the set-up screen until a code confirms it."""
    with write_transaction(db):
        db.execute(PENDING_SECRET, [encrypted_secret, _key(token)])


def use_step(db, person_id, step):
    """Record that the code of `step` was used; False if that step (or a later one) was used before."""
    with write_transaction(db):
        return db.execute(USE_STEP, {"id": person_id, "step": step}).rowcount == 1


def use_recovery_code(db, person_id, code):
    """Use one of the person's recovery codes; False if it is not one of theirs or was used."""
    params = {"now": now(), "person_id": person_id, "hash": recovery_hash(code)}
    with write_transaction(db):
        return db.execute(USE_RECOVERY, params).rowcount == 1


def recovery_codes_left(db, person_id):
    """How many unused recovery codes the person has."""
    return next(db.query(RECOVERY_LEFT, [person_id]))["n"]


def set_authenticator(db, person_id, encrypted_secret, step, codes):
    """Save a confirmed secret (its confirming step counts as used) and replace the recovery codes."""
    stamp = now()
    with write_transaction(db):
        db.execute(SET_SECRET, [encrypted_secret, stamp, step, person_id])
        db.execute(DELETE_RECOVERY, [person_id])
        db["mfa_recovery_codes"].insert_all(
            {"person_id": person_id, "code_hash": recovery_hash(c), "created_at": stamp} for c in codes
        )


def replace_recovery_codes(db, person_id, codes):
    """New recovery codes for the person; the old ones stop working."""
    stamp = now()
    with write_transaction(db):
        db.execute(DELETE_RECOVERY, [person_id])
        db["mfa_recovery_codes"].insert_all(
            {"person_id": person_id, "code_hash": recovery_hash(c), "created_at": stamp} for c in codes
        )


def reencrypt_secret(db, person_id, old_stored, new_stored):
    """Store the secret under the current key (it was read with a fallback key)."""
    with write_transaction(db):
        db.execute(REENCRYPT, [new_stored, person_id, old_stored])


def reset_authenticator(db, person_id):
    """Clear the person's secret, recovery codes and pending steps (admin reset): they set up again."""
    with write_transaction(db):
        db.execute(CLEAR_SECRET, [person_id])
        db.execute(DELETE_RECOVERY, [person_id])
        db.execute(DELETE_PERSON_PENDING, [person_id])


def people_with_authenticator(db, school_id):
    """Ids of the school's people who have an authenticator set up."""
    return {row["id"] for row in db.query(WITH_AUTHENTICATOR, [school_id])}


def mfa_for_teachers(db, school_id):
    """Whether the school requires teachers to use an authenticator app."""
    row = next(db.query(MFA_FOR_TEACHERS, [school_id]), None)
    return bool(row and row["mfa_for_teachers"])


def set_mfa_for_teachers(db, school_id, value):
    """Turn the school's teacher requirement on or off."""
    with write_transaction(db):
        db.execute(SET_MFA_FOR_TEACHERS, [1 if value else 0, school_id])
