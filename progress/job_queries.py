"""SQL for report jobs on the queue: claim, heartbeat, progress, and the sweep of jobs a crash cut off."""

from db import now, write_transaction
from job_rows import JobRows

DONE = """
UPDATE report_jobs SET status = 'done', progress = 100, filename = :filename, content = :content,
       finished_at = :now, heartbeat_at = :now
WHERE id = :id AND status = 'running'
"""
CLASS = "SELECT id, name, year_group, course_id FROM classes WHERE id = ? AND school_id = ?"
SCHOOL = "SELECT name FROM schools WHERE id = ?"

# A report job's state (report_jobs.status and friends): the same queries as a card batch's.
ROWS = JobRows("report_jobs", "id", claim_sets="started_at = :now, error = NULL", fail_sets="finished_at = :now")
job, claim, heartbeat, set_progress, fail = ROWS.row, ROWS.claim, ROWS.heartbeat, ROWS.set_progress, ROWS.fail
cut_off, requeue, lost = ROWS.cut_off, ROWS.requeue, ROWS.lost


def finish(db, job_id, filename, content):
    """Store the finished report."""
    with write_transaction(db):
        db.execute(DONE, {"id": job_id, "filename": filename, "content": content, "now": now()})


def class_row(db, class_id, school_id):
    """The report's class (any state: a job made before an archive still finishes)."""
    return next(db.query(CLASS, [class_id, school_id]), None)


def school_name(db, school_id):
    """The school's name, for a whole-school report's title."""
    row = next(db.query(SCHOOL, [school_id]), None)
    return row["name"] if row else ""
