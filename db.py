"""The database: one connection per web worker thread, reused by its requests; the PRAGMAs; the write helper.

Two engines, one interface. SQLite through sqlite-utils is the embedded default; a DATABASE that is a
`postgresql://` URL selects PostgreSQL, through `db_postgres.PostgresDatabase`, which gives the parts the
same few sqlite-utils methods they use. The parts' SQL is written once, in SQLite's dialect kept to what
both engines share; every difference between the engines lives in `db_translate`. The parts import from
this module only.
"""

import contextlib
import os
import re
import sqlite3
import threading
from datetime import UTC, datetime

import click
import psycopg
from flask import current_app, g
from flask.cli import with_appcontext
from sqlite_utils import Database

from db_postgres import PostgresDatabase, light_row_factory
from db_translate import (  # noqa: F401 - postgres_sql: the benchmarks' bulk inserts; prepared: the parts' hot SQL
    postgres_sql,
    prepared,
    register_sqlite_functions,
)

# What the parts catch, whichever engine raised it.
IntegrityError = (sqlite3.IntegrityError, psycopg.IntegrityError)
DatabaseError = (sqlite3.Error, psycopg.Error)

# Applied to every connection (measured here; see DESIGN.md). WAL is not among them: it is stored in
# the database file, so `migrate` sets it once; asking for it per connection cost a lock round each request.
PRAGMAS = (
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
PERSISTENT_PRAGMAS = ("PRAGMA journal_mode=WAL",)


def is_postgres(target):
    """Whether a DATABASE setting names a PostgreSQL database (a postgresql:// URL) rather than a SQLite file."""
    return str(target).startswith(("postgresql://", "postgres://"))


def connect(target):
    """Open a Database on `target`: a SQLite file with the project's PRAGMAs, or a PostgreSQL URL."""
    if is_postgres(target):
        return PostgresDatabase(str(target))
    conn = sqlite3.connect(target, check_same_thread=False)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    register_sqlite_functions(conn)
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
    # On PostgreSQL this is a plain BEGIN (db_translate): it has no database-wide write lock to take; rows are
    # locked as they are written, and the parts' conditional UPDATEs, unique keys and ON CONFLICT clauses
    # keep concurrent writers correct.
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


def light_rows(db, sql, params):
    """Rows read by name (row["column"]) at the least cost each engine offers: sqlite3.Row, made in C."""
    if isinstance(db, PostgresDatabase):
        return db.conn.run(sql, params, row_factory=light_row_factory)
    cursor = db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, params)


def migrate(db):
    """Create or bring the schema up to date; safe to run any number of times."""
    from migrations import migrations

    if isinstance(db, PostgresDatabase):
        db.apply_migrations(migrations)
        return
    for pragma in PERSISTENT_PRAGMAS:
        db.execute(pragma)
    migrations.apply(db)


def widen_check(db, table, column, old, new):
    """Loosen a column's CHECK from `old` (its expression as the migration wrote it) to `new`, keeping every row.

    For a migration, inside its transaction. `new` must accept every row `old` did. SQLite cannot alter
    a constraint; its documented way to loosen one without rebuilding the table is to edit the stored
    CREATE statement and bump the schema version (sqlite.org/lang_altertable.html, "making other kinds of
    table schema changes"). A rebuild would copy every row and, with foreign keys on, dropping the old
    table would delete the rows that refer to it. PostgreSQL drops and adds the named constraint.
    """
    if isinstance(db, PostgresDatabase):
        name = f"{table}_{column}_check"  # PostgreSQL's name for a column's CHECK
        db.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}, ADD CONSTRAINT {name} CHECK ({new})")
        return
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()[0]
    if sql.count(f"CHECK ({old})") != 1:
        raise ValueError(f"{table}: expected one CHECK ({old})")
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            [sql.replace(f"CHECK ({old})", f"CHECK ({new})"), table],
        )
        db.execute(f"PRAGMA schema_version = {version + 1}")  # other connections read the schema again
    finally:
        db.execute("PRAGMA writable_schema = OFF")


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database or apply pending migrations."""
    db = connect(current_app.config["DATABASE"])
    migrate(db)
    db.close()
    click.echo(f"Database ready: {shown(current_app.config['DATABASE'])}")


def init_app(app):
    """Register teardown and the init-db command."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)


def shown(target):
    """A DATABASE setting fit to print: a PostgreSQL URL without its password."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", str(target))
