"""Fixtures: a fresh app and SQLite file per test, a client, a CLI runner, factories."""

import os

import engines
import pytest
from oidc_provider import OidcProvider
from redis_server import RedisServer
from safeguarding_smtp import start_smtp
from werkzeug.routing import Rule

import db as db_module
from accounts import passwords
from accounts.queries import create_person, create_school
from classroom.queries import create_class
from db import connect, write_transaction
from safeguarding.help_routes import add_default_help_routes

from helpers import PASSWORD, make_app, sign_in


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, skip what only SQLite has."""
    if engines.on_postgres():
        skip = pytest.mark.skip(reason="SQLite only (the suite runs on PostgreSQL now)")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


# One round of PBKDF2: scrypt (about 0.1 s a password, on purpose) was two thirds of the suite's time,
# spent in the factories. Tests marked real_password_hash hash as production does.
CHEAP_HASH_METHOD = "pbkdf2:sha256:1"


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """Every person the tests make gets a cheap hash (module fixtures included)."""
    passwords.HASH_METHOD = CHEAP_HASH_METHOD
    passwords.dummy_password_hash.cache_clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _catalogues_compiled():
    """`make test` compiles each language's catalogue first; a run of pytest alone after a catalogue changed would
    otherwise show the old (or no) translations. Written whole, then moved into place, as make's run may be beside."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from catalogues import catalogue_paths

    for po in catalogue_paths().values():
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with open(po, "rb") as file:
            catalogue = read_po(file)
        partial = mo.with_suffix(f".mo.{os.getpid()}")
        with open(partial, "wb") as file:
            write_mo(file, catalogue)
        os.replace(partial, mo)
    yield


@pytest.fixture(scope="session", autouse=True)
def _url_rules_compiled_once():
    """Each test's app turns the same ~120 URL rules into Python functions again: about a quarter of a test's
    set-up here (measured). Werkzeug's builder for a rule depends only on the rule, its parsed parts and its
    defaults (converters are looked up on the rule when it runs), so one compiled per distinct rule serves."""
    compile_builder = Rule._compile_builder
    builders = {}

    def compiled_once(self, append_unknown=True):
        key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", compiled_once)
        yield


@pytest.fixture(autouse=True)
def _real_password_hash(request, monkeypatch):
    """A test marked real_password_hash hashes with production's scrypt."""
    if "real_password_hash" not in request.keywords:
        yield
        return
    monkeypatch.setattr(passwords, "HASH_METHOD", "scrypt")
    passwords.dummy_password_hash.cache_clear()
    yield
    passwords.dummy_password_hash.cache_clear()


@pytest.fixture(autouse=True)
def _test_databases_dropped():
    """On PostgreSQL, drop the databases a test made when it ends (module fixtures' databases stay)."""
    count = engines.created_count()
    yield
    engines.drop_since(count)


@pytest.fixture
def app(tmp_path):
    """The app on a new, migrated database file. CSRF and rate limits are tested on their own."""
    return make_app(tmp_path / "test.sqlite")


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1, wired into the app's MAIL_* settings."""
    controller, inbox = start_smtp()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="training@school.test")
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def oidc():
    """The loopback OpenID Provider (Google- and Microsoft-shaped issuers; see tests/oidc_provider.py)."""
    provider = OidcProvider()
    yield provider
    provider.stop()


@pytest.fixture(autouse=True)
def _oidc_tamper_disarmed(request):
    """A tamper a test armed but no token response used must not leak into the next test."""
    yield
    if "oidc" in request.fixturenames:
        request.getfixturevalue("oidc").tamper_pending()


@pytest.fixture(scope="session")
def redis_server():
    """A throwaway redis-server on a free loopback port, no persistence, for the whole run (tests/redis_server.py)."""
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """The test Redis's address, emptied first: each test starts with no sessions, failures, limits or jobs."""
    import redis

    with redis.Redis.from_url(redis_server.url) as client:
        client.flushdb()
    return redis_server.url


@pytest.fixture
def statements(monkeypatch):
    """Every SQL statement the app's request connections run, in order (statements are traced on both engines)."""
    seen = []
    real_connect = db_module.connect

    def traced(path):
        database = real_connect(path)
        database.conn.set_trace_callback(seen.append)
        return database

    monkeypatch.setattr(db_module, "connect", traced)
    # Requests reuse their thread's connection: drop the one a fixture's sign-in opened, untraced.
    db_module._forget_thread_connection()
    return seen


@pytest.fixture
def client(app):
    """A test client for `app`."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for `app`."""
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A Database on the test app's file, for arranging and checking data."""
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def course(app):
    """The younger route's course (the one every test pupil follows unless a test says otherwise)."""
    return app.extensions["courses"]["online-blackmail-11-13"]


@pytest.fixture
def make_school(db):
    """make_school(name) -> school id, with the default help routes."""

    def make(name="Hillside School", **fields):
        school_id = create_school(db, name)
        if fields:
            db["schools"].update(school_id, fields)
        add_default_help_routes(db, school_id)
        return school_id

    return make


@pytest.fixture
def make_pupil(db):
    """make_pupil(school_id, username, ...) -> pupil id."""

    def make(school_id, username, first_name=None, last_name="Test", password=PASSWORD, year_group=8, class_id=None):
        pupil_id = create_person(
            db, school_id, "pupil", first_name or username.split(".")[0].capitalize(), password,
            last_name=last_name, username=username, year_group=year_group,
        )  # fmt: skip
        if class_id:
            with write_transaction(db):
                db["class_pupils"].insert({"class_id": class_id, "person_id": pupil_id})
        return pupil_id

    return make


@pytest.fixture
def make_staff(db):
    """make_staff(school_id, email, role='teacher') -> person id."""

    def make(school_id, email, role="teacher", first_name="Sam", last_name="Staff", password=PASSWORD):
        return create_person(db, school_id, role, first_name, password, last_name=last_name, email=email)

    return make


@pytest.fixture
def make_class(db):
    """make_class(school_id, name, teacher_id=None, pupil_ids=()) -> class id."""

    def make(school_id, name="9B", teacher_id=None, pupil_ids=(), year_group=8, course_id=None):
        class_id = create_class(db, school_id, name, year_group, teacher_id, course_id)
        with write_transaction(db):
            db["class_pupils"].insert_all({"class_id": class_id, "person_id": p} for p in pupil_ids)
        return class_id

    return make


@pytest.fixture
def pupil(make_school, make_pupil):
    """A pupil at Hillside School, signed in on `client` by `signed_in_pupil`."""
    school_id = make_school()
    return {"id": make_pupil(school_id, "ryan.d", first_name="Ryan", last_name="Davies"), "school_id": school_id,
            "username": "ryan.d"}  # fmt: skip


@pytest.fixture
def signed_in_pupil(client, pupil):
    """The `pupil`, signed in on `client`."""
    assert sign_in(client, pupil["username"]).status_code == 303
    return pupil
