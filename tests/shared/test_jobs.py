"""The durable job queue (jobs.py): built from config, a real SQLite queue file, retries, the worker command.

Jobs run in-process from the real queue (jobs.run_pending), never in Huey's immediate mode.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from engines import on_postgres
from huey import RedisHuey, SqliteHuey

import jobs

from helpers import make_app, worker_env

ROOT = Path(__file__).resolve().parents[2]
CALLS = []


@jobs.task(retries=1, retry_delay=30)
def flaky_job(label):
    """Fails the first time it runs for a label, then succeeds: a stand-in for a mail server's hiccup."""
    CALLS.append(label)
    if CALLS.count(label) == 1:
        raise RuntimeError("first try fails")
    return None


@pytest.fixture(params=["sqlite"])
def app(request, tmp_path):
    """The test app; its queue the SQLite file, or Redis where a test asks for both."""
    if request.param == "sqlite":
        return make_app(tmp_path / "test.sqlite")
    return make_app(tmp_path / "test.sqlite", REDIS_URL=request.getfixturevalue("redis_url"))


BOTH_QUEUES = pytest.mark.parametrize("app", ["sqlite", "redis"], indirect=True)


def test_the_queue_is_a_sqlite_file_beside_the_database_and_never_immediate(app):
    huey = app.extensions["huey"]
    assert isinstance(huey, SqliteHuey)
    assert huey.immediate is False
    if on_postgres():  # no database file to sit beside: the instance folder, or the test's own folder
        assert huey.storage.filename == app.config["JOBS_DATABASE"]
    else:
        assert huey.storage.filename == os.path.join(os.path.dirname(app.config["DATABASE"]), "jobs.sqlite")


def test_every_part_registers_its_jobs_under_stable_names(app):
    names = set(app.extensions["jobs"])
    assert {
        "outbox.tasks.send_mail",
        "outbox.tasks.sweep_outbox",
        "safeguarding.tasks.remind_overdue",
    } <= names
    periodic = {task.__name__ for task in app.extensions["huey"]._registry._periodic_tasks}
    assert {"sweep_outbox", "remind_overdue"} <= periodic


def test_enqueue_only_writes_the_queue_and_the_worker_runs_the_job(app):
    CALLS.clear()
    huey = app.extensions["huey"]
    with app.app_context():
        jobs.enqueue(flaky_job, "a")
    assert CALLS == [] and huey.pending_count() == 1  # stored, not run

    # A second Huey on the same file (as the worker process has) sees the job: the queue is durable.
    other = SqliteHuey(huey.name, filename=huey.storage.filename)
    assert other.pending_count() == 1


@BOTH_QUEUES
def test_a_job_that_raises_is_retried_after_its_delay(app):
    CALLS.clear()
    huey = app.extensions["huey"]
    with app.app_context():
        jobs.enqueue(flaky_job, "b")
    assert jobs.run_pending(huey) == 1
    assert CALLS == ["b"]
    # Failed once: back in the schedule for a retry in 30 s, not lost and not run again at once.
    scheduled = huey.scheduled()
    assert len(scheduled) == 1 and scheduled[0].retries == 0
    assert jobs.run_pending(huey) == 0 and CALLS == ["b"]


def test_jobs_get_the_default_retries_unless_they_say_otherwise(app):
    wrappers = app.extensions["jobs"]
    assert wrappers["outbox.tasks.sweep_outbox"].retries == jobs.DEFAULT_RETRIES
    # The outbox keeps its own attempts and back-off, so Huey must not retry the send as well.
    assert wrappers["outbox.tasks.send_mail"].retries == 0


def test_redis_is_used_when_redis_url_is_set(redis_url):
    huey = jobs.build_huey({"REDIS_URL": redis_url, "DATABASE": "unused.sqlite"})
    assert type(huey).__name__ == "RedisHuey"
    huey.storage.enqueue(b"ping")  # a real round trip to the test's redis-server
    assert huey.pending_count() == 1


@BOTH_QUEUES
def test_the_worker_and_run_pending_commands_exist(runner, app):
    result = runner.invoke(args=["jobs", "--help"])
    assert result.exit_code == 0 and "worker" in result.output and "run-pending" in result.output
    CALLS.clear()
    with app.app_context():
        jobs.enqueue(flaky_job, "c")
        jobs.enqueue(flaky_job, "c")
    result = runner.invoke(args=["jobs", "run-pending"])
    assert result.exit_code == 0 and "Ran 2 jobs." in result.output
    assert CALLS == ["c", "c"]


# The worker's CPU priority: web workers must win the CPU while a big report builds ---------------
def priority_of(thread_id=0):
    """A thread's (nice value, scheduling class); 0: the calling thread. On Linux each thread has its own."""
    return os.getpriority(os.PRIO_PROCESS, thread_id), os.sched_getscheduler(thread_id)


def in_a_thread(function):
    """Run `function` in a thread of its own and return its result: a priority set there leaves pytest's alone."""
    results = []
    thread = threading.Thread(target=lambda: results.append(function()))
    thread.start()
    thread.join()
    return results[0]


def test_the_worker_lowers_its_priority_first_and_its_job_threads_inherit_it(app):
    assert jobs._on_worker_start[0] is jobs.lower_priority  # before any start-up step or job thread
    app.config.update(JOBS_WORKER_NICE=10, JOBS_WORKER_SCHED_IDLE=True)

    def start():
        before = priority_of()
        with app.app_context():
            jobs.lower_priority()
        # The consumer starts its job threads after the start-up steps: they inherit the priority.
        return before, priority_of(), in_a_thread(priority_of)

    (nice, _), after, job_thread = in_a_thread(start)
    assert after == job_thread == (max(10, nice), os.SCHED_IDLE)


def test_a_nice_of_zero_and_no_idle_class_leave_the_worker_as_it_is(app):
    app.config.update(JOBS_WORKER_NICE=0, JOBS_WORKER_SCHED_IDLE=False)

    def start():
        before = priority_of()
        with app.app_context():
            jobs.lower_priority()
        return before, priority_of()

    before, after = in_a_thread(start)
    assert after == before


def test_the_real_worker_runs_every_thread_at_the_configured_priority(app):
    env = worker_env(app, FLASK_JOBS_WORKER_NICE="7")
    command = [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker", "--workers", "2"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        threads = {}
        deadline = time.monotonic() + 60  # waits for the threads to start; generous for a busy machine
        while time.monotonic() < deadline and worker.poll() is None and len(threads) < 5:  # main, beat, scheduler, jobs
            threads = {task.name: priority_of(int(task.name)) for task in Path(f"/proc/{worker.pid}/task").iterdir()}
            time.sleep(0.05)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    assert len(threads) >= 5, output  # and the worker's heartbeat
    lowered = (max(7, os.nice(0)), os.SCHED_IDLE)
    # Every thread but one at the lowered priority; the one is the worker's heartbeat (job_workers.py), started
    # before the priority was lowered so that a busy machine never starves it into looking dead.
    normal = [tid for tid, priority in threads.items() if priority != lowered]
    assert len(normal) == 1 and threads[normal[0]] == (os.nice(0), os.SCHED_OTHER), (threads, output)
    assert threads[str(worker.pid)] == lowered  # the main thread too


def test_with_redis_url_the_queue_is_shared_by_every_app_on_that_redis(tmp_path, redis_url):
    one = make_app(tmp_path / "one.sqlite", REDIS_URL=redis_url)
    other = make_app(tmp_path / "other.sqlite", REDIS_URL=redis_url)  # another machine: no shared files
    assert isinstance(one.extensions["huey"], RedisHuey)
    assert jobs.build_huey({"REDIS_URL": redis_url, "REDIS_PREFIX": "other-trust:"}).name == "other-trust"
    CALLS.clear()
    with one.app_context():
        jobs.enqueue(flaky_job, "shared")
        jobs.enqueue(flaky_job, "shared")
    assert other.extensions["huey"].pending_count() == 2
    assert jobs.run_pending(other.extensions["huey"]) == 2 and CALLS == ["shared", "shared"]
