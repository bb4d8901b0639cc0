"""The operator's console: operators only; schools and their usage as counts, never a
pupil; creating a school whose first admin is invited by a one-time e-mailed link; suspending and restoring."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

import jobs
from accounts.queries import create_person, person_by_login
from console import queries, rules
from console.queries import ensure_operator_org

from helpers import PASSWORD, sign_in

OPERATOR = "olu@service.test"
NEW_PASSWORD = "river-otter-lantern"
LINK = re.compile(r"https://training\.example\.test/invite/[A-Za-z0-9_-]+")


@pytest.fixture
def operator(db):
    """An operator (an admin of the operators' own row) who signs in with PASSWORD."""
    org = ensure_operator_org(db)
    return create_person(db, org, "admin", "Olu", PASSWORD, last_name="Bankole", email=OPERATOR)


@pytest.fixture
def op(client, operator):
    """The test client, signed in as the operator."""
    assert sign_in(client, OPERATOR).status_code == 303
    return client


@pytest.fixture
def hillside(make_school, make_staff, make_pupil, make_class):
    """A school with staff and pupils whose names must never reach the console."""
    school_id = make_school("Hillside School")
    teacher = make_staff(school_id, "teacher@hill.test", first_name="Tia")
    class_id = make_class(school_id, "9B", teacher_id=teacher)
    pupils = [
        make_pupil(school_id, "zebedee.q", first_name="Zebedee", last_name="Quartermaine", class_id=class_id),
        make_pupil(school_id, "philippa.x", first_name="Philippa", last_name="Xanthopoulos", class_id=class_id),
    ]
    return {"id": school_id, "teacher": teacher, "pupils": pupils, "class": class_id,
            "dsl": make_staff(school_id, "dsl@hill.test", role="dsl"),
            "admin": make_staff(school_id, "admin@hill.test", role="admin")}  # fmt: skip


def deliver_mail(app):
    """Run the queued jobs (the outbox's sends) as the worker would."""
    jobs.run_pending(app.extensions["huey"])


def link_in(smtp, to):
    """The invite link in the last e-mail to `to`."""
    bodies = [m["message"].get_body(("plain",)).get_content() for m in smtp.messages if to in m["to"]]
    assert bodies, f"no e-mail to {to}"
    return LINK.search(bodies[-1]).group(0).replace("https://training.example.test", "")


def create_school(client, **changes):
    data = {"name": "Oak Park School", "first_name": "Ada", "last_name": "Obi", "email": "ada@oak.test", **changes}
    return client.post("/console/schools/new", data=data)


# Rules -------------------------------------------------------------------------------------------------------


def test_invite_state():
    moment = datetime(2026, 11, 1, tzinfo=UTC)
    row = {"used_at": None, "withdrawn_at": None, "expires_at": rules.expires_at(moment, 7)}
    assert rules.invite_state(row, moment) == "open"
    assert rules.invite_state(row, moment + timedelta(days=7)) == "expired"
    assert rules.invite_state(dict(row, used_at="x"), moment) == "used"
    assert rules.invite_state(dict(row, withdrawn_at="x"), moment) == "withdrawn"
    assert rules.invite_state(None, moment) == "unknown"


@pytest.mark.parametrize(
    ("password", "confirm", "problem"),
    [
        ("", "", "Choose a password"),
        ("short", "short", "at least 10"),
        ("password123", "password123", "too easy"),
        ("ada@oak.test", "ada@oak.test", "too easy"),
        ("river-otter-lantern", "river-otter-lanterns", "not the same"),
        ("x" * 201, "x" * 201, "at most"),
        ("river-otter-lantern", "river-otter-lantern", None),
    ],
)
def test_password_problem(password, confirm, problem):
    found = rules.password_problem(password, confirm, "Ada@oak.test")
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("kind", "words"),
    [("school", "the admin of Oak Park"), ("trust", "to lead Oak Park"), ("operator", "an operator of the online")],
)
def test_invite_email_says_what_the_invite_is_for_and_what_to_do(kind, words):
    subject, body = rules.invite_email("Ada", "Oak Park", kind, "https://x.test/invite/abc", 7)
    assert words in body and "https://x.test/invite/abc" in body and "for 7 days" in body
    assert "ask whoever invited you for a new link" in body and subject


def test_tokens_are_stored_only_as_hashes_and_names_confirm_forgivingly():
    token = rules.new_token()
    assert len(token) >= 40 and rules.token_hash(token) != token and len(rules.token_hash(token)) == 64
    assert rules.name_confirmed("  oak  park school ", "Oak Park School")
    assert not rules.name_confirmed("Oak Park", "Oak Park School")


# Who may use the console -----------------------------------------------------------------------------------------


def console_urls(app, school_id, person_id):
    """Every console URL, with real ids filled in."""
    values = {"school_id": school_id, "person_id": person_id, "export_id": 1}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("console."):
            path = rule.rule
            for name, value in values.items():
                path = path.replace(f"<int:{name}>", str(value))
            urls.append((path, "POST" if "POST" in rule.methods and "GET" not in rule.methods else "GET"))
    return urls


def test_only_operators_reach_the_console(app, db, hillside, make_school, make_staff, make_pupil):
    trust = make_school("North Trust", kind="trust")
    make_staff(trust, "lead@trust.test", role="admin")
    urls = console_urls(app, hillside["id"], hillside["admin"])
    assert len(urls) >= 12
    for who in ("teacher@hill.test", "dsl@hill.test", "admin@hill.test", "lead@trust.test", "zebedee.q"):
        client = app.test_client()
        assert sign_in(client, who).status_code == 303
        for url, method in urls:
            response = client.open(url, method=method)
            assert response.status_code == 403, (who, url, response.status_code)
    anonymous = app.test_client()
    for url, method in urls:
        assert anonymous.open(url, method=method).status_code in (302, 303), url
    assert db["schools"].get(hillside["id"])["suspended_at"] is None


def test_an_operator_lands_on_the_console_and_gets_403_on_school_pages(client, operator):
    response = sign_in(client, OPERATOR)
    assert response.location.endswith("/console/")
    page = client.get("/console/")
    assert page.status_code == 200 and "Operator console" in page.text
    assert 'href="/classes"' not in page.text  # the school staff's links are not in the operator's menu
    assert client.get("/classes").status_code == 403 and client.get("/staff").status_code == 403


# Schools and their usage -------------------------------------------------------------------------------------------


def test_the_schools_list_shows_counts_and_never_a_pupil(op, db, hillside, make_school, make_pupil):
    other = make_school("Lakeside School", suspended_at="2026-11-01T09:00:00+00:00")
    make_pupil(other, "ben.b", first_name="Benedikt", last_name="Brightwater")
    db.execute("UPDATE people SET archived_at = '2026-01-01' WHERE id = ?", [hillside["pupils"][1]])
    db.conn.commit()
    db["certificates"].insert({"code": "AAAA-BBBB-CCCC", "pupil_id": hillside["pupils"][0], "school_id": hillside["id"],
                               "course_id": "c", "course_title": "t", "pupil_name": "Zebedee Quartermaine",
                               "school_name": "Hillside School", "issued_at": "2026-11-02"})  # fmt: skip
    # A teacher's staff course certificate is not a pupil who finished.
    db["certificates"].insert({"code": "DDDD-EEEE-FFFF", "pupil_id": hillside["teacher"], "school_id": hillside["id"],
                               "course_id": "staff", "course_title": "t", "pupil_name": "Tia Staff",
                               "school_name": "Hillside School", "issued_at": "2026-11-03"})  # fmt: skip
    db.conn.commit()
    rows = {row["name"]: row for row in queries.schools(db)}
    assert set(rows) == {"Hillside School", "Lakeside School"}  # not the operators' own row
    assert (rows["Hillside School"]["pupils"], rows["Hillside School"]["staff"]) == (1, 3)
    assert (rows["Hillside School"]["finished"], rows["Hillside School"]["certificates"]) == (1, 1)
    assert rows["Lakeside School"]["pupils"] == 1 and rows["Lakeside School"]["certificates"] == 0
    for name, row in rows.items():  # one school's page counts the same
        assert queries.usage(db, row["id"]) == {key: row[key] for key in queries.usage(db, row["id"])}, name
    pages = [op.get("/console/"), op.get(f"/console/schools/{hillside['id']}"),
             op.get(f"/console/schools/{hillside['id']}/offboard"), op.get(f"/console/schools/{other}")]  # fmt: skip
    assert all(page.status_code == 200 for page in pages)
    assert "Suspended" in pages[0].text and "Active" in pages[0].text
    for page in pages:
        for secret in ("Zebedee", "Quartermaine", "zebedee.q", "Philippa", "philippa.x", "Benedikt", "ben.b"):
            assert secret not in page.text


def test_the_schools_list_is_one_query_whatever_the_number_of_schools(db, make_school, make_pupil):
    for number in range(40):
        school_id = make_school(f"School {number:02}")
        make_pupil(school_id, f"pupil.{number}")
    statements = []
    db.conn.set_trace_callback(statements.append)
    rows = queries.schools(db)
    db.conn.set_trace_callback(None)
    assert len(rows) == 40 and sum(row["pupils"] for row in rows) == 40
    selects = [sql for sql in statements if "SELECT" in sql]  # sqlite-utils wraps each query in a savepoint
    assert len(selects) == 1 and "GROUP BY" in selects[0]


# Creating a school; the invite -----------------------------------------------------------------------------------


def test_an_operator_creates_a_school_and_its_admin_accepts_the_invite(app, op, db, smtp):
    response = create_school(op)
    assert response.status_code == 303
    school = next(db.query("SELECT * FROM schools WHERE name = 'Oak Park School'"))
    assert school["kind"] == "school" and school["suspended_at"] is None
    assert db["help_routes"].count_where("school_id = ?", [school["id"]]) > 0
    admin = person_by_login(db, "ada@oak.test")
    assert admin["role"] == "admin" and admin["school_id"] == school["id"]
    deliver_mail(app)
    link = link_in(smtp, "ada@oak.test")
    token = link.rsplit("/", 1)[1]
    stored = next(db.query("SELECT * FROM invites WHERE person_id = ?", [admin["id"]]))
    assert stored["token_hash"] == rules.token_hash(token) and token not in str(list(db.query("SELECT * FROM invites")))
    assert sign_in(app.test_client(), "ada@oak.test", "anything").status_code == 200  # no password before the invite
    actions = [row["action"] for row in db.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["console-school-create"]

    invitee = app.test_client()
    page = invitee.get(link)
    assert page.status_code == 200 and "Choose your password" in page.text and "Oak Park School" in page.text
    short = invitee.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 10" in short.text
    done = invitee.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.location.endswith("/classes")
    assert invitee.get("/staff").status_code == 200  # signed in as the school's admin

    again = app.test_client().get(link)
    assert again.status_code == 404 and "used already" in again.text and "Ask whoever invited you" in again.text
    assert sign_in(app.test_client(), "ada@oak.test", NEW_PASSWORD).status_code == 303
    assert "Accepted" in op.get(f"/console/schools/{school['id']}").text


def test_a_link_works_once_even_for_two_submissions(app, op, db, smtp):
    create_school(op)
    deliver_mail(app)
    link = link_in(smtp, "ada@oak.test")
    token = link.rsplit("/", 1)[1]
    assert queries.accept_invite(db, token, "hash-1") is not None
    assert queries.accept_invite(db, token, "hash-2") is None
    assert person_by_login(db, "ada@oak.test")["password_hash"] == "hash-1"


def test_create_school_keeps_what_was_typed_and_says_an_email_is_in_use(op, db, hillside):
    response = create_school(op, name="Birch School", email="teacher@hill.test")
    assert response.status_code == 400
    assert "teacher@hill.test already has an account" in response.text
    assert 'value="Birch School"' in response.text and 'value="Ada"' in response.text
    missing = create_school(op, name="", email="not-an-email")
    assert missing.status_code == 400 and "Type the school" in missing.text and "like name@school" in missing.text
    assert db["schools"].count_where("name = 'Birch School'") == 0


def test_resending_an_invite_stops_the_old_link(app, op, db, smtp):
    create_school(op)
    school_id = next(db.query("SELECT id FROM schools WHERE name = 'Oak Park School'"))["id"]
    admin = person_by_login(db, "ada@oak.test")
    deliver_mail(app)
    old = link_in(smtp, "ada@oak.test")
    assert op.post(f"/console/schools/{school_id}/admins/{admin['id']}/resend").status_code == 303
    deliver_mail(app)
    new = link_in(smtp, "ada@oak.test")
    assert new != old
    gone = app.test_client().get(old)
    assert gone.status_code == 404 and "replaced by a newer one" in gone.text
    assert app.test_client().get(new).status_code == 200
    assert "console-invite-resend" in [r["action"] for r in db.query("SELECT action FROM audit_log")]
    # Once accepted, no new link: an invite is no way to reset a working account's password.
    app.test_client().post(new, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert op.post(f"/console/schools/{school_id}/admins/{admin['id']}/resend").status_code == 404


def test_an_expired_or_unknown_link_says_what_to_do(app, op, db, smtp):
    create_school(op)
    deliver_mail(app)
    link = link_in(smtp, "ada@oak.test")
    db.execute("UPDATE invites SET expires_at = '2000-01-01T00:00:00+00:00'")
    db.conn.commit()
    expired = app.test_client().get(link)
    assert expired.status_code == 404 and "expired" in expired.text and "Ask whoever invited you" in expired.text
    assert app.test_client().post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 404
    unknown = app.test_client().get("/invite/not-a-real-token")
    assert unknown.status_code == 404 and "not one we know" in unknown.text


def test_the_invited_admin_sets_up_two_step_sign_in_before_they_are_signed_in(app, op, db, smtp):
    app.config["STAFF_MFA"] = True  # as deployed (TEST_CONFIG turns it off)
    create_school(op)
    deliver_mail(app)
    client = app.test_client()
    response = client.post(link_in(smtp, "ada@oak.test"), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303 and response.location.endswith("/sign-in/two-step/set-up")
    assert client.get("/staff").status_code != 200  # not signed in before the second step
    page = client.get("/sign-in/two-step/set-up")
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    assert client.post("/sign-in/two-step/set-up", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    finished = client.post("/sign-in/two-step/done")
    assert finished.status_code == 303 and finished.location.endswith("/classes")
    assert client.get("/staff").status_code == 200


def test_the_demo_has_an_operator_with_the_demo_authenticator(app, db):
    from accounts.demo import DEMO_OPERATOR
    from demo import seed_demo

    assert seed_demo(db, app.config["SECRET_KEY"])
    operator = person_by_login(db, DEMO_OPERATOR[2])
    assert operator["role"] == "admin" and operator["totp_secret"]
    assert db["schools"].get(operator["school_id"])["kind"] == "operator"
    # A demo database from before the console gets its operator on the next seed.
    db.execute("DELETE FROM people WHERE id = ?", [operator["id"]])
    db.conn.commit()
    assert not seed_demo(db, app.config["SECRET_KEY"])
    assert person_by_login(db, DEMO_OPERATOR[2])["totp_secret"]


# Operators ---------------------------------------------------------------------------------------------------------


def test_add_operator_command_creates_the_operators_row_prints_and_emails_the_link(app, runner, db, smtp):
    result = runner.invoke(args=["console", "add-operator", "first@service.test", "--first-name", "Femi",
                                 "--last-name", "Ade"])  # fmt: skip
    assert result.exit_code == 0, result.output
    printed = LINK.search(result.output).group(0).replace("https://training.example.test", "")
    assert db["schools"].count_where("kind = 'operator'") == 1
    deliver_mail(app)
    assert link_in(smtp, "first@service.test") == printed
    client = app.test_client()
    done = client.post(printed, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.location.endswith("/console/")
    again = runner.invoke(args=["console", "add-operator", "first@service.test", "--first-name", "Femi"])
    assert again.exit_code != 0 and "already has an account" in again.output
    runner.invoke(args=["console", "add-operator", "second@service.test", "--first-name", "Sola"])
    assert db["schools"].count_where("kind = 'operator'") == 1  # still the one row


def test_an_operator_invites_another_operator(app, op, db, smtp):
    response = op.post(
        "/console/operators", data={"first_name": "Sola", "last_name": "Ade", "email": "sola@service.test"}
    )
    assert response.status_code == 303
    deliver_mail(app)
    client = app.test_client()
    done = client.post(link_in(smtp, "sola@service.test"), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.location.endswith("/console/") and client.get("/console/").status_code == 200
    taken = op.post("/console/operators", data={"first_name": "X", "last_name": "Y", "email": OPERATOR})
    assert taken.status_code == 400 and "already has an account" in taken.text


# Suspending --------------------------------------------------------------------------------------------------------


def test_a_suspended_schools_people_are_signed_out_and_told_it_is_paused(app, op, db, hillside):
    pupil = app.test_client()
    assert sign_in(pupil, "zebedee.q").status_code == 303
    assert pupil.get("/course").status_code == 200
    confirm = op.get(f"/console/schools/{hillside['id']}/suspend")
    assert confirm.status_code == 200 and "Suspend Hillside School?" in confirm.text
    assert db["schools"].get(hillside["id"])["suspended_at"] is None  # not before the confirm
    assert op.post(f"/console/schools/{hillside['id']}/suspend").status_code == 303
    assert db["schools"].get(hillside["id"])["suspended_at"]
    assert "/sign-in" in pupil.get("/course").location  # signed out at once
    ended = db.execute(
        "SELECT count(*) FROM sessions WHERE ended_at IS NULL AND person_id = ?", [hillside["pupils"][0]]
    )
    assert ended.fetchone()[0] == 0

    paused = sign_in(app.test_client(), "zebedee.q")
    assert (
        paused.status_code == 403
        and "Your school&#39;s account is paused. Ask your school&#39;s office." in paused.text
    )
    wrong = sign_in(app.test_client(), "zebedee.q", "not-the-password")
    assert "paused" not in wrong.text and "don&#39;t match" in wrong.text  # reveals nothing without the password

    assert op.post(f"/console/schools/{hillside['id']}/restore").status_code == 303
    assert sign_in(app.test_client(), "zebedee.q").status_code == 303
    actions = [r["action"] for r in db.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["console-school-suspend", "console-school-restore"]


def test_a_suspended_schools_mail_still_goes(app, op, db, hillside, smtp):
    from outbox.tasks import queue_mail

    with app.test_request_context():
        queue_mail(db, hillside["id"], ["dsl@hill.test"], "A reminder", "Body")
    op.post(f"/console/schools/{hillside['id']}/suspend")
    deliver_mail(app)
    assert [m["to"] for m in smtp.messages] == [["dsl@hill.test"]]
