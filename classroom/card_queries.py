"""SQL for sign-in card batches made by the job worker: queue, claim, progress, finish, and the sweep."""

import secrets
from datetime import UTC, datetime

from classroom.queries import CARDS_KEPT, PURGE_CARD_BATCHES, username_for
from db import now, write_transaction

BATCH = "SELECT * FROM card_batches WHERE token = ?"
BATCH_FOR_IMPORT = "SELECT * FROM card_batches WHERE import_token = ?"
DROP_FAILED_FOR_IMPORT = "DELETE FROM card_batches WHERE import_token = ? AND status = 'failed'"
CLAIM = """
UPDATE card_batches SET status = 'running', progress = 0, attempts = attempts + 1, heartbeat_at = :now
WHERE token = :token AND status = 'queued'
"""
PROGRESS = """
UPDATE card_batches SET progress = :progress, heartbeat_at = :now WHERE token = :token AND status = 'running'
"""
DONE = """
UPDATE card_batches SET status = 'done', progress = 100, pdf = :pdf, pupils = :pupils, expires_at = :expires,
       heartbeat_at = :now
WHERE token = :token AND status = 'running'
"""
FAILED = """
UPDATE card_batches SET status = 'failed', error = :error, heartbeat_at = :now
WHERE token = :token AND status IN ('queued', 'running')
"""
CUT_OFF = """
SELECT token, attempts FROM card_batches
WHERE status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < :before)
"""
REQUEUE = """
UPDATE card_batches SET status = 'queued', progress = 0, heartbeat_at = :now
WHERE token = :token AND status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < :before)
"""
LOST = "SELECT token FROM card_batches WHERE status = 'queued' AND COALESCE(heartbeat_at, created_at) < :before"
REQUEUED = "UPDATE card_batches SET heartbeat_at = :now WHERE token = :token AND status = 'queued'"
IMPORT = "SELECT * FROM roster_imports WHERE token = ?"


def _before(lease):
    return (datetime.now(UTC) - lease).isoformat(timespec="seconds")


def queue_batch(db, user, class_id, kind, pupils, import_token=None):
    """Save a queued card batch (kind 'import' or 'new-cards'); returns its token.

    For an import, a second confirm of the same preview returns the first batch's token instead.
    """
    token = secrets.token_urlsafe(24)
    stamp = now()
    with write_transaction(db):
        db.execute(PURGE_CARD_BATCHES, [stamp])
        if import_token:
            db.execute(DROP_FAILED_FOR_IMPORT, [import_token])  # a failed try may be confirmed again
            existing = next(db.query(BATCH_FOR_IMPORT, [import_token]), None)
            if existing:
                return existing["token"]
        db["card_batches"].insert(
            {
                "token": token, "school_id": user.school_id, "class_id": class_id, "staff_id": user.id,
                "pupils": pupils, "pdf": b"", "created_at": stamp,
                # Kept until made and for CARDS_KEPT after (DONE sets it again).
                "expires_at": (datetime.now(UTC) + 2 * CARDS_KEPT).isoformat(timespec="seconds"),
                "status": "queued", "progress": 0, "kind": kind, "import_token": import_token,
            }
        )  # fmt: skip
    return token


def batch(db, token):
    """The batch row, or None."""
    return next(db.query(BATCH, [token]), None)


def claim(db, token):
    """Mark a queued batch running and return it; None if it is not queued (done, failed, or taken)."""
    with write_transaction(db):
        if db.execute(CLAIM, {"token": token, "now": now()}).rowcount != 1:
            return None
    return batch(db, token)


def set_progress(db, token, progress):
    """Record how far the batch has got; beats its heartbeat."""
    with write_transaction(db):
        db.execute(PROGRESS, {"token": token, "progress": progress, "now": now()})


def finish(db, token, pdf, pupils):
    """Store the cards (inside the caller's transaction, with the passwords they carry)."""
    expires = (datetime.now(UTC) + CARDS_KEPT).isoformat(timespec="seconds")
    with write_transaction(db):
        return db.execute(
            DONE, {"token": token, "pdf": pdf, "pupils": pupils, "expires": expires, "now": now()}
        ).rowcount


def fail(db, token, error):
    """Mark the batch failed with a message for the teacher."""
    with write_transaction(db):
        db.execute(FAILED, {"token": token, "error": error, "now": now()})


def cut_off(db, lease):
    """Running batches whose heartbeat is older than `lease`."""
    return list(db.query(CUT_OFF, {"before": _before(lease)}))


def requeue(db, token, lease):
    """Put a cut-off batch back to queued; False if it beat its heartbeat meanwhile."""
    with write_transaction(db):
        return db.execute(REQUEUE, {"token": token, "before": _before(lease), "now": now()}).rowcount == 1


def lost(db, lease):
    """Tokens of batches queued longer than `lease` ago and never started; each marked queued again now."""
    with write_transaction(db):
        tokens = [row["token"] for row in db.query(LOST, {"before": _before(lease)})]
        for token in tokens:
            db.execute(REQUEUED, {"token": token, "now": now()})
    return tokens


def kept_import(db, token):
    """The preview a batch was confirmed from, or None if it is gone."""
    return next(db.query(IMPORT, [token]), None)


def plan_usernames(db, pupils):
    """Fill in each pupil's username as create_pupils would (read only), so the cards can be made first."""
    taken = set()
    return [dict(pupil, username=username_for(db, pupil, taken)) for pupil in pupils]
