"""Links come from the configured public address, never the Host header."""

import io
import re

import pytest
from pypdf import PdfReader
from safeguarding_smtp import start_smtp

from accounts.queries import create_person, create_school
from app import create_app
from certificates.issuing import verify_url
from db import connect, migrate
from jobs import run_pending
from urls import public_url

from helpers import sign_in

PUBLIC = "https://training.example.test"
EVIL = "evil.example"


def deployed_app(tmp_path, **config):
    """The app as on a server (not development), on a migrated database."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "s",
        "DATABASE": str(tmp_path / "p.sqlite"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": PUBLIC,
    }
    app = create_app(settings | config)
    db = connect(app.config["DATABASE"])
    migrate(db)
    db.close()
    return app


# Start-up ----------------------------------------------------------------------------------------
def test_create_app_without_public_base_url_outside_development_stops(tmp_path):
    with pytest.raises(SystemExit, match="Set PUBLIC_BASE_URL"):
        create_app({"SECRET_KEY": "a-real-secret", "DATABASE": str(tmp_path / "x.sqlite")})


def test_development_needs_no_public_base_url(tmp_path):
    # `make run` sets DEVELOPMENT, so it still starts with nothing configured.
    app = create_app({"DEVELOPMENT": True, "DATABASE": str(tmp_path / "x.sqlite")})
    assert app.config["TRUSTED_HOSTS"] is None


def test_public_base_url_must_be_a_full_address(tmp_path):
    with pytest.raises(SystemExit, match="full address"):
        create_app({"SECRET_KEY": "k", "DATABASE": str(tmp_path / "x.sqlite"), "PUBLIC_BASE_URL": "training.test"})


# Unknown hosts -----------------------------------------------------------------------------------
def test_only_the_public_host_and_extra_hosts_are_served(tmp_path):
    app = deployed_app(tmp_path, EXTRA_TRUSTED_HOSTS=["localhost"])
    assert app.config["TRUSTED_HOSTS"] == ["training.example.test", "localhost"]
    client = app.test_client()
    assert client.get("/sign-in", base_url=PUBLIC).status_code == 200
    assert client.get("/healthz", base_url="http://localhost:8000").status_code == 200
    refused = client.get("/sign-in", base_url=f"https://{EVIL}")
    assert refused.status_code == 400 and "not served at this address" in refused.text


def test_a_post_with_a_forged_host_is_refused_outside_development(tmp_path):
    app = deployed_app(tmp_path)
    db = connect(app.config["DATABASE"])
    school_id = create_school(db, "Hillside School")
    create_person(db, school_id, "pupil", "Ryan", "a-good-password", username="ryan.d")
    pupil = app.test_client()
    assert sign_in(pupil, "ryan.d").status_code == 400  # the test client's Host is "localhost"
    response = pupil.post("/sign-in", base_url=PUBLIC, data={"name": "ryan.d", "password": "a-good-password"})
    assert response.status_code == 303
    talk = {"who": "dsl", "urgency": "today", "message": "help"}
    forged = pupil.post("/talk", base_url=PUBLIC, headers={"Host": EVIL}, data=talk)
    assert forged.status_code == 400
    assert db["talk_requests"].count == 0
    db.close()


# Links built with a forged Host (development, where hosts are not refused) -----------------------
def test_the_dsl_email_link_uses_the_public_address_when_host_is_forged(app, client, make_school, make_staff,
                                                                      make_pupil, db):  # fmt: skip
    controller, inbox = start_smtp()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="training@school.test")
        school_id = make_school(dsl_name="Mr Safe")
        make_staff(school_id, "dsl@hill.test", role="dsl")
        make_pupil(school_id, "ryan.d")
        headers = {"Host": EVIL}
        client.post("/sign-in", data={"name": "ryan.d", "password": "a-good-password"}, headers=headers)
        talk = {"who": "dsl", "urgency": "today", "message": "help"}
        assert client.post("/talk", data=talk, headers=headers).status_code == 303
        assert db["talk_requests"].count == 1
        run_pending(app.extensions["huey"])  # the job worker sends the outbox
        body = inbox.bodies()[0]
        assert f"{PUBLIC}/safeguarding/requests" in body and EVIL not in body
    finally:
        controller.stop()


def test_the_certificate_qr_link_uses_the_public_address_when_host_is_forged(app):
    with app.test_request_context("/certificate", headers={"Host": EVIL}):
        assert verify_url("ABCD-EFGH") == f"{PUBLIC}/verify/ABCD-EFGH"


def test_the_sign_in_card_uses_the_public_address_when_host_is_forged(client, make_school, make_staff, make_class):
    school_id = make_school()
    teacher = make_staff(school_id, "teacher@hill.test")
    class_id = make_class(school_id, "9B", teacher_id=teacher)
    headers = {"Host": EVIL}
    client.post("/sign-in", data={"name": "teacher@hill.test", "password": "a-good-password"}, headers=headers)
    pupil = {"first_name": "Zoe", "last_name": "Owen", "year_group": "9"}
    page = client.post(f"/classes/{class_id}/pupils/new", data=pupil, headers=headers)
    assert page.status_code == 200
    pdf = client.get(re.search(r'href="(/classes/\d+/cards/[^"]+\.pdf)"', page.text).group(1), headers=headers)
    assert pdf.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"{PUBLIC}/sign-in" in text and EVIL not in text


def test_public_url_outside_any_request_as_in_the_job_worker(tmp_path):
    # `flask jobs worker` has no real request: its cards and e-mails failed on url_for (the test
    # request's host, localhost, is not in TRUSTED_HOSTS, so Flask gave it no URL adapter).
    app = deployed_app(tmp_path)
    with app.app_context():
        assert public_url("accounts.sign_in") == f"{PUBLIC}/sign-in"
        with app.test_request_context():
            assert public_url("certificates.verify_code", code="ABC") == f"{PUBLIC}/verify/ABC"
