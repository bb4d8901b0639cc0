"""The database: one connection per web worker thread, reused by its requests; the PRAGMAs; the write helper.

Two engines, one interface. SQLite through sqlite-utils is the embedded default; a DATABASE that is a
`postgresql://` URL selects PostgreSQL, through `PostgresDatabase` below, which gives the parts the same
few sqlite-utils methods they use. The parts' SQL is written once, in SQLite's dialect kept to what both
engines share; every difference between the engines lives in this file (see `postgres_sql`).
"""

import collections
import contextlib
import functools
import os
import re
import sqlite3
import threading
from datetime import UTC, datetime

import click
import psycopg
from flask import current_app, g
from flask.cli import with_appcontext
from psycopg.adapt import Dumper, Loader
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

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
    # PostgreSQL has no database-wide write lock to take: rows are locked as they are written, and the
    # parts' conditional UPDATEs, unique keys and ON CONFLICT clauses keep concurrent writers correct.
    db.conn.execute("BEGIN" if isinstance(db, PostgresDatabase) else "BEGIN IMMEDIATE")
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
        return db.conn.run(sql, params, row_factory=_light_row_factory)
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


# --- PostgreSQL ------------------------------------------------------------------------------------------
# The parts write SQLite's dialect, kept to what PostgreSQL shares; these rewrite the rest, outside string
# literals only. Each is exact for the way the parts use it (checked by the whole suite on both engines).
CODE_REWRITES = (
    (re.compile(r"\bBEGIN IMMEDIATE\b", re.I), "BEGIN"),
    # SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE does the same.
    (re.compile(r"\bLIKE\b", re.I), "ILIKE"),
    (re.compile(r"\bgroup_concat\(", re.I), "string_agg("),
    # "a CROSS JOIN b ON ..." fixes SQLite's join order; PostgreSQL plans the join itself.
    (re.compile(r"\bCROSS JOIN (\w+(?: AS)? \w+) ON\b", re.I), r"JOIN \1 ON"),
    # Schema: a one-column INTEGER PRIMARY KEY is SQLite's rowid alias, numbered by the database.
    (
        re.compile(r"\bINTEGER PRIMARY KEY(?: AUTOINCREMENT)?(?!\s*\()", re.I),
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
)
# `?` and `:name` placeholders, a literal `%`, string literals, quoted names and comments, in one pass.
SQL_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|::|\?|(?<![:\w]):([A-Za-z_]\w*)|%")
TRIGGER = re.compile(r"^\s*CREATE TRIGGER (\w+) (AFTER|BEFORE) (.+?) ON (\w+) BEGIN (.*) END\s*$", re.I | re.S)

# Functions SQLite has built in that the parts use, made once per PostgreSQL database by migrate().
COMPATIBILITY = """
CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
-- json_each(text): SQLite's table of an array's (index, value) or an object's (key, value), as text.
CREATE OR REPLACE FUNCTION json_each(j text) RETURNS TABLE(key text, value text) LANGUAGE sql IMMUTABLE AS $$
  SELECT k, v FROM json_each_text(CASE WHEN json_typeof(j::json) = 'object' THEN j::json ELSE '{}' END) AS t(k, v)
  UNION ALL
  SELECT (o - 1)::text, v FROM json_array_elements_text(
    CASE WHEN json_typeof(j::json) = 'array' THEN j::json ELSE '[]' END) WITH ORDINALITY AS t(v, o)
$$;
CREATE OR REPLACE FUNCTION json_group_array_final(anycompatiblearray) RETURNS text LANGUAGE sql IMMUTABLE
  AS 'SELECT array_to_json(COALESCE($1, ''{}''))::text';
CREATE OR REPLACE AGGREGATE json_group_array(anycompatible) (
  SFUNC = array_append, STYPE = anycompatiblearray, FINALFUNC = json_group_array_final, INITCOND = '{}');
-- max(a, b[, c]) and min(...) of values, as SQLite has them: NULL if any is NULL (GREATEST would skip it).
CREATE OR REPLACE FUNCTION max(anycompatible, anycompatible) RETURNS anycompatible LANGUAGE sql IMMUTABLE
  AS 'SELECT CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL ELSE GREATEST($1, $2) END';
CREATE OR REPLACE FUNCTION max(anycompatible, anycompatible, anycompatible) RETURNS anycompatible
  LANGUAGE sql IMMUTABLE
  AS 'SELECT CASE WHEN $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN NULL ELSE GREATEST($1, $2, $3) END';
CREATE OR REPLACE FUNCTION min(anycompatible, anycompatible) RETURNS anycompatible LANGUAGE sql IMMUTABLE
  AS 'SELECT CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL ELSE LEAST($1, $2) END';
-- round(x, digits) for floating point, as SQLite has it.
CREATE OR REPLACE FUNCTION round(double precision, integer) RETURNS double precision LANGUAGE sql IMMUTABLE
  AS 'SELECT round($1::numeric, $2)::double precision';
"""


@functools.lru_cache(maxsize=4096)
def postgres_sql(sql, with_params=True):
    """One statement in the parts' dialect, as PostgreSQL (psycopg) takes it."""
    trigger = TRIGGER.match(sql)
    if trigger:
        return _postgres_trigger(*trigger.groups())

    def token(match):
        text = match.group(0)
        if not with_params or text == "::":
            return text
        if text[0] in "'\"-":  # psycopg reads % everywhere in a query that has parameters, literals too
            return text.replace("%", "%%")
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        return f"%({match.group(1)})s"

    out, last = [], 0
    for match in SQL_TOKENS.finditer(sql):
        out.append(_rewrite_code(sql[last : match.start()]))
        out.append(token(match))
        last = match.end()
    out.append(_rewrite_code(sql[last:]))
    return "".join(out)


def _rewrite_code(code):
    for pattern, replacement in CODE_REWRITES:
        code = pattern.sub(replacement, code)
    return code


def _postgres_trigger(name, when, event, table, body):
    """SQLite's CREATE TRIGGER ... BEGIN body END as PostgreSQL's trigger function and trigger."""
    return (
        f"CREATE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {postgres_sql(body, False)} "
        f"RETURN NULL; END $$; "
        f"CREATE TRIGGER {name} {when} {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}_fn()"
    )


def split_script(script):
    """A script's statements, split on semicolons outside literals, comments and $$ bodies."""
    statements, current, body = [], [], False
    for match in re.finditer(r"'(?:[^']|'')*'|--[^\n]*|\$\$|;|[^';$-]+|.", script, re.S):
        text = match.group(0)
        if text == "$$":
            body = not body
        if text == ";" and not body:
            statements.append("".join(current))
            current = []
        elif not text.startswith("--"):
            current.append(text)
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


class _LightRow(tuple):
    """A row read by name or position, hashable and compared as a tuple: what sqlite3.Row gives on SQLite."""

    __slots__ = ()
    _index = {}

    def __getitem__(self, key):
        return tuple.__getitem__(self, self._index[key] if isinstance(key, str) else key)

    def keys(self):
        """The column names, in order."""
        return list(self._index)


def _light_row_factory(cursor):
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    row_class = type("Row", (_LightRow,), {"__slots__": (), "_index": names})
    return row_class


class _BoolDumper(Dumper):
    """Python's True and False as 1 and 0: flags are INTEGER columns on both engines."""

    oid = psycopg.postgres.types["int2"].oid

    def dump(self, obj):
        return b"1" if obj else b"0"


class _NumberLoader(Loader):
    """PostgreSQL's numeric (SUM, AVG, arithmetic on them) as SQLite gives it: int when whole, else float."""

    def load(self, data):
        text = bytes(data).decode()
        return float(text) if "." in text or "e" in text.lower() else int(text)


def _configure(conn):
    conn.adapters.register_dumper(bool, _BoolDumper)
    conn.adapters.register_loader("numeric", _NumberLoader)


class _PostgresConnection:
    """The few sqlite3.Connection members the parts and db.py use, on a psycopg connection."""

    def __init__(self, raw):
        self.raw = raw
        self.trace = None

    def set_trace_callback(self, callback):
        """Call `callback` with each statement run, as sqlite3.Connection.set_trace_callback (tests use it)."""
        self.trace = callback

    def run(self, sql, params=None, row_factory=None):
        """Run one statement of the parts' dialect; returns the cursor."""
        if self.trace is not None:
            self.trace(sql)
        params = params if params else None
        cursor = self.raw.cursor(row_factory=row_factory) if row_factory else self.raw.cursor()
        return cursor.execute(postgres_sql(sql, params is not None), params)

    @property
    def in_transaction(self):
        """Whether a transaction is open (as sqlite3.Connection.in_transaction)."""
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql, params=None):
        """Run one statement, as sqlite3.Connection.execute."""
        return self.run(sql, params)

    def rollback(self):
        """Roll back an open transaction, if any."""
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def commit(self):
        """Commit an open transaction, if any."""
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def close(self):
        """Close the connection."""
        self.raw.close()


class PostgresDatabase:
    """A PostgreSQL database with the part of sqlite_utils.Database's interface the app uses."""

    def __init__(self, url):
        # Autocommit, as sqlite3 is used here: write_transaction() opens and commits every transaction.
        # Values are bound in the client, as SQLite binds them: "(? IS NULL OR col = ?)" and a number
        # compared with a text column then mean what they mean on SQLite, instead of failing to get a type.
        raw = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
        _configure(raw)
        self.url = url
        self.conn = _PostgresConnection(raw)
        self._primary_keys = {}

    def execute(self, sql, params=None):
        """Run one statement; returns the cursor (fetchone, fetchall, rowcount), rows as tuples."""
        return self.conn.run(sql, params)

    def query(self, sql, params=None):
        """Run a query; yields each row as a dict."""
        yield from self.conn.run(sql, params, row_factory=dict_row)

    def executescript(self, script):
        """Run several statements (schema scripts)."""
        for statement in split_script(script):
            self.execute(statement)

    def __getitem__(self, name):
        return PostgresTable(self, name)

    def table_names(self):
        """The app's tables, in the order they were made."""
        rows = self.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.oid"
        )
        return [name for (name,) in rows]

    @contextlib.contextmanager
    def atomic(self):
        """A transaction, or a savepoint inside one: all of the block or none of it."""
        if not self.conn.in_transaction:
            with write_transaction(self):
                yield self
            return
        self.conn.raw.execute("SAVEPOINT atomic")
        try:
            yield self
        except BaseException:
            self.conn.raw.execute("ROLLBACK TO SAVEPOINT atomic")
            raise
        self.conn.raw.execute("RELEASE SAVEPOINT atomic")

    def rollback(self):
        """Roll back an open transaction."""
        self.conn.rollback()

    def close(self):
        """Close the connection."""
        self.conn.close()

    def apply_migrations(self, migrations):
        """Apply the migrations not yet applied, each in a transaction with its record (as sqlite-utils does)."""
        self.executescript(COMPATIBILITY)
        self.execute(
            "CREATE TABLE IF NOT EXISTS _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT NOT NULL, "
            "name TEXT NOT NULL, applied_at TEXT NOT NULL, UNIQUE (migration_set, name))"
        )
        applied = {
            r["name"]
            for r in self.query("SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [migrations.name])
        }
        for migration in migrations._migrations:  # sqlite-utils keeps them in order of definition
            if migration.name in applied:
                continue
            with write_transaction(self):
                migration.fn(self)
                self.execute(
                    "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
                    [migrations.name, migration.name, str(datetime.now(UTC))],
                )

    def primary_key(self, table):
        """The table's primary key columns, in order (read once per connection)."""
        if table in self._primary_keys:
            return self._primary_keys[table]
        rows = self.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = ?::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey, a.attnum)",
            [table],
        )
        self._primary_keys[table] = tuple(name for (name,) in rows)
        return self._primary_keys[table]


class PostgresTable:
    """One table, with the sqlite_utils.Table methods the app uses."""

    def __init__(self, db, name):
        self.db, self.name, self.last_pk = db, name, None

    def _pk(self):
        return self.db.primary_key(self.name) or ("id",)

    def _where_pk(self, pk_values):
        values = pk_values if isinstance(pk_values, list | tuple) else [pk_values]
        return " AND ".join(f"{column} = ?" for column in self._pk()), list(values)

    def insert(self, record, pk=None, ignore=False, **_ignored):
        """Insert one row; `last_pk` is its primary key (a tuple for a composite key)."""
        columns = list(record)
        conflict = " ON CONFLICT DO NOTHING" if ignore else ""
        keys = self._pk()
        row = self.db.execute(
            f"INSERT INTO {self.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}){conflict} "
            f"RETURNING {', '.join(keys)}",
            [record[c] for c in columns],
        ).fetchone()
        self.last_pk = None if row is None else row[0] if len(keys) == 1 else tuple(row)
        return self

    def insert_all(self, records, pk=None, ignore=False, **_ignored):
        """Insert many rows."""
        for record in records:
            self.insert(record, ignore=ignore)
        return self

    def get(self, pk_values):
        """The row with this primary key, or NotFoundError."""
        where, params = self._where_pk(pk_values)
        row = next(self.db.query(f"SELECT * FROM {self.name} WHERE {where}", params), None)
        if row is None:
            raise NotFoundError
        return row

    def update(self, pk_values, updates=None, **_ignored):
        """Change some columns of the row with this primary key."""
        if updates:
            where, params = self._where_pk(pk_values)
            sets = ", ".join(f"{column} = ?" for column in updates)
            cursor = self.db.execute(f"UPDATE {self.name} SET {sets} WHERE {where}", [*updates.values(), *params])
            if cursor.rowcount == 0:
                raise NotFoundError
        self.last_pk = pk_values
        return self

    def delete(self, pk_values):
        """Delete the row with this primary key."""
        where, params = self._where_pk(pk_values)
        self.db.execute(f"DELETE FROM {self.name} WHERE {where}", params)
        return self

    def delete_where(self, where=None, where_args=None):
        """Delete the rows matching `where`."""
        self.db.execute(f"DELETE FROM {self.name}" + (f" WHERE {where}" if where else ""), where_args)
        return self

    def rows_where(self, where=None, where_args=None, order_by=None, select="*", limit=None, offset=None):
        """The rows matching `where`, as dicts."""
        sql = f"SELECT {select} FROM {self.name}" + (f" WHERE {where}" if where else "")
        sql += f" ORDER BY {order_by}" if order_by else ""
        sql += f" LIMIT {int(limit)}" if limit is not None else ""
        sql += f" OFFSET {int(offset)}" if offset is not None else ""
        return self.db.query(sql, where_args)

    @property
    def rows(self):
        """Every row, as dicts."""
        return self.rows_where()

    def count_where(self, where=None, where_args=None):
        """How many rows match `where`."""
        sql = f"SELECT COUNT(*) FROM {self.name}" + (f" WHERE {where}" if where else "")
        return self.db.execute(sql, where_args).fetchone()[0]

    @property
    def count(self):
        """How many rows the table has."""
        return self.count_where()

    def exists(self):
        """Whether the table exists."""
        return self.name in self.db.table_names()

    # The schema, read as sqlite-utils reads SQLite's (the offboarding tests walk it on both engines).
    @property
    def columns(self):
        """The table's columns (each with .name and .type, the type as the schema declares it for SQLite), in order."""
        rows = self.db.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position",
            [self.name],
        )
        return [Column(name, SQLITE_TYPES.get(kind, kind.upper())) for name, kind in rows]

    @property
    def pks(self):
        """The primary key's column names."""
        return list(self.db.primary_key(self.name))

    @property
    def foreign_keys(self):
        """Each single-column foreign key (with .column and .other_table)."""
        rows = self.db.execute(
            "SELECT a.attname, c.confrelid::regclass::text FROM pg_constraint c JOIN pg_attribute a "
            "ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE c.contype = 'f' AND c.conrelid = ?::regclass",
            [self.name],
        )
        return [ForeignKey(column, other) for column, other in rows]

    @property
    def indexes(self):
        """The table's indexes (each with .columns, in index order)."""
        rows = self.db.execute(
            "SELECT array_agg(a.attname ORDER BY k.n) FROM pg_index i "
            "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
            "WHERE i.indrelid = ?::regclass GROUP BY i.indexrelid",
            [self.name],
        )
        return [Index(list(columns)) for (columns,) in rows]


Column = collections.namedtuple("Column", "name type")
# PostgreSQL's types of the schema's columns, named as the schema declares them (CODE_REWRITES made them).
SQLITE_TYPES = {"bigint": "INTEGER", "integer": "INTEGER", "smallint": "INTEGER", "text": "TEXT",
                "double precision": "REAL", "real": "REAL", "bytea": "BLOB"}  # fmt: skip
ForeignKey = collections.namedtuple("ForeignKey", "column other_table")
Index = collections.namedtuple("Index", "columns")
