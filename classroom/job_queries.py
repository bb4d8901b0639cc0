"""SQL for report jobs on the queue: claim, heartbeat, progress, and the sweep of jobs a crash cut off."""

from datetime import UTC, datetime

from db import now, write_transaction

# Only a queued job can be claimed, so a job enqueued twice (by the view and by the sweep) runs once.
CLAIM = """
UPDATE report_jobs SET status = 'running', progress = 0, attempts = attempts + 1,
       started_at = :now, heartbeat_at = :now, error = NULL
WHERE id = :id AND status = 'queued'
"""
JOB = "SELECT * FROM report_jobs WHERE id = ?"
HEARTBEAT = "UPDATE report_jobs SET heartbeat_at = :now WHERE id = :id AND status = 'running'"
PROGRESS = """
UPDATE report_jobs SET progress = :progress, heartbeat_at = :now WHERE id = :id AND status = 'running'
"""
DONE = """
UPDATE report_jobs SET status = 'done', progress = 100, filename = :filename, content = :content,
       finished_at = :now, heartbeat_at = :now
WHERE id = :id AND status = 'running'
"""
FAILED = """
UPDATE report_jobs SET status = 'failed', error = :error, finished_at = :now
WHERE id = :id AND status IN ('queued', 'running')
"""
# Running with no heartbeat for the lease: its worker died. (A NULL heartbeat: a row from before m013.)
CUT_OFF = """
SELECT id, attempts FROM report_jobs
WHERE status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < :before)
"""
REQUEUE = """
UPDATE report_jobs SET status = 'queued', progress = 0, heartbeat_at = :now
WHERE id = :id AND status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < :before)
"""
# Queued for longer than the lease: its job was lost (the queue refused it, or its file was reset).
# heartbeat_at on a queued row is when it was last put on the queue, so the sweep queues it once a lease.
LOST = """
SELECT id FROM report_jobs WHERE status = 'queued' AND COALESCE(heartbeat_at, created_at) < :before
"""
REQUEUED = "UPDATE report_jobs SET heartbeat_at = :now WHERE id = :id AND status = 'queued'"
CLASS = "SELECT id, name, year_group, course_id FROM classes WHERE id = ? AND school_id = ?"
SCHOOL = "SELECT name FROM schools WHERE id = ?"


def _before(lease):
    return (datetime.now(UTC) - lease).isoformat(timespec="seconds")


def claim(db, job_id):
    """Mark a queued job running (one more attempt) and return its row; None if it is not queued."""
    with write_transaction(db):
        if db.execute(CLAIM, {"id": job_id, "now": now()}).rowcount != 1:
            return None
    return next(db.query(JOB, [job_id]), None)


def job(db, job_id):
    """The job's row, or None."""
    return next(db.query(JOB, [job_id]), None)


def heartbeat(db, job_id):
    """Say the job's worker is still alive."""
    with write_transaction(db):
        db.execute(HEARTBEAT, {"id": job_id, "now": now()})


def set_progress(db, job_id, progress):
    """Record how far a running job has got (0-100); it beats the heartbeat too."""
    with write_transaction(db):
        db.execute(PROGRESS, {"id": job_id, "progress": progress, "now": now()})


def finish(db, job_id, filename, content):
    """Store the finished report."""
    with write_transaction(db):
        db.execute(DONE, {"id": job_id, "filename": filename, "content": content, "now": now()})


def fail(db, job_id, error):
    """Mark the job failed with a message for the teacher."""
    with write_transaction(db):
        db.execute(FAILED, {"id": job_id, "error": error, "now": now()})


def cut_off(db, lease):
    """Running jobs whose heartbeat is older than `lease` (a timedelta): (id, attempts) rows."""
    return list(db.query(CUT_OFF, {"before": _before(lease)}))


def requeue(db, job_id, lease):
    """Put a cut-off job back to queued; False if it beat its heartbeat meanwhile."""
    with write_transaction(db):
        return db.execute(REQUEUE, {"id": job_id, "before": _before(lease), "now": now()}).rowcount == 1


def lost(db, lease):
    """Ids of jobs queued longer than `lease` ago and never started; each is marked queued again now."""
    with write_transaction(db):
        ids = [row["id"] for row in db.query(LOST, {"before": _before(lease)})]
        for job_id in ids:
            db.execute(REQUEUED, {"id": job_id, "now": now()})
    return ids


def class_row(db, class_id, school_id):
    """The report's class (any state: a job made before an archive still finishes)."""
    return next(db.query(CLASS, [class_id, school_id]), None)


def school_name(db, school_id):
    """The school's name, for a whole-school report's title."""
    row = next(db.query(SCHOOL, [school_id]), None)
    return row["name"] if row else ""
