"""Server-side sessions: sign-out, resets, archive, erase and "sign out
everywhere" end sessions on the server, so a copied cookie stops working.

Every test runs on both session stores: the database's `sessions` table (the default) and
Redis (REDIS_URL and SESSION_STORE = "redis"), through the store's own interface (accounts.stores).
"""

from datetime import UTC, datetime, timedelta

import pytest
from flask_login.utils import encode_cookie

from accounts.queries import DatabaseFailureStore
from accounts.sessions import device_summary, session_key
from accounts.stores import DatabaseSessionStore, RedisFailureStore, RedisSessionStore, failure_store, session_store
from db import connect
from jobs import run_pending

from helpers import make_app, sign_in

COURSE = "/course"


@pytest.fixture(params=["database", "redis"])
def app(request, tmp_path):
    """The test app with its sessions in the database, or in the test Redis."""
    if request.param == "database":
        return make_app(tmp_path / "test.sqlite")
    return make_app(tmp_path / "test.sqlite", REDIS_URL=request.getfixturevalue("redis_url"), SESSION_STORE="redis")


def store(app, db):
    """The app's session store (accounts.stores), on `db`."""
    with app.app_context():
        return session_store(db)


def live_ids(app, db, person_id):
    """The stored ids (hashes) of the person's live sessions."""
    return [row["id"] for row in store(app, db).live(person_id)]


def last_seen(app, db, session_id):
    """When the session was last noted as used, as stored."""
    sessions = store(app, db)
    if isinstance(sessions, RedisSessionStore):
        return sessions.redis.hget(sessions._key(session_key(session_id)), "last_seen_at")
    return db["sessions"].get(session_key(session_id))["last_seen_at"]


def set_last_seen(app, db, session_id, stamp):
    """Pretend the session was last used at `stamp`."""
    sessions = store(app, db)
    if isinstance(sessions, RedisSessionStore):
        sessions.redis.hset(sessions._key(session_key(session_id)), "last_seen_at", stamp)
    else:
        db["sessions"].update(session_key(session_id), {"last_seen_at": stamp})


def is_signed_out(response):
    """Flask-Login sent the request to the sign-in page."""
    return response.status_code == 302 and "/sign-in" in response.location


def session_id_of(app, client):
    """The session id Flask-Login keeps in the client's signed session cookie."""
    value = client.get_cookie("session").value
    return app.session_interface.get_signing_serializer(app).loads(value)["_user_id"]


def copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


@pytest.fixture
def school(make_school, make_staff, make_pupil, make_class):
    """A school with an admin, a DSL, a teacher and their class with one pupil."""
    school_id = make_school()
    teacher = make_staff(school_id, "teacher@hill.test")
    admin = make_staff(school_id, "admin@hill.test", role="admin")
    dsl = make_staff(school_id, "dsl@hill.test", role="dsl")
    pupil = make_pupil(school_id, "ryan.d", first_name="Ryan", last_name="Davies")
    class_id = make_class(school_id, "9B", teacher_id=teacher, pupil_ids=[pupil])
    return {"id": school_id, "teacher": teacher, "admin": admin, "dsl": dsl, "pupil": pupil, "class": class_id}


def signed_in(app, name):
    """A new browser signed in as `name`."""
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    return client


def test_the_cookie_carries_a_random_session_id_and_only_its_hash_is_stored(app, client, db, school):
    sign_in(client, "ryan.d")
    session_id = session_id_of(app, client)
    assert session_id != str(school["pupil"]) and len(session_id) >= 40
    [row] = store(app, db).live(school["pupil"])
    assert row["id"] == session_key(session_id) and row["person_id"] == school["pupil"] and row["ended_at"] is None
    sessions = store(app, db)
    if isinstance(sessions, RedisSessionStore):
        assert sessions.redis.exists(sessions._key(session_key(session_id)))
        assert not sessions.redis.exists(sessions._key(session_id))
        assert db["sessions"].count == 0  # nothing of it in the database
    else:
        assert not list(db.query("SELECT 1 FROM sessions WHERE id = ?", [session_id]))


def test_a_copied_cookie_stops_working_after_sign_out(app, client, db, school):
    sign_in(client, "ryan.d")
    thief = copy_of(app, client)
    assert thief.get(COURSE).status_code == 200  # the copy works while the session lives
    assert client.post("/sign-out").status_code == 303
    assert is_signed_out(thief.get(COURSE))
    assert session_key(session_id_of(app, thief)) not in live_ids(app, db, school["pupil"])


def test_a_copied_remember_cookie_stops_working_after_sign_out(app, client, school):
    sign_in(client, "ryan.d")
    with app.test_request_context():
        remember = encode_cookie(session_id_of(app, client))
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    assert thief.get(COURSE).status_code == 200  # Flask-Login loads the user from the remember cookie
    client.post("/sign-out")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert is_signed_out(fresh.get(COURSE))


def test_quick_exit_ends_the_session_on_the_server(app, client, school):
    sign_in(client, "ryan.d")
    thief = copy_of(app, client)
    assert client.get("/exit").status_code == 303
    assert is_signed_out(thief.get(COURSE))


def test_a_pupil_password_reset_signs_out_their_other_browsers(app, school):
    pupil = signed_in(app, "ryan.d")
    teacher = signed_in(app, "teacher@hill.test")
    assert pupil.get(COURSE).status_code == 200
    response = teacher.post(f"/classes/{school['class']}/pupils/{school['pupil']}/reset-password")
    assert response.status_code == 200
    assert is_signed_out(pupil.get(COURSE))
    assert teacher.get("/classes").status_code == 200  # the teacher who reset it stays signed in


def test_new_cards_for_a_class_sign_its_pupils_out(app, school):
    pupil = signed_in(app, "ryan.d")
    teacher = signed_in(app, "teacher@hill.test")
    assert teacher.post(f"/classes/{school['class']}/cards/new").status_code in (200, 303)
    run_pending(app.extensions["huey"])  # the job worker sets the new passwords with the cards
    assert is_signed_out(pupil.get(COURSE))


def test_a_staff_password_reset_signs_them_out(app, school):
    teacher = signed_in(app, "teacher@hill.test")
    admin = signed_in(app, "admin@hill.test")
    assert admin.post(f"/staff/{school['teacher']}/reset-password").status_code == 200
    assert is_signed_out(teacher.get("/classes"))


def test_archiving_a_pupil_ends_their_sessions(app, db, school):
    pupil = signed_in(app, "ryan.d")
    teacher = signed_in(app, "teacher@hill.test")
    assert teacher.post(f"/classes/{school['class']}/pupils/{school['pupil']}/archive").status_code == 303
    assert is_signed_out(pupil.get(COURSE))
    assert live_ids(app, db, school["pupil"]) == []


def test_archiving_staff_ends_their_sessions(app, db, school):
    teacher = signed_in(app, "teacher@hill.test")
    admin = signed_in(app, "admin@hill.test")
    assert admin.post(f"/staff/{school['teacher']}/archive").status_code == 303
    assert is_signed_out(teacher.get("/classes"))
    assert live_ids(app, db, school["teacher"]) == []


def test_erasing_a_pupil_removes_their_sessions(app, db, school):
    pupil = signed_in(app, "ryan.d")
    teacher = signed_in(app, "teacher@hill.test")
    teacher.post(f"/classes/{school['class']}/pupils/{school['pupil']}/archive")
    dsl = signed_in(app, "dsl@hill.test")
    response = dsl.post(f"/safeguarding/pupils/{school['pupil']}/erase", data={"confirm": "ERASE"})
    assert response.status_code == 303
    assert db["people"].count_where("id = ?", [school["pupil"]]) == 0
    assert db["sessions"].count_where("person_id = ?", [school["pupil"]]) == 0
    assert live_ids(app, db, school["pupil"]) == []
    assert is_signed_out(pupil.get(COURSE))


def test_sign_out_everywhere_ends_every_session_of_that_person_only(app, db, school):
    laptop = signed_in(app, "teacher@hill.test")
    phone = signed_in(app, "teacher@hill.test")
    colleague = signed_in(app, "admin@hill.test")
    page = laptop.get("/account")
    assert page.status_code == 200 and "Sign out everywhere" in page.text
    assert page.text.count("(this one)") == 1
    assert "Your account" in laptop.get("/classes").text  # linked from the staff menu
    response = laptop.post("/account/sign-out-everywhere")
    assert response.status_code == 303 and response.location.endswith("/sign-in")
    assert is_signed_out(laptop.get("/classes"))
    assert is_signed_out(phone.get("/classes"))
    assert colleague.get("/classes").status_code == 200
    assert live_ids(app, db, school["teacher"]) == []


def test_pupils_have_no_account_page(client, school):
    sign_in(client, "ryan.d")
    assert client.get("/account").status_code == 403


def test_end_sessions_can_keep_one(app, db, school):
    sessions = store(app, db)
    keep = sessions.start(school["teacher"], "")
    sessions.start(school["teacher"], "")
    sessions.start(school["admin"], "")
    assert sessions.end_all(school["teacher"], except_session=keep) == 1
    assert live_ids(app, db, school["teacher"]) == [session_key(keep)]
    assert len(live_ids(app, db, school["admin"])) == 1
    assert sessions.end_all(school["teacher"]) == 1 and live_ids(app, db, school["teacher"]) == []


def test_last_seen_is_written_at_most_every_few_minutes(app, client, db, school):
    sign_in(client, "ryan.d")
    session_id = session_id_of(app, client)
    first = last_seen(app, db, session_id)
    client.get(COURSE)
    client.get(COURSE)
    assert last_seen(app, db, session_id) == first  # page views do not write
    old = (datetime.now(UTC) - timedelta(minutes=6)).isoformat(timespec="seconds")
    set_last_seen(app, db, session_id, old)
    client.get(COURSE)
    assert last_seen(app, db, session_id) > old
    assert db["people"].get(school["pupil"])["last_active_at"] > old


def test_a_session_left_idle_too_long_is_ended(app, client, db, school):
    sign_in(client, "ryan.d")
    idle = timedelta(seconds=app.config["SESSION_IDLE_LIMIT"] + 60)
    set_last_seen(app, db, session_id_of(app, client), (datetime.now(UTC) - idle).isoformat(timespec="seconds"))
    assert is_signed_out(client.get(COURSE))


def test_a_cookie_from_before_server_sessions_holding_a_person_id_is_refused(app, school):
    old = app.test_client()
    with app.test_request_context():
        old.set_cookie("remember_token", encode_cookie(str(school["pupil"])))
    assert is_signed_out(old.get(COURSE))


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36", "Chrome on Windows"),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0", "Edge on Windows"),
        ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Version/17.0 Safari/604.1", "Safari on iPad"),
        ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) Chrome/120.0 Safari/537.36", "Chrome on Chromebook"),
        ("", "A browser"),
    ],
)
def test_device_summary(agent, summary):
    assert device_summary(agent) == summary


# Redis only: the idle limit is the key's TTL, and a person's set finds every session ----------------
@pytest.mark.parametrize("app", ["redis"], indirect=True)
def test_a_redis_session_expires_after_the_idle_limit_and_renews_when_used(app, db, school):
    sessions = store(app, db)
    assert isinstance(sessions, RedisSessionStore)
    session_id = sessions.start(school["pupil"], "Chrome on Windows")
    key = sessions._key(session_key(session_id))
    idle = app.config["SESSION_IDLE_LIMIT"]
    assert idle - 5 <= sessions.redis.ttl(key) <= idle
    sessions.redis.expire(key, 60)
    sessions.touch(session_id, school["pupil"])
    assert sessions.redis.ttl(key) > idle - 5  # last-seen written: the idle clock starts again
    sessions.redis.delete(key)  # what the TTL does when it runs out
    assert sessions.user(session_id) is None
    assert sessions.live(school["pupil"]) == []


@pytest.mark.parametrize("app", ["redis"], indirect=True)
def test_a_redis_session_of_a_suspended_school_or_archived_person_is_refused(app, db, school):
    sessions = store(app, db)
    pupil = sessions.start(school["pupil"], "")
    teacher = sessions.start(school["teacher"], "")
    row = sessions.user(pupil)
    assert row["id"] == school["pupil"] and row["school_kind"] == "school" and row["session_seen_at"]
    db["people"].update(school["teacher"], {"archived_at": "2026-01-01T00:00:00+00:00"})
    assert sessions.user(teacher) is None
    db["schools"].update(school["id"], {"suspended_at": "2026-01-01T00:00:00+00:00"})
    assert sessions.user(pupil) is None


def test_sessions_stay_in_the_database_unless_redis_is_asked_for(tmp_path, redis_url):
    app = make_app(tmp_path / "r.sqlite", REDIS_URL=redis_url)
    db = connect(app.config["DATABASE"])
    with app.app_context():
        assert isinstance(session_store(db), DatabaseSessionStore)
        assert isinstance(failure_store(db, 60), RedisFailureStore)  # failures go to Redis with REDIS_URL alone
    with pytest.raises(SystemExit, match="SESSION_STORE"):
        make_app(tmp_path / "s.sqlite", SESSION_STORE="redis")  # no REDIS_URL: refused at start-up
    with pytest.raises(SystemExit, match="SESSION_STORE"):
        make_app(tmp_path / "t.sqlite", SESSION_STORE="memcached")


@pytest.mark.parametrize("app", ["database"], indirect=True)
def test_without_redis_url_nothing_touches_redis(app, db):
    assert app.test_client().get("/sign-in").status_code == 200
    with app.app_context():
        assert isinstance(session_store(db), DatabaseSessionStore)
        assert isinstance(failure_store(db, 60), DatabaseFailureStore)
    assert "redis" not in app.extensions  # no client, so no connection, was ever made
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
