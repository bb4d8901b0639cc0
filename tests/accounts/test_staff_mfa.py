"""Two-step sign-in for staff who sign in with a password: who is asked, setting up
an authenticator app from a QR code, wrong and replayed codes, recovery codes, the admin reset, the
school's setting for teachers, and the secret encrypted at rest."""

import inspect
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
from engines import dump_text

from accounts import mfa
from accounts.demo import DEMO_PASSWORD
from accounts.mfa import DEMO_TOTP_SECRET, decrypt_secret, encrypt_secret, matching_step
from demo import seed_demo
from jobs import run_pending

from helpers import make_app, sign_in

ROOT = Path(__file__).resolve().parents[2]
SET_UP = "/sign-in/two-step/set-up"
CODE = "/sign-in/two-step"
DONE = "/sign-in/two-step/done"


@pytest.fixture
def app(tmp_path):
    """The app with two-step sign-in on, as deployed (TEST_CONFIG turns it off for other tests)."""
    return make_app(tmp_path / "test.sqlite", STAFF_MFA=True)


@pytest.fixture
def school(make_school, make_staff):
    """Hillside School with a DSL, an admin, a second admin and a teacher."""
    school_id = make_school("Hillside School")
    return {
        "id": school_id,
        "dsl": make_staff(school_id, "dsl@hill.test", role="dsl", first_name="Dee"),
        "admin": make_staff(school_id, "admin@hill.test", role="admin", first_name="Ada"),
        "admin2": make_staff(school_id, "admin2@hill.test", role="admin", first_name="Bo"),
        "teacher": make_staff(school_id, "teacher@hill.test", first_name="Tia"),
    }


def is_signed_in(client):
    """Whether the client reaches a staff-only page."""
    return client.get("/account").status_code == 200


def secret_on(page):
    """The secret as the set-up screen shows it for typing (groups of four)."""
    return re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")


def codes_on(page):
    """The recovery codes on the page that shows them once."""
    return re.findall(r'<code class="code">([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})</code>', page.text)


def set_up(client, email):
    """Sign in with the password and set up an authenticator; returns (secret, recovery codes)."""
    response = sign_in(client, email)
    assert response.status_code == 303 and response.location.endswith(SET_UP)
    secret = secret_on(client.get(SET_UP))
    page = client.post(SET_UP, data={"code": pyotp.TOTP(secret).now()})
    assert page.status_code == 200, page.text
    codes = codes_on(page)
    assert client.post(DONE).status_code == 303
    return secret, codes


def code_from(secret, steps_ahead=0):
    """The code of the current time step (or one `steps_ahead`)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


# Who is asked -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dsl@hill.test", "admin@hill.test"])
def test_dsls_and_admins_must_set_up_an_app_before_they_are_signed_in(client, school, who):
    response = sign_in(client, who)
    assert response.status_code == 303 and response.location.endswith(SET_UP)
    assert not is_signed_in(client)


def test_a_teacher_signs_in_with_a_password_alone_unless_the_school_asks(app, client, db, school):
    response = sign_in(client, "teacher@hill.test")
    assert response.status_code == 303 and "/two-step" not in response.location
    assert is_signed_in(client)

    admin = app.test_client()
    set_up(admin, "admin@hill.test")
    saved = admin.post("/admin/two-step-sign-in", data={"teachers": "yes"})
    assert saved.status_code == 303
    assert db["schools"].get(school["id"])["mfa_for_teachers"] == 1
    audit = list(db.query("SELECT action, staff_id FROM audit_log WHERE action = 'school-mfa-setting'"))
    assert audit == [{"action": "school-mfa-setting", "staff_id": school["admin"]}]

    later = app.test_client()
    response = sign_in(later, "teacher@hill.test")
    assert response.location.endswith(SET_UP) and not is_signed_in(later)


def test_a_teacher_who_chose_an_app_is_asked_for_a_code(app, client, school):
    sign_in(client, "teacher@hill.test")
    page = client.get("/account/two-step")
    secret = secret_on(page)
    assert client.post("/account/two-step", data={"code": code_from(secret)}).status_code == 200
    other = app.test_client()
    response = sign_in(other, "teacher@hill.test")
    assert response.location.endswith(CODE) and not is_signed_in(other)


def test_with_staff_mfa_off_nobody_is_asked(tmp_path, school):
    app = make_app(tmp_path / "test.sqlite", STAFF_MFA=False)
    client = app.test_client()
    response = sign_in(client, "dsl@hill.test")
    assert response.status_code == 303 and "/two-step" not in response.location
    assert is_signed_in(client)


def test_pupils_are_never_asked(client, make_pupil, school):
    make_pupil(school["id"], "ryan.d")
    response = sign_in(client, "ryan.d")
    assert response.status_code == 303 and "/two-step" not in response.location


def test_the_code_check_lives_only_in_the_password_path():
    # Provider sign-ins (Google, Microsoft) rely on the provider's own two-step checks: they end in
    # start_signed_in, which has no code step; only the password form's view calls it, and the invite link
    # (console/invite_views.py), where a new admin chooses a password and then sets up their authenticator.
    from accounts import signing_in, views

    assert "code_step_needed" in inspect.getsource(views.sign_in)
    assert "mfa" not in inspect.getsource(signing_in.start_signed_in)
    callers = [
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*.py")
        if ".venv" not in path.parts and "tests" not in path.parts and "code_step_needed(" in path.read_text()
    ]
    assert sorted(callers) == ["accounts/mfa_views.py", "accounts/views.py", "console/invite_views.py"]


# Setting up ---------------------------------------------------------------------------------------


def test_set_up_shows_a_qr_code_and_confirms_with_a_real_code(client, db, school):
    sign_in(client, "dsl@hill.test", password="a-good-password")
    page = client.get(SET_UP)
    assert page.status_code == 200 and "Set up your authenticator app" in page.text
    assert 'src="data:image/svg+xml' in page.text
    secret = secret_on(page)
    assert len(secret) == 32 and pyotp.TOTP(secret)  # base32, as apps expect
    # The QR carries the otpauth address: issuer the school, label the e-mail.
    uri = mfa.otpauth_uri(secret, "Hillside School", "dsl@hill.test")
    assert uri.startswith("otpauth://totp/Hillside%20School:dsl%40hill.test?secret=" + secret)

    wrong = client.post(SET_UP, data={"code": code_from(secret, 10)})
    assert wrong.status_code == 400 and "That code is not right" in wrong.text
    assert db["people"].get(school["dsl"])["totp_secret"] is None

    page = client.post(SET_UP, data={"code": code_from(secret)})
    codes = codes_on(page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert not is_signed_in(client)  # not until "I have saved them"
    response = client.post(DONE)
    assert response.status_code == 303 and is_signed_in(client)
    assert client.get(CODE).location.endswith("/sign-in")  # the pending step is over


def test_the_secret_and_recovery_codes_are_not_stored_in_plain_text(app, client, db, school):
    secret, codes = set_up(client, "dsl@hill.test")
    stored = db["people"].get(school["dsl"])["totp_secret"]
    assert secret not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert decrypt_secret(stored, app.config["SECRET_KEY"]) == secret
    assert decrypt_secret(stored, "another-key") is None
    hashes = [row["code_hash"] for row in db.query("SELECT code_hash FROM mfa_recovery_codes")]
    assert len(hashes) == 10
    assert not any(code.replace("-", "") in h or code in h for code in codes for h in hashes)
    dump = dump_text(db)
    assert secret not in dump and not any(code in dump for code in codes)


def test_a_rotated_secret_key_with_a_fallback_still_reads_the_secret():
    stored = encrypt_secret("JBSWY3DPEHPK3PXP", "old-key")
    assert decrypt_secret(stored, "new-key") is None
    assert decrypt_secret(stored, "new-key", ["old-key"]) == "JBSWY3DPEHPK3PXP"


# The code step ------------------------------------------------------------------------------------


def test_a_right_code_signs_in_and_keeps_next(app, school):
    secret, _ = set_up(app.test_client(), "dsl@hill.test")
    client = app.test_client()
    response = client.post("/sign-in?next=/account", data={"name": "dsl@hill.test", "password": "a-good-password"})
    assert response.location.endswith(CODE) and not is_signed_in(client)
    page = client.get(CODE)
    assert "Enter the code from your authenticator app" in page.text
    response = client.post(CODE, data={"code": code_from(secret, 1)})
    assert response.status_code == 303 and response.location == "/account"
    assert is_signed_in(client)


def test_wrong_codes_are_refused_and_the_fifth_ends_the_step(app, db, school):
    secret, _ = set_up(app.test_client(), "dsl@hill.test")
    client = app.test_client()
    sign_in(client, "dsl@hill.test")
    wrong = code_from(secret, 20)
    for _ in range(mfa.CODE_TRIES - 1):
        page = client.post(CODE, data={"code": wrong})
        assert page.status_code == 400 and "That code is not right" in page.text
    last = client.post(CODE, data={"code": wrong})
    assert last.status_code == 303 and last.location.endswith("/sign-in")
    assert list(db.query("SELECT * FROM mfa_pending WHERE purpose = 'sign-in'")) == []
    # Even the right code now needs the password again.
    assert client.post(CODE, data={"code": code_from(secret)}).location.endswith("/sign-in")
    assert not is_signed_in(client)


def test_an_old_copy_of_the_pending_cookie_does_not_reset_the_wrong_code_count(app, school):
    secret, _ = set_up(app.test_client(), "dsl@hill.test")
    client = app.test_client()
    sign_in(client, "dsl@hill.test")
    cookie = client.get_cookie("session").value
    wrong = code_from(secret, 20)
    for _ in range(mfa.CODE_TRIES - 1):
        client.post(CODE, data={"code": wrong})
    replayer = app.test_client()
    replayer.set_cookie("session", cookie)
    assert replayer.post(CODE, data={"code": wrong}).location.endswith("/sign-in")


def test_wrong_codes_count_in_the_sign_in_throttle(tmp_path, make_school, make_staff):
    app = make_app(tmp_path / "t.sqlite", STAFF_MFA=True, SIGN_IN_THROTTLE=True)
    from db import connect

    db = connect(app.config["DATABASE"])
    from accounts.queries import create_person, create_school

    create_person(db, create_school(db, "Hillside"), "dsl", "Dee", "a-good-password", email="dsl@hill.test")
    secret, _ = set_up(app.test_client(), "dsl@hill.test")
    attacker = app.test_client()
    sign_in(attacker, "dsl@hill.test")
    for _ in range(mfa.CODE_TRIES):
        attacker.post(CODE, data={"code": code_from(secret, 20)})
    assert next(db.query("SELECT count(*) AS n FROM sign_in_failures"))["n"] == mfa.CODE_TRIES
    # The name is now paused for new browsers: the right password no longer even reaches the code step.
    again = sign_in(attacker, "dsl@hill.test")
    assert again.status_code == 429
    db.close()


def test_a_code_whose_time_step_was_used_is_refused(app, school):
    secret, _ = set_up(app.test_client(), "dsl@hill.test")
    first = app.test_client()
    sign_in(first, "dsl@hill.test")
    code = code_from(secret, 1)
    assert first.post(CODE, data={"code": code}).status_code == 303
    second = app.test_client()
    sign_in(second, "dsl@hill.test")
    replayed = second.post(CODE, data={"code": code})
    assert replayed.status_code == 400 and "used already" in replayed.text
    assert not is_signed_in(second)


def test_the_code_confirming_set_up_cannot_be_used_again(app, school):
    client = app.test_client()
    sign_in(client, "dsl@hill.test")
    secret = secret_on(client.get(SET_UP))
    code = code_from(secret)
    client.post(SET_UP, data={"code": code})
    client.post(DONE)
    other = app.test_client()
    sign_in(other, "dsl@hill.test")
    assert "used already" in other.post(CODE, data={"code": code}).text


def test_a_recovery_code_works_once(app, db, school):
    _, codes = set_up(app.test_client(), "dsl@hill.test")
    client = app.test_client()
    sign_in(client, "dsl@hill.test")
    response = client.post(CODE, data={"code": codes[3].lower().replace("-", " ")})
    assert response.status_code == 303
    account = client.get("/account")
    assert account.status_code == 200 and "You used a recovery code; 9 left" in account.text
    again = app.test_client()
    sign_in(again, "dsl@hill.test")
    refused = again.post(CODE, data={"code": codes[3]})
    assert refused.status_code == 400 and not is_signed_in(again)
    assert next(db.query("SELECT count(*) AS n FROM mfa_recovery_codes WHERE used_at IS NULL"))["n"] == 9


def test_the_pending_step_lasts_ten_minutes(app, db, school):
    secret, _ = set_up(app.test_client(), "dsl@hill.test")
    client = app.test_client()
    sign_in(client, "dsl@hill.test")
    db.execute("UPDATE mfa_pending SET started_at = '2000-01-01T00:00:00+00:00'")
    db.conn.commit()
    response = client.post(CODE, data={"code": code_from(secret)})
    assert response.location.endswith("/sign-in") and not is_signed_in(client)


# Your account -------------------------------------------------------------------------------------


def test_setting_up_again_needs_a_code_from_the_old_app(app, client, db, school):
    old, _ = set_up(client, "dsl@hill.test")
    account = client.get("/account")
    assert "On: when you sign in with your password" in account.text and "10 unused recovery codes" in account.text
    page = client.get("/account/two-step")
    assert "Type a code from your authenticator app" in page.text and "mfa-secret" not in page.text
    assert client.post("/account/two-step", data={"code": code_from(old, 20)}).status_code == 400
    assert client.post("/account/two-step", data={"code": code_from(old, 1)}).status_code == 303
    new = secret_on(client.get("/account/two-step"))
    assert new != old
    page = client.post("/account/two-step", data={"code": code_from(new, -1)})
    assert len(codes_on(page)) == 10
    assert decrypt_secret(db["people"].get(school["dsl"])["totp_secret"], app.config["SECRET_KEY"]) == new
    assert matching_step(old, code_from(old)) is not None  # the old app still makes codes...
    later = app.test_client()
    sign_in(later, "dsl@hill.test")
    if code_from(old) != code_from(new):  # ...which no longer work here
        assert later.post(CODE, data={"code": code_from(old)}).status_code == 400


def test_new_recovery_codes_replace_the_old_ones(app, client, school):
    secret, old_codes = set_up(client, "dsl@hill.test")
    page = client.post("/account/two-step/recovery-codes", data={"code": code_from(secret, 1)})
    new_codes = codes_on(page)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    other = app.test_client()
    sign_in(other, "dsl@hill.test")
    assert other.post(CODE, data={"code": old_codes[0]}).status_code == 400
    assert other.post(CODE, data={"code": new_codes[0]}).status_code == 303


# Admins -------------------------------------------------------------------------------------------


def test_an_admin_reset_ends_their_sessions_and_they_set_up_again(app, db, school, smtp):
    dsl = app.test_client()
    set_up(dsl, "dsl@hill.test")
    assert is_signed_in(dsl)
    admin = app.test_client()
    set_up(admin, "admin@hill.test")
    staff = admin.get("/staff")
    assert f"/staff/{school['dsl']}/reset-authenticator" in staff.text
    assert admin.get(f"/staff/{school['dsl']}/reset-authenticator").status_code == 200
    assert admin.post(f"/staff/{school['dsl']}/reset-authenticator").status_code == 303

    row = db["people"].get(school["dsl"])
    assert row["totp_secret"] is None and row["totp_last_step"] is None
    assert next(db.query("SELECT count(*) AS n FROM mfa_recovery_codes WHERE person_id = ?", [school["dsl"]]))["n"] == 0
    assert not is_signed_in(dsl)
    audit = list(db.query("SELECT staff_id, subject_id FROM audit_log WHERE action = 'staff-reset-authenticator'"))
    assert audit == [{"staff_id": school["admin"], "subject_id": school["dsl"]}]
    assert sign_in(dsl, "dsl@hill.test").location.endswith(SET_UP)
    # They hear of it from us, at once: a reset nobody asked for is how an account is taken over.
    run_pending(app.extensions["huey"])
    [message] = smtp.messages
    assert message["to"] == ["dsl@hill.test"]
    body = smtp.bodies()[0]
    assert "reset the authenticator app for your account" in body
    assert "https://training.example.test/sign-in" in body and "If you did not ask for this" in body


def test_an_admin_cannot_reset_their_own_authenticator(app, db, school):
    admin = app.test_client()
    set_up(admin, "admin@hill.test")
    response = admin.post(f"/staff/{school['admin']}/reset-authenticator")
    assert response.status_code == 303
    assert db["people"].get(school["admin"])["totp_secret"] is not None
    assert "Ask another admin" in admin.get("/staff").text


def test_only_admins_reset_or_change_the_setting(app, school):
    teacher = app.test_client()
    sign_in(teacher, "teacher@hill.test")
    assert teacher.post(f"/staff/{school['dsl']}/reset-authenticator").status_code == 403
    assert teacher.post("/admin/two-step-sign-in", data={"teachers": "yes"}).status_code == 403


def test_the_setting_partial_renders_the_current_value(app, school):
    admin = app.test_client()
    set_up(admin, "admin@hill.test")
    page = admin.get("/admin/two-step-sign-in")
    assert "Teachers must use an authenticator app" in page.text
    assert re.search(r'<input checked[^>]*value="no"', page.text)
    admin.post("/admin/two-step-sign-in", data={"teachers": "yes"})
    assert re.search(r'<input checked[^>]*value="yes"', admin.get("/admin/two-step-sign-in").text)


# Demo ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("demo_mode", [True, False])
def test_the_demo_shows_the_current_code_only_in_demo_mode(tmp_path, demo_mode):
    app = make_app(tmp_path / "demo.sqlite", STAFF_MFA=True, DEMO_MODE=demo_mode)
    from db import connect

    db = connect(app.config["DATABASE"])
    seed_demo(db, app.config["SECRET_KEY"])
    db.close()
    client = app.test_client()
    response = sign_in(client, "dsl@demo.school", DEMO_PASSWORD)
    assert response.location.endswith(CODE)
    page = client.get(CODE)
    shown = re.search(r"the code now is <code>(\d{6})</code>", page.text)
    assert bool(shown) is demo_mode
    if demo_mode:
        assert shown.group(1) in {code_from(DEMO_TOTP_SECRET, s) for s in (-1, 0, 1)}
        assert client.post(CODE, data={"code": shown.group(1)}).status_code == 303


# Rules --------------------------------------------------------------------------------------------


def test_who_must_use_an_authenticator():
    assert mfa.required("dsl", True, False) and mfa.required("admin", True, False)
    assert not mfa.required("teacher", True, False) and mfa.required("teacher", True, True)
    assert not mfa.required("pupil", True, True)
    assert not any(mfa.required(role, False, True) for role in ("dsl", "admin", "teacher"))


def test_a_code_matches_its_own_step_and_one_either_side_only():
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    at = 1_800_000_015.0
    step = totp.timecode(datetime.fromtimestamp(at, UTC))
    assert matching_step(secret, totp.at(at), at) == step
    assert matching_step(secret, totp.at(at - 30), at) == step - 1
    assert matching_step(secret, totp.at(at + 30), at) == step + 1
    assert matching_step(secret, totp.at(at + 90), at) is None
    assert matching_step(secret, "12345", at) is None and matching_step(None, "123456", at) is None
