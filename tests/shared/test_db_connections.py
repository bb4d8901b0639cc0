"""One database connection per web worker thread, reused by its requests (db.get_db, db.close_db).

Reusing the connection saves opening it and reading the schema on every request; nothing a request
leaves behind (an open transaction, an error's cursors) may reach the thread's next request.
"""

import threading

import pytest
from engines import on_postgres

from db import connect, get_db, write_transaction


def in_request(app, function):
    """Run `function(db)` inside a request of its own; the request's teardown runs after it."""
    with app.test_request_context("/"):
        return function(get_db())


def test_a_thread_reuses_its_connection_from_one_request_to_the_next(app):
    first = in_request(app, lambda db: db.conn)
    second = in_request(app, lambda db: db.conn)
    assert first is second
    assert second.execute("SELECT 1").fetchone() == (1,)  # still open after the first request's teardown


def test_another_thread_has_its_own_connection(app):
    mine = in_request(app, lambda db: db.conn)
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(in_request(app, lambda db: db.conn)))
    thread.start()
    thread.join()
    assert theirs[0] is not mine


def test_another_database_gets_a_new_connection_and_the_old_one_is_closed(app, tmp_path):
    old = in_request(app, lambda db: db.conn)
    other = str(tmp_path / "other.sqlite")
    app.config["DATABASE"] = other
    new = in_request(app, lambda db: db.conn)
    assert new is not old
    assert new.execute("PRAGMA database_list").fetchone()[2] == other
    with pytest.raises(Exception, match="closed"):
        old.execute("SELECT 1")


def test_a_transaction_left_open_is_rolled_back_and_holds_no_lock(app, db):
    def leave_a_write_open(request_db):
        request_db.conn.execute("BEGIN")
        request_db.conn.execute("INSERT INTO schools (name, created_at) VALUES ('Left open', 'now')")
        assert request_db.conn.in_transaction  # nobody committed

    in_request(app, leave_a_write_open)
    assert in_request(app, lambda request_db: request_db.conn.in_transaction) is False
    other = connect(app.config["DATABASE"])
    if not on_postgres():
        other.execute("PRAGMA busy_timeout=0")
    with write_transaction(other):  # the write lock is free at once
        other.execute("INSERT INTO schools (name, created_at) VALUES ('Next', 'now')")
    names = [row[0] for row in other.execute("SELECT name FROM schools")]
    other.close()
    assert "Left open" not in names and "Next" in names


def test_the_next_request_sees_what_others_wrote_in_between(app):
    def count(request_db):
        return request_db.execute("SELECT count(*) FROM schools").fetchone()[0]

    before = in_request(app, count)
    other = connect(app.config["DATABASE"])
    with write_transaction(other):
        other.execute("INSERT INTO schools (name, created_at) VALUES ('Written between', 'now')")
    other.close()
    assert in_request(app, count) == before + 1  # no read snapshot kept from the last request


def test_after_an_unhandled_error_the_thread_opens_a_new_connection(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as served: a 500 page, and the error reaches the teardown

    @app.route("/boom")
    def boom():
        app.extensions["boom_connection"] = get_db().conn
        raise RuntimeError("a bug in a view")

    client = app.test_client()
    assert client.get("/boom").status_code == 500
    failed = app.extensions["boom_connection"]
    after = in_request(app, lambda db: db.conn)
    assert after is not failed
    with pytest.raises(Exception, match="closed"):
        failed.execute("SELECT 1")
