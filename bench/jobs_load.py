"""The job queue under real processes: a class import confirmed to cards ready, with a `flask jobs worker`."""

import io
import os
import secrets
import statistics
import subprocess
import tempfile
import time

from accounts.demo import DEMO_PASSWORD
from app import create_app
from bench.classroom_roster import roster_csv
from bench.load import ROOT
from db import connect, migrate
from demo import seed_demo

RUNS = 3
# Before each timed run the worker sits idle this long, as it does between a teacher's clicks: an
# idle SQLite worker polls less and less often, so a run straight after the last would flatter it.
IDLE_SECONDS = 8


def start_worker(database, port=5000, **env):
    """`flask jobs worker` against `database` (its queue file beside it), with `env` added; returns it once up."""
    env = dict(
        os.environ,
        FLASK_DATABASE=database,
        FLASK_SECRET_KEY=secrets.token_hex(16),
        FLASK_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",  # card links; required outside development
        **env,
    )
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/flask"), "--app", "app", "jobs", "worker"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    line = process.stdout.readline()  # "Job worker: n jobs registered, ..." once the app is built
    if not line.startswith("Job worker"):
        process.kill()
        raise RuntimeError(f"the job worker did not start: {line!r}")
    return process


def stop(process):
    """Stop a process started here (SIGTERM; the worker finishes its running jobs first)."""
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(database, query, params, done, timeout=120):
    """Poll the app's database every 10 ms until `done(row)`; returns the row."""
    db = connect(database)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = db.execute(query, params).fetchone()
            if row is not None and done(row):
                return row
            time.sleep(0.01)
    finally:
        db.close()
    raise RuntimeError(f"timed out waiting for {query}")


def import_to_cards(client, database, name):
    """Upload and preview a class of 30 (untimed), then the time from the confirm POST to its cards being made."""
    class_id = client.post("/classes", data={"name": name, "year_group": "10"}).location.rsplit("/", 1)[1]
    upload = client.post(
        f"/classes/{class_id}/import",
        data={"file": (io.BytesIO(roster_csv(name)), "class.csv", "text/csv")},
        content_type="multipart/form-data",
    )
    assert client.get(upload.location).status_code == 200
    start = time.perf_counter()
    confirmed = client.post(upload.location)
    assert confirmed.status_code == 303, confirmed.status_code
    token = confirmed.location.rsplit("/", 1)[1]
    row = wait_for(database, "SELECT status FROM card_batches WHERE token = ?", [token],
                   lambda r: r[0] in ("done", "failed"))  # fmt: skip
    assert row[0] == "done", row[0]
    return time.perf_counter() - start


def run(_app=None):
    """A class of 30 imported: confirm POST to cards ready, with a real worker process; returns table rows."""
    with tempfile.TemporaryDirectory() as folder:
        database = os.path.join(folder, "jobs-bench.sqlite")
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": database,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})  # fmt: skip
        db = connect(database)
        migrate(db)
        seed_demo(db)
        db.close()
        client = app.test_client()
        client.post("/sign-in", data={"name": "teacher@demo.school", "password": DEMO_PASSWORD})
        worker = start_worker(database)
        try:
            import_to_cards(client, database, "W0")  # warm-up: the worker's first job loads WeasyPrint
            times = []
            for number in range(RUNS):
                time.sleep(IDLE_SECONDS)
                times.append(import_to_cards(client, database, f"W{number + 1}"))
        finally:
            stop(worker)
    return [
        (
            f"A class of 30 imported, confirm to cards ready (flask jobs worker, idle {IDLE_SECONDS} s before)",
            f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s of {RUNS} (goal <= 2 s)",
        )
    ]


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label}: {figure}")
