"""The app as a whole: sign-in, security, configuration, health, commands."""

import re

import pytest

from accounts.demo import DEMO_PASSWORD
from app import create_app
from db import connect, migrate

from helpers import PASSWORD, sign_in


def test_pupil_signs_in_with_username_and_staff_with_email(client, pupil, make_staff):
    response = sign_in(client, "RYAN.D ")
    assert response.status_code == 303 and response.location.endswith("/course")
    client.post("/sign-out")
    make_staff(pupil["school_id"], "Teacher@School.test")
    response = sign_in(client, "teacher@school.test")
    assert response.status_code == 303 and response.location.endswith("/classes")


def test_wrong_password_says_so_and_keeps_the_name(client, pupil):
    response = sign_in(client, "ryan.d", "not-it")
    assert response.status_code == 200
    assert "don&#39;t match" in response.text and 'value="ryan.d"' in response.text


def test_archived_people_cannot_sign_in(client, pupil, db):
    db["people"].update(pupil["id"], {"archived_at": "2026-01-01T00:00:00+00:00"})
    assert sign_in(client, "ryan.d").status_code == 200


def test_sign_out_ends_the_session(client, signed_in_pupil):
    assert client.post("/sign-out").status_code == 303
    assert client.get("/course").status_code == 302


def test_next_only_goes_to_paths_on_this_site(client, pupil):
    response = client.post("/sign-in?next=https://evil.example/x", data={"name": "ryan.d", "password": PASSWORD})
    assert response.location.endswith("/course")
    client.post("/sign-out")
    response = client.post("/sign-in?next=/certificate", data={"name": "ryan.d", "password": PASSWORD})
    assert response.location.endswith("/certificate")


def test_demo_sign_ins_show_only_in_demo_mode(app, client):
    assert DEMO_PASSWORD not in client.get("/sign-in").text
    app.config["DEMO_MODE"] = True
    page = client.get("/sign-in").text
    assert DEMO_PASSWORD in page and "ryan.d" in page and "teacher@demo.school" in page


@pytest.fixture
def strict_app(tmp_path):
    """The app as deployed: CSRF on, rate limits on, Secure cookies."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "s", "DATABASE": str(tmp_path / "s.sqlite"), "SIGN_IN_NAME_LIMIT": 3}
    )
    database = connect(app.config["DATABASE"])
    migrate(database)
    database.close()
    return app


def test_forms_without_a_csrf_token_are_refused(strict_app):
    client = strict_app.test_client()
    response = client.post("/sign-in", data={"name": "x", "password": "y"})
    assert response.status_code == 400 and "stopped working for safety" in response.text


def test_repeated_failed_sign_ins_are_slowed_with_a_clear_message(strict_app):
    strict_app.config["WTF_CSRF_ENABLED"] = False
    client = strict_app.test_client()
    for _ in range(3):
        assert client.post("/sign-in", data={"name": "ryan.d", "password": "wrong"}).status_code == 200
    response = client.post("/sign-in", data={"name": "ryan.d", "password": "wrong"})
    assert response.status_code == 429
    assert "too many wrong tries" in response.text and 'value="ryan.d"' in response.text
    # Another pupil in the same room (same address) is not blocked.
    assert client.post("/sign-in", data={"name": "amir.k", "password": "wrong"}).status_code == 200


def test_session_cookie_is_httponly_lax_and_secure_outside_development(strict_app):
    client = strict_app.test_client()
    page = client.get("/sign-in")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_security_headers_and_a_strict_csp(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(client, signed_in_pupil):
    for url in ("/course", "/certificate", "/verify", "/help"):
        html = client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " onclick=" not in html and " style=" not in html


def test_help_is_on_every_page_with_999_first(client, signed_in_pupil):
    for url in (
        "/course",
        "/certificate",
        "/verify",
        "/courses/online-blackmail-11-13/lessons/what-is-online-blackmail/steps/1",
    ):
        html = client.get(url).text
        panel = html[html.index('id="help"') :]
        assert panel.index("999") < panel.index("Childline")
        assert 'href="tel:08001111"' in panel


def test_healthz_reports_version_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "version": "0.1.0", "database": True}


def test_healthz_says_when_the_database_does_not_answer(app, tmp_path):
    app.config["DATABASE"] = str(tmp_path / "missing-folder" / "x.sqlite")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] is False


def test_unknown_pages_get_a_friendly_404_with_help(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "find that page" in response.text and 'id="help"' in response.text


def test_refuses_to_serve_with_the_built_in_secret_key(tmp_path):
    with pytest.raises(SystemExit, match="SECRET_KEY"):
        create_app({"DATABASE": str(tmp_path / "x.sqlite")})


def test_init_db_is_safe_to_run_twice_and_seed_demo_too(runner, db):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert "created" in runner.invoke(args=["seed-demo"]).output
    assert "already there" in runner.invoke(args=["seed-demo"]).output
    # The demo school: 4 staff (one a deputy DSL), 6 pupils; its trust and lead; a second school with 3 pupils;
    # the operator, in the operators' own row.
    assert db["people"].count == 15 and db["schools"].count == 4


def test_create_school_makes_a_school_and_its_admin(runner, client, db):
    result = runner.invoke(
        args=["create-school", "Oak Park", "--admin-email", "head@oak.test", "--admin-first-name", "Ada"]
    )
    assert result.exit_code == 0, result.output
    password = re.search(r"password: (\S+)", result.output).group(1)
    assert sign_in(client, "head@oak.test", password).status_code == 303
    assert db["help_routes"].count > 0
    again = runner.invoke(args=["create-school", "Oak", "--admin-email", "head@oak.test", "--admin-first-name", "A"])
    assert again.exit_code != 0 and "already has an account" in again.output


@pytest.mark.sqlite_only
def test_write_transactions_start_immediate_and_roll_back_on_error(db):
    from db import write_transaction

    statements = []
    db.conn.set_trace_callback(statements.append)
    with pytest.raises(RuntimeError), write_transaction(db):
        db.execute("INSERT INTO schools (name, created_at) VALUES ('Gone', 'now')")
        raise RuntimeError
    db.conn.set_trace_callback(None)
    assert statements[0] == "BEGIN IMMEDIATE"
    assert db["schools"].count == 0


@pytest.mark.sqlite_only
def test_every_connection_gets_the_pragmas(app):
    database = connect(app.config["DATABASE"])
    names = ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
    pragmas = {name: next(iter(next(database.query(f"PRAGMA {name}")).values())) for name in names}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000, "synchronous": 1}


def test_last_active_is_recorded_for_the_dashboard(client, signed_in_pupil, db):
    client.get("/course")
    first = db["people"].get(signed_in_pupil["id"])["last_active_at"]
    assert first is not None
    client.get("/course")  # within a few minutes: no second write
    assert db["people"].get(signed_in_pupil["id"])["last_active_at"] == first
