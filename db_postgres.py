"""PostgreSQL behind the interface the parts use: the few sqlite-utils and sqlite3 members they call.

Statements arrive in the parts' dialect and are translated by db_translate; rows, booleans and numbers come
back as SQLite gives them. db.connect() opens a PostgresDatabase for a `postgresql://` DATABASE.
"""

import collections
import contextlib
from datetime import UTC, datetime

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from sqlite_utils.db import NotFoundError

from db_translate import POSTGRES_FUNCTIONS, Prepared, postgres_sql, split_script


class _LightRow(tuple):
    """A row read by name or position, hashable and compared as a tuple: what sqlite3.Row gives on SQLite."""

    __slots__ = ()
    _index = {}

    def __getitem__(self, key):
        return tuple.__getitem__(self, self._index[key] if isinstance(key, str) else key)

    def keys(self):
        """The column names, in order."""
        return list(self._index)


def light_row_factory(cursor):
    """A psycopg row factory for _LightRow: rows read by name or position, as sqlite3.Row."""
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
        statement = postgres_sql(sql, params is not None)
        if not isinstance(sql, Prepared):
            cursor = self.raw.cursor(row_factory=row_factory) if row_factory else self.raw.cursor()
            return cursor.execute(statement, params)
        cursor = psycopg.Cursor(self.raw, row_factory=row_factory) if row_factory else psycopg.Cursor(self.raw)
        try:
            return cursor.execute(statement, params, prepare=True)
        except psycopg.errors.FeatureNotSupported as error:
            # "cached plan must not change result type": another process changed a table a prepared `SELECT *`
            # reads (a migration while this server ran). Forget every prepared statement and run it afresh,
            # unless a transaction was open: the error has already ended it, so the caller must see it.
            if "cached plan" not in str(error) or self.in_transaction:
                raise
            self.raw.execute("DEALLOCATE ALL")  # psycopg forgets its own list of prepared names on seeing it
            return cursor.execute(statement, params, prepare=True)

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
        # Autocommit, as sqlite3 is used here: db.write_transaction() opens and commits every transaction.
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
        if not self.conn.in_transaction:  # a transaction of its own, begun as db.write_transaction() begins one
            self.conn.execute("BEGIN")
            try:
                yield self
            except BaseException:
                self.rollback()
                raise
            self.conn.execute("COMMIT")
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
        for statement in split_script(POSTGRES_FUNCTIONS):  # PostgreSQL's dialect already: run as written
            self.conn.raw.execute(statement)
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
            with self.atomic():
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
# PostgreSQL's types of the schema's columns, named as the schema declares them (the translation made them).
SQLITE_TYPES = {"bigint": "INTEGER", "integer": "INTEGER", "smallint": "INTEGER", "text": "TEXT",
                "double precision": "REAL", "real": "REAL", "bytea": "BLOB"}  # fmt: skip
ForeignKey = collections.namedtuple("ForeignKey", "column other_table")
Index = collections.namedtuple("Index", "columns")
