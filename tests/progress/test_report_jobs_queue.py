"""Report files on the durable job queue: queued -> running -> done or failed, and what a crash leaves.

Jobs run in-process from the real queue (jobs.run_pending); one test runs `flask jobs worker` as its
own process and kills it with SIGKILL in the middle of a report.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import job_rows
from db import write_transaction
from jobs import build_huey, run_pending
from progress import report_jobs
from progress.queries import Period, Scope, create_job
from progress.tasks import build_report, queue_report, run_report, sweep_reports_in

from helpers import sign_in, worker_env

ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(minutes=2)


@pytest.fixture
def hill(app, db, make_school, make_staff, make_pupil, make_class):
    """A school with a teacher and a class of three."""
    school = make_school("Hillside School")
    teacher = make_staff(school, "teach@hill.test")
    make_staff(school, "admin@hill.test", role="admin")
    pupils = [make_pupil(school, f"p{n}.x", first_name=f"Pupil{n}") for n in range(3)]
    class_id = make_class(school, "9B", teacher, pupils)
    return {"school": school, "teacher": teacher, "class": class_id}


def queued_job(db, hill, fmt="csv"):
    """A report job row as the reports page saves it."""

    class Teacher:
        id, school_id = hill["teacher"], hill["school"]

    return create_job(db, Teacher, Scope(hill["school"], hill["class"], "9B"), fmt, Period())


def left_running(db, job_id, attempts, heartbeat_age):
    """The row as a worker killed mid-report leaves it: running, 40%, its heartbeat stopped."""
    beat = (datetime.now(UTC) - heartbeat_age).isoformat(timespec="seconds")
    with write_transaction(db):
        db.execute(
            "UPDATE report_jobs SET status = 'running', progress = 40, attempts = ?, started_at = ?, heartbeat_at = ?"
            " WHERE id = ?",
            [attempts, beat, beat, job_id],
        )


def teacher(app):
    client = app.test_client()
    assert sign_in(client, "teach@hill.test").status_code == 303
    return client


def test_the_reports_page_queues_the_job_and_the_worker_builds_it(app, db, hill):
    app.config["REPORT_BACKGROUND_ABOVE"] = {"csv": 0, "xlsx": 0, "pdf": 0}
    client = teacher(app)
    job_url = client.post("/reports", data={"scope": str(hill["class"]), "format": "csv"}).headers["Location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    assert db["report_jobs"].get(job_id)["status"] == "queued"  # nothing built in the web request
    page = client.get(job_url).text
    assert "waiting to be made" in page and "job-progress.js" in page
    run_pending(app.extensions["huey"])
    row = db["report_jobs"].get(job_id)
    assert (row["status"], row["progress"], row["attempts"]) == ("done", 100, 1)
    assert row["heartbeat_at"] and row["started_at"]
    download = client.get(f"{job_url}/download")
    assert download.status_code == 200 and b"Pupil2" in download.data


def test_a_csv_report_is_sent_with_one_charset_whether_built_in_the_request_or_by_the_worker(app, db, hill):
    # Flask adds "; charset=utf-8" to a text/ mimetype itself: one passed with a charset was sent with two.
    client = teacher(app)
    app.config["REPORT_BACKGROUND_ABOVE"] = {"csv": 1000, "xlsx": 0, "pdf": 0}  # a school that keeps small CSVs
    streamed = client.post("/reports", data={"scope": str(hill["class"]), "format": "csv"})
    assert streamed.status_code == 200 and streamed.headers["Content-Type"] == "text/csv; charset=utf-8"
    app.config["REPORT_BACKGROUND_ABOVE"] = {"csv": 0, "xlsx": 0, "pdf": 0}
    job_url = client.post("/reports", data={"scope": str(hill["class"]), "format": "csv"}).headers["Location"]
    run_pending(app.extensions["huey"])
    download = client.get(f"{job_url}/download")
    assert download.status_code == 200 and download.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_a_job_enqueued_twice_is_built_once(app, db, hill):
    job_id = queued_job(db, hill)
    with app.test_request_context():
        from jobs import enqueue

        enqueue(build_report, job_id)
        enqueue(build_report, job_id)
    run_pending(app.extensions["huey"])
    assert db["report_jobs"].get(job_id)["attempts"] == 1
    with app.app_context():
        assert run_report(db, job_id) is None  # done already: claiming it again does nothing


def test_a_report_queued_under_its_name_before_it_moved_to_progress_is_built_both_ways(app, db, hill):
    # Huey stores a job by its module and function, and the report job was classroom/tasks.py's: a job queued by
    # the earlier code must run on the worker after an upgrade, and one queued now on an earlier worker still up.
    earlier = build_huey(app.config)  # the earlier code's process, on the same queue

    def build_report(job_id):  # only its name reaches the queue; the worker below runs its own
        raise AssertionError(job_id)

    build_report.__module__ = "classroom.tasks"
    queued_before = queued_job(db, hill)
    earlier.task(name="build_report")(build_report)(queued_before)
    huey = app.extensions["huey"]
    assert run_pending(huey) == 1
    row = db["report_jobs"].get(queued_before)
    assert (row["status"], row["attempts"]) == ("done", 1)
    queued_now = queued_job(db, hill)
    with app.app_context():
        queue_report(queued_now)
    assert earlier.dequeue().args == (queued_now,)  # a name the earlier worker knows


def test_a_job_left_running_by_a_killed_worker_is_retried_once_by_the_sweep(app, db, hill):
    job_id = queued_job(db, hill)
    left_running(db, job_id, attempts=1, heartbeat_age=timedelta(minutes=5))
    with app.test_request_context():
        assert sweep_reports_in(db, LEASE) == {"retried": 1, "failed": 0, "requeued": 0}
    assert db["report_jobs"].get(job_id)["status"] == "queued"
    run_pending(app.extensions["huey"])
    row = db["report_jobs"].get(job_id)
    assert (row["status"], row["attempts"], row["error"]) == ("done", 2, None)


def test_a_job_cut_off_twice_is_failed_with_a_message_the_teacher_sees(app, db, hill):
    job_id = queued_job(db, hill)
    left_running(db, job_id, attempts=job_rows.MAX_ATTEMPTS, heartbeat_age=timedelta(minutes=5))
    with app.test_request_context():
        assert sweep_reports_in(db, LEASE)["failed"] == 1
    row = db["report_jobs"].get(job_id)
    assert (row["status"], row["error"]) == ("failed", report_jobs.INTERRUPTED)
    page = teacher(app).get(f"/reports/{job_id}").text
    assert "The report was interrupted" in page and "Please ask for it again" in page
    assert "job-progress.js" not in page  # a finished job's page stops following


def test_a_job_whose_worker_is_alive_is_left_alone(app, db, hill):
    job_id = queued_job(db, hill)
    left_running(db, job_id, attempts=1, heartbeat_age=timedelta(seconds=10))
    with app.test_request_context():
        assert sweep_reports_in(db, LEASE) == {"retried": 0, "failed": 0, "requeued": 0}
    assert db["report_jobs"].get(job_id)["status"] == "running"


def test_a_queued_job_whose_queue_entry_was_lost_is_queued_again_once_a_lease(app, db, hill):
    job_id = queued_job(db, hill)  # saved, but never put on the queue (the queue was down)
    old = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
    with write_transaction(db):
        db.execute("UPDATE report_jobs SET created_at = ? WHERE id = ?", [old, job_id])
    with app.test_request_context():
        assert sweep_reports_in(db, LEASE)["requeued"] == 1
        assert sweep_reports_in(db, LEASE)["requeued"] == 0  # not again until another lease has passed
    run_pending(app.extensions["huey"])
    assert db["report_jobs"].get(job_id)["status"] == "done"


def test_a_failing_build_is_recorded_and_never_left_running(app, db, hill, monkeypatch):
    def broken(*_args):
        raise ValueError("no fonts")

    monkeypatch.setattr("progress.tasks.build", broken)
    job_id = queued_job(db, hill)
    with app.app_context():
        assert run_report(db, job_id) == "failed"
    row = db["report_jobs"].get(job_id)
    assert (row["status"], row["error"]) == ("failed", report_jobs.COULD_NOT_MAKE)


# The worker as its own process, killed mid-report --------------------------------------------
def start_worker(app, **extra):
    env = worker_env(app, **extra)
    command = [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker", "--workers", "1"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_for(db, job_id, statuses, worker, seconds=60):
    """Poll the row until its status is one of `statuses` (waits for an event; generous for a busy machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and worker.poll() is None:
        row = db["report_jobs"].get(job_id)
        if row["status"] in statuses:
            return row
        time.sleep(0.02)
    return db["report_jobs"].get(job_id)


def test_a_report_survives_kill_9_of_the_worker(app, db, hill):
    app.config["REPORT_BACKGROUND_ABOVE"] = {"csv": 0, "xlsx": 0, "pdf": 0}
    client = teacher(app)
    job_url = client.post("/reports", data={"scope": str(hill["class"]), "format": "pdf"}).headers["Location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    first = start_worker(app)
    try:
        row = wait_for(db, job_id, {"running", "done", "failed"}, first)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.kill()
        output = first.communicate(timeout=30)[0].decode()
    if row["status"] != "running":
        pytest.skip(f"the worker finished the PDF before it could be killed ({row['status']})")
    assert db["report_jobs"].get(job_id)["status"] == "running", output  # what the crash leaves
    time.sleep(1.5)  # older than the 1 s lease below
    second = start_worker(app, FLASK_REPORT_JOB_LEASE_SECONDS="1")
    try:
        row = wait_for(db, job_id, {"done", "failed"}, second)
    finally:
        second.terminate()
        output = second.communicate(timeout=30)[0].decode()
    assert (row["status"], row["attempts"]) == ("done", 2), output
    assert "Your report is ready" in client.get(job_url).text


def test_a_card_batch_left_running_by_a_killed_worker_is_retried_then_failed(app, db, hill):
    from classroom import card_queries
    from classroom.tasks import CARDS_INTERRUPTED, sweep_cards_in

    class Teacher:
        id, school_id = hill["teacher"], hill["school"]

    token = card_queries.queue_batch(db, Teacher, hill["class"], "new-cards", 3)
    old = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
    with write_transaction(db):
        db.execute("UPDATE card_batches SET status = 'running', attempts = 1, heartbeat_at = ? WHERE token = ?",
                   [old, token])  # fmt: skip
    with app.test_request_context():
        assert sweep_cards_in(db, LEASE)["retried"] == 1
    run_pending(app.extensions["huey"])
    assert db["card_batches"].get(token)["status"] == "done"  # retried: the cards were made
    with write_transaction(db):
        db.execute("UPDATE card_batches SET status = 'running', attempts = 2, heartbeat_at = ? WHERE token = ?",
                   [old, token])  # fmt: skip
    with app.test_request_context():
        assert sweep_cards_in(db, LEASE)["failed"] == 1
    assert (db["card_batches"].get(token)["status"], db["card_batches"].get(token)["error"]) == (
        "failed",
        CARDS_INTERRUPTED,
    )
