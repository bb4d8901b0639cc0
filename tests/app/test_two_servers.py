"""Two app servers, one database, one Redis: nothing a request needs lives in one process.

Two `create_app` on the same database file and the same REDIS_URL stand for two machines: a cookie made
on one works on the other and ending it on one ends it on both, failed sign-ins on one pause the name on
the other, a Flask-Limiter limit counts across both, and a job enqueued on one is run by a separate
`flask jobs worker` process and its result read on the other.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accounts.queries import create_person, create_school
from accounts.stores import DatabaseSessionStore, RedisFailureStore, RedisSessionStore, failure_store, session_store
from app import create_app
from db import connect, get_db, migrate
from extensions import limiter
from outbox.tasks import queue_mail

from helpers import PASSWORD, TEST_CONFIG, sign_in

ROOT = Path(__file__).resolve().parents[2]
COURSE = "/course"


@pytest.fixture
def database(tmp_path):
    """One migrated database file, with a school, a pupil and a DSL."""
    path = tmp_path / "shared.sqlite"
    db = connect(str(path))
    migrate(db)
    school_id = create_school(db, "Hillside School")
    create_person(db, school_id, "pupil", "Ryan", PASSWORD, last_name="Davies", username="ryan.d")
    create_person(db, school_id, "dsl", "Dee", PASSWORD, last_name="Lead", email="dsl@hill.test")
    db.close()
    return path


def server(database, redis_url, **config):
    """One app server on the shared database and Redis, throttling and limits on as deployed."""
    settings = {**TEST_CONFIG, "DATABASE": str(database), "REDIS_URL": redis_url, "SIGN_IN_THROTTLE": True,
                "RATELIMIT_ENABLED": True, "VERIFY_UNKNOWN_LIMIT": "3 per minute"}  # fmt: skip
    return create_app(settings | config)


def is_signed_out(response):
    """Flask-Login sent the request to the sign-in page."""
    return response.status_code == 302 and "/sign-in" in response.location


@pytest.mark.parametrize("store", ["database", "redis"])
def test_a_cookie_from_one_server_works_on_the_other_and_signing_out_on_either_ends_it(database, redis_url, store):
    a, b = server(database, redis_url, SESSION_STORE=store), server(database, redis_url, SESSION_STORE=store)
    on_a = a.test_client()
    assert sign_in(on_a, "ryan.d").status_code == 303
    on_b = b.test_client()  # the load balancer sends the same browser to the other server
    on_b.set_cookie("session", on_a.get_cookie("session").value)
    assert on_b.get(COURSE).status_code == 200
    with a.app_context():
        kind = RedisSessionStore if store == "redis" else DatabaseSessionStore
        assert isinstance(session_store(get_db()), kind)
    # Held in Redis or in the database: never in either process.
    assert connect(str(database))["sessions"].count == (0 if store == "redis" else 1)

    assert on_b.post("/sign-out").status_code == 303
    assert is_signed_out(on_a.get(COURSE))


def test_failures_on_one_server_pause_the_name_on_the_other(database, redis_url):
    a, b = server(database, redis_url), server(database, redis_url)
    for _ in range(5):
        assert sign_in(a.test_client(), "ryan.d", "wrong").status_code == 200
    with b.app_context():
        assert isinstance(failure_store(get_db(), 900), RedisFailureStore)
    assert sign_in(b.test_client(), "ryan.d").status_code == 429  # the right password, paused all the same
    assert connect(str(database))["sign_in_failures"].count == 0


def test_a_flask_limiter_limit_counts_across_servers(database, redis_url):
    # Flask-Limiter's Limiter is one object per process, and each create_app gives it a new store built
    # from RATELIMIT_STORAGE_URI: with memory:// the second server would start again from nothing.
    a = server(database, redis_url)
    assert a.config["RATELIMIT_STORAGE_URI"] == redis_url
    for _ in range(3):
        assert a.test_client().get("/verify/NOPE-NOPE-NOPE").status_code == 404
    b = server(database, redis_url)
    assert b.test_client().get("/verify/NOPE-NOPE-NOPE").status_code == 429
    assert type(limiter.storage).__name__ == "RedisStorage"


def test_an_explicit_limiter_store_is_kept(database, redis_url):
    assert server(database, redis_url, RATELIMIT_STORAGE_URI="memory://").config["RATELIMIT_STORAGE_URI"] == (
        "memory://"
    )
    assert server(database, "").config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_a_job_enqueued_on_one_server_runs_in_the_worker_and_its_result_is_read_on_the_other(
    database, redis_url, smtp_inbox
):
    inbox, port = smtp_inbox
    a, b = server(database, redis_url), server(database, redis_url)
    assert type(a.extensions["huey"]).__name__ == "RedisHuey"
    with a.app_context():
        message_id = queue_mail(get_db(), None, ["dsl@hill.test"], "A test", "Sent through Redis.")
    assert b.extensions["huey"].pending_count() == 1  # the other server sees the same queue

    env = dict(os.environ, FLASK_DATABASE=str(database), FLASK_SECRET_KEY="test-secret", FLASK_DEVELOPMENT="true",
               FLASK_PUBLIC_BASE_URL="https://training.example.test", FLASK_REDIS_URL=redis_url,
               FLASK_MAIL_SERVER="127.0.0.1", FLASK_MAIL_PORT=str(port), FLASK_MAIL_FROM="training@school.test",
               FLASK_JOBS_WORKER_NICE="0", FLASK_JOBS_WORKER_SCHED_IDLE="false")  # fmt: skip
    command = [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker", "--workers", "1"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        status = None
        deadline = time.monotonic() + 60  # the worker's start-up on a busy machine
        while time.monotonic() < deadline and worker.poll() is None and status != "sent":
            with b.app_context():
                status = next(get_db().query("SELECT status FROM outbox WHERE id = ?", [message_id]))["status"]
            time.sleep(0.1)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    assert status == "sent", output
    assert [m["to"] for m in inbox.messages] == [["dsl@hill.test"]]


@pytest.fixture
def smtp_inbox():
    """A real SMTP server on loopback: (inbox, port)."""
    from safeguarding_smtp import start_smtp

    controller, inbox = start_smtp()
    yield inbox, controller.port
    controller.stop()
