"""Which database engine the suite runs on: SQLite files (the default) or PostgreSQL (TEST_ENGINE=postgresql).

On PostgreSQL one throwaway server (tests/postgres_server.py) serves the whole run. The schema is
migrated once into a template database; each test's database is a copy of it (about 75 ms here), dropped
when the test ends, so every test starts from an empty, migrated database as it does on SQLite.
"""

import atexit
import itertools
import os
import shutil
import tempfile

from db import connect, is_postgres, migrate

ENGINE = os.environ.get("TEST_ENGINE", "sqlite")
TEMPLATE = "training_template"

_server = None
_sqlite_template = None
_created = []
_by_path = {}
_numbers = itertools.count(1)


def sqlite_template():
    """A migrated SQLite file for this process, made on first use."""
    global _sqlite_template
    if _sqlite_template is None:
        folder = tempfile.mkdtemp(prefix="training-template-")
        atexit.register(shutil.rmtree, folder, True)
        path = os.path.join(folder, "template.sqlite")
        database = connect(path)
        migrate(database)
        database.close()  # the last connection: the WAL is checkpointed into the file and removed
        _sqlite_template = path
    return _sqlite_template


def on_postgres():
    """Whether this run is on PostgreSQL."""
    return ENGINE == "postgresql"


def server():
    """The run's PostgreSQL server, started (and its template migrated) on first use."""
    global _server
    if _server is None:
        from postgres_server import PostgresServer

        _server = PostgresServer().start()
        atexit.register(_server.stop)
        template = connect(_server.create_database(TEMPLATE))
        migrate(template)
        template.close()
    return _server


def database_for(path):
    """The DATABASE setting for a test that would use the SQLite file `path`: the file, or a new PostgreSQL copy.

    A new SQLite file starts as a copy of one migrated once per process (every migration ran for
    every test before: about half a second each here), as PostgreSQL's copies do.
    """
    if is_postgres(path):
        return str(path)
    if not on_postgres():
        if not os.path.exists(path):
            shutil.copyfile(sqlite_template(), path)
        return str(path)
    if str(path) in _by_path:  # the same file twice in a test is the same database, as on SQLite
        return _by_path[str(path)]
    name = f"test_{os.getpid()}_{next(_numbers)}"
    _created.append((name, str(path)))
    _by_path[str(path)] = server().create_database(name, template=TEMPLATE)
    return _by_path[str(path)]


def is_new_copy(path):
    """Whether `path` would get a new copy of the migrated template from database_for (nothing to migrate)."""
    if is_postgres(path):
        return False
    return str(path) not in _by_path if on_postgres() else not os.path.exists(path)


def dump_text(db):
    """Everything the database holds, as text (sqlite3's iterdump on SQLite; every row of every table else)."""
    if not is_postgres(getattr(db, "url", "")):
        return "\n".join(db.conn.iterdump())
    return "\n".join(str(row) for table in db.table_names() for row in db[table].rows)


def created_count():
    """How many test databases exist so far (to drop those a test made, when it ends)."""
    return len(_created)


def drop_since(count):
    """Drop the test databases made after `count` (ending connections still open to them)."""
    while len(_created) > count:
        name, path = _created.pop()
        _by_path.pop(path, None)
        server().drop_database(name)
