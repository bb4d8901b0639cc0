"""SQL for a trust's stored figures (trust_figures, m023): read by page views, asked for, and stored by the job.

A page view reads one row (only the column it shows) and, when the stored rows are missing or old, asks
for a job by one conditional write: the INSERT ... ON CONFLICT DO NOTHING or the UPDATE that moves the row
to 'queued' changes a row for one caller only, so two views at once queue one job. Portable SQL.
"""

import json
from datetime import UTC, datetime, timedelta

from db import now, write_transaction
from job_rows import JobRows

# The job's state: the same claim, progress, failure and sweep queries as a report job's.
ROWS = JobRows("trust_figures", "id", claim_sets="error = NULL")

# Which JSON column each screen reads: the schools' table (and its CSV), or re-teach; None: the state only.
COLUMNS = {"table": "table_rows", "answers": "answer_rows", None: "NULL"}

STORED = """
SELECT id, status, error, computed_at, queued_at, {column} AS rows FROM trust_figures
WHERE trust_id = ? AND course_id = ?
"""
CREATE = """
INSERT INTO trust_figures (trust_id, course_id, status, created_at, queued_at, heartbeat_at)
VALUES (:trust_id, :course_id, 'queued', :now, :now, :now)
ON CONFLICT (trust_id, course_id) DO NOTHING
"""
ID_OF = "SELECT id FROM trust_figures WHERE trust_id = ? AND course_id = ?"
# Queue the row's job again: only when no job is queued or running, the stored rows are older than
# :stale, and no job was asked for since :retry (so a failing job is not asked for on every view).
REQUEUE = """
UPDATE trust_figures SET status = 'queued', progress = 0, attempts = 0, error = NULL, queued_at = :now,
       heartbeat_at = :now
WHERE id = :id AND status IN ('done', 'failed') AND (computed_at IS NULL OR computed_at < :stale)
  AND queued_at < :retry
"""
DONE = """
UPDATE trust_figures SET status = 'done', progress = 100, table_rows = :table_rows, answer_rows = :answer_rows,
       computed_at = :computed_at, heartbeat_at = :now
WHERE id = :id AND status = 'running'
"""


def ago(minutes):
    """The ISO time `minutes` ago (stored times compare as strings)."""
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")


def stored(db, trust_id, course_id, which):
    """The trust's stored figures for a route: a dict with `rows` (the parsed JSON of `which`: 'table',
    'answers', or None for the job's state alone; None if never worked out), status, error, computed_at,
    queued_at and id. None if no job was ever asked for."""
    row = next(db.query(STORED.format(column=COLUMNS[which]), [trust_id, course_id]), None)
    if row is None:
        return None
    return dict(row, rows=json.loads(row["rows"]) if row["rows"] else None)


def ask(db, trust_id, course_id, stale_minutes, retry_minutes, row=None):
    """Ask for the figures to be worked out if they are missing or older than `stale_minutes`; returns the
    row's id if this call queued a job (the caller enqueues it), else None. At most one caller wins."""
    stamp = now()
    with write_transaction(db):
        if row is None:
            if db.execute(CREATE, {"trust_id": trust_id, "course_id": course_id, "now": stamp}).rowcount == 1:
                return next(db.query(ID_OF, [trust_id, course_id]))["id"]
            return None  # another view made the row a moment ago: its job is queued
        params = {"id": row["id"], "now": stamp, "stale": ago(stale_minutes), "retry": ago(retry_minutes)}
        return row["id"] if db.execute(REQUEUE, params).rowcount == 1 else None


def finish(db, figures_id, table_rows, answer_rows, computed_at):
    """Store the job's rows as the trust's figures as of `computed_at`; False if the row was not running."""
    params = {
        "id": figures_id,
        "table_rows": json.dumps(table_rows, separators=(",", ":")),
        "answer_rows": json.dumps(answer_rows, separators=(",", ":")),
        "computed_at": computed_at,
        "now": now(),
    }
    with write_transaction(db):
        return db.execute(DONE, params).rowcount == 1
