"""Sign-in throttling that holds: failures counted in the database, per name,
per address and per device cookie, so workers share the count and an owner is not locked out.

The tests through the app run on both failure stores: the database's table and Redis.
"""

import subprocess
import sys
import time

import pytest

from accounts import passwords, throttle
from accounts.throttle import Counts, Limits, is_paused
from app import create_app
from db import connect, migrate

from helpers import PASSWORD, sign_in

WRONG = "not-the-password"
# The store the apps of the running test count in: {} (the database) or {"REDIS_URL": ...}; set by `database`.
STORE = {}
PAUSED = "Signing in is paused here for a little while"


def new_app(database, **config):
    """An app (one "worker") on `database`, with throttling on as deployed."""
    settings = {
        "TESTING": True,
        "DEVELOPMENT": True,
        "SECRET_KEY": "test-secret",
        "DATABASE": str(database),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SIGN_IN_THROTTLE": True,
        "PUBLIC_BASE_URL": "https://training.example.test",
    }
    return create_app(settings | STORE | config)


@pytest.fixture(params=["database", "redis"])
def database(request, tmp_path):
    """A migrated database file that several apps can share; their failures counted in it or in the test Redis."""
    STORE.clear()
    if request.param == "redis":
        STORE["REDIS_URL"] = request.getfixturevalue("redis_url")
    request.addfinalizer(STORE.clear)
    path = tmp_path / "shared.sqlite"
    db = connect(str(path))
    migrate(db)
    db.close()
    return path


@pytest.fixture
def school(database):
    """Ryan (the owner of the name) and a teacher, at one school."""
    from accounts.queries import create_person, create_school

    db = connect(str(database))
    school_id = create_school(db, "Hillside School")
    create_person(db, school_id, "pupil", "Ryan", PASSWORD, last_name="Davies", username="ryan.d")
    db.close()
    return school_id


def attempt(client, name, password=WRONG, address="10.0.0.1"):
    """One sign-in attempt from `address`; returns the response."""
    return client.post("/sign-in", data={"name": name, "password": password}, environ_base={"REMOTE_ADDR": address})


# Plain rules -------------------------------------------------------------------------------------
LIMITS = Limits(window=900, name=5, device=3, address=100, address_names=30)


def test_untrusted_attempts_are_paused_by_the_name_or_the_address():
    assert not is_paused(Counts(name=4, address=99, address_names=29), LIMITS, trusted=False)
    assert is_paused(Counts(name=5), LIMITS, trusted=False)
    assert is_paused(Counts(address=100), LIMITS, trusted=False)
    assert is_paused(Counts(address_names=30), LIMITS, trusted=False)


def test_a_trusted_browser_is_judged_only_on_its_own_failures():
    assert not is_paused(Counts(name=50, address=500, address_names=90, device=2), LIMITS, trusted=True)
    assert is_paused(Counts(device=3), LIMITS, trusted=True)


def test_name_keys_ignore_case_and_spaces_and_hide_the_name():
    assert throttle.name_key("k", " Ryan.D ") == throttle.name_key("k", "ryan.d")
    assert "ryan" not in throttle.name_key("k", "ryan.d")
    assert throttle.name_key("k", "ryan.d") != throttle.name_key("other-key", "ryan.d")


def test_device_cookie_keeps_the_most_recent_names_and_refuses_forgeries():
    cookie = None
    for n in range(12):
        cookie = throttle.device_cookie_after_sign_in("k", cookie, f"name{n}", 3600, keep=10)
    kept = [key for key, _ in throttle.read_devices("k", cookie, 3600)]
    assert kept == [f"name{n}" for n in range(2, 12)]
    assert throttle.device_for("k", cookie, "name11", 3600)
    assert throttle.device_for("k", cookie, "name0", 3600) is None
    assert throttle.read_devices("another-secret", cookie, 3600) == []
    assert throttle.read_devices("k", cookie + "x", 3600) == []


# Through the app ---------------------------------------------------------------------------------
def test_two_workers_share_the_count(database, school):
    worker_a, worker_b = new_app(database), new_app(database)
    for _ in range(3):
        assert attempt(worker_a.test_client(), "ryan.d").status_code == 200
    for _ in range(2):
        assert attempt(worker_b.test_client(), "ryan.d").status_code == 200
    # Five failures in all: the sixth, on either worker, is paused, even with the right password.
    response = attempt(worker_b.test_client(), "ryan.d")
    assert response.status_code == 429 and PAUSED in response.text
    assert attempt(worker_a.test_client(), "ryan.d", PASSWORD).status_code == 429


def test_the_owner_with_a_device_cookie_still_signs_in_after_a_classmates_wrong_tries(database, school):
    app = new_app(database)
    own = app.test_client()
    assert attempt(own, "ryan.d", PASSWORD).status_code == 303
    cookie = own.get_cookie("device", path="/sign-in")
    assert cookie is not None and cookie.http_only and cookie.max_age and cookie.max_age > 300 * 24 * 3600
    own.post("/sign-out")

    classmate = app.test_client()  # same classroom, same address
    for _ in range(5):
        assert attempt(classmate, "ryan.d").status_code == 200
    assert attempt(classmate, "ryan.d").status_code == 429
    fresh = attempt(app.test_client(), "ryan.d", PASSWORD)
    assert fresh.status_code == 429 and PAUSED in fresh.text and "ask your teacher" in fresh.text
    assert "Wait 15 minutes" in fresh.text
    assert attempt(own, "ryan.d", PASSWORD).status_code == 303


def test_a_trusted_browser_has_its_own_smaller_budget(database, school):
    app = new_app(database)
    own = app.test_client()
    attempt(own, "ryan.d", PASSWORD)
    own.post("/sign-out")
    for _ in range(3):
        assert attempt(own, "ryan.d").status_code == 200
    assert attempt(own, "ryan.d", PASSWORD).status_code == 429
    # Its failures were its own: a new browser is not paused by them.
    assert attempt(app.test_client(), "ryan.d", PASSWORD).status_code == 303


def test_a_device_cookie_for_another_name_or_signed_elsewhere_gives_no_pass(database, school):
    app = new_app(database)
    own = app.test_client()
    attempt(own, "ryan.d", PASSWORD)
    own.post("/sign-out")
    for _ in range(5):
        attempt(app.test_client(), "amir.k")
    assert attempt(own, "amir.k").status_code == 429  # Ryan's cookie says nothing about amir.k
    forged = app.test_client()
    value = throttle.device_cookie_after_sign_in("not-our-secret", None, throttle.name_key("x", "amir.k"), 60, 10)
    forged.set_cookie("device", value, path="/sign-in")
    assert attempt(forged, "amir.k").status_code == 429


def test_one_address_is_capped_on_different_names(database, school):
    app = new_app(database)
    client = app.test_client()
    for n in range(30):
        assert attempt(client, f"guess{n}", address="203.0.113.9").status_code == 200
    response = attempt(client, "ryan.d", PASSWORD, address="203.0.113.9")
    assert response.status_code == 429 and PAUSED in response.text
    assert attempt(client, "ryan.d", PASSWORD, address="198.51.100.7").status_code == 303  # another school


def test_one_address_is_capped_on_failures(database, school):
    app = new_app(database, SIGN_IN_ADDRESS_LIMIT=6)
    for n in range(3):
        for _ in range(2):
            assert attempt(app.test_client(), f"pupil{n}").status_code == 200
    assert attempt(app.test_client(), "pupil9").status_code == 429


def test_the_paused_message_is_the_same_for_names_that_do_not_exist(database, school):
    app = new_app(database)
    for name in ("ryan.d", "nobody.here"):
        for _ in range(5):
            attempt(app.test_client(), name)
    known, unknown = attempt(app.test_client(), "ryan.d"), attempt(app.test_client(), "nobody.here")
    assert known.status_code == unknown.status_code == 429
    assert known.text.replace("ryan.d", "NAME") == unknown.text.replace("nobody.here", "NAME")


@pytest.mark.real_password_hash
def test_an_unknown_name_is_checked_against_the_dummy_hash(database, school, monkeypatch):
    checked = []
    real = passwords.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    app = new_app(database)
    assert attempt(app.test_client(), "nobody.here").status_code == 200
    assert checked == [passwords.dummy_password_hash()]
    assert checked[0].startswith("scrypt:")
    assert passwords.dummy_password_hash() is passwords.dummy_password_hash()  # made once per process


@pytest.mark.parametrize("database", ["database"], indirect=True)
def test_old_failures_are_pruned(database, school):
    db = connect(str(database))
    db["sign_in_failures"].insert(
        {"name_key": "x", "address": "10.0.0.1", "device": None, "failed_at": "2020-01-01T00:00:00+00:00"}
    )
    attempt(new_app(database).test_client(), "ryan.d")
    assert [r["failed_at"] > "2021" for r in db["sign_in_failures"].rows] == [True]
    db.close()


def test_throttling_follows_its_setting(client, db, pupil):
    # The shared test app has RATELIMIT_ENABLED off and SIGN_IN_THROTTLE unset: nothing is counted.
    for _ in range(7):
        assert sign_in(client, "ryan.d", WRONG).status_code == 200
    assert sign_in(client, "ryan.d").status_code == 303
    assert db["sign_in_failures"].count == 0


@pytest.mark.parametrize("database", ["redis"], indirect=True)
def test_old_failures_leave_redis_by_themselves(database):
    from accounts.stores import RedisFailureStore, failure_store

    app = new_app(database)
    with app.app_context():
        store = failure_store(connect(str(database)), 900)
    assert isinstance(store, RedisFailureStore)
    old = time.time() - 1000
    store.redis.zadd(store.prefix + "address:10.0.0.1", {"old": old})
    store.record("k", "10.0.0.1", None)
    assert store.counts("k", "10.0.0.1", None) == Counts(name=1, device=0, address=1, address_names=1)
    assert "old" not in store.redis.zrange(store.prefix + "address:10.0.0.1", 0, -1)  # trimmed to the window
    assert 890 <= store.redis.ttl(store.prefix + "name:k") <= 900  # and every key expires with it
    assert connect(str(database))["sign_in_failures"].count == 0  # nothing in the database


@pytest.mark.parametrize("database", ["redis"], indirect=True)
def test_wrong_class_codes_are_counted_in_redis_too(database):
    from classroom.code_queries import record_wrong_code, wrong_codes

    a, b = new_app(database), new_app(database)  # two app servers
    db = connect(str(database))
    with a.app_context():
        for _ in range(3):
            record_wrong_code(db, "pending:google:123", 900)
    with b.app_context():
        assert wrong_codes(db, "pending:google:123", 900) == 3
    assert db["sign_in_failures"].count == 0


def test_the_redis_store_counts_exactly_as_the_database_store(tmp_path, redis_url):
    import redis

    from accounts.queries import DatabaseFailureStore
    from accounts.stores import RedisFailureStore

    db = connect(str(tmp_path / "parity.sqlite"))
    migrate(db)
    stores = [DatabaseFailureStore(db, 900), RedisFailureStore(redis.Redis.from_url(redis_url, decode_responses=True),
                                                                900, "parity:")]  # fmt: skip
    failures = [("ryan", "10.0.0.1", None), ("ryan", "10.0.0.1", "dev-1"), ("ryan", "10.0.0.2", None),
                ("amir", "10.0.0.1", None), ("amir", "10.0.0.1", "dev-2"), ("ryan", "10.0.0.1", "dev-1")]  # fmt: skip
    for store in stores:
        for failure in failures:
            store.record(*failure)
    questions = [("ryan", "10.0.0.1", None), ("ryan", "10.0.0.1", "dev-1"), ("amir", "10.0.0.2", "dev-2"),
                 ("nobody", "10.0.0.3", None), ("ryan", "10.0.0.2", "dev-9")]  # fmt: skip
    database, in_redis = ([store.counts(*q) for q in questions] for store in stores)
    assert database == in_redis
    assert database[0] == Counts(name=2, device=0, address=5, address_names=2)
    assert database[1] == Counts(name=2, device=2, address=5, address_names=2)


def test_production_hashes_passwords_with_scrypt():
    # The suite hashes with a cheap method (tests/conftest.py); a process of the app's own does not.
    code = "from accounts.passwords import hash_password; print(hash_password('otter-maple-47'))"
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert printed.startswith("scrypt:")
