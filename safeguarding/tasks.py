"""Safeguarding's background job: remind every DSL of requests nobody opened in time."""

from functools import partial

from flask import current_app

import jobs
from accounts.queries import school_language
from db import now
from languages import in_languages
from outbox.tasks import send_mail
from safeguarding import queries
from safeguarding.talk_rules import is_overdue, overdue_notification
from urls import public_url


@jobs.periodic_task(jobs.crontab(minute="*/5"))
def remind_overdue():
    """Every 5 minutes: mark requests nobody opened in the time the pupil chose, and tell every DSL once."""
    db = jobs.job_db()
    try:
        return remind_overdue_in(db)
    finally:
        db.close()


def remind_overdue_in(db):
    """Mark each overdue unopened request and queue one reminder to every DSL and deputy; returns how many."""
    stamp = now()
    reminded = 0
    with current_app.test_request_context():  # url_for needs a request context; the address is PUBLIC_BASE_URL
        queue_url = public_url("safeguarding.requests")
    for row in queries.unopened_not_reminded(db):
        if not is_overdue(row["status"], row["urgency"], row["created_at"], stamp):
            continue
        words = partial(overdue_notification, row["urgency"], row["created_at"], queue_url)
        subject, body = in_languages(school_language(db, row["school_id"]), words)
        recipients = queries.dsl_emails(db, row["school_id"])
        message_id = queries.mark_overdue_and_queue(db, row, recipients, subject, body)
        if message_id is not None:
            reminded += 1
            jobs.enqueue_saved(send_mail, message_id)
    return reminded
