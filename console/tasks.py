"""The console's background jobs: a school's offboarding export (one ZIP), and deleting expired exports.

The school_exports row is the job's state (queued -> running -> done or failed), as for report jobs: a
sweep every minute retries once, or fails, an export a crash cut off (job_rows.sweep_in).
"""

import re
from datetime import UTC, datetime, timedelta

from flask import current_app

import jobs
from console import holdings, queries
from job_rows import JobRows, sweep_in

ROWS = JobRows("school_exports", "id")
INTERRUPTED = "The export was interrupted because the server restarted while making it. Please ask for it again."
COULD_NOT_MAKE = "Sorry, the export could not be made. Please try again."


def queue_export(export_id):
    """Ask the worker to build an export whose row is saved; never raises (the sweep finds a lost job)."""
    jobs.enqueue_saved(build_export, export_id)


@jobs.task(retries=0)
def build_export(export_id):
    """Build one school's export ZIP onto its row; a failure is recorded there, never raised."""
    db = jobs.job_db()
    try:
        return run_export(db, export_id)
    finally:
        db.close()


def export_filename(school_name, moment):
    """'school-export-riverside-academy-2026-11-21.zip'."""
    slug = re.sub(r"[^a-z0-9]+", "-", school_name.lower()).strip("-")[:60] or "school"
    return f"school-export-{slug}-{moment:%Y-%m-%d}.zip"


def run_export(db, export_id):
    """Claim a queued export and build it; returns its final status (None if it was not queued)."""
    job = ROWS.claim(db, export_id)
    if job is None:
        return None
    try:
        school = db["schools"].get(job["school_id"])
        content = holdings.export_zip(db, job["school_id"], progress=lambda p: ROWS.set_progress(db, export_id, p))
        moment = datetime.now(UTC)
        hours = int(current_app.config["SCHOOL_EXPORT_HOURS"])
        expires = (moment + timedelta(hours=hours)).isoformat(timespec="seconds")
        queries.finish_export(db, export_id, export_filename(school["name"], moment), content, expires)
        return "done"
    except Exception:  # noqa: BLE001 (the offboarding page must say it failed)
        current_app.logger.exception("School export %s failed.", export_id)
        ROWS.fail(db, export_id, COULD_NOT_MAKE)
        return "failed"


@jobs.on_worker_gone
@jobs.periodic_task(jobs.crontab(minute="*"))
def sweep_exports():
    """Every minute: retry or fail exports a crash cut off; delete exports past their time."""
    db = jobs.job_db()
    try:
        lease = timedelta(seconds=int(current_app.config["REPORT_JOB_LEASE_SECONDS"]))
        counts = sweep_in(db, ROWS, lease, queue_export, INTERRUPTED, "School export")
        return counts, queries.purge_exports(db)
    finally:
        db.close()
