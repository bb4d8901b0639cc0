"""A job's durable state in its table's row: claim, progress, failure, and what the sweep looks for.

Report jobs, sign-in card batches, trust figures, evidence packs and school exports keep the same states (queued,
running with a heartbeat, done, failed) in tables of their own; this is the one place their shared SQL and sweep live.
A claim records the worker that runs the job (job_workers.py): the job is cut off once that worker is gone.
"""

from datetime import UTC, datetime, timedelta

from flask import current_app

import job_workers
from db import now, write_transaction

# A job cut off by a crash is tried again this many times in all, then marked failed.
MAX_ATTEMPTS = 2


def lease():
    """How long a running job's row stays claimed without a heartbeat (REPORT_JOB_LEASE_SECONDS): every sweep's."""
    return timedelta(seconds=int(current_app.config["REPORT_JOB_LEASE_SECONDS"]))


def _before(lease):
    return (datetime.now(UTC) - lease).isoformat(timespec="seconds")


class JobRows:
    """The state queries for jobs kept in `table`, each row named by its `key` column."""

    def __init__(self, table, key, *, claim_sets="", fail_sets="heartbeat_at = :now"):
        # claim_sets, fail_sets: the table's own columns set on claiming and failing, beside the shared ones.
        self.key = key
        claim_extra = f", {claim_sets}" if claim_sets else ""
        where = f"WHERE {key} = :key"
        # Only a queued job can be claimed, so a job enqueued twice (by the view and by the sweep) runs once.
        self.claim_sql = (
            f"UPDATE {table} SET status = 'running', progress = 0, attempts = attempts + 1, "
            f"heartbeat_at = :now, worker_id = :worker{claim_extra} {where} AND status = 'queued'"
        )
        self.row_sql = f"SELECT * FROM {table} WHERE {key} = ?"
        self.heartbeat_sql = f"UPDATE {table} SET heartbeat_at = :now {where} AND status = 'running'"
        self.progress_sql = (
            f"UPDATE {table} SET progress = :progress, heartbeat_at = :now {where} AND status = 'running'"
        )
        self.failed_sql = (
            f"UPDATE {table} SET status = 'failed', error = :error, {fail_sets} {where} "
            "AND status IN ('queued', 'running')"
        )
        # Running, and its worker is gone: no longer among the running workers (job_workers.forget_gone).
        # A job run outside a worker (run-pending, tests) names none: no heartbeat for the lease. (A NULL
        # heartbeat: a row from before m013.)
        stale = (
            f"((worker_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM job_workers w WHERE w.id = {table}.worker_id)) "
            "OR (worker_id IS NULL AND (heartbeat_at IS NULL OR heartbeat_at < :before)))"
        )
        self.cut_off_sql = f"SELECT {key}, attempts FROM {table} WHERE status = 'running' AND {stale}"
        self.requeue_sql = (
            f"UPDATE {table} SET status = 'queued', progress = 0, heartbeat_at = :now "
            f"{where} AND status = 'running' AND {stale}"
        )
        # Queued for longer than the lease: its job was lost (the queue refused it, or its file was reset).
        # heartbeat_at on a queued row is when it was last put on the queue, so the sweep queues it once a lease.
        self.lost_sql = (
            f"SELECT {key} FROM {table} WHERE status = 'queued' AND COALESCE(heartbeat_at, created_at) < :before"
        )
        self.requeued_sql = f"UPDATE {table} SET heartbeat_at = :now {where} AND status = 'queued'"

    def row(self, db, key):
        """The job's row, or None."""
        return next(db.query(self.row_sql, [key]), None)

    def claim(self, db, key):
        """Mark a queued job running (one more attempt) and return its row; None if it is not queued."""
        with write_transaction(db):
            params = {"key": key, "now": now(), "worker": job_workers.current()}
            if db.execute(self.claim_sql, params).rowcount != 1:
                return None
        return self.row(db, key)

    def heartbeat(self, db, key):
        """Say the job's worker is still alive."""
        with write_transaction(db):
            db.execute(self.heartbeat_sql, {"key": key, "now": now()})

    def set_progress(self, db, key, progress):
        """Record how far a running job has got (0-100); it beats the heartbeat too."""
        with write_transaction(db):
            db.execute(self.progress_sql, {"key": key, "progress": progress, "now": now()})

    def fail(self, db, key, error):
        """Mark the job failed with a message for the teacher."""
        with write_transaction(db):
            db.execute(self.failed_sql, {"key": key, "error": error, "now": now()})

    def cut_off(self, db, lease):
        """Running jobs whose worker is gone (run by none: no heartbeat for `lease`): (key, attempts) rows."""
        return list(db.query(self.cut_off_sql, {"before": _before(lease)}))

    def requeue(self, db, key, lease):
        """Put a cut-off job back to queued; False if it beat its heartbeat meanwhile."""
        with write_transaction(db):
            return db.execute(self.requeue_sql, {"key": key, "before": _before(lease), "now": now()}).rowcount == 1

    def lost(self, db, lease):
        """Keys of jobs queued longer than `lease` ago and never started; each is marked queued again now."""
        with write_transaction(db):
            keys = [row[self.key] for row in db.query(self.lost_sql, {"before": _before(lease)})]
            for key in keys:
                db.execute(self.requeued_sql, {"key": key, "now": now()})
        return keys


def after_cut_off(attempts):
    """What the sweep does with a job a crash cut off after `attempts` tries: 'retry' or 'fail'."""
    return "retry" if attempts < MAX_ATTEMPTS else "fail"


def sweep_in(db, rows, lease, queue, interrupted, what):
    """Retry once, or fail with `interrupted`, the jobs of `rows` a crash cut off; queue again those lost.

    Returns {"retried": n, "failed": n, "requeued": n}. A duplicate enqueue is harmless: only a queued job
    can be claimed.
    """
    counts = {"retried": 0, "failed": 0, "requeued": 0}
    job_workers.forget_gone(db, job_workers.current(), job_workers.lease())  # their jobs are cut off now
    for row in rows.cut_off(db, lease):
        key = row[rows.key]
        if after_cut_off(row["attempts"]) == "fail":
            rows.fail(db, key, interrupted)
            current_app.logger.error("%s %s was cut off %s times; marked failed.", what, key, row["attempts"])
            counts["failed"] += 1
        elif rows.requeue(db, key, lease):
            current_app.logger.warning("%s %s was cut off (its worker stopped); trying again.", what, key)
            queue(key)
            counts["retried"] += 1
    for key in rows.lost(db, lease):
        queue(key)
        counts["requeued"] += 1
    return counts
