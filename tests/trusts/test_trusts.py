"""Trusts: the lead's figures across the trust's schools, never a pupil and never
another trust's school; small numbers hidden; the CSV; the operator's trust screens; the lead's invite."""

import csv
import io
import re
import secrets
import sqlite3

import pytest

from accounts.queries import create_person, create_school
from db import now, write_transaction
from jobs import run_pending
from trusts import queries

from helpers import PASSWORD, sign_in

# Planted in the lead's own school and in another trust's school: no trust page may ever show them.
OWN_PUPIL = ("Zephyrine", "Quartzfield", "zephyrine.q")
OTHER_PUPIL = ("Quillon", "Marshwick", "quillon.m")


def add_school(db, name, trust_id=None):
    school_id = create_school(db, name)
    if trust_id:
        with write_transaction(db):
            db.execute("UPDATE schools SET trust_id = ? WHERE id = ?", [trust_id, school_id])
    return school_id


def add_org(db, name, kind):
    with write_transaction(db):
        return db["schools"].insert({"name": name, "kind": kind, "created_at": now()}).last_pk


def add_pupils(db, school_id, prefix, n, planted=None):
    people = [planted] if planted else []
    people += [(f"{prefix.capitalize()}{i}", "Pupil", f"{prefix}{i}") for i in range(n - len(people))]
    return [
        create_person(db, school_id, "pupil", first, PASSWORD, last_name=last, username=username, year_group=8)
        for first, last, username in people
    ]


def attempt(db, pupil_id, course, quiz_id, phase, percent, answers=()):
    """An attempt (passed when percent >= 80) with its answers: (question_id, response, correct)."""
    with write_transaction(db):
        attempt_id = (
            db["attempts"]
            .insert(
                {
                    "pupil_id": pupil_id,
                    "course_id": course.id,
                    "quiz_id": quiz_id,
                    "phase": phase,
                    "content_version": "v",
                    "token": secrets.token_hex(8),
                    "score": percent,
                    "max_score": 100,
                    "percent": percent,
                    "passed": int(percent >= 80),
                    "submitted_at": now(),
                }  # fmt: skip
            )
            .last_pk
        )
        for question_id, response, correct in answers:
            db["answers"].insert(
                {
                    "attempt_id": attempt_id,
                    "question_id": question_id,
                    "question_type": "single",
                    "response": f'"{response}"',
                    "correct": correct,
                }  # fmt: skip
            )
    return attempt_id


def do_the_course(db, course, pupil_id, school_id, certificate=True):
    """Baseline 40%, every lesson passed (the first lesson's question answered wrongly at the first try), final 80%."""
    lesson = course.lessons[0]
    question = next(q for q in lesson.quiz.marked_questions if q.type == "single")
    wrong = next(o for o in question.options if not o.correct)
    attempt(db, pupil_id, course, course.checks.id, "baseline", 40)
    for i, each in enumerate(course.lessons):
        with write_transaction(db):
            db["lesson_progress"].insert(
                {
                    "pupil_id": pupil_id,
                    "course_id": course.id,
                    "lesson_id": each.id,
                    "current_step": 1,
                    "furthest_step": 1,
                    "started_at": now(),
                    "updated_at": now(),
                }  # fmt: skip
            )
        answers = [(question.id, wrong.id, 0)] if i == 0 else ()
        attempt(db, pupil_id, course, each.id, "lesson", 50 if i == 0 else 100, answers)
        if i == 0:
            attempt(db, pupil_id, course, each.id, "lesson", 100)
    attempt(db, pupil_id, course, course.checks.id, "final", 80)
    if certificate:
        with write_transaction(db):
            db["certificates"].insert(
                {
                    "code": secrets.token_hex(6),
                    "pupil_id": pupil_id,
                    "school_id": school_id,
                    "course_id": course.id,
                    "course_title": "Online safety",
                    "school_name": "x",
                    "issued_at": now(),
                }  # fmt: skip
            )
    return question


@pytest.fixture
def world(db, course, make_staff):
    """Trust T (schools A, 6 pupils all through the course, and B, 2 pupils), trust U (school C, 6 pupils),
    school D in no trust; T's two leads, U's lead, A's staff and an operator."""
    t = add_org(db, "Northfield Learning Trust", "trust")
    u = add_org(db, "Southgate Schools Trust", "trust")
    a = add_school(db, "Alder Academy", t)
    b = add_school(db, "Birch Primary", t)
    c = add_school(db, "Cedar College", u)
    d = add_school(db, "Damson School")
    a_pupils = add_pupils(db, a, "alder", 6, OWN_PUPIL)
    add_pupils(db, b, "birch", 2)
    c_pupils = add_pupils(db, c, "cedar", 6, OTHER_PUPIL)
    for pupil_id in a_pupils:
        question = do_the_course(db, course, pupil_id, a)
    for pupil_id in c_pupils:
        do_the_course(db, course, pupil_id, c)
    make_staff(t, "lead@northfield.test", "admin", "Lena", "Lead")
    make_staff(t, "second@northfield.test", "admin", "Sol", "Second")
    make_staff(u, "lead@southgate.test", "admin", "Uma", "Other")
    make_staff(a, "teacher@alder.test", "teacher")
    make_staff(a, "dsl@alder.test", "dsl")
    make_staff(a, "admin@alder.test", "admin")
    operator = add_org(db, "Service operator", "operator")
    make_staff(operator, "op@service.test", "admin", "Olu", "Operator")
    return {"t": t, "u": u, "a": a, "b": b, "c": c, "d": d, "question": question, "operator": operator}


def pupil_words():
    return [w for pupil in (OWN_PUPIL, OTHER_PUPIL) for w in pupil] + ["alder0", "cedar1", "birch0"]


# Who may see what --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "email", ["teacher@alder.test", "dsl@alder.test", "admin@alder.test", "op@service.test", "zephyrine.q"]
)
def test_only_trust_leads_reach_the_trust_pages(client, world, email):
    assert sign_in(client, email).status_code == 303
    for url in ("/trust", "/trust/reteach", "/trust/figures.csv", "/trust/staff"):
        assert client.get(url).status_code == 403, url


def test_signed_out_people_are_sent_to_sign_in(client, world):
    assert client.get("/trust").status_code == 302
    assert client.get("/console/trusts").status_code == 302


def test_a_trust_lead_reaches_neither_the_console_nor_a_schools_pages(client, world):
    assert sign_in(client, "lead@northfield.test").headers["Location"].endswith("/trust")
    for url in ("/console/trusts", f"/console/trusts/{world['t']}", "/classes", "/staff", "/reports"):
        assert client.get(url).status_code == 403, url
    assert client.post("/console/trusts", data={"name": "Mine"}).status_code == 403
    assert client.post(f"/console/trusts/{world['t']}/schools", data={"put-school_id": world["d"]}).status_code == 403


# The lead's figures ------------------------------------------------------------------------------
def seen(client, app, url):
    """The page once its figures are worked out: the first view queues the job, the worker (run here) stores them."""
    client.get(url)
    run_pending(app.extensions["huey"])
    return client.get(url)


def school_row(html, school_id):
    row = re.search(rf'<tr data-school="{school_id}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def test_the_lead_sees_each_of_their_schools_figures_and_no_other(client, app, world, course):
    sign_in(client, "lead@northfield.test")
    page = seen(client, app, "/trust")
    assert page.status_code == 200
    html = page.text
    assert "Alder Academy" in html and "Birch Primary" in html
    for other in ("Cedar College", "Damson School", "Southgate"):
        assert other not in html
    lessons = len(course.lessons)
    # Alder: 6 pupils, all started, every lesson complete, 6 certificates, baseline 40%, final 80%.
    assert school_row(html, world["a"]) == ["Alder Academy", "6", "6", *["6"] * lessons, "6", "6", "40%", "80%"]
    # Birch: 2 pupils, under the minimum: every figure hidden.
    assert set(school_row(html, world["b"])[1:]) == {"fewer than 5"}
    # Re-teach: the question every Alder pupil missed at the first try, at Alder and across the trust.
    html = client.get("/trust/reteach").text  # the same job stored re-teach's rows
    assert "Cedar College" not in html
    across = html.split('id="trust-missed"', 1)[1].split("</table>", 1)[0]
    assert f'data-question="{world["question"].id}"' in across
    per_school = html.split('id="trust-missed-schools"', 1)[1]
    alder = school_row(per_school, world["a"])
    assert alder[0] == "Alder Academy" and world["question"].prompt in alder[1] and alder[2] == "0%"
    assert "No question answered by 5 or more pupils yet" in school_row(per_school, world["b"])[1]


def test_no_pupil_is_ever_named_on_a_trust_page_or_in_the_csv(client, app, world):
    sign_in(client, "lead@northfield.test")
    urls = ("/trust", "/trust/reteach", "/trust/figures.csv", "/trust/staff", "/trust?course=online-blackmail-14-18")
    for url in urls:
        response = seen(client, app, url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        for word in pupil_words():
            assert word not in text, (url, word)


def test_the_csv_is_the_same_table_with_safe_cells(client, app, db, world):
    with write_transaction(db):
        db.execute("UPDATE schools SET name = ? WHERE id = ?", ['=HYPERLINK("http://evil","x")', world["b"]])
    sign_in(client, "lead@northfield.test")
    assert client.get("/trust/figures.csv").status_code == 302  # none stored yet: to the page that says so
    response = seen(client, app, "/trust/figures.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["School", "Pupils", "Started"]
    names = [r[0] for r in rows[1:]]
    assert "Alder Academy" in names and '\'=HYPERLINK("http://evil","x")' in names  # a formula never runs
    assert "Cedar College" not in names
    alder = next(r for r in rows if r[0] == "Alder Academy")
    assert alder[1:3] == ["6", "6"] and alder[-2:] == ["40%", "80%"]
    assert rows[-1][0] == "All schools in the trust" and rows[-1][1] == "at least 6"


def test_the_minimum_count_comes_from_config(client, app, world):
    sign_in(client, "lead@northfield.test")
    assert set(school_row(seen(client, app, "/trust").text, world["b"])[1:]) == {"fewer than 5"}
    # The rules run on the stored rows at each view: a new minimum applies at once, with no job run.
    app.config["TRUST_MIN_COUNT"] = 2
    birch = school_row(client.get("/trust").text, world["b"])
    assert birch[1:3] == ["2", "fewer than 2"]  # 2 pupils; none started
    assert "fewer than 2" in birch


def test_an_offboarded_school_leaves_the_trusts_figures(client, app, db, world):
    with write_transaction(db):
        db.execute("UPDATE schools SET offboarded_at = ? WHERE id = ?", [now(), world["a"]])
    sign_in(client, "lead@northfield.test")
    assert "Alder Academy" not in seen(client, app, "/trust").text


def test_the_lead_sees_their_trusts_leads_only(client, world):
    sign_in(client, "lead@northfield.test")
    page = client.get("/trust/staff").text
    assert "Sol Second" in page and "second@northfield.test" in page
    assert "Uma" not in page and "southgate" not in page


def test_every_figure_query_uses_an_index(db, world, course):
    """At 40,000 pupils no table may be read whole: each query starts from the trust's schools and follows indexes."""
    if not isinstance(db.conn, sqlite3.Connection):
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    for name, plan in queries.explain(db, world["t"], course).items():
        scans = [line for line in plan if line.startswith("SCAN") and line.split()[1] not in ("done", "best", "f")]
        assert not scans, (name, plan)


# The operator's trust screens --------------------------------------------------------------------
def audit_actions(db, school_id):
    return [(r["action"], r["subject_type"], r["subject_id"]) for r in db.query(
        "SELECT * FROM audit_log WHERE school_id = ? ORDER BY id", [school_id])]  # fmt: skip


def test_the_operator_creates_renames_and_fills_a_trust(client, db, world):
    sign_in(client, "op@service.test")
    assert client.get("/console/trusts").status_code == 200
    created = client.post("/console/trusts", data={"name": "Eastbrook Trust"})
    assert created.status_code == 303
    trust = next(db.query("SELECT * FROM schools WHERE name = 'Eastbrook Trust'"))
    assert trust["kind"] == "trust"
    assert client.post("/console/trusts", data={"name": "eastbrook trust"}).status_code == 400  # taken, any case

    url = f"/console/trusts/{trust['id']}"
    assert client.post(f"{url}/name", data={"rename-name": "Eastbrook Schools"}).status_code == 303
    assert next(db.query("SELECT name FROM schools WHERE id = ?", [trust["id"]]))["name"] == "Eastbrook Schools"

    page = client.get(url).text
    assert "Damson School" in page and "Cedar College" not in page  # only schools in no trust are offered
    assert client.post(f"{url}/schools", data={"put-school_id": world["d"]}).status_code == 303
    # A school is in at most one trust: Cedar (in Southgate) cannot be put in.
    assert client.post(f"{url}/schools", data={"put-school_id": world["c"]}).status_code == 400
    rows = {r["id"]: r["trust_id"] for r in db.query("SELECT id, trust_id FROM schools")}
    assert (rows[world["d"]], rows[world["c"]]) == (trust["id"], world["u"])

    assert client.post(f"{url}/schools/{world['c']}/out").status_code == 404  # not in this trust
    assert client.post(f"{url}/schools/{world['d']}/out").status_code == 303
    assert next(db.query("SELECT trust_id FROM schools WHERE id = ?", [world["d"]]))["trust_id"] is None

    assert audit_actions(db, world["operator"]) == [
        ("trust-create", "trust", trust["id"]),
        ("trust-rename", "trust", trust["id"]),
        ("trust-school-in", "school", world["d"]),
        ("trust-school-out", "school", world["d"]),
    ]
    # The school's own log shows when a trust began and stopped seeing its figures.
    assert audit_actions(db, world["d"]) == [
        ("trust-school-in", "trust", trust["id"]),
        ("trust-school-out", "trust", trust["id"]),
    ]
    assert client.get(f"/console/trusts/{world['a']}").status_code == 404  # a school is not a trust


def test_an_invited_lead_chooses_a_password_once_and_sees_their_trust(client, app, db, world, smtp):
    sign_in(client, "op@service.test")
    url = f"/console/trusts/{world['t']}"
    invite = {"lead-first_name": "Nadia", "lead-last_name": "New", "lead-email": "nadia@northfield.test"}
    assert client.post(f"{url}/leads", data=invite).status_code == 303
    assert client.post(f"{url}/leads", data=invite).status_code == 400  # that e-mail has an account now
    lead = next(db.query("SELECT * FROM people WHERE email = 'nadia@northfield.test'"))
    assert (lead["role"], lead["school_id"]) == ("admin", world["t"])
    assert ("trust-lead-invite", "staff", lead["id"]) in audit_actions(db, world["operator"])
    client.post("/sign-out")

    run_pending(app.extensions["huey"])
    assert smtp.messages[0]["to"] == ["nadia@northfield.test"]
    body = smtp.bodies()[0]
    link = re.search(r"https://training\.example\.test(/invite/\S+)", body).group(1)
    assert "Northfield Learning Trust" in body
    assert sign_in(client, "nadia@northfield.test", "anything").status_code != 303  # no password until chosen

    # The shared invite (console/invite_views.py): choose a password once, then signed in to the trust.
    assert client.get(link).status_code == 200
    chosen = "a long trust password"
    accepted = client.post(link, data={"password": chosen, "confirm": chosen})
    assert accepted.status_code == 303 and accepted.location.endswith("/trust")
    client.post("/sign-out")
    assert client.get(link).status_code == 404  # the link works once

    assert sign_in(client, "nadia@northfield.test", chosen).headers["Location"].endswith("/trust")
    assert "Alder Academy" in seen(client, app, "/trust").text
    assert "Nadia New" in client.get("/trust/staff").text
