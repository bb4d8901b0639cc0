"""Which database engine the suite runs on: SQLite files (the default) or PostgreSQL (TEST_ENGINE=postgresql).

On PostgreSQL one throwaway server (tests/postgres_server.py) serves the whole run. The schema is
migrated once into a template database; each test's database is a copy of it (about 75 ms here), dropped
when the test ends, so every test starts from an empty, migrated database as it does on SQLite.
"""

import atexit
import itertools
import os

from db import connect, is_postgres, migrate

ENGINE = os.environ.get("TEST_ENGINE", "sqlite")
TEMPLATE = "training_template"

_server = None
_created = []
_numbers = itertools.count(1)


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
    """The DATABASE setting for a test that would use the SQLite file `path`: the file, or a new PostgreSQL copy."""
    if not on_postgres() or is_postgres(path):
        return str(path)
    name = f"test_{os.getpid()}_{next(_numbers)}"
    _created.append(name)
    return server().create_database(name, template=TEMPLATE)


def created_count():
    """How many test databases exist so far (to drop those a test made, when it ends)."""
    return len(_created)


def drop_since(count):
    """Drop the test databases made after `count` (ending connections still open to them)."""
    while len(_created) > count:
        server().drop_database(_created.pop())
