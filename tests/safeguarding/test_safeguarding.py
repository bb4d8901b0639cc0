"""Safeguarding: help on every page, talk requests and the e-mail, the queue, the audit log, help routes editor.

Real parts: a SQLite file per test, the app through its test client, a real SMTP server on loopback.
"""

import re

import pytest
from safeguarding_smtp import free_port

from jobs import run_pending
from safeguarding.help_routes import DEFAULT_HELP_ROUTES, help_routes_for
from safeguarding.routes_rules import emergency_first, is_emergency, moved, phone_problem, url_problem
from safeguarding.talk_rules import notification, parse_who

from helpers import sign_in

SECRET = "my step-dad's friend keeps messaging me"


@pytest.fixture
def schools(make_school, make_staff, make_pupil, make_class):
    """Two schools, each with a DSL, two teachers, an admin and a class with one pupil."""
    out = {}
    for key, name in (("a", "Hillside School"), ("b", "Lakeside School")):
        school_id = make_school(name, dsl_name=f"Mr Safe {key.upper()}", dsl_where="Room 12")
        s = {"id": school_id}
        s["dsl"] = make_staff(school_id, f"dsl@{key}.test", role="dsl", first_name="Dee", last_name=f"Lead{key}")
        s["teacher"] = make_staff(school_id, f"teacher@{key}.test", first_name="Tia", last_name=f"Teach{key}")
        s["other_teacher"] = make_staff(school_id, f"other@{key}.test", first_name="Olly", last_name=f"Other{key}")
        s["admin"] = make_staff(school_id, f"admin@{key}.test", role="admin", first_name="Ada", last_name=f"Min{key}")
        s["class"] = make_class(school_id, "9B", teacher_id=s["teacher"])
        make_class(school_id, "10C", teacher_id=s["other_teacher"])
        s["pupil"] = make_pupil(school_id, f"pupil.{key}", first_name="Zara", last_name=f"Quinn{key}",
                                class_id=s["class"])  # fmt: skip
        s["pupil_login"] = f"pupil.{key}"
        out[key] = s
    return out


def send_request(client, who, urgency="today", message=SECRET):
    """POST the talk form; returns the response."""
    return client.post("/talk", data={"who": who, "urgency": urgency, "message": message})


# Plain rules -------------------------------------------------------------------------------------
@pytest.mark.parametrize("number", ["999", "101", "0800 1111", "116 123", "85258", "0800 068 4141", "+44 20 7946 0000"])
def test_phone_problem_accepts_real_numbers(number):
    assert phone_problem(number) is None


@pytest.mark.parametrize(
    ("number", "words"),
    [("", "Type"), ("99", "at least"), ("0800-1111", "only numbers"), ("call 999", "only numbers"),
     ("7946 000 000", "starts with 0"), ("0" * 16, "at most"), ("+44", "at least")],
)  # fmt: skip
def test_phone_problem_explains_what_is_wrong(number, words):
    assert words in phone_problem(number)


def test_every_default_route_is_well_formed():
    for route in DEFAULT_HELP_ROUTES:
        for key in ("phone", "sms"):
            if route.get(key):
                assert phone_problem(route[key]) is None, route
        if route.get("url"):
            assert url_problem(route["url"]) is None, route


@pytest.mark.parametrize(
    ("url", "words"),
    [("", "Type"), ("http://www.childline.org.uk", "https://"), ("javascript:alert(1)", "https://"),
     ("https://childline", "whole address"), ("https://www.child line.org.uk", "no spaces"),
     ("https://me:pw@evil.test", "user name"), ("https://x.org:port", "port"), ("https://-bad-.org", "whole address")],
)  # fmt: skip
def test_url_problem_refuses_what_is_not_a_safe_web_address(url, words):
    assert words in url_problem(url)


def test_moved_and_emergency_first():
    assert moved([1, 2, 3], 2, "up") == [2, 1, 3]
    assert moved([1, 2, 3], 2, "down") == [1, 3, 2]
    assert moved([1, 2, 3], 1, "up") == [1, 2, 3]
    assert moved([1, 2, 3], 3, "down") == [1, 2, 3]
    assert moved([1, 2, 3], 2, "sideways") == [1, 2, 3]
    routes = [{"title": "Childline", "phone": "0800 1111"}, {"title": "999", "phone": "9 9 9"}]
    assert emergency_first(routes)[0]["title"] == "999"
    assert is_emergency({"phone": "999"}) and not is_emergency({"phone": None})


def test_parse_who_only_accepts_the_pupils_own_choices():
    assert parse_who("dsl", {5}) == ("dsl", None)
    assert parse_who("teacher-5", {5}) == ("teacher", 5)
    assert parse_who("teacher-6", {5}) is None
    assert parse_who("teacher-x", {5}) is None
    assert parse_who("", {5}) is None


def test_notification_has_no_name_or_message():
    subject, body = notification("today", "https://school.test/safeguarding/requests")
    assert "https://school.test/safeguarding/requests" in body
    assert "today" in body
    assert "pupil has asked" in subject


def test_help_routes_for_keeps_999_first_whatever_the_school_does(db, make_school):
    school_id = make_school()
    assert help_routes_for(db, school_id)[0]["phone"] == "999"
    db.execute("UPDATE help_routes SET position = 100 WHERE phone = '999' AND school_id = ?", [school_id])
    db.conn.commit()
    assert help_routes_for(db, school_id)[0]["phone"] == "999"
    db.execute("DELETE FROM help_routes WHERE phone = '999' AND school_id = ?", [school_id])
    db.conn.commit()
    routes = help_routes_for(db, school_id)
    assert routes[0]["phone"] == "999" and len(routes) == len(DEFAULT_HELP_ROUTES)


# Help on every page and quick exit ---------------------------------------------------------------
def first_route(html):
    return re.search(r'<li class="help-route help-route-urgent">(.*?)</li>', html, re.S).group(1)


def test_help_panel_and_quick_exit_for_visitors_and_pupils(client, schools, app):
    for path in ("/sign-in", "/verify", "/help", "/privacy", "/privacy/schools"):
        html = client.get(path).text
        assert 'id="help"' in html and "In danger now? Call 999" in first_route(html), path
        assert 'href="tel:999"' in html and 'href="tel:08001111"' in html
        assert 'href="/exit"' in html and "js/quick-exit.js" in html
        assert 'href="#help">Get help' in html
    sign_in(client, schools["a"]["pupil_login"])
    html = client.get("/course").text
    assert "In danger now? Call 999" in first_route(html)
    assert "At school: Mr Safe A" in html and "Room 12" in html
    assert "data-quick-exit" in html and 'href="/exit"' in html


def test_staff_see_no_quick_exit_but_still_see_help(client, schools):
    sign_in(client, "teacher@a.test")
    html = client.get("/safeguarding/requests").text
    assert "data-quick-exit" not in html and "quick-exit.js" not in html
    assert "In danger now? Call 999" in html


def test_quick_exit_signs_the_pupil_out(client, schools):
    sign_in(client, schools["a"]["pupil_login"])
    assert client.get("/course").status_code == 200
    assert client.get("/exit").status_code == 303
    assert client.get("/course").status_code == 302


def test_lesson_step_has_read_aloud_hook_and_pause_note(client, schools, course):
    sign_in(client, schools["a"]["pupil_login"])
    lesson = course.lessons[0]
    html = client.get(f"/courses/{course.id}/lessons/{lesson.id}/steps/1").text
    assert "data-read-aloud" in html and "js/read-aloud.js" in html
    assert "You can stop here and come back any time" in html


def test_privacy_notices_say_what_how_long_and_who(client, app):
    app.config["RETENTION_MONTHS_AFTER_LEAVING"] = 18
    pupils = client.get("/privacy").text
    assert "18 months" in pupils and "never" in pupils and "one cookie" in pupils
    schools_notice = client.get("/privacy/schools").text
    assert "data controller" in schools_notice and "18 months after the pupil leaves" in schools_notice
    assert "no analytics" in schools_notice and "never contains the pupil's name or message" in schools_notice


# Talk to someone ---------------------------------------------------------------------------------
def test_talk_page_offers_the_dsl_and_only_the_pupils_own_teachers(client, schools):
    sign_in(client, schools["a"]["pupil_login"])
    html = client.get("/talk").text
    assert 'value="dsl"' in html and "Mr Safe A, our designated safeguarding lead" in html
    assert f'value="teacher-{schools["a"]["teacher"]}"' in html and "Tia Teacha (your teacher)" in html
    assert f'value="teacher-{schools["a"]["other_teacher"]}"' not in html
    assert "Nobody watches them at night, at weekends" in html and "0800 1111" in html and "999" in html
    assert "never takes photos" in html and 'type="file"' not in html and "multipart" not in html


def test_talk_form_keeps_what_was_typed_and_explains_problems(client, schools, db):
    sign_in(client, schools["a"]["pupil_login"])
    response = client.post("/talk", data={"message": "please help"})
    assert response.status_code == 400
    assert "Choose who you&#39;d like to talk to." in response.text
    assert "Choose how soon you&#39;d like to talk." in response.text
    assert "please help</textarea>" in response.text
    too_long = "x" * 501
    response = send_request(client, "dsl", message=too_long)
    assert response.status_code == 400 and "too long" in response.text and too_long in response.text
    assert db["talk_requests"].count == 0


def test_a_pupil_cannot_address_another_schools_or_classs_teacher(client, schools, db):
    sign_in(client, schools["a"]["pupil_login"])
    for teacher in (schools["b"]["teacher"], schools["a"]["other_teacher"]):
        assert send_request(client, f"teacher-{teacher}").status_code == 400
    assert db["talk_requests"].count == 0


def test_only_pupils_can_ask(client, schools):
    assert client.get("/talk").status_code == 302
    sign_in(client, "teacher@a.test")
    assert client.get("/talk").status_code == 403


def test_request_to_the_dsl_is_stored_and_the_email_has_no_name_or_message(client, schools, db, smtp, app):
    sign_in(client, schools["a"]["pupil_login"])
    response = send_request(client, "dsl")
    assert response.status_code == 303
    row = db.execute("SELECT * FROM talk_requests").fetchall()
    assert len(row) == 1
    stored = db["talk_requests"].get(1)
    assert (stored["school_id"], stored["pupil_id"], stored["addressed_to"], stored["teacher_id"]) == (
        schools["a"]["id"], schools["a"]["pupil"], "dsl", None)  # fmt: skip
    assert stored["message"] == SECRET and stored["status"] == "new"
    sent = client.get(response.headers["Location"])
    assert sent.status_code == 200 and "Your request has been sent" in sent.text and "Mr Safe A" in sent.text
    assert SECRET not in sent.text

    run_pending(app.extensions["huey"])  # the job worker sends the outbox
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["to"] == ["dsl@a.test"]
    raw = message["message"].as_string()
    body = smtp.bodies()[0]
    assert "https://training.example.test/safeguarding/requests" in body
    for private in (SECRET, "step-dad", "Zara", "Quinna", "pupil.a"):
        assert private not in raw


def test_request_to_a_teacher_emails_only_that_teacher(client, schools, smtp, app):
    sign_in(client, schools["a"]["pupil_login"])
    assert send_request(client, f"teacher-{schools['a']['teacher']}", urgency="no-rush").status_code == 303
    run_pending(app.extensions["huey"])
    assert [m["to"] for m in smtp.messages] == [["teacher@a.test"]]
    assert "no rush" in smtp.bodies()[0]


def test_request_is_kept_when_the_mail_server_is_down(client, schools, db, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    sign_in(client, schools["a"]["pupil_login"])
    response = send_request(client, "dsl")
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    assert db["talk_requests"].count == 1
    run_pending(app.extensions["huey"])
    message = db["outbox"].get(1)
    assert message["status"] == "queued" and "refused the connection" in message["last_error"]


def test_a_pupil_sees_only_their_own_confirmation(client, schools, db):
    sign_in(client, schools["a"]["pupil_login"])
    send_request(client, "dsl")
    client.post("/sign-out")
    sign_in(client, schools["b"]["pupil_login"])
    assert client.get("/talk/sent/1").status_code == 404


# The queue, access and the audit log ----------------------------------------------------------
@pytest.fixture
def requests_made(client, schools):
    """In school A: one request to the DSL, one to the pupil's teacher. In school B: one to the DSL."""
    a, b = schools["a"], schools["b"]
    sign_in(client, a["pupil_login"])
    send_request(client, "dsl", message="to the dsl")
    send_request(client, f"teacher-{a['teacher']}", urgency="soon", message="to my teacher")
    client.post("/sign-out")
    sign_in(client, b["pupil_login"])
    send_request(client, "dsl", message="school b")
    client.post("/sign-out")
    return {"a_dsl": 1, "a_teacher": 2, "b_dsl": 3}


def audit_rows(db, school_id):
    return list(db.query("SELECT * FROM audit_log WHERE school_id = ? ORDER BY id", [school_id]))


def test_dsl_sees_the_whole_schools_queue_and_nothing_from_another_school(client, schools, requests_made, db):
    sign_in(client, "dsl@a.test")
    html = client.get("/safeguarding/requests").text
    assert html.count("/safeguarding/requests/") == 2
    assert "/safeguarding/requests/1" in html and "/safeguarding/requests/2" in html
    assert "/safeguarding/requests/3" not in html and "Quinnb" not in html
    assert client.get("/safeguarding/requests/3").status_code == 404
    assert client.get("/safeguarding/requests/2").status_code == 200  # addressed to a teacher: the DSL still sees it
    assert client.post("/safeguarding/requests/3", data={"status": "closed", "note": "x"}).status_code == 404
    assert db["talk_requests"].get(3)["status"] == "new"


def test_a_teacher_sees_only_requests_addressed_to_them(client, schools, requests_made):
    sign_in(client, "teacher@a.test")
    html = client.get("/safeguarding/requests").text
    assert "/safeguarding/requests/2" in html and "/safeguarding/requests/1" not in html
    assert client.get("/safeguarding/requests/1").status_code == 404
    assert client.get("/safeguarding/requests/2").status_code == 200
    client.post("/sign-out")
    sign_in(client, "other@a.test")
    assert "/safeguarding/requests/2" not in client.get("/safeguarding/requests").text
    assert client.get("/safeguarding/requests/2").status_code == 404


def test_pupils_have_no_queue_and_admins_see_only_requests_to_them(client, schools, requests_made):
    sign_in(client, "admin@a.test")
    page = client.get("/safeguarding/requests")
    assert page.status_code == 200 and "Requests to talk to you" in page.text
    assert "/safeguarding/requests/1" not in page.text
    assert client.get("/safeguarding/requests/1").status_code == 404
    client.post("/sign-out")
    client.post("/sign-out")
    sign_in(client, schools["a"]["pupil_login"])
    assert client.get("/safeguarding/requests").status_code == 403


def test_every_view_is_audited_and_first_view_marks_seen(client, schools, requests_made, db):
    sign_in(client, "dsl@a.test")
    client.get("/safeguarding/requests")
    page = client.get("/safeguarding/requests/1")
    assert "to the dsl" in page.text and "Zara Quinna" in page.text and "9B" in page.text
    client.get("/safeguarding/requests/1")  # the same visit: recorded once
    rows = audit_rows(db, schools["a"]["id"])
    assert [(r["action"], r["subject_type"], r["subject_id"], r["staff_id"]) for r in rows] == [
        ("list", "talk_requests", None, schools["a"]["dsl"]),
        ("view", "talk_request", 1, schools["a"]["dsl"]),
    ]
    assert db["talk_requests"].get(1)["status"] == "seen"
    assert [a["status"] for a in db["talk_request_actions"].rows] == ["seen"]
    assert audit_rows(db, schools["b"]["id"]) == []


def test_recording_an_action_changes_the_status_and_is_audited(client, schools, requests_made, db):
    sign_in(client, "teacher@a.test")
    response = client.post("/safeguarding/requests/2", data={"status": "in-progress", "note": "Meeting at break"})
    assert response.status_code == 303
    page = client.get("/safeguarding/requests/2").text
    assert "Meeting at break" in page and "In progress" in page
    assert db["talk_requests"].get(2)["status"] == "in-progress"
    assert "update" in [r["action"] for r in audit_rows(db, schools["a"]["id"])]
    empty = client.post("/safeguarding/requests/2", data={"status": "closed", "note": ""})
    assert empty.status_code == 400 and "Write a short note" in empty.text
    assert db["talk_requests"].get(2)["status"] == "in-progress"


def test_closed_requests_leave_the_open_queue(client, schools, requests_made):
    sign_in(client, "dsl@a.test")
    client.post("/safeguarding/requests/1", data={"status": "closed", "note": "Spoke; all fine"})
    assert "/safeguarding/requests/1" not in client.get("/safeguarding/requests").text
    assert "/safeguarding/requests/1" in client.get("/safeguarding/requests?show=closed").text


def test_audit_log_page_is_the_dsls_and_shows_only_their_school(client, schools, requests_made):
    sign_in(client, "teacher@a.test")
    client.get("/safeguarding/requests/2")
    assert client.get("/safeguarding/audit-log").status_code == 403
    client.post("/sign-out")
    sign_in(client, "dsl@b.test")
    client.get("/safeguarding/requests/3")
    html = client.get("/safeguarding/audit-log").text
    assert "Opened a talk request" in html and "Talk request 3" in html
    assert "Tia" not in html and "Talk request 2" not in html


# Help routes editor -----------------------------------------------------------------------------
def test_admin_adds_a_route_with_validation_and_it_shows_on_every_page(client, schools):
    sign_in(client, "admin@a.test")
    bad = {"title": "School nurse", "detail": "Mondays", "phone": "ring 0123", "sms": "", "url": "http://nurse.test"}
    response = client.post("/safeguarding/help-routes/new", data=bad)
    assert response.status_code == 400
    assert "Use only numbers and spaces" in response.text and "Start the web address with https://" in response.text
    assert 'value="ring 0123"' in response.text and 'value="School nurse"' in response.text
    good = dict(bad, phone="01632 960000", url="https://nurse.example.org")
    assert client.post("/safeguarding/help-routes/new", data=good).status_code == 303
    html = client.get("/safeguarding/help-routes").text
    assert "School nurse" in html
    client.post("/sign-out")
    sign_in(client, schools["a"]["pupil_login"])
    panel = client.get("/course").text
    assert "School nurse" in panel and 'href="tel:01632960000"' in panel
    client.post("/sign-out")
    sign_in(client, schools["b"]["pupil_login"])
    assert "School nurse" not in client.get("/course").text


def test_admin_edits_reorders_and_removes_routes_but_never_999(client, schools, db):
    school_id = schools["a"]["id"]
    routes = list(db.query("SELECT * FROM help_routes WHERE school_id = ? ORDER BY position", [school_id]))
    emergency, childline, ceop = routes[0], routes[1], routes[2]
    sign_in(client, "admin@a.test")
    edit = {"title": "Childline (24 hours)", "detail": "Free", "phone": "0800 1111", "sms": "", "url": ""}
    assert client.post(f"/safeguarding/help-routes/{childline['id']}/edit", data=edit).status_code == 303
    assert db["help_routes"].get(childline["id"])["title"] == "Childline (24 hours)"
    assert db["help_routes"].get(childline["id"])["url"] is None

    client.post(f"/safeguarding/help-routes/{ceop['id']}/move", data={"direction": "up"})
    order = [r["id"] for r in db.query("SELECT id FROM help_routes WHERE school_id = ? ORDER BY position", [school_id])]
    assert order[:3] == [emergency["id"], ceop["id"], childline["id"]]
    # Nothing moves above 999.
    client.post(f"/safeguarding/help-routes/{ceop['id']}/move", data={"direction": "up"})
    assert help_routes_for(db, school_id)[0]["id"] == emergency["id"]

    confirm = client.get(f"/safeguarding/help-routes/{ceop['id']}/remove")
    assert confirm.status_code == 200 and "Remove" in confirm.text
    assert db["help_routes"].get(ceop["id"])  # a GET removes nothing
    assert client.post(f"/safeguarding/help-routes/{ceop['id']}/remove").status_code == 303
    assert not list(db.query("SELECT id FROM help_routes WHERE id = ?", [ceop["id"]]))

    client.post(f"/safeguarding/help-routes/{emergency['id']}/remove")
    assert db["help_routes"].get(emergency["id"])
    assert [r["action"] for r in audit_rows(db, school_id)].count("help-routes") == 3


def test_help_routes_are_scoped_to_the_admins_school(client, schools, db):
    other = next(db.query("SELECT id FROM help_routes WHERE school_id = ? LIMIT 1 OFFSET 1", [schools["b"]["id"]]))
    sign_in(client, "admin@a.test")
    assert client.get(f"/safeguarding/help-routes/{other['id']}/edit").status_code == 404
    assert client.post(f"/safeguarding/help-routes/{other['id']}/remove").status_code == 404
    assert client.post(f"/safeguarding/help-routes/{other['id']}/move", data={"direction": "up"}).status_code == 404
    assert db["help_routes"].get(other["id"])
    client.post("/sign-out")
    sign_in(client, "dsl@a.test")
    assert client.get("/safeguarding/help-routes").status_code == 403


def test_admin_sets_the_dsls_name_and_where_to_find_them(client, schools, db):
    sign_in(client, "admin@a.test")
    data = {"dsl_name": "Mrs Kaur", "dsl_where": "The pastoral office"}
    assert client.post("/safeguarding/help-routes", data=data).status_code == 303
    assert db["schools"].get(schools["a"]["id"])["dsl_name"] == "Mrs Kaur"
    html = client.get("/safeguarding/help-routes").text
    assert "At school: Mrs Kaur" in html and "The pastoral office" in html
