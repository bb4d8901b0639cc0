"""Class codes: the rules directly, the teacher's code screen, and joining a class at /join.

A pending provider sign-in is set in the session directly (session["oidc_pending"], as a provider sign-in
that matched nobody leaves it): the provider part is tested with oidcapp's tests against the real loopback provider.
"""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import segno

from accounts.passwords import password_matches
from classroom import class_codes, code_queries
from db import now, write_transaction
from safeguarding.records import erase_pupil, export_pupil

from helpers import PASSWORD, sign_in

ISSUER = "https://accounts.google.com"


# --- class_codes.py: the rules ----------------------------------------------------------------


def test_codes_have_no_look_alikes_and_no_vowels():
    assert not set("0O1IL") & set(class_codes.ALPHABET)
    assert not set("AEIOU") & set(class_codes.ALPHABET)  # no code spells a word on the projector
    codes = {class_codes.new_code() for _ in range(300)}
    assert len(codes) == 300
    assert all(len(c) == 8 and set(c) <= set(class_codes.ALPHABET) for c in codes)


@pytest.mark.parametrize(
    "typed", ["KXR7-PMQ4", "kxr7-pmq4", "KXR7PMQ4", " kxr7 pmq4 ", "K X R 7 - P M Q 4", "kxr7\u2013pmq4"]
)
def test_a_code_is_read_with_or_without_the_dash_in_any_case_with_spaces(typed):
    assert class_codes.normalise(typed) == "KXR7PMQ4"
    assert class_codes.display("KXR7PMQ4") == "KXR7-PMQ4"


@pytest.mark.parametrize(
    "typed", [None, "", "KXR7-PMQ", "KXR7-PMQ44", "KXR0-PMQ4", "KXRO-PMQ4", "KXR1-PMQ4", "KAR7-PMQ4"]
)
def test_what_cannot_be_a_code_is_refused(typed):
    assert class_codes.normalise(typed) is None


def test_a_code_is_on_until_it_is_switched_off_expires_or_is_replaced():
    at = datetime(2026, 11, 21, 12, tzinfo=UTC)
    row = {"replaced_at": None, "switched_off_at": None, "expires_at": class_codes.expires_at(at, 14)}
    assert class_codes.state(row, at) == class_codes.ON
    assert class_codes.state(row, at + timedelta(days=13, hours=23)) == class_codes.ON
    assert class_codes.state(row, at + timedelta(days=14)) == class_codes.EXPIRED
    assert class_codes.state(dict(row, switched_off_at=at.isoformat()), at) == class_codes.OFF
    assert class_codes.state(dict(row, replaced_at=at.isoformat(), switched_off_at=at.isoformat()), at) == "replaced"


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def world(make_school, make_staff, make_class, make_pupil):
    """Hillside: an admin, a DSL, 8B's teacher, another teacher with 9C, a pupil in 9C. Other School: an admin, 7A."""
    hill = make_school("Hillside School")
    other = make_school("Other School")
    teacher = make_staff(hill, "teacher@hill.test")
    other_teacher = make_staff(hill, "third@hill.test")
    make_staff(hill, "admin@hill.test", role="admin")
    make_staff(hill, "dsl@hill.test", role="dsl")
    make_staff(other, "admin@other.test", role="admin")
    class_8b = make_class(hill, "8B", teacher_id=teacher, year_group=8)
    class_9c = make_class(hill, "9C", teacher_id=other_teacher, year_group=9)
    pupil = make_pupil(hill, "ryan.d", first_name="Ryan", last_name="Davies", year_group=9, class_id=class_9c)
    class_7a = make_class(other, "7A", year_group=7)
    return {"hill": hill, "other": other, "teacher": teacher, "class": class_8b, "class_9c": class_9c,
            "pupil": pupil, "other_class": class_7a}  # fmt: skip


def make_code(db, class_id, school_id, days=14):
    """The class's new code as stored (no dash)."""
    return code_queries.make_code(db, class_id, school_id, None, days)["code"]


def pending(school_id, subject="g-123", email="maya.singh@hill.test", started=None, **names):
    """What oidcapp leaves in the session after a Google sign-in that matched nobody."""
    return {"provider": "google", "issuer": ISSUER, "subject": subject, "email": email,
            "given_name": names.get("given_name", "Maya"), "family_name": names.get("family_name", "Singh"),
            "school_id": school_id, "started_at": started or now()}  # fmt: skip


def set_pending(client, value):
    with client.session_transaction() as session:
        session["oidc_pending"] = value


def error_text(response):
    """The page's text with entities decoded and spaces collapsed, for matching messages."""
    return re.sub(r"\s+", " ", html.unescape(response.text))


# --- the teacher's code screen --------------------------------------------------------------------


def test_the_teacher_makes_a_code_and_shows_it_large_with_a_qr_code_of_the_public_join_address(client, db, world):
    sign_in(client, "teacher@hill.test")
    page = client.get(f"/classes/{world['class']}/code")
    assert page.status_code == 200 and "This class has no code yet" in page.text
    assert f'href="/classes/{world["class"]}/code"' in client.get(f"/classes/{world['class']}").text

    made = client.post(f"/classes/{world['class']}/code/new")
    assert made.status_code == 303
    code = code_queries.current_code(db, world["class"])
    shown = class_codes.display(code["code"])
    page = client.get(made.location).text
    assert '<p class="class-code" id="class-code"' in page and f">{shown}</p>" in page
    # The QR code holds the configured public address of the join page with the code, never the request's host.
    link = f"https://training.example.test/join?code={shown}"
    qr = segno.make(link, error="m").svg_data_uri(scale=8, border=4, dark="#1b1b3a", light="#ffffff")
    assert f'src="{qr}"' in page
    assert "style=" not in page.split('class="class-code-show"')[1].split("</ul>")[0]  # nothing the CSP blocks
    assert "https://training.example.test/join" in page
    expires = datetime.fromisoformat(code["expires_at"]) - datetime.now(UTC)
    assert timedelta(days=13, hours=23) < expires <= timedelta(days=14)
    audit = db.execute("SELECT action, subject_id, staff_id FROM audit_log WHERE action LIKE 'class-code%'").fetchall()
    assert audit == [("class-code-new", world["class"], world["teacher"])]


def test_only_the_class_teachers_and_admins_see_or_change_its_code(app, db, world):
    make_code(db, world["class"], world["hill"])
    before = code_queries.current_code(db, world["class"])
    base = f"/classes/{world['class']}/code"
    for email in ("third@hill.test", "dsl@hill.test", "admin@other.test"):
        client = app.test_client()
        sign_in(client, email)
        assert client.get(base).status_code == 404, email
        for action in ("new", "off", "on"):
            assert client.post(f"{base}/{action}").status_code == 404, (email, action)
    assert code_queries.current_code(db, world["class"]) == before  # nothing changed
    dsl = app.test_client()
    sign_in(dsl, "dsl@hill.test")
    assert f'href="{base}"' not in dsl.get(f"/classes/{world['class']}").text  # the DSL sees the class, not its code
    pupil = app.test_client()
    sign_in(pupil, "ryan.d")
    assert pupil.get(base).status_code == 403
    admin = app.test_client()
    sign_in(admin, "admin@hill.test")
    assert admin.get(base).status_code == 200
    assert admin.post(f"{base}/off").status_code == 303
    assert code_queries.current_code(db, world["class"])["switched_off_at"]


def test_a_new_code_stops_the_old_one(client, app, db, world):
    sign_in(client, "teacher@hill.test")
    client.post(f"/classes/{world['class']}/code/new")
    old = code_queries.current_code(db, world["class"])["code"]
    page = client.post(f"/classes/{world['class']}/code/new", follow_redirects=True).text
    new = code_queries.current_code(db, world["class"])["code"]
    assert new != old and "The old code no longer works" in page and class_codes.display(new) in page
    assert db.execute("SELECT count(*) FROM class_codes WHERE class_id = ?", [world["class"]]).fetchone()[0] == 2

    pupil = app.test_client()
    sign_in(pupil, "ryan.d")
    refused = pupil.post("/join", data={"code": class_codes.display(old)})
    assert refused.status_code == 400
    assert "This code is not in use; ask your teacher for the class's code." in error_text(refused)
    assert pupil.post("/join", data={"code": new}).status_code == 303
    assert db.execute("SELECT 1 FROM class_pupils WHERE class_id = ? AND person_id = ?",
                      [world["class"], world["pupil"]]).fetchone()  # fmt: skip


def test_switching_the_code_off_and_on(client, app, db, world):
    sign_in(client, "teacher@hill.test")
    client.post(f"/classes/{world['class']}/code/new")
    code = code_queries.current_code(db, world["class"])["code"]
    page = client.post(f"/classes/{world['class']}/code/off", follow_redirects=True).text
    assert "is switched off" in page and ">Switch on</button>" in page and "class-code-qr" not in page

    pupil = app.test_client()
    sign_in(pupil, "ryan.d")
    refused = pupil.post("/join", data={"code": code})
    assert refused.status_code == 400 and "This code is not in use" in refused.text

    # Switched on again: the same code, with its days started again.
    with write_transaction(db):
        db.execute("UPDATE class_codes SET expires_at = ? WHERE code = ?", ["2020-01-01T00:00:00+00:00", code])
    page = client.post(f"/classes/{world['class']}/code/on", follow_redirects=True).text
    assert class_codes.display(code) in page and ">Switch off</button>" in page
    assert code_queries.current_code(db, world["class"])["code"] == code
    assert pupil.post("/join", data={"code": code}).status_code == 303
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE action LIKE 'class-code%' ORDER BY id")]
    assert actions == ["class-code-new", "class-code-off", "class-code-on"]


def test_a_code_switches_itself_off_after_its_days(client, app, db, world):
    code = make_code(db, world["class"], world["hill"])
    with write_transaction(db):
        db.execute("UPDATE class_codes SET expires_at = ? WHERE code = ?", [now(), code])
    sign_in(client, "teacher@hill.test")
    assert "switched itself off" in client.get(f"/classes/{world['class']}/code").text
    pupil = app.test_client()
    sign_in(pupil, "ryan.d")
    refused = pupil.post("/join", data={"code": code})
    assert refused.status_code == 400 and "This code is not in use" in refused.text


# --- joining: a new pupil from a provider sign-in -----------------------------------------------


@pytest.mark.real_password_hash
def test_a_pending_google_sign_in_joins_with_the_code_and_becomes_a_signed_in_pupil(app, client, db, world, make_pupil):
    code = make_code(db, world["class"], world["hill"])
    # On the roster without an e-mail: never linked by name, but the teacher is told.
    make_pupil(world["hill"], "maya.s", first_name="Maya", last_name="Singh", class_id=world["class"])
    set_pending(client, pending(world["hill"]))
    page = client.get(f"/join?code={class_codes.display(code)}")
    assert page.status_code == 200
    assert "maya.singh@hill.test" in page.text and f'value="{class_codes.display(code)}"' in page.text

    typed = " " + code.lower()[:4] + " " + code.lower()[4:]  # as typed on a phone
    response = client.post("/join", data={"code": typed})
    assert response.status_code == 303 and response.location.endswith("/course")
    person = next(db.query("SELECT * FROM people WHERE first_name = 'Maya' ORDER BY id DESC"))
    assert (person["role"], person["last_name"], person["username"]) == ("pupil", "Singh", "maya.s2")
    assert (person["school_id"], person["year_group"], person["email"]) == (world["hill"], 8, None)
    assert not password_matches(person["password_hash"], "") and person["password_hash"].startswith("scrypt:")
    identity = db.execute("SELECT person_id, provider, issuer, subject, email FROM identities").fetchall()
    assert identity == [(person["id"], "google", ISSUER, "g-123", "maya.singh@hill.test")]
    assert db.execute("SELECT class_id FROM class_pupils WHERE person_id = ?", [person["id"]]).fetchall() == [
        (world["class"],)
    ]
    with client.session_transaction() as session:
        assert "oidc_pending" not in session
    course = client.get("/course", follow_redirects=True)
    assert course.status_code == 200 and "You've joined 8B" in error_text(course)

    teacher = app.test_client()
    sign_in(teacher, "teacher@hill.test")
    screen = teacher.get(f"/classes/{world['class']}/code").text
    assert "Maya Singh" in screen and "maya.singh@hill.test" in screen and "made by joining" in screen
    assert screen.count("Another pupil in this class has the same name.") == 1
    assert f'href="/classes/{world["class"]}/pupils/{person["id"]}"' in screen


def test_a_pending_sign_in_cannot_join_another_schools_class(client, db, world):
    code = make_code(db, world["other_class"], world["other"])
    set_pending(client, pending(world["hill"]))
    refused = client.post("/join", data={"code": code})
    assert refused.status_code == 400
    assert "different school from the account you signed in with (maya.singh@hill.test)" in error_text(refused)
    assert f'value="{code}"' in refused.text  # what was typed is kept
    assert db.execute("SELECT count(*) FROM identities").fetchone()[0] == 0
    assert not db.execute("SELECT 1 FROM people WHERE first_name = 'Maya'").fetchone()


def test_a_pending_sign_in_older_than_15_minutes_must_sign_in_again(client, db, world):
    code = make_code(db, world["class"], world["hill"])
    old = (datetime.now(UTC) - timedelta(minutes=16)).isoformat(timespec="seconds")
    set_pending(client, pending(world["hill"], started=old))
    page = client.post("/join", data={"code": code})
    assert page.status_code == 200 and "Please sign in again" in page.text and 'name="code"' not in page.text
    assert db.execute("SELECT count(*) FROM identities").fetchone()[0] == 0
    with client.session_transaction() as session:
        assert "oidc_pending" not in session


def test_joining_rechecks_the_code_and_the_identity_inside_its_transaction(db, world):
    code = make_code(db, world["class"], world["hill"])
    code_queries.switch_off(db, world["class"])
    assert code_queries.create_joined_pupil(
        db, code, pending(world["hill"]), [world["hill"]], "Maya", "Singh", "x"
    ) == (
        "not-live",
        None,
    )
    code_queries.switch_on(db, world["class"], 14)
    with write_transaction(db):
        db["identities"].insert({"person_id": world["pupil"], "provider": "google", "issuer": ISSUER,
                                 "subject": "g-123", "linked_at": now()})  # fmt: skip
    assert code_queries.create_joined_pupil(
        db, code, pending(world["hill"]), [world["hill"]], "Maya", "Singh", "x"
    ) == ("linked", None)
    assert not db.execute("SELECT 1 FROM people WHERE first_name = 'Maya'").fetchone()


# --- joining: a signed-in pupil, and everyone else ---------------------------------------------


def test_a_signed_in_pupil_joins_another_class_of_their_school(client, db, world):
    code = make_code(db, world["class"], world["hill"])
    sign_in(client, "ryan.d")
    assert 'href="/join">Join a class with a code</a>' in client.get("/course").text  # found from their course
    assert client.get("/join").status_code == 200
    response = client.post("/join", data={"code": class_codes.display(code)})
    assert response.status_code == 303
    classes = db.execute("SELECT class_id FROM class_pupils WHERE person_id = ? ORDER BY class_id", [world["pupil"]])
    assert [r[0] for r in classes] == sorted([world["class"], world["class_9c"]])
    joined = db.execute("SELECT person_id, new_account FROM class_code_joins").fetchall()
    assert joined == [(world["pupil"], 0)]
    again = client.post("/join", data={"code": code}, follow_redirects=True)
    assert "You're already in 8B" in error_text(again)
    assert db.execute("SELECT count(*) FROM class_code_joins").fetchone()[0] == 1


def test_a_pupil_cannot_join_another_schools_class_and_wrong_codes_keep_what_was_typed(client, db, world):
    other = make_code(db, world["other_class"], world["other"])
    sign_in(client, "ryan.d")
    refused = client.post("/join", data={"code": other})
    assert refused.status_code == 400 and "This code is for a class at a different school" in refused.text
    wrong = client.post("/join", data={"code": "bcdf-ghjk"})
    assert wrong.status_code == 400 and "There's no class with that code" in error_text(wrong)
    assert 'value="bcdf-ghjk"' in wrong.text
    typo = client.post("/join", data={"code": "KXR0-PMQ"})
    assert typo.status_code == 400 and "A class code has 8 letters and numbers" in typo.text
    assert 'value="KXR0-PMQ"' in typo.text
    assert db.execute("SELECT count(*) FROM class_pupils WHERE person_id = ?", [world["pupil"]]).fetchone()[0] == 1


def test_someone_not_signed_in_is_asked_to_sign_in_first_and_the_code_is_kept(client, db, world):
    code = make_code(db, world["class"], world["hill"])
    shown = class_codes.display(code)
    page = client.get(f"/join?code={shown}")
    assert page.status_code == 200 and "sign in first" in page.text and 'name="code"' not in page.text
    assert f'href="/sign-in?next=/join?code%3D{shown}"' in page.text or f"next=%2Fjoin%3Fcode%3D{shown}" in page.text
    assert client.post("/join", data={"code": code}).status_code == 200
    assert db.execute("SELECT count(*) FROM class_code_joins").fetchone()[0] == 0


def test_staff_are_told_the_join_page_is_for_pupils(client, db, world):
    code = make_code(db, world["class"], world["hill"])
    sign_in(client, "teacher@hill.test")
    page = client.post("/join", data={"code": code})
    assert page.status_code == 200 and "This page is for pupils" in page.text
    assert db.execute("SELECT count(*) FROM class_code_joins").fetchone()[0] == 0


def test_guessing_codes_is_slowed_per_account_not_per_address(app, client, db, world):
    app.config["CLASS_CODE_THROTTLE"] = True
    app.config["SIGN_IN_THROTTLE"] = True
    code = make_code(db, world["class"], world["hill"])
    set_pending(client, pending(world["hill"]))
    for guess in range(app.config["CLASS_CODE_TRY_LIMIT"]):
        wrong = client.post("/join", data={"code": f"BCDFGHJ{class_codes.ALPHABET[guess]}"})
        assert wrong.status_code == 400, guess
    paused = client.post("/join", data={"code": code})  # even the right code waits now
    assert paused.status_code == 429 and "joining is paused for a little while" in paused.text
    assert f'value="{code}"' in paused.text
    assert db.execute("SELECT count(*) FROM people WHERE first_name = 'Maya'").fetchone()[0] == 0
    # Counted against the identity, never the address: the school shares one, so sign-in and others' joins go on.
    assert db.execute("SELECT DISTINCT address FROM sign_in_failures").fetchall() == [
        (code_queries.WRONG_CODE_ADDRESS,)
    ]
    classmate = app.test_client()
    set_pending(classmate, pending(world["hill"], subject="g-456", email="sam@hill.test", given_name="Sam"))
    assert classmate.post("/join", data={"code": code}).status_code == 303
    assert sign_in(app.test_client(), "teacher@hill.test", PASSWORD).status_code == 303


def test_a_pupil_made_by_joining_gets_a_password_from_a_reset_is_in_their_records_and_is_erased_whole(
    app, client, db, world
):
    code = make_code(db, world["class"], world["hill"])
    set_pending(client, pending(world["hill"]))
    assert client.post("/join", data={"code": code}).status_code == 303
    maya = next(db.query("SELECT id, username FROM people WHERE first_name = 'Maya'"))

    records = export_pupil(db, maya["id"])
    assert records["linked_accounts"][0] | {"linked_at": None, "last_used_at": None} == {
        "provider": "google", "email": "maya.singh@hill.test", "linked_at": None, "last_used_at": None
    }  # fmt: skip
    assert [(j["class_name"], j["new_account"]) for j in records["joined_with_class_code"]] == [("8B", True)]

    # A teacher's "Reset password" gives her a username and password too (for a computer without her account).
    teacher = app.test_client()
    sign_in(teacher, "teacher@hill.test")
    card = teacher.post(f"/classes/{world['class']}/pupils/{maya['id']}/reset-password")
    password = re.search(r"<code>([a-z]+-[a-z]+-\d+)</code>", card.text).group(1)
    assert sign_in(app.test_client(), maya["username"], password).status_code == 303

    assert erase_pupil(db, maya["id"], world["teacher"])
    for table in ("identities", "class_code_joins"):
        assert db.execute(f"SELECT count(*) FROM {table} WHERE person_id = ?", [maya["id"]]).fetchone()[0] == 0
