"""A report job when the web server and the job worker are killed with kill -9 and started again.

gunicorn (2 workers) and a `flask jobs worker` serve one database with the shipped settings. A
whole-school PDF (2,000 pupils) is asked for; once the worker is building it (40%), the web server's
process group and the worker get SIGKILL, and both are started again. The row: seconds from the
restart to the job settled (queued again by the new worker's start-up sweep, done, or failed with a
message), to the new worker's attempt starting, and to done.

Run on its own with `.venv/bin/python -m bench.crash_recovery`.
"""

import os
import random
import signal
import tempfile
import threading
import time

from app import create_app
from bench.classroom_reports import build_school
from bench.heavy_load import COURSE, ask_for
from bench.jobs_load import start_worker, stop, wait_for
from bench.load import free_port, start_gunicorn
from db import connect, migrate

GOAL = 20
STATUS = "SELECT status, progress, attempts, error FROM report_jobs WHERE id = ?"


def kill_9(server, worker):
    """SIGKILL the web server's whole process group (master and workers) and the job worker."""
    os.killpg(server.pid, signal.SIGKILL)
    os.kill(worker.pid, signal.SIGKILL)
    server.wait()
    worker.wait()


def watch(database, job_id, attempt, restart, marks):
    """Poll the row every 10 ms from the restart; note in `marks` when it settled, was claimed again, finished."""
    db = connect(database)
    try:
        while "done" not in marks:
            status, _progress, attempts, error = db.execute(STATUS, [job_id]).fetchone()
            moment = time.monotonic() - restart
            if status != "running" or attempts > attempt:  # no longer the dead worker's attempt
                marks.setdefault("settled", moment)
            if attempts > attempt or status in ("done", "failed"):
                marks.setdefault("claimed", moment)
            if status in ("done", "failed"):
                marks.update(done=moment, final=(status, attempts, error))
            time.sleep(0.01)
    finally:
        db.close()


def run(_app=None):
    """Kill -9 both mid-report, restart them: (label, figure, goal) rows."""
    with tempfile.TemporaryDirectory() as folder:
        database = os.path.join(folder, "crash.sqlite")
        # The bench's own client asks for the report (an admin; no second sign-in step, no CSRF token to
        # scrape): what it does is one row and one queue write. The web server and worker run as shipped.
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": database,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "STAFF_MFA": False})  # fmt: skip
        db = connect(database)
        migrate(db)
        build_school(db, app.extensions["courses"][COURSE], random.Random(4))
        db.close()
        client = app.test_client()
        client.post("/sign-in", data={"name": "admin@bench.test", "password": "bench-password"})
        port = free_port()
        server = start_gunicorn(database, port, own_group=True)
        worker = start_worker(database, port)
        try:
            job_id = ask_for(client, "pdf", None)
            before = wait_for(database, STATUS, [job_id], lambda row: row[0] == "running" and row[1] >= 40)
            kill_9(server, worker)
            left = wait_for(database, STATUS, [job_id], lambda row: True)  # what the crash leaves
            restart, marks = time.monotonic(), {}
            watcher = threading.Thread(target=watch, args=(database, job_id, before[2], restart, marks), daemon=True)
            watcher.start()
            worker = start_worker(database, port)
            up = time.monotonic() - restart  # the worker has built its app, registered and swept
            server = start_gunicorn(database, port, own_group=True)
            served = time.monotonic() - restart
            watcher.join(600)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
            stop(worker)
    final = marks["final"]
    figure = (f"settled {marks['settled']:.1f} s after the restart (left '{left[0]} {left[1]}%', attempt {left[2]}; "
              f"the worker up at {up:.1f} s, the web server at {served:.1f} s; the new attempt started at "
              f"{marks['claimed']:.1f} s; {final[0]} at {marks['done']:.0f} s, attempt {final[1]}"
              f"{': ' + final[2] if final[2] else ''})")  # fmt: skip
    label = ("A report job (whole-school PDF, 2,000 pupils) when web server and worker are killed with kill -9 "
             "and restarted: seconds from restart to settled (shipped settings; the bench's client asks as an "
             "admin without the second sign-in step)")  # fmt: skip
    return [(label, figure, f"<= {GOAL} s")]


if __name__ == "__main__":
    for label, figure, *goal in run():
        print(f"{label}: {figure}", *(f"(goal {g})" for g in goal))
