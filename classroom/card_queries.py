"""SQL for sign-in card batches made by the job worker: queue, claim, progress, finish, and the sweep."""

import secrets
from datetime import UTC, datetime

from classroom.queries import CARDS_KEPT, PURGE_CARD_BATCHES, username_for
from db import now, write_transaction
from job_rows import JobRows

BATCH_FOR_IMPORT = "SELECT * FROM card_batches WHERE import_token = ?"
DROP_FAILED_FOR_IMPORT = "DELETE FROM card_batches WHERE import_token = ? AND status = 'failed'"
DONE = """
UPDATE card_batches SET status = 'done', progress = 100, pdf = :pdf, pupils = :pupils, expires_at = :expires,
       heartbeat_at = :now
WHERE token = :token AND status = 'running'
"""
IMPORT = "SELECT * FROM roster_imports WHERE token = ?"
CLASS_NAME = "SELECT name FROM classes WHERE id = ? AND school_id = ?"

# A batch's state (card_batches.status and friends): the same queries as a report job's.
ROWS = JobRows("card_batches", "token")
batch, claim, set_progress, fail = ROWS.row, ROWS.claim, ROWS.set_progress, ROWS.fail
cut_off, requeue, lost = ROWS.cut_off, ROWS.requeue, ROWS.lost


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


def finish(db, token, pdf, pupils):
    """Store the cards (inside the caller's transaction, with the passwords they carry)."""
    expires = (datetime.now(UTC) + CARDS_KEPT).isoformat(timespec="seconds")
    with write_transaction(db):
        return db.execute(
            DONE, {"token": token, "pdf": pdf, "pupils": pupils, "expires": expires, "now": now()}
        ).rowcount


def class_name(db, class_id, school_id):
    """The batch's class's name (archived or not: cards asked for before an archive are still made); None if gone."""
    row = next(db.query(CLASS_NAME, [class_id, school_id]), None)
    return row["name"] if row else None


def kept_import(db, token):
    """The preview a batch was confirmed from, or None if it is gone."""
    return next(db.query(IMPORT, [token]), None)


def plan_usernames(db, pupils):
    """Fill in each pupil's username as create_pupils would (read only), so the cards can be made first."""
    taken = set()
    return [dict(pupil, username=username_for(db, pupil, taken)) for pupil in pupils]
