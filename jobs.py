"""The durable job queue: slow or heavy work runs in its own worker process, never in a web worker.

One Huey instance per app, built from its config: a SQLite file in the instance folder by default
(JOBS_DATABASE, beside DATABASE), Redis when REDIS_URL is set. Each part registers its jobs in its own `tasks.py`
with `@jobs.task()` or `@jobs.periodic_task(...)` and lists that module in TASK_MODULES; the web
side calls `jobs.enqueue(function, *args)`, which is one local write. `flask jobs worker` runs them.

Huey removes a job from the queue when it starts it, so a job cut off by a crash or restart is
gone from Huey: every job keeps its state in the app's database, and a periodic sweep picks up
what was due and never finished (see outbox/tasks.py). A job that raises is retried
(`retries`, `retry_delay`, `retry_backoff`), then logged as failed. Huey's `immediate` mode is
never used: tests run jobs in-process from the real queue with `run_pending`.
"""

import functools
import importlib
import logging
import os

import click
from flask import current_app
from flask.cli import AppGroup
from huey import RedisHuey, SqliteHuey, crontab

import job_workers

# Parts whose tasks.py registers jobs. A new part adds its module here.
TASK_MODULES = (
    "outbox.tasks",
    "safeguarding.tasks",
    "classroom.tasks",
    "progress.tasks",
    "console.tasks",
    "trusts.tasks",
    "progress.evidence_tasks",
)

# A job that raises is tried again this many times, after this many seconds (doubling each time).
DEFAULT_RETRIES = 2
DEFAULT_RETRY_DELAY = 60
DEFAULT_RETRY_BACKOFF = 2

_registered = []  # (function, periodic schedule or None, Huey options), filled at import time
_on_worker_start = []  # functions `flask jobs worker` runs once as it starts
_on_worker_gone = []  # functions a worker runs when it finds another worker gone (job_workers.py)

__all__ = ["crontab", "enqueue", "init_app", "on_worker_gone", "on_worker_start", "periodic_task", "run_pending",
           "task"]  # fmt: skip


def task(**options):
    """Register a function as a job; it still runs as a plain function when called directly.

    `name="module.function"` stores it in the queue under that name rather than where it is defined: a job moved to
    another module keeps its old name, so a job queued before an upgrade is still known to the worker after it."""

    def decorator(function):
        _registered.append((function, None, options))
        return function

    return decorator


def periodic_task(schedule, **options):
    """Register a function to run on `schedule` (a huey.crontab) in the worker."""

    def decorator(function):
        _registered.append((function, schedule, options))
        return function

    return decorator


def on_worker_start(function):
    """Run `function` once, in an app context, each time `flask jobs worker` starts (e.g. a sweep after a crash)."""
    _on_worker_start.append(function)
    return function


def on_worker_gone(function):
    """Run `function`, in an app context, as a worker starts and when it finds another worker gone (a job sweep)."""
    _on_worker_gone.append(function)
    return function


def run_sweeps():
    """Run the on_worker_gone functions (the job sweeps); one that fails does not stop the others."""
    for function in _on_worker_gone:
        try:
            function()
        except Exception:  # noqa: BLE001 (the periodic sweeps try again)
            current_app.logger.exception("Sweep %s failed.", job_name(function))


@on_worker_start
def lower_priority():
    """Lower the worker's CPU priority (JOBS_WORKER_NICE, JOBS_WORKER_SCHED_IDLE): web workers win the CPU.

    Registered first, so it runs before any start-up step and before the consumer starts its threads:
    on Linux a nice value and a scheduling class are per thread, and threads inherit their creator's.
    """
    wanted = int(current_app.config["JOBS_WORKER_NICE"])
    current = os.nice(0)
    if wanted > current:  # only ever lower it (raising it back needs root)
        os.nice(wanted - current)
    if current_app.config["JOBS_WORKER_SCHED_IDLE"] and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def job_name(function):
    """A job's own name, "module.function", the same in the web and worker processes: the queue stores it under
    this name unless the job keeps an old one (`task(name=...)`)."""
    return f"{function.__module__}.{function.__qualname__}"


def build_huey(config):
    """A Huey instance from the app's settings: Redis if REDIS_URL is set, else a SQLite file."""
    name = config.get("JOBS_NAME", "online-safety")
    if config.get("REDIS_URL"):
        # Several app servers and workers share one queue; the worker blocks on it (no polling). Named by
        # REDIS_PREFIX, as every other key, so two deployments on one Redis never run each other's jobs.
        name = config.get("JOBS_NAME") or config.get("REDIS_PREFIX", "online-safety:").rstrip(":")
        return RedisHuey(name, url=config["REDIS_URL"])
    # Beside the app's database (the instance folder by default): a test's or benchmark's own
    # database gets its own queue.
    path = os.path.join(os.path.dirname(config["DATABASE"]), config["JOBS_DATABASE"])
    return SqliteHuey(name, filename=path, timeout=5)


def init_app(app):
    """Build the app's queue, register every part's jobs on it, and add `flask jobs`."""
    for module in TASK_MODULES:
        importlib.import_module(module)
    huey = build_huey(app.config)
    wrappers = {}
    for function, schedule, options in _registered:
        runner = _in_app_context(app, function)
        # Huey stores a job as "<its function's module>.<name>": "outbox.tasks.send_mail".
        runner.__module__, _, name = options.get("name", job_name(function)).rpartition(".")
        settings = {
            "retries": DEFAULT_RETRIES,
            "retry_delay": DEFAULT_RETRY_DELAY,
            "retry_backoff": DEFAULT_RETRY_BACKOFF,
            **options,
            "name": name,
        }
        if schedule is None:
            wrappers[job_name(function)] = huey.task(**settings)(runner)
        else:
            wrappers[job_name(function)] = huey.periodic_task(schedule, **settings)(runner)
    app.extensions["huey"] = huey
    app.extensions["jobs"] = wrappers
    app.cli.add_command(jobs_command)


def _in_app_context(app, function):
    """Jobs use the app's config and database, so each runs inside an app context."""

    @functools.wraps(function)
    def runner(*args, **kwargs):
        with app.app_context():
            return function(*args, **kwargs)

    return runner


def enqueue(function, *args, delay=None):
    """Put a registered job on the queue (a local write; it never waits for the job)."""
    wrapper = current_app.extensions["jobs"][job_name(function)]
    return wrapper.schedule(args, delay=delay) if delay else wrapper(*args)


def enqueue_saved(function, *args, delay=None):
    """Enqueue a job whose work is already saved in a database row; never raises.

    If the queue refuses it, the row stays queued and the part's sweep queues it again, so a request
    that saved the work must not fail on the queue."""
    try:
        return enqueue(function, *args, delay=delay)
    except Exception:  # noqa: BLE001 (the row is saved: the sweep queues it again)
        current_app.logger.exception("%s%r saved; the job queue refused it, the sweep will queue it again.",
                                     job_name(function), args)  # fmt: skip
        return None


def job_db():
    """A connection of the job's own (jobs run outside any web request); the caller closes it."""
    from db import connect

    return connect(current_app.config["DATABASE"])


def run_pending(huey, limit=100):
    """Run the jobs that are ready now, in this process (tests and `flask jobs run-pending`)."""
    done = 0
    for task_ in huey.read_schedule(huey._get_timestamp()):
        huey.enqueue(task_)
    # Checked first: RedisHuey's dequeue blocks for a second on an empty queue.
    while done < limit and huey.pending_count():
        task_ = huey.dequeue()
        if task_ is None:
            break
        huey.execute(task_)
        done += 1
    return done


jobs_command = AppGroup("jobs", help="The background job queue (mail, report files, sign-in cards).")


@jobs_command.command("worker")
@click.option("--workers", "-w", type=int, default=None, help="Threads running jobs (default JOBS_WORKERS).")
def worker_command(workers):
    """Run the job worker until stopped (Ctrl+C or SIGTERM finish the running jobs first)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    huey = current_app.extensions["huey"]
    consumer = huey.create_consumer(
        workers=workers or int(current_app.config["JOBS_WORKERS"]),
        worker_type="thread",
        periodic=True,
        # Huey's idle SQLite polling backs off to 10 s, so a teacher's first click after a quiet spell
        # waited up to 10 s before the job even started (Redis blocks on the queue and never waits).
        max_delay=float(current_app.config["JOBS_POLL_MAX_SECONDS"]),
    )
    # Registered, swept and beating before lower_priority runs: the sweeps after a crash and the heartbeat
    # thread keep the normal priority.
    app = current_app._get_current_object()
    worker_id = job_workers.start(app, run_sweeps)
    click.echo(f"Job worker: {len(current_app.extensions['jobs'])} jobs registered, queue {huey.name}.")
    for function in _on_worker_start:
        try:
            function()
        except Exception:  # noqa: BLE001 (the periodic sweeps try again; the worker must start)
            current_app.logger.exception("Start-up step %s failed.", job_name(function))
    try:
        consumer.run()
    finally:  # stopped cleanly: any job it did not finish is cut off at once, not after the lease
        db = job_db()
        try:
            job_workers.forget(db, worker_id)
        finally:
            db.close()


@jobs_command.command("run-pending")
def run_pending_command():
    """Run the jobs that are ready now, then stop (for a quick check without a worker)."""
    done = run_pending(current_app.extensions["huey"])
    click.echo(f"Ran {done} job{'s' if done != 1 else ''}.")
