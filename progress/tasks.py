"""Progress's background jobs: reports, a class's certificates and a certificate's reissue; their sweep.

The report_jobs row is the job's durable state (queued -> running -> done or failed); a class's
certificates merged into one PDF for printing are a report_jobs row of kind 'certificates', a reissued
certificate one of kind 'reissue' (certificates/tasks.py does the work). Huey drops a job when it starts
it, so a worker killed mid-report leaves the row "running": the claim records the worker, and a sweep
finds rows whose worker is gone, queues them once more, or marks them failed with a message the teacher
can act on.

The heartbeat the sweep goes by is the worker's own (job_workers.py): a job whose worker is gone is cut off as
soon as a worker starts again on the same host, or when the worker's heartbeat is a few seconds old.
"""

import threading
from datetime import UTC, datetime
from io import BytesIO

from flask import current_app
from pypdf import PdfReader, PdfWriter

import job_rows
import jobs
from certificates.tasks import reissue_in_job
from db import connect
from progress import job_queries, report_jobs
from progress.queries import Scope, class_certificate_pdfs
from progress.reports import build, collect, filename
from training.courses import course_for_class, courses, year_courses

# The heartbeat is beaten this often while a report builds (the lease is several times longer).
HEARTBEAT_EVERY = 15


def queue_report(job_id):
    """Ask the worker to build a report whose row is saved; never raises (the sweep finds a lost job)."""
    jobs.enqueue_saved(build_report, job_id)


# Huey's own retries are off: the row counts attempts, and the sweep retries a job a crash cut off.
# Stored under the name it had in classroom/tasks.py, so a job queued before an upgrade still runs after it.
@jobs.task(retries=0, name="classroom.tasks.build_report")
def build_report(job_id):
    """Build one report and store it on its row; a failure is recorded there, never raised."""
    db = jobs.job_db()
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
        if job["kind"] == report_jobs.CERTIFICATES:
            return _class_certificates(db, job)
        if job["kind"] == report_jobs.REISSUE:
            return reissue_in_job(db, job)
        found = _scope_and_course(db, job)
        if found is None:
            job_queries.fail(db, job_id, report_jobs.CLASS_GONE)
            return "failed"
        scope, course = found
        job_queries.set_progress(db, job_id, 10)
        fmt = job["format"]
        # Only what this format prints: a CSV never computes the re-teach statistics.
        data = collect(db, course, scope, report_jobs.period_of(job), generated_at=datetime.now(UTC), fmt=fmt)
        job_queries.set_progress(db, job_id, 40)
        content = build(data, fmt)
        job_queries.finish(db, job_id, filename(data, fmt), content)
        return "done"
    except Exception:  # noqa: BLE001 (the job page must say it failed)
        current_app.logger.exception("Report job %s failed.", job_id)
        job_queries.fail(db, job_id, report_jobs.COULD_NOT_MAKE)
        return "failed"
    finally:
        stop.set()
        beater.join()


def _class_certificates(db, job):
    """Merge the class's stored certificate PDFs into one, a page each, onto the job's row."""
    klass = job_queries.class_row(db, job["class_id"], job["school_id"])
    if klass is None:
        job_queries.fail(db, job["id"], report_jobs.CLASS_GONE)
        return "failed"
    pdfs = class_certificate_pdfs(db, job["school_id"], klass["id"], job["course_id"])
    if not pdfs:  # revoked or erased between the click and the job
        job_queries.fail(db, job["id"], report_jobs.NO_CERTIFICATES)
        return "failed"
    writer = PdfWriter()
    step = max(1, len(pdfs) // 10)  # about ten progress writes, however big the class
    for done, pdf in enumerate(pdfs, 1):
        writer.append(PdfReader(BytesIO(pdf)))
        if done % step == 0:
            job_queries.set_progress(db, job["id"], 10 + 80 * done // len(pdfs))
    out = BytesIO()
    writer.write(out)
    job_queries.finish(db, job["id"], f"certificates-{klass['name']}.pdf", out.getvalue())
    return "done"


def _beat(database, job_id, stop):
    """Beat the job's heartbeat until `stop` is set (a long PDF build has no progress steps)."""
    db = connect(database)
    try:
        while not stop.wait(HEARTBEAT_EVERY):
            job_queries.heartbeat(db, job_id)
    finally:
        db.close()


@jobs.on_worker_gone
@jobs.periodic_task(jobs.crontab(minute="*"))
def sweep_reports():
    """Every minute, as the worker starts and when a worker is gone: retry or fail report jobs cut off."""
    db = jobs.job_db()
    try:
        return sweep_reports_in(db, job_rows.lease())
    finally:
        db.close()


def sweep_reports_in(db, lease):
    """Deal with cut-off and lost report jobs; returns {"retried": n, "failed": n, "requeued": n}."""
    return job_rows.sweep_in(db, job_queries.ROWS, lease, queue_report, report_jobs.INTERRUPTED, "Report job")
