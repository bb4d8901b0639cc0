"""Mail never holds a pupil: a talk request only writes the outbox; the job worker sends, retries, records failures.

Real parts: a real SMTP server on loopback (aiosmtpd), a TCP server that accepts and never answers, the real
SQLite job queue run in-process (jobs.run_pending), and one test with `flask jobs worker` as its own process.
Timing lives in bench/talk_request_mail.py: these tests never fail on a timer.
"""

import smtplib
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from safeguarding_smtp import HungServer, free_port

from jobs import run_pending
from outbox import queries
from outbox.smtp import BACKOFF, CUT_OFF, NOT_CONFIGURED, retry_after
from outbox.tasks import deliver, sweep_outbox

from helpers import sign_in, worker_env

ROOT = Path(__file__).parents[2]


@pytest.fixture
def school(make_school, make_staff, make_pupil, make_class):
    """A school with a DSL, a teacher, an admin and a pupil in the teacher's class."""
    school_id = make_school(dsl_name="Mr Safe")
    dsl = make_staff(school_id, "dsl@school.test", role="dsl", first_name="Dee")
    teacher = make_staff(school_id, "teacher@school.test", first_name="Tia")
    admin = make_staff(school_id, "admin@school.test", role="admin", first_name="Ada")
    class_id = make_class(school_id, "9B", teacher_id=teacher)
    pupil = make_pupil(school_id, "zara.q", first_name="Zara", class_id=class_id)
    return {"id": school_id, "dsl": dsl, "teacher": teacher, "admin": admin, "pupil": pupil}


@pytest.fixture
def hung(app):
    """A mail server that accepts the connection and never answers; the worker's timeout is short."""
    server = HungServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT_SECONDS=0.3)
    yield server
    server.stop()


@pytest.fixture
def smtp_connections(monkeypatch):
    """Every SMTP connection opened in this process, recorded (and still made)."""
    opened = []
    connect = smtplib.SMTP.connect

    def recording_connect(self, host="localhost", port=0, source_address=None):
        opened.append((host, port))
        return connect(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", recording_connect)
    return opened


def ask_to_talk(client, urgency="today"):
    """The pupil's POST, as the talk form sends it."""
    return client.post("/talk", data={"who": "dsl", "urgency": urgency, "message": "please"})


def run_jobs(app):
    """What the job worker would do now: run every job that is ready."""
    return run_pending(app.extensions["huey"])


def set_row(db, message_id, **values):
    """Arrange an outbox row (attempts, times) as if time had passed."""
    db["outbox"].update(message_id, values)


def iso(delta=timedelta(0)):
    return (datetime.now(UTC) + delta).isoformat(timespec="seconds")


# The web request ---------------------------------------------------------------------------------
def test_the_pupils_post_makes_no_smtp_connection_even_with_a_hung_server(
    client, school, db, app, hung, smtp_connections
):
    sign_in(client, "zara.q")
    response = ask_to_talk(client)
    assert response.status_code == 303 and "/talk/sent/" in response.headers["Location"]
    assert smtp_connections == []  # the request never talked to the mail server
    assert hung.accepted == []
    assert db["talk_requests"].count == 1
    message = db["outbox"].get(1)
    assert message["status"] == "queued" and message["attempts"] == 0
    assert message["recipients"] == '["dsl@school.test"]'
    assert app.extensions["huey"].pending_count() == 1  # the send job waits in the queue


def test_the_worker_delivers_the_queued_mail_to_a_real_smtp_server(client, school, db, app, smtp):
    sign_in(client, "zara.q")
    ask_to_talk(client, urgency="soon")
    assert smtp.messages == []  # not sent by the web request
    assert run_jobs(app) == 1
    assert [m["to"] for m in smtp.messages] == [["dsl@school.test"]]
    assert "in the next few days" in smtp.bodies()[0]
    assert "please" not in smtp.messages[0]["message"].as_string()  # never the pupil's message
    message = db["outbox"].get(1)
    assert message["status"] == "sent" and message["sent_at"] and message["attempts"] == 1
    assert message["last_error"] is None
    assert run_jobs(app) == 0 and len(smtp.messages) == 1  # sent once


# Failures, retries, back-off -----------------------------------------------------------------
def test_against_a_hung_server_the_attempt_times_out_and_is_rescheduled(client, school, db, app, hung):
    sign_in(client, "zara.q")
    ask_to_talk(client)
    before = datetime.now(UTC)
    run_jobs(app)
    assert len(hung.accepted) == 1  # the worker did connect, and was never answered
    message = db["outbox"].get(1)
    assert message["status"] == "queued" and message["attempts"] == 1
    assert message["last_error"] == "The mail server did not answer in time (timed out)."
    assert message["sending_since"] is None
    next_try = datetime.fromisoformat(message["next_attempt_at"])
    assert timedelta(seconds=50) < next_try - before < timedelta(seconds=70)  # the first back-off: 1 minute
    # The next try waits in Huey's schedule, not the queue: nothing runs again yet.
    huey = app.extensions["huey"]
    assert len(huey.scheduled()) == 1 and huey.pending_count() == 0


def test_the_back_off_is_1_5_15_60_minutes_then_failed():
    assert [retry_after(n) for n in range(1, 6)] == [*BACKOFF, None]
    assert [b.total_seconds() / 60 for b in BACKOFF] == [1, 5, 15, 60]


def test_after_the_last_attempt_the_message_is_failed_with_the_reason(app, school, db):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens: refused
    with app.app_context():
        message_id = queries.queue_message(db, school["id"], ["dsl@school.test"], "Subject", "Body")
        set_row(db, message_id, attempts=len(BACKOFF))
        assert deliver(db, message_id) == "failed"
    message = db["outbox"].get(message_id)
    assert message["status"] == "failed" and message["attempts"] == len(BACKOFF) + 1
    assert message["last_error"].startswith("Gave up after 5 attempts.") and "refused" in message["last_error"]


def test_a_message_is_claimed_by_one_sender_only(app, school, db):
    with app.app_context():
        message_id = queries.queue_message(db, school["id"], ["dsl@school.test"], "Subject", "Body")
    assert queries.claim_message(db, message_id)["id"] == message_id
    assert queries.claim_message(db, message_id) is None  # a second worker (or the sweep) gets nothing


def test_a_send_cut_off_by_a_crash_is_retried_by_the_sweep_with_a_clear_message(app, school, db, smtp):
    with app.app_context():
        message_id = queries.queue_message(db, school["id"], ["dsl@school.test"], "Subject", "Body")
    queries.claim_message(db, message_id)  # a worker took it ... and died before finishing
    set_row(db, message_id, sending_since=iso(-timedelta(minutes=10)))
    with app.app_context():
        sweep_outbox()
    message = db["outbox"].get(message_id)
    assert message["status"] == "queued" and message["sending_since"] is None and message["last_error"] == CUT_OFF
    assert smtp.messages == []  # waits for the back-off, like any failed attempt

    set_row(db, message_id, next_attempt_at=iso(-timedelta(minutes=5)))  # the back-off has passed
    with app.app_context():
        sweep_outbox()
    assert db["outbox"].get(message_id)["status"] == "sent" and len(smtp.messages) == 1


def test_the_sweep_sends_a_message_whose_job_was_lost(app, school, db, smtp):
    with app.app_context():
        message_id = queries.queue_message(db, school["id"], ["dsl@school.test"], "Subject", "Body")
    with app.app_context():
        sweep_outbox()
    assert smtp.messages == []  # its own job may still be on the way: the sweep leaves it alone at first
    set_row(db, message_id, next_attempt_at=iso(-timedelta(minutes=3)))
    with app.app_context():
        sweep_outbox()
    assert len(smtp.messages) == 1 and db["outbox"].get(message_id)["status"] == "sent"


def test_without_a_mail_server_the_message_is_failed_and_says_why(client, school, db, app):
    assert not app.config["MAIL_SERVER"]
    sign_in(client, "zara.q")
    ask_to_talk(client)
    run_jobs(app)
    message = db["outbox"].get(1)
    assert message["status"] == "failed" and message["last_error"] == NOT_CONFIGURED


# Where staff see failures ------------------------------------------------------------------------
def test_the_dsl_queue_shows_e_mail_problems_and_the_admin_page_lists_them(client, school, db, app, hung):
    sign_in(client, "zara.q")
    ask_to_talk(client)
    run_jobs(app)
    client.post("/sign-out")

    sign_in(client, "dsl@school.test")
    queue = client.get("/safeguarding/requests")
    assert "E-mail problems" in queue.text and "1 staff e-mail about requests could not be sent yet" in queue.text
    assert 'href="/safeguarding/notifications"' in queue.text
    client.post("/sign-out")

    sign_in(client, "admin@school.test")
    home = client.get("/classes")
    assert 'href="/safeguarding/notifications"' in home.text  # in the admin's navigation
    page = client.get("/safeguarding/notifications")
    assert page.status_code == 200
    assert "Trying again" in page.text and "The mail server did not answer in time (timed out)." in page.text
    assert "dsl@school.test" in page.text


def test_a_queue_without_mail_problems_shows_no_notice(client, school, db, app, smtp):
    sign_in(client, "zara.q")
    ask_to_talk(client)
    run_jobs(app)
    client.post("/sign-out")
    sign_in(client, "dsl@school.test")
    assert "E-mail problems" not in client.get("/safeguarding/requests").text


def test_teachers_cannot_see_the_outbox_and_schools_see_only_theirs(client, school, db, app, make_school, make_staff):
    other = make_school("Other School")
    make_staff(other, "admin@other.test", role="admin")
    with app.app_context():
        queries.queue_message(db, school["id"], ["dsl@school.test"], "Ours", "Body")
    sign_in(client, "teacher@school.test")
    assert client.get("/safeguarding/notifications").status_code == 403
    client.post("/sign-out")
    sign_in(client, "admin@other.test")
    page = client.get("/safeguarding/notifications")
    assert page.status_code == 200 and "Ours" not in page.text and "dsl@school.test" not in page.text


# The worker as its own process ---------------------------------------------------------------
def test_flask_jobs_worker_runs_as_its_own_process_and_sends_the_mail(client, school, db, app, smtp, tmp_path):
    sign_in(client, "zara.q")
    ask_to_talk(client)
    assert smtp.messages == []
    env = worker_env(app, FLASK_MAIL_SERVER="127.0.0.1", FLASK_MAIL_PORT=str(app.config["MAIL_PORT"]))
    flask = [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker", "--workers", "1"]
    worker = subprocess.Popen(flask, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30  # waits for an event; generous so a busy machine cannot fail it
        while not smtp.messages and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    assert [m["to"] for m in smtp.messages] == [["dsl@school.test"]], output
    assert db["outbox"].get(1)["status"] == "sent"


def test_an_unexpected_error_is_recorded_and_never_leaves_the_message_half_claimed(app, school, db, monkeypatch):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())

    def broken(*_args):
        raise ValueError("bad address")

    monkeypatch.setattr("outbox.tasks.smtp_send", broken)
    with app.app_context():
        message_id = queries.queue_message(db, school["id"], ["dsl@school.test"], "Subject", "Body")
        assert deliver(db, message_id) == "queued"
    message = db["outbox"].get(message_id)
    assert message["sending_since"] is None and message["last_error"] == "ValueError: bad address"
