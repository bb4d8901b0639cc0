"""The trust lead's figures, worked out by a job: the grouped query rows behind the schools' table and
re-teach, stored as JSON on the trust's trust_figures row (m023) for page views to read.

At trust scale (40 schools, 40,000 pupils, a million answers) the queries take seconds, and slow work
never runs in a web worker (DESIGN.md). The row is the job's durable state, as for report jobs: a job a
crash cut off is retried once, or failed, by the sweep (job_rows.sweep_in); the figures stored
before stay on show meanwhile.
"""

from flask import current_app

import jobs
from db import now
from job_rows import lease, sweep_in
from training.courses import courses
from trusts import figure_queries, queries

INTERRUPTED = "Working out the figures was interrupted because the server restarted."
COULD_NOT = "Sorry, the figures could not be worked out."


def queue_figures(figures_id):
    """Ask the worker to work out a trust's figures whose row is queued; never raises (the sweep finds a lost job)."""
    jobs.enqueue_saved(work_out_figures, figures_id)


# Huey's own retries are off: the row counts attempts, and the sweep retries a job a crash cut off.
@jobs.task(retries=0)
def work_out_figures(figures_id):
    """Work out and store one trust's figures for one route; a failure is recorded on its row, never raised."""
    db = jobs.job_db()
    try:
        return run_figures(db, figures_id)
    finally:
        db.close()


def run_figures(db, figures_id):
    """Claim a queued row, run the figure queries and store their rows; returns the final status (None if
    the row was not queued: a second enqueue, or its trust's schools changed and the row was dropped)."""
    row = figure_queries.ROWS.claim(db, figures_id)
    if row is None:
        return None
    try:
        course = courses().get(row["course_id"])
        if course is None:  # a route taken out of the service since the view asked
            figure_queries.ROWS.fail(db, figures_id, COULD_NOT)
            return "failed"
        started = now()  # the figures are as of the moment the queries began
        table_rows = queries.figure_rows(db, row["trust_id"], course)
        figure_queries.ROWS.set_progress(db, figures_id, 30)  # also the heartbeat
        # Re-teach names the trust's schools as well: it reads this column only.
        answers = queries.first_answer_counts(db, row["trust_id"], course)
        answer_rows = {"schools": table_rows["schools"], "answers": answers}
        figure_queries.ROWS.set_progress(db, figures_id, 90)
        return "done" if figure_queries.finish(db, figures_id, table_rows, answer_rows, started) else None
    except Exception:  # noqa: BLE001 (the lead's page must say it failed)
        current_app.logger.exception("Trust figures %s failed.", figures_id)
        figure_queries.ROWS.fail(db, figures_id, COULD_NOT)
        return "failed"


@jobs.on_worker_gone
@jobs.periodic_task(jobs.crontab(minute="*"))
def sweep_figures():
    """Every minute, as the worker starts and when a worker is gone: retry or fail figure jobs cut off, queue lost."""
    db = jobs.job_db()
    try:
        return sweep_figures_in(db, lease())
    finally:
        db.close()


def sweep_figures_in(db, lease):
    """Deal with cut-off and lost figure jobs; returns {"retried": n, "failed": n, "requeued": n}."""
    return sweep_in(db, figure_queries.ROWS, lease, queue_figures, INTERRUPTED, "Trust figures")
