"""Classroom's background jobs: report files, with a sweep for jobs a crash cut off.

The report_jobs row is the job's durable state (queued -> running -> done or failed). Huey drops
a job when it starts it, so a worker killed mid-report leaves the row "running": while it builds,
the job beats a heartbeat on the row, and a sweep every minute finds rows whose heartbeat stopped,
queues them once more, or marks them failed with a message the teacher can act on.
"""

import threading
from datetime import UTC, datetime, timedelta

from flask import current_app

import jobs
from classroom import job_queries, report_jobs
from classroom.progress_queries import Scope
from classroom.reports import build, collect, filename
from db import connect
from training.courses import course_for_class, courses, year_courses

# The heartbeat is beaten this often while a report builds (the lease is several times longer).
HEARTBEAT_EVERY = 15


def _db():
    """A connection of the job's own (jobs run outside any web request)."""
    return connect(current_app.config["DATABASE"])


def _lease():
    return timedelta(seconds=int(current_app.config["REPORT_JOB_LEASE_SECONDS"]))


def queue_report(job_id):
    """Ask the worker to build a report whose row is saved; never raises (the sweep finds a lost job)."""
    try:
        jobs.enqueue(build_report, job_id)
    except Exception:  # noqa: BLE001 (the row is saved as queued: the sweep queues it again)
        current_app.logger.exception("Report job %s saved; the job queue refused it, the sweep will queue it.", job_id)


# Huey's own retries are off: the row counts attempts, and the sweep retries a job a crash cut off.
@jobs.task(retries=0)
def build_report(job_id):
    """Build one report and store it on its row; a failure is recorded there, never raised."""
    db = _db()
    try:
        return run_report(db, job_id)
    finally:
        db.close()


def _scope_and_course(db, job):
    """(Scope, course) as the view chose them, from the job's row; None if the class is gone."""
    if job["class_id"] is None:
        course = courses()[job["course_id"]]
        name = job_queries.school_name(db, job["school_id"])
        return Scope(job["school_id"], None, name, course.id, year_courses()), course
    klass = job_queries.class_row(db, job["class_id"], job["school_id"])
    if klass is None:
        return None
    return Scope(job["school_id"], klass["id"], klass["name"]), course_for_class(klass)


def run_report(db, job_id):
    """Claim a queued job and build its file; returns its final status (None if it was not queued)."""
    job = job_queries.claim(db, job_id)
    if job is None:
        return None  # done, failed, or running in another worker: a second enqueue does nothing
    stop = threading.Event()
    beater = threading.Thread(target=_beat, args=(current_app.config["DATABASE"], job_id, stop), daemon=True)
    beater.start()
    try:
        found = _scope_and_course(db, job)
        if found is None:
            job_queries.fail(db, job_id, report_jobs.CLASS_GONE)
            return "failed"
        scope, course = found
        job_queries.set_progress(db, job_id, 10)
        data = collect(db, course, scope, report_jobs.period_of(job), generated_at=datetime.now(UTC))
        job_queries.set_progress(db, job_id, 40)
        content = build(data, job["format"])
        job_queries.finish(db, job_id, filename(data, job["format"]), content)
        return "done"
    except Exception:  # noqa: BLE001 (the job page must say it failed)
        current_app.logger.exception("Report job %s failed.", job_id)
        job_queries.fail(db, job_id, report_jobs.COULD_NOT_MAKE)
        return "failed"
    finally:
        stop.set()
        beater.join()


def _beat(database, job_id, stop):
    """Beat the job's heartbeat until `stop` is set (a long PDF build has no progress steps)."""
    db = connect(database)
    try:
        while not stop.wait(HEARTBEAT_EVERY):
            job_queries.heartbeat(db, job_id)
    finally:
        db.close()


@jobs.on_worker_start
@jobs.periodic_task(jobs.crontab(minute="*"))
def sweep_reports():
    """Every minute: retry or fail jobs a crash cut off, and queue again jobs whose queue entry was lost."""
    db = _db()
    try:
        return sweep_reports_in(db, _lease())
    finally:
        db.close()


def sweep_reports_in(db, lease):
    """Deal with cut-off and lost report jobs; returns {"retried": n, "failed": n, "requeued": n}."""
    counts = {"retried": 0, "failed": 0, "requeued": 0}
    for row in job_queries.cut_off(db, lease):
        if report_jobs.after_cut_off(row["attempts"]) == "fail":
            job_queries.fail(db, row["id"], report_jobs.INTERRUPTED)
            current_app.logger.error("Report job %s was cut off %s times; marked failed.", row["id"], row["attempts"])
            counts["failed"] += 1
        elif job_queries.requeue(db, row["id"], lease):
            current_app.logger.warning("Report job %s was cut off (its worker stopped); trying again.", row["id"])
            queue_report(row["id"])
            counts["retried"] += 1
    for job_id in job_queries.lost(db, lease):
        queue_report(job_id)  # a duplicate is harmless: only a queued job can be claimed
        counts["requeued"] += 1
    return counts
