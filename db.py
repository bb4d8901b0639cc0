"""The database: one connection per web worker thread, reused by its requests; the PRAGMAs; the write helper."""

import contextlib
import os
import sqlite3
import threading
from datetime import UTC, datetime

import click
from flask import current_app, g
from flask.cli import with_appcontext
from sqlite_utils import Database

# Applied to every connection (measured here; see DESIGN.md). WAL is not among them: it is stored in
# the database file, so `migrate` sets it once; asking for it per connection cost a lock round each request.
PRAGMAS = (
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
PERSISTENT_PRAGMAS = ("PRAGMA journal_mode=WAL",)


def connect(path):
    """Open a Database on `path` with the project's PRAGMAs."""
    conn = sqlite3.connect(path, check_same_thread=False)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return Database(conn)


# This thread's connection, kept between its requests: (process id, path, Database). Opening one and
# reading the schema took about 0.5 ms a request (measured here), against about 5 us for a query.
_kept = threading.local()


def get_db():
    """The request's Database: this thread's own connection, opened by its first request and reused after."""
    if "db" not in g:
        g.db = _thread_connection(current_app.config["DATABASE"])
    return g.db


def _thread_connection(path):
    """This thread's connection to `path`, opened if it has none (or one to another database, or from before a fork)."""
    kept = getattr(_kept, "connection", None)
    if kept is not None and kept[:2] == (os.getpid(), path):
        return kept[2]
    if kept is not None and kept[0] == os.getpid():
        kept[2].close()  # another database (tests): at most one connection per thread
    db = connect(path)
    _kept.connection = (os.getpid(), path, db)
    return db


def _forget_thread_connection():
    """Close this thread's connection; the thread's next request opens a new one."""
    kept = getattr(_kept, "connection", None)
    _kept.connection = None
    if kept is not None and kept[0] == os.getpid():
        kept[2].close()


def close_db(exc=None):
    """End the request's use of the connection: nothing it left open reaches the thread's next request.

    A transaction left open is rolled back. After an unhandled error the connection is closed instead:
    the error's traceback may still hold a cursor, and with it a read snapshot the next request would see.
    """
    db = g.pop("db", None)
    if db is None:
        return
    if exc is not None:
        _forget_thread_connection()
    elif db.conn.in_transaction:
        db.conn.rollback()


@contextlib.contextmanager
def write_transaction(db):
    """Run a block of writes in one transaction that starts with BEGIN IMMEDIATE.

    A deferred BEGIN lost most writes to "database is locked" under concurrent
    read-then-write here; taking the write lock up front lost none. Nested use
    becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.conn.execute("COMMIT")


def now():
    """The current UTC time as an ISO 8601 string, as stored in every table."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def migrate(db):
    """Create or bring the schema up to date; safe to run any number of times."""
    from migrations import migrations

    for pragma in PERSISTENT_PRAGMAS:
        db.execute(pragma)
    migrations.apply(db)


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database or apply pending migrations."""
    db = connect(current_app.config["DATABASE"])
    migrate(db)
    db.close()
    click.echo(f"Database ready: {current_app.config['DATABASE']}")


def init_app(app):
    """Register teardown and the init-db command."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
