"""Which job workers are running: each `flask jobs worker` registers itself and beats a heartbeat of its own.

Every job table's row records the worker that claimed it (job_rows.py). A job is abandoned when
its worker is gone: on the worker's own host, a process that is not running any more (seen as soon as a
worker starts there again, so a restart after kill -9 settles its jobs at once); on any host, a worker
whose heartbeat is older than JOBS_WORKER_LEASE_SECONDS. A worker on another machine sharing the queue is
never taken for dead while it beats: its pid means nothing here, so only its heartbeat's age decides.

The heartbeat thread starts before the worker lowers its CPU priority (jobs.lower_priority), and a thread
keeps its creator's priority: a machine busy with web requests never starves the beat into looking dead.
"""

import os
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta

from flask import current_app

from db import connect, now, write_transaction

REGISTER = """
INSERT INTO job_workers (id, host, pid, pid_started, started_at, beat_at)
VALUES (:id, :host, :pid, :pid_started, :now, :now)
"""
BEAT = "UPDATE job_workers SET beat_at = :now WHERE id = :id"
ON_HOST = "SELECT id, pid, pid_started FROM job_workers WHERE host = :host AND id <> :id"
SILENT = "SELECT id FROM job_workers WHERE beat_at < :before AND id <> :id"
FORGET = "DELETE FROM job_workers WHERE id = :id"

_me = {"id": None, "host": None}  # this process's worker, once `flask jobs worker` registered it


def current():
    """This process's worker id; None outside `flask jobs worker` (tests and run-pending run jobs in-process)."""
    return _me["id"]


def process_started(pid):
    """When process `pid` started (ticks since boot, from /proc), or None if it is not running or there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]  # field 22; the name in brackets may hold spaces
    except (OSError, IndexError):
        return None


def running(pid, pid_started):
    """Whether the process `pid` on this host is still the worker that registered (not a later one given its pid)."""
    if pid == os.getpid():
        return False  # an earlier worker with this pid (a restarted container): this process is its successor
    if os.path.isdir("/proc/self") and pid_started is not None:
        return process_started(pid) == pid_started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # running, as another user
    return True


def register(db, host=None):
    """Record this process as a running worker and return its id (also kept as `current()`)."""
    worker_id = uuid.uuid4().hex
    host = host or socket.gethostname()
    values = {"id": worker_id, "host": host, "pid": os.getpid(), "pid_started": process_started(os.getpid()),
              "now": now()}  # fmt: skip
    with write_transaction(db):
        db.execute(REGISTER, values)
    _me.update(id=worker_id, host=host)
    return worker_id


def beat(db, worker_id):
    """Say the worker is alive; a worker taken for dead after a long stall registers again (its jobs were retried)."""
    with write_transaction(db):
        if db.execute(BEAT, {"id": worker_id, "now": now()}).rowcount == 1:
            return worker_id
    return register(db, _me["host"])


def forget_gone(db, worker_id, lease, host=None, is_running=running):
    """Forget the workers that are gone: on this host, processes no longer running; anywhere, silent for `lease`.

    Their jobs' rows then name a worker that is not registered, which the job sweeps retry or fail.
    Returns the ids forgotten."""
    host = host or _me["host"] or socket.gethostname()
    before = (datetime.now(UTC) - lease).isoformat(timespec="seconds")
    gone = [row["id"] for row in db.query(ON_HOST, {"host": host, "id": worker_id or ""})
            if not is_running(row["pid"], row["pid_started"])]  # fmt: skip
    gone += [row["id"] for row in db.query(SILENT, {"before": before, "id": worker_id or ""}) if row["id"] not in gone]
    with write_transaction(db):
        for key in gone:
            db.execute(FORGET, {"id": key})
    return gone


def forget(db, worker_id):
    """Remove a worker that stopped cleanly."""
    with write_transaction(db):
        db.execute(FORGET, {"id": worker_id})


def lease():
    """How long a worker may go without a heartbeat before its jobs are taken for abandoned."""
    return timedelta(seconds=float(current_app.config["JOBS_WORKER_LEASE_SECONDS"]))


def start(app, on_gone):
    """Register this worker, forget those gone, run `on_gone()` (the job sweeps), and beat in a thread.

    The thread runs `on_gone()` again whenever it finds a worker gone. Returns the worker's id. Called before
    the worker lowers its priority: the sweeps and the thread run at the normal one, so on a busy machine a
    restart still settles what the crash cut off at once."""
    db = connect(app.config["DATABASE"])
    try:
        with app.app_context():
            worker_id = register(db)
            forget_gone(db, worker_id, lease())
            on_gone()
    finally:
        db.close()
    every = float(app.config["JOBS_WORKER_BEAT_SECONDS"])
    threading.Thread(target=_beat_forever, args=(app, every, on_gone), daemon=True, name="job-worker-beat").start()
    return worker_id


def _beat_forever(app, every, on_gone):
    """Beat every `every` seconds; when another worker is found gone, run `on_gone` (the job sweeps)."""
    stop = threading.Event()
    while not stop.wait(every):
        with app.app_context():
            try:
                db = connect(app.config["DATABASE"])
                try:
                    beat(db, _me["id"])
                    gone = forget_gone(db, _me["id"], lease())
                finally:
                    db.close()
                if gone:
                    on_gone()
            except Exception:  # noqa: BLE001 (a database hiccup must not stop the heartbeat for good)
                app.logger.exception("The job worker's heartbeat failed; trying again.")
