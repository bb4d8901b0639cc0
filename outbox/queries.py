"""The staff e-mail outbox's SQL: queue a message, claim it to send, record the result, and what staff see."""

import json
from datetime import datetime, timedelta

from db import now, write_transaction

# Taking a message to send: only one worker wins (the UPDATE's WHERE), even with two sweeps racing.
CLAIM_MESSAGE = """
UPDATE outbox SET attempts = attempts + 1, sending_since = :now
WHERE id = :id AND status = 'queued' AND sending_since IS NULL AND next_attempt_at <= :now
"""
MESSAGE_BY_ID = "SELECT * FROM outbox WHERE id = ?"
MESSAGE_SENT = "UPDATE outbox SET status = 'sent', sent_at = ?, sending_since = NULL, last_error = NULL WHERE id = ?"
MESSAGE_RETRY = "UPDATE outbox SET next_attempt_at = ?, sending_since = NULL, last_error = ? WHERE id = ?"
MESSAGE_FAILED = "UPDATE outbox SET status = 'failed', sending_since = NULL, last_error = ? WHERE id = ?"
CUT_OFF_MESSAGES = "SELECT id, attempts FROM outbox WHERE status = 'queued' AND sending_since < ?"
DUE_MESSAGES = """
SELECT id FROM outbox WHERE status = 'queued' AND sending_since IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?
"""
PURGE_SENT = "DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?"
# Problems staff should see: given up, or failing and being retried.
MAIL_PROBLEM_COUNT = """
SELECT count(*) AS n FROM outbox
WHERE school_id = ? AND (status = 'failed' OR (status = 'queued' AND last_error IS NOT NULL)) AND created_at >= ?
"""
SCHOOL_OUTBOX = """
SELECT * FROM outbox WHERE school_id = ? AND created_at >= ?
ORDER BY status = 'sent', id DESC LIMIT 200
"""


def queue_message(db, school_id, recipients, subject, body):
    """Put an e-mail in the outbox to be sent by the job worker; returns its id."""
    stamp = now()
    row = {
        "school_id": school_id,
        "recipients": json.dumps(list(recipients)),
        "subject": subject,
        "body": body,
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": stamp,
        "created_at": stamp,
    }
    with write_transaction(db):
        return db["outbox"].insert(row).last_pk


def claim_message(db, message_id):
    """Take a due message for sending (counts the attempt); returns the row, or None if it is not ours to send."""
    with write_transaction(db):
        if db.execute(CLAIM_MESSAGE, {"id": message_id, "now": now()}).rowcount != 1:
            return None
        row = next(db.query(MESSAGE_BY_ID, [message_id]))
    return dict(row, recipients=json.loads(row["recipients"]))


def message_sent(db, message_id):
    """Record that a message was delivered to the mail server."""
    with write_transaction(db):
        db.execute(MESSAGE_SENT, [now(), message_id])


def message_retry(db, message_id, wait, error):
    """Record a failed attempt and when to try again."""
    stamp = (datetime.fromisoformat(now()) + wait).isoformat(timespec="seconds")
    with write_transaction(db):
        db.execute(MESSAGE_RETRY, [stamp, error, message_id])
    return stamp


def message_failed(db, message_id, error):
    """Record that a message will not be sent, with why."""
    with write_transaction(db):
        db.execute(MESSAGE_FAILED, [error, message_id])


def cut_off_messages(db, lease):
    """Messages a worker started sending more than `lease` ago and never finished (it crashed)."""
    cutoff = (datetime.fromisoformat(now()) - lease).isoformat(timespec="seconds")
    return list(db.query(CUT_OFF_MESSAGES, [cutoff]))


def due_messages(db, late_by=timedelta(0), limit=50):
    """Ids of queued messages that were due at least `late_by` ago."""
    due = (datetime.fromisoformat(now()) - late_by).isoformat(timespec="seconds")
    return [row["id"] for row in db.query(DUE_MESSAGES, [due, limit])]


def purge_sent(db, older_than):
    """Delete delivered messages older than `older_than`: the outbox is not an archive."""
    cutoff = (datetime.fromisoformat(now()) - older_than).isoformat(timespec="seconds")
    with write_transaction(db):
        db.execute(PURGE_SENT, [cutoff])


def mail_problem_count(db, school_id, since):
    """How many of the school's notifications failed, or are failing and being retried, since `since`."""
    return next(db.query(MAIL_PROBLEM_COUNT, [school_id, since]))["n"]


def school_outbox(db, school_id, since):
    """The school's notifications since `since`: problems first, then sent ones, newest first."""
    return [dict(row, recipients=json.loads(row["recipients"])) for row in db.query(SCHOOL_OUTBOX, [school_id, since])]
