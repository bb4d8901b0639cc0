"""Which job workers are running (job_workers.py), and the jobs of a worker that is gone.

A job is abandoned as soon as its worker is known to be gone: on this host, a process no longer
running (seen when a worker starts again); anywhere, a worker whose own heartbeat is older than its
lease. A worker on another machine that beats is never taken for dead. One test kills a real
`flask jobs worker` with SIGKILL and starts another with the shipped settings.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import job_workers
from classroom import card_queries
from classroom.tasks import sweep_cards_in
from db import write_transaction
from jobs import run_pending
from progress.queries import Period, Scope, create_job
from progress.tasks import sweep_reports_in

from helpers import sign_in, worker_env

ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(minutes=2)  # the jobs' own lease: only for jobs no worker claimed
WORKER_LEASE = timedelta(seconds=15)


@pytest.fixture
def hill(db, make_school, make_staff, make_pupil, make_class):
    """A school with a teacher and a class of three."""
    school = make_school("Hillside School")
    teacher = make_staff(school, "teach@hill.test")
    pupils = [make_pupil(school, f"p{n}.x", first_name=f"Pupil{n}") for n in range(3)]
    return {"school": school, "teacher": teacher, "class": make_class(school, "9B", teacher, pupils)}


@pytest.fixture(autouse=True)
def _no_worker_in_this_process():
    """A test that registers a worker here must not leave this process looking like one."""
    yield
    job_workers._me.update(id=None, host=None)


def worker_row(db, worker_id, *, host, pid, pid_started=None, beat_age=timedelta(0)):
    """A job_workers row as another worker process registers and beats it."""
    beat = (datetime.now(UTC) - beat_age).isoformat(timespec="seconds")
    with write_transaction(db):
        db.execute(
            "INSERT INTO job_workers (id, host, pid, pid_started, started_at, beat_at) VALUES (?, ?, ?, ?, ?, ?)",
            [worker_id, host, pid, pid_started, beat, beat],
        )


def dead_pid():
    """The pid of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def workers(db):
    return {row["id"] for row in db.query("SELECT id FROM job_workers")}


def test_a_worker_on_this_host_whose_process_ended_is_forgotten_at_once(db):
    worker_row(db, "dead", host="here", pid=dead_pid())
    worker_row(db, "alive", host="here", pid=os.getppid(), pid_started=job_workers.process_started(os.getppid()))
    assert job_workers.forget_gone(db, None, WORKER_LEASE, host="here") == ["dead"]
    assert workers(db) == {"alive"}


def test_a_reused_pid_or_this_process_s_own_pid_is_not_taken_for_the_worker_that_had_it(db):
    # A running process, but started after the worker that registered its pid (the pid was given again).
    worker_row(db, "reused", host="here", pid=os.getppid(), pid_started="1")
    # A restarted container's worker often has the same pid as the one that was killed.
    worker_row(db, "earlier-me", host="here", pid=os.getpid(), pid_started=job_workers.process_started(os.getpid()))
    assert sorted(job_workers.forget_gone(db, None, WORKER_LEASE, host="here")) == ["earlier-me", "reused"]


def test_a_worker_on_another_host_is_judged_by_its_heartbeat_only(db):
    # Its pid means nothing here (that pid is not running on this host): only the heartbeat's age counts.
    worker_row(db, "beating", host="elsewhere", pid=dead_pid(), beat_age=timedelta(seconds=5))
    worker_row(db, "silent", host="elsewhere", pid=os.getpid(), beat_age=timedelta(seconds=30))
    assert job_workers.forget_gone(db, None, WORKER_LEASE, host="here") == ["silent"]
    assert workers(db) == {"beating"}


def test_registering_and_beating(db):
    worker_id = job_workers.register(db, "here")
    assert job_workers.current() == worker_id
    row = db["job_workers"].get(worker_id)
    assert (row["host"], row["pid"]) == ("here", os.getpid())
    assert job_workers.forget_gone(db, worker_id, WORKER_LEASE, host="here") == []  # never forgets itself
    job_workers.forget(db, worker_id)  # as if taken for dead after a long stall
    again = job_workers.beat(db, worker_id)
    assert again != worker_id and workers(db) == {again}  # it registers again, so new claims are alive


def report_job(db, hill):
    class Teacher:
        id, school_id = hill["teacher"], hill["school"]

    return create_job(db, Teacher, Scope(hill["school"], hill["class"], "9B"), "csv", Period())


def claimed_by(db, table, key_column, key, worker_id, *, attempts=1):
    """The row as worker `worker_id` leaves it while it runs: running, 40%, its own heartbeat fresh."""
    with write_transaction(db):
        db.execute(
            f"UPDATE {table} SET status = 'running', progress = 40, attempts = ?, heartbeat_at = ?, worker_id = ? "  # noqa: S608
            f"WHERE {key_column} = ?",
            [attempts, datetime.now(UTC).isoformat(timespec="seconds"), worker_id, key],
        )


def test_a_claim_records_the_worker_that_runs_the_job(app, db, hill):
    job_id = report_job(db, hill)
    worker_id = job_workers.register(db, "here")
    from progress import job_queries

    assert job_queries.claim(db, job_id)["worker_id"] == worker_id


def test_a_report_whose_worker_died_is_retried_by_the_next_sweep_though_its_row_beat_just_now(app, db, hill):
    job_id = report_job(db, hill)
    worker_row(db, "gone", host="here", pid=dead_pid())
    claimed_by(db, "report_jobs", "id", job_id, "gone")
    with app.test_request_context():
        job_workers._me["host"] = "here"
        assert sweep_reports_in(db, LEASE) == {"retried": 1, "failed": 0, "requeued": 0}
    assert db["report_jobs"].get(job_id)["status"] == "queued"
    run_pending(app.extensions["huey"])
    row = db["report_jobs"].get(job_id)
    assert (row["status"], row["attempts"]) == ("done", 2)


def test_a_job_of_a_live_worker_on_another_machine_is_never_taken(app, db, hill):
    job_id = report_job(db, hill)
    worker_row(db, "other-machine", host="elsewhere", pid=dead_pid(), beat_age=timedelta(seconds=10))
    claimed_by(db, "report_jobs", "id", job_id, "other-machine")
    with write_transaction(db):  # its job row's own heartbeat is old: the worker's heartbeat decides
        db.execute("UPDATE report_jobs SET heartbeat_at = '2020-01-01T00:00:00+00:00' WHERE id = ?", [job_id])
    with app.test_request_context():
        job_workers._me["host"] = "here"
        assert sweep_reports_in(db, LEASE) == {"retried": 0, "failed": 0, "requeued": 0}
        with write_transaction(db):  # the other machine stops beating
            db.execute("UPDATE job_workers SET beat_at = '2020-01-01T00:00:00+00:00'")
        assert sweep_reports_in(db, LEASE)["retried"] == 1


def test_a_card_batch_whose_worker_died_is_failed_after_its_last_try(app, db, hill):
    class Teacher:
        id, school_id = hill["teacher"], hill["school"]

    token = card_queries.queue_batch(db, Teacher, hill["class"], "new-cards", 3)
    worker_row(db, "gone", host="here", pid=dead_pid())
    claimed_by(db, "card_batches", "token", token, "gone", attempts=2)
    with app.test_request_context():
        job_workers._me["host"] = "here"
        assert sweep_cards_in(db, LEASE)["failed"] == 1
    assert db["card_batches"].get(token)["status"] == "failed"


# A real worker killed with SIGKILL, and another started with the shipped settings -------------------------
def start_worker(app):
    command = [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker", "--workers", "1"]
    return subprocess.Popen(command, cwd=ROOT, env=worker_env(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_until(db, job_id, settled, worker, seconds=60):
    """Poll the row until `settled(row)` (waits for an event; generous for a busy machine)."""
    deadline = time.monotonic() + seconds
    row = db["report_jobs"].get(job_id)
    while time.monotonic() < deadline and worker.poll() is None and not settled(row):
        time.sleep(0.02)
        row = db["report_jobs"].get(job_id)
    return row


def test_a_report_cut_off_by_kill_9_is_retried_as_soon_as_a_worker_starts_again(app, db, hill):
    app.config["REPORT_BACKGROUND_ABOVE"] = {"csv": 0, "xlsx": 0, "pdf": 0}
    client = app.test_client()
    assert sign_in(client, "teach@hill.test").status_code == 303
    job_url = client.post("/reports", data={"scope": str(hill["class"]), "format": "pdf"}).headers["Location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    first = start_worker(app)
    try:
        row = wait_until(db, job_id, lambda r: r["status"] != "queued", first)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.kill()
        output = first.communicate(timeout=30)[0].decode()
    if row["status"] != "running":
        pytest.skip(f"the worker finished the PDF before it could be killed ({row['status']})")
    assert db["report_jobs"].get(job_id)["status"] == "running", output  # what the crash leaves
    restarted = time.monotonic()
    second = start_worker(app)  # the shipped settings: the jobs' own lease is two minutes
    try:
        row = wait_until(db, job_id, lambda r: r["attempts"] == 2 or r["status"] in ("done", "failed"), second)
        settled = time.monotonic() - restarted
        row = wait_until(db, job_id, lambda r: r["status"] in ("done", "failed"), second)
    finally:
        second.terminate()
        output = second.communicate(timeout=30)[0].decode()
    assert settled < 20, (settled, output)  # the start-up sweep, not the lease: a few seconds on a busy machine
    assert (row["status"], row["attempts"]) == ("done", 2), output
    assert "Your report is ready" in client.get(job_url).text
    assert not list(db.query("SELECT id FROM job_workers"))  # the dead worker forgotten, the second left cleanly
