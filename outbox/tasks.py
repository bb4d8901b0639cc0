"""The staff e-mail outbox's jobs: queue a message, send it, retry with a back-off, and sweep what a crash
or a lost job left behind. Every part that tells staff something by e-mail calls queue_mail."""

import smtplib
from datetime import timedelta

from flask import current_app

import jobs
from outbox import queries
from outbox.smtp import CUT_OFF, NO_RECIPIENTS, NOT_CONFIGURED, SENDING_LEASE, describe_error, retry_after
from outbox.smtp import send_mail as smtp_send

# A queued message whose own job should have run this long ago is sent by the sweep instead
# (its job was lost: the worker was down, or the enqueue failed).
SWEEP_GRACE = timedelta(minutes=2)
# Delivered messages are deleted after this long: the outbox is not a mail archive.
KEEP_SENT = timedelta(days=30)


def queue_mail(db, school_id, recipients, subject, body):
    """Put an e-mail in the outbox and ask the worker to send it; returns at once, never raises on the queue."""
    message_id = queries.queue_message(db, school_id, recipients, subject, body)
    jobs.enqueue_saved(send_mail, message_id)
    return message_id


# Huey's own retries are off: the outbox row keeps the attempts and the back-off (1, 5, 15, 60 min).
@jobs.task(retries=0)
def send_mail(message_id):
    """Send one outbox message; on failure record why and schedule the next try, or give up."""
    db = jobs.job_db()
    try:
        return deliver(db, message_id)
    finally:
        db.close()


def deliver(db, message_id):
    """Try to send one message now (if it is due and nobody else is sending it). Returns its new status."""
    message = queries.claim_message(db, message_id)
    if message is None:
        return None
    config = current_app.config
    if not message["recipients"]:
        queries.message_failed(db, message_id, NO_RECIPIENTS)
        return "failed"
    if not config.get("MAIL_SERVER"):
        queries.message_failed(db, message_id, NOT_CONFIGURED)
        return "failed"
    try:
        smtp_send(config, message["recipients"], message["subject"], message["body"])
    except (smtplib.SMTPException, OSError) as error:
        return _attempt_failed(db, message, describe_error(error))
    except Exception as error:  # noqa: BLE001 (any failure is recorded on the row, never left half-claimed)
        current_app.logger.exception("Outbox message %s: unexpected error while sending.", message_id)
        return _attempt_failed(db, message, describe_error(error))
    queries.message_sent(db, message_id)
    return "sent"


def _attempt_failed(db, message, error):
    """Record a failed attempt: try again after the back-off, or mark the message failed."""
    wait = retry_after(message["attempts"])
    if wait is None:
        queries.message_failed(db, message["id"], f"Gave up after {message['attempts']} attempts. {error}")
        current_app.logger.error("Outbox message %s failed for good: %s", message["id"], error)
        return "failed"
    queries.message_retry(db, message["id"], wait, error)
    current_app.logger.warning("Outbox message %s not sent (%s); next try in %s.", message["id"], error, wait)
    jobs.enqueue_saved(send_mail, message["id"], delay=wait.total_seconds())
    return "queued"


@jobs.periodic_task(jobs.crontab(minute="*"))
def sweep_outbox():
    """Every minute: retry sends a crash cut off, send messages whose job was lost, prune old sent mail."""
    db = jobs.job_db()
    try:
        for row in queries.cut_off_messages(db, SENDING_LEASE):
            _attempt_failed(db, dict(row), CUT_OFF)
        for message_id in queries.due_messages(db, late_by=SWEEP_GRACE):
            deliver(db, message_id)
        queries.purge_sent(db, KEEP_SENT)
    finally:
        db.close()
