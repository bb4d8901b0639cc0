"""The database: one sqlite_utils.Database per request, the PRAGMAs, and the write helper."""

import contextlib
import sqlite3
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


def get_db():
    """The request's Database, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc=None):
    """Close the request's Database, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


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
