"""The DSL cannot miss a request: the count on every staff page, the banner on signing in, deputy DSLs,
and overdue requests marked and sent again to every DSL and deputy, once.

Real parts: a SQLite file per test, the app through its test client, a real SMTP server on loopback.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest

from db import write_transaction
from jobs import run_pending
from safeguarding import queries
from safeguarding.talk_rules import OVERDUE_AFTER, is_overdue, waiting_summary
from safeguarding.tasks import remind_overdue_in

from helpers import sign_in

QUEUE_LINK = re.compile(r'<a href="/safeguarding/requests"[^>]*data-dsl-count>\s*Requests to talk: <strong[^>]*>(\d+)<')


@pytest.fixture
def school(db, make_school, make_staff, make_pupil, make_class):
    """A school with a DSL, a deputy DSL, a teacher, an admin and two pupils in the teacher's class."""
    school_id = make_school(dsl_name="Mr Safe")
    dsl = make_staff(school_id, "dsl@school.test", role="dsl", first_name="Dee")
    deputy = make_staff(school_id, "deputy@school.test", role="dsl", first_name="Dev")
    db["people"].update(deputy, {"dsl_deputy": 1})
    teacher = make_staff(school_id, "teacher@school.test", first_name="Tia")
    make_staff(school_id, "admin@school.test", role="admin", first_name="Ada")
    class_id = make_class(school_id, "9B", teacher_id=teacher)
    make_pupil(school_id, "zara.q", first_name="Zara", class_id=class_id)
    make_pupil(school_id, "omar.k", first_name="Omar", class_id=class_id)
    return {"id": school_id, "dsl": dsl, "deputy": deputy, "teacher": teacher}


def ask(client, pupil, urgency, who="dsl"):
    """`pupil` signs in, asks to talk, and signs out."""
    sign_in(client, pupil)
    response = client.post("/talk", data={"who": who, "urgency": urgency, "message": ""})
    assert response.status_code == 303
    client.post("/sign-out")


def two_requests(client):
    ask(client, "zara.q", "soon")
    ask(client, "omar.k", "today")


def iso(delta):
    return (datetime.now(UTC) + delta).isoformat(timespec="seconds")


# The count and the banner ------------------------------------------------------------------------
def test_a_dsl_who_signs_in_after_two_requests_sees_2_linked_to_the_queue_and_a_banner(client, school):
    two_requests(client)
    response = sign_in(client, "dsl@school.test")
    landing = client.get(response.headers["Location"])
    assert landing.status_code == 200
    assert QUEUE_LINK.search(landing.text).group(1) == "2"
    banner = re.search(r"data-dsl-banner>(.*?)</div>", landing.text, re.S).group(1)
    # The most urgent first: "today" before "in the next few days".
    assert "2 requests to talk are waiting to be opened" in banner
    assert banner.index("today (1)") < banner.index("in the next few days (1)")
    assert 'href="/safeguarding/requests"' in banner

    # Every staff page carries the count; the banner was for the first page only.
    for path in ("/classes", "/reports", "/safeguarding/audit-log", "/safeguarding/pupils", "/safeguarding/requests"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert QUEUE_LINK.search(page.text).group(1) == "2", path
        assert "data-dsl-banner" not in page.text, path


def test_opening_a_request_lowers_the_count_and_none_waiting_shows_no_number(client, school, db):
    ask(client, "zara.q", "today")
    sign_in(client, "dsl@school.test")
    assert QUEUE_LINK.search(client.get("/classes").text).group(1) == "1"
    client.get("/safeguarding/requests/1")  # opening marks it seen
    page = client.get("/classes").text
    assert QUEUE_LINK.search(page) is None
    assert "none waiting" in page and 'href="/safeguarding/requests"' in page  # still linked, quietly


def test_no_banner_when_nothing_is_waiting(client, school):
    response = sign_in(client, "dsl@school.test")
    assert "data-dsl-banner" not in client.get(response.headers["Location"]).text


def test_teachers_admins_and_pupils_get_no_dsl_count_and_pay_no_query(client, school, monkeypatch):
    ask(client, "zara.q", "today")
    calls = []
    counting = queries.waiting_count
    monkeypatch.setattr(queries, "waiting_count", lambda *args: calls.append(args) or counting(*args))
    for login, path in (("teacher@school.test", "/classes"), ("admin@school.test", "/classes"), ("omar.k", "/course")):
        sign_in(client, login)
        page = client.get(path)
        assert page.status_code == 200 and "data-dsl-count" not in page.text and "data-dsl-banner" not in page.text
        client.post("/sign-out")
    assert calls == []
    sign_in(client, "dsl@school.test")
    client.get("/classes")
    assert len(calls) == 1  # one COUNT for the DSL's page


def test_waiting_summary_words():
    assert waiting_summary({}) is None
    assert (
        waiting_summary({"no-rush": 1})
        == "1 pupil's request to talk is waiting to be opened. The most urgent first: no rush (1)."
    )
    assert waiting_summary({"no-rush": 2, "today": 1}).endswith("today (1), no rush (2).")


# Deputy DSLs -------------------------------------------------------------------------------------
def test_an_admin_adds_a_deputy_dsl_who_sees_the_queue_and_gets_the_mail(client, school, db, app, smtp):
    sign_in(client, "admin@school.test")
    added = client.post(
        "/staff", data={"first_name": "Dana", "last_name": "Deputy", "email": "dana@school.test", "role": "dsl-deputy"}
    )
    assert added.status_code == 200 and "Deputy DSL" in added.text
    person = next(db.query("SELECT * FROM people WHERE email = 'dana@school.test'"))
    assert (person["role"], person["dsl_deputy"]) == ("dsl", 1)
    assert "Deputy DSL" in client.get("/staff").text
    password = re.search(r"<dt>Password</dt><dd><code>([^<]+)</code>", added.text).group(1)
    client.post("/sign-out")

    ask(client, "zara.q", "today")
    run_pending(app.extensions["huey"])
    assert sorted(smtp.messages[0]["to"]) == ["dana@school.test", "deputy@school.test", "dsl@school.test"]

    sign_in(client, "dana@school.test", password)
    assert QUEUE_LINK.search(client.get("/classes").text).group(1) == "1"
    queue = client.get("/safeguarding/requests")
    assert queue.status_code == 200 and "Zara" in queue.text
    assert client.get("/safeguarding/requests/1").status_code == 200


def test_a_deputy_sees_requests_addressed_to_a_teacher_as_the_dsl_does(client, school):
    ask(client, "zara.q", "soon", who=f"teacher-{school['teacher']}")
    sign_in(client, "deputy@school.test")
    assert "Zara" in client.get("/safeguarding/requests").text


# Overdue -----------------------------------------------------------------------------------------
def test_is_overdue_follows_the_time_the_pupil_chose():
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    for urgency, window in OVERDUE_AFTER.items():
        assert not is_overdue("new", urgency, now - window + timedelta(minutes=1), now)
        assert is_overdue("new", urgency, now - window, now)
        assert not is_overdue("seen", urgency, now - window * 2, now)  # opened: not overdue
    assert OVERDUE_AFTER["today"] < OVERDUE_AFTER["soon"] < OVERDUE_AFTER["no-rush"]


def test_the_overdue_task_marks_and_sends_again_to_every_dsl_exactly_once(client, school, db, app, smtp):
    ask(client, "zara.q", "today", who=f"teacher-{school['teacher']}")  # will be overdue
    ask(client, "omar.k", "soon")  # not yet overdue
    ask(client, "omar.k", "today")  # overdue, but opened
    run_pending(app.extensions["huey"])
    smtp.messages.clear()  # the first notifications
    with write_transaction(db):
        db.execute("UPDATE talk_requests SET created_at = ?", [iso(-timedelta(hours=5))])
    db["talk_requests"].update(3, {"status": "seen"})

    with app.app_context():
        assert remind_overdue_in(db) == 1
        assert remind_overdue_in(db) == 0  # a second run (or a second worker) sends nothing more
    run_pending(app.extensions["huey"])
    assert len(smtp.messages) == 1
    assert sorted(smtp.messages[0]["to"]) == ["deputy@school.test", "dsl@school.test"]  # every DSL, not the teacher
    assert smtp.messages[0]["message"]["Subject"].startswith("Overdue")
    assert "https://training.example.test/safeguarding/requests" in smtp.bodies()[0]
    assert "Zara" not in smtp.messages[0]["message"].as_string()
    marked = {row["id"]: row["overdue_notified_at"] for row in db["talk_requests"].rows}
    assert marked[1] is not None and marked[2] is None and marked[3] is None

    # The queue marks it overdue.
    sign_in(client, "dsl@school.test")
    queue = client.get("/safeguarding/requests").text
    assert queue.count("status-overdue") == 1
    row = re.search(r"<tr>\s*<td><a href=\"/safeguarding/requests/1\".*?</tr>", queue, re.S).group(0)
    assert "Overdue" in row


def test_a_welsh_medium_schools_staff_e_mails_are_in_welsh_then_english(client, school, db, app, smtp):
    """A school whose default language is Welsh writes to its staff in Welsh first, then English (no name, no
    message in either); an English school's e-mail stays English even when the pupil reads the site in Welsh."""
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE username = 'zara.q'")
    ask(client, "zara.q", "today")
    run_pending(app.extensions["huey"])
    [english] = smtp.bodies()
    assert english.startswith("A pupil has asked to talk to you.") and "Mae disgybl" not in english
    smtp.messages.clear()

    with write_transaction(db):
        db.execute("UPDATE schools SET language = 'cy' WHERE id = ?", [school["id"]])
    ask(client, "omar.k", "today")
    run_pending(app.extensions["huey"])
    [message] = smtp.messages
    assert (
        message["message"]["Subject"]
        == "Mae disgybl wedi gofyn am gael siarad â rhywun / A pupil has asked to talk to someone"
    )
    [body] = smtp.bodies()
    welsh, english = body.replace("\r\n", "\n").split("\n- - -\n\n")
    assert welsh.startswith("Mae disgybl wedi gofyn am gael siarad â chi.") and "heddiw" in welsh
    assert "https://training.example.test/safeguarding/requests" in welsh and "ffoniwch 999" in welsh
    assert english.startswith("A pupil has asked to talk to you.") and "today" in english
    assert "Omar" not in message["message"].as_string()

    smtp.messages.clear()
    with write_transaction(db):
        db.execute("UPDATE talk_requests SET created_at = ?", [iso(-timedelta(hours=5))])
    with app.app_context():
        assert remind_overdue_in(db) == 2
    run_pending(app.extensions["huey"])
    assert all(m["message"]["Subject"].startswith("Hwyr: ") for m in smtp.messages)
    assert all("Overdue: a pupil's request" in m["message"]["Subject"] for m in smtp.messages)
