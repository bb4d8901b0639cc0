"""The staff course: taken by staff on the pupils' engine, a certificate that verifies, who has completed it (DSL,
deputies, admins), and the school's rule that it comes before teaching the pupils' course.

Nothing here names the course's lessons, questions or answers: they are read from the loaded course, so the tests
hold for whatever content the staff course has."""

import io
import re
from datetime import datetime, timedelta

import pytest
from markupsafe import escape
from pypdf import PdfReader

from db import write_transaction
from training.courses import course_for_year

from helpers import (
    complete_staff_course,
    right_answers,
    sign_in,
    staff_check_url,
    staff_course_of,
    staff_quiz_url,
    submit_quiz,
    wrong_answers,
)

BASE = "https://training.example.test"


@pytest.fixture
def staff_course(app):
    return staff_course_of(app)


@pytest.fixture
def school(make_school, make_staff, make_pupil, make_class):
    """Hillside: a teacher with a class, another teacher, a DSL, a deputy DSL, an admin and a pupil."""
    school_id = make_school()
    people = {
        "teacher": make_staff(school_id, "tara@hill.test", first_name="Tara", last_name="Jones"),
        "other": make_staff(school_id, "omar@hill.test", first_name="Omar", last_name="Ross"),
        "dsl": make_staff(school_id, "dee@hill.test", role="dsl", first_name="Dee", last_name="Lead"),
        "deputy": make_staff(school_id, "dan@hill.test", role="dsl", first_name="Dan", last_name="Deputy"),
        "admin": make_staff(school_id, "ada@hill.test", role="admin", first_name="Ada", last_name="Admin"),
        "pupil": make_pupil(school_id, "ryan.d", first_name="Ryan"),
    }
    people["class_id"] = make_class(school_id, "8B", people["teacher"], [people["pupil"]])
    people["school_id"] = school_id
    return people


def signed_in(app, email):
    """A new test client, signed in as `email`."""
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client


def html(text):
    """Content text as a page shows it (escaped: the real content's apostrophes and quotes too)."""
    return str(escape(text))


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def backdate(db, person_id, days):
    """Move the person's staff course completion `days` into the past (as if completed then)."""
    row = next(db.query("SELECT id, issued_at FROM certificates WHERE pupil_id = ?", [person_id]))
    with write_transaction(db):
        db.execute("UPDATE certificates SET issued_at = ? WHERE id = ?", [shifted(row["issued_at"], -days), row["id"]])


def shifted(stamp, days):
    """An ISO time `days` later (earlier when negative)."""
    return (datetime.fromisoformat(stamp) + timedelta(days=days)).isoformat()


# The course, kept apart --------------------------------------------------------------------------------------------
def test_the_staff_course_is_loaded_apart_so_no_pupil_or_class_ever_gets_it(app, staff_course, db, school):
    pupils_courses = app.extensions["courses"]
    assert staff_course.for_staff and staff_course.id not in pupils_courses
    assert staff_course.year_groups == () and staff_course.route_label == staff_course.audience
    with app.test_request_context():
        assert all(course_for_year(year).id != staff_course.id for year in (None, *range(1, 14)))
    # Its ids share no id with a pupils' course (attempts and progress are stored by them).
    staff_ids = {q.id for quiz in staff_course.quizzes() for q in quiz.questions}
    assert all(q.id.startswith("staff-") for quiz in staff_course.quizzes() for q in quiz.questions)
    assert not staff_ids & {q.id for c in pupils_courses.values() for quiz in c.quizzes() for q in quiz.questions}
    # Not offered as a class's course, and a pupil cannot open it on either engine's URLs.
    teacher = signed_in(app, "tara@hill.test")
    assert staff_course.id not in teacher.get(f"/classes/{school['class_id']}").text
    pupil = signed_in(app, "ryan.d")
    lesson = staff_course.lessons[0]
    assert pupil.get("/staff/training/").status_code == 403
    assert pupil.get(staff_quiz_url(staff_course, lesson)).status_code == 403
    assert pupil.get(f"/courses/{staff_course.id}/lessons/{lesson.id}/").status_code == 404
    assert html(staff_course.title) not in pupil.get("/course").text


# Taking it ---------------------------------------------------------------------------------------------------------
def test_a_teacher_takes_the_course_keeps_their_place_and_downloads_a_certificate_that_verifies(
    app, staff_course, db, school
):
    client = signed_in(app, "tara@hill.test")
    first = staff_course.lessons[0]
    # "Course & teacher notes" offers the staff course; the first thing to do is lesson 1 (no check before it).
    notes = client.get("/staff/course", follow_redirects=True).text
    assert html(staff_course.certificate_title) in notes
    assert f"/staff/training/{staff_course.id}/lessons/{first.id}/" in notes
    # Open the last step of lesson 1, leave, come back: the lesson opens where they left it.
    last = len(first.steps)
    assert client.get(f"/staff/training/{staff_course.id}/lessons/{first.id}/steps/{last}").status_code == 200
    back = client.get(f"/staff/training/{staff_course.id}/lessons/{first.id}/")
    assert back.headers["Location"].endswith(f"/lessons/{first.id}/steps/{last}")
    notes = client.get("/staff/course", follow_redirects=True).text
    assert f"/staff/training/{staff_course.id}/lessons/{first.id}/quiz" in notes  # their place: the quiz is next
    # A failed quiz gives feedback on every option but does not complete the lesson.
    failed = submit_quiz(client, staff_quiz_url(staff_course, first), first.quiz, wrong_answers(first.quiz))
    assert failed.status_code == 303 and f"/staff/training/{staff_course.id}/attempts/" in failed.headers["Location"]
    assert "Not quite" in client.get(failed.headers["Location"]).text
    done = complete_staff_course(client, staff_course)
    assert done.status_code == 303
    feedback = client.get(done.headers["Location"]).text
    assert "You passed" in feedback
    [certificate] = db.query("SELECT * FROM certificates WHERE pupil_id = ?", [school["teacher"]])
    assert certificate["course_id"] == staff_course.id
    assert certificate["course_title"] == staff_course.certificate_title
    # The real PDF: its title and the verify address, read back.
    pdf = client.get("/staff/training/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader, text = pdf_text(pdf.data)
    assert staff_course.certificate_title in text and "Tara Jones" in text
    assert f"{BASE}/verify/{certificate['code']}" in text
    assert staff_course.certificate_title in reader.metadata.title
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])  # tagged
    # The public verify page: valid, the course's title, initials only.
    verify = app.test_client().get(f"/verify/{certificate['code']}").text
    assert "Valid." in verify and html(staff_course.certificate_title) in verify
    assert "Member of staff" in verify and "T. J." in verify and "Tara" not in verify


def test_the_final_check_must_be_passed_to_complete_the_staff_course(app, staff_course, db, school):
    client = signed_in(app, "tara@hill.test")
    for lesson in staff_course.lessons:
        submit_quiz(client, staff_quiz_url(staff_course, lesson), lesson.quiz, right_answers(lesson.quiz))
    failed = submit_quiz(client, staff_check_url(staff_course), staff_course.checks, wrong_answers(staff_course.checks))
    assert "Not quite yet" in client.get(failed.headers["Location"]).text
    assert not list(db.query("SELECT id FROM certificates WHERE pupil_id = ?", [school["teacher"]]))
    submit_quiz(client, staff_check_url(staff_course), staff_course.checks, right_answers(staff_course.checks))
    assert len(list(db.query("SELECT id FROM certificates WHERE pupil_id = ?", [school["teacher"]]))) == 1


def test_only_the_member_of_staff_sees_their_own_answers(app, staff_course, db, school):
    client = signed_in(app, "tara@hill.test")
    lesson = staff_course.lessons[0]
    response = submit_quiz(client, staff_quiz_url(staff_course, lesson), lesson.quiz, right_answers(lesson.quiz))
    attempt_url = response.headers["Location"]
    assert client.get(attempt_url).status_code == 200
    for email in ("omar@hill.test", "dee@hill.test", "ada@hill.test"):
        assert signed_in(app, email).get(attempt_url).status_code == 404


def test_a_completion_due_again_is_renewed_by_passing_the_final_check(app, staff_course, db, school):
    client = signed_in(app, "tara@hill.test")
    complete_staff_course(client, staff_course)
    # Passing again within the year changes nothing: one certificate.
    submit_quiz(client, staff_check_url(staff_course), staff_course.checks, right_answers(staff_course.checks))
    assert len(list(db.query("SELECT id FROM certificates WHERE pupil_id = ?", [school["teacher"]]))) == 1
    backdate(db, school["teacher"], 400)
    page = client.get("/staff/training/").text
    assert "due again" in page and f"/staff/training/{staff_course.id}/checks/final" in page
    submit_quiz(client, staff_check_url(staff_course), staff_course.checks, right_answers(staff_course.checks))
    rows = list(
        db.query("SELECT code, issued_at FROM certificates WHERE pupil_id = ? ORDER BY id", [school["teacher"]])
    )
    assert len(rows) == 2 and rows[1]["issued_at"] > rows[0]["issued_at"]
    assert "Valid." in app.test_client().get(f"/verify/{rows[0]['code']}").text  # the earlier one stays genuine


# Who has done it ---------------------------------------------------------------------------------------------------
def test_the_dsl_deputies_and_admins_see_who_completed_it_and_when_never_scores(app, staff_course, db, school):
    complete_staff_course(signed_in(app, "tara@hill.test"), staff_course)
    lesson = staff_course.lessons[0]
    submit_quiz(signed_in(app, "omar@hill.test"), staff_quiz_url(staff_course, lesson), lesson.quiz,
                wrong_answers(lesson.quiz))  # fmt: skip
    for email in ("dee@hill.test", "dan@hill.test", "ada@hill.test"):
        page = signed_in(app, email).get("/staff/training/completions")
        assert page.status_code == 200
        tara = re.search(r"Tara Jones</th>(.*?)</tr>", page.text, re.S).group(1)
        omar = re.search(r"Omar Ross</th>(.*?)</tr>", page.text, re.S).group(1)
        assert "Done" in tara and "Not yet" in omar and "Not done" in omar
        assert "%" not in page.text and "score" not in page.text.lower().replace("scores are never shown", "")
    for email in ("omar@hill.test", "ryan.d"):
        assert signed_in(app, email).get("/staff/training/completions").status_code == 403
    # A year and a day on, the completion is due again.
    backdate(db, school["teacher"], 366)
    page = signed_in(app, "dee@hill.test").get("/staff/training/completions").text
    assert "Due again" in re.search(r"Tara Jones</th>(.*?)</tr>", page, re.S).group(1)


def test_the_dsl_and_admins_have_facilitator_notes_for_running_it_with_a_group(app, staff_course, school):
    url = f"/staff/training/{staff_course.id}/facilitator"
    for email in ("dee@hill.test", "ada@hill.test"):
        page = signed_in(app, email).get(url)
        assert page.status_code == 200
        for lesson in staff_course.lessons:
            assert html(lesson.title) in page.text and html(lesson.teacher_notes["objectives"][0]) in page.text
    assert signed_in(app, "tara@hill.test").get(url).status_code == 403
    assert signed_in(app, "dee@hill.test").get("/staff/training/another-course/facilitator").status_code == 404


def test_another_schools_staff_are_not_listed(app, staff_course, make_school, make_staff, school):
    other = make_school("Other School")
    make_staff(other, "zed@other.test", first_name="Zed", last_name="Elsewhere")
    page = signed_in(app, "dee@hill.test").get("/staff/training/completions").text
    assert "Tara Jones" in page and "Zed" not in page


# The school's rule -------------------------------------------------------------------------------------------------
def test_the_setting_is_off_by_default_and_its_change_is_audited(app, db, school):
    admin = signed_in(app, "ada@hill.test")
    assert "Now: <strong>off</strong>" in admin.get("/admin/staff-course").text
    assert signed_in(app, "tara@hill.test").get("/admin/staff-course").status_code == 403
    saved = admin.post("/admin/staff-course", data={"required": "yes"})
    assert saved.status_code == 303
    assert db["schools"].get(school["school_id"])["staff_course_required"] == 1
    [entry] = db.query("SELECT * FROM audit_log WHERE action = 'staff-course-setting'")
    assert entry["staff_id"] == school["admin"] and entry["school_id"] == school["school_id"]
    assert admin.post("/admin/staff-course", data={}).status_code == 400  # a choice is needed


def test_with_the_setting_on_a_teacher_completes_the_course_before_teaching_and_then_can(app, staff_course, db, school):
    class_id, lesson_id = school["class_id"], app.extensions["courses"]["online-blackmail-11-13"].lessons[0].id
    teacher = signed_in(app, "tara@hill.test")
    # Off: a live lesson starts.
    assert teacher.post(f"/classes/{class_id}/live", data={"lesson_id": lesson_id}).status_code == 303
    db.execute("UPDATE live_sessions SET ended_at = '2026-01-01T00:00:00+00:00'")
    db.conn.commit()
    signed_in(app, "ada@hill.test").post("/admin/staff-course", data={"required": "yes"})
    # On: asked to complete the course, with a link to it, and the lesson chosen kept in the page's form.
    asked = teacher.post(f"/classes/{class_id}/live", data={"lesson_id": lesson_id})
    assert asked.status_code == 403
    assert "Complete the staff course first" in asked.text and 'href="/staff/training/' in asked.text
    assert f'name="lesson_id" value="{lesson_id}"' in asked.text
    assert not list(db.query("SELECT id FROM live_sessions WHERE ended_at IS NULL"))
    # Setting a class's course and making a class are asked for too; what was typed comes back.
    course_id = app.extensions["courses"]["online-blackmail-14-18"].id
    asked = teacher.post(f"/classes/{class_id}/route", data={"course_id": course_id})
    assert asked.status_code == 403 and f'value="{course_id}"' in asked.text
    asked = teacher.post("/classes", data={"name": "9Z new class", "year_group": "9", "course_id": ""})
    assert asked.status_code == 403 and 'value="9Z new class"' in asked.text
    # Once done, the staff course's page offers to carry on with the last thing asked (the new class, as typed),
    # and the live lesson starts.
    complete_staff_course(teacher, staff_course)
    page = teacher.get("/staff/training/").text
    assert "You can carry on" in page and 'value="9Z new class"' in page and 'action="/classes"' in page
    started = teacher.post(f"/classes/{class_id}/live", data={"lesson_id": lesson_id})
    assert started.status_code == 303 and "/teach" in started.headers["Location"]
    # A year and a day later, it is due again and asked for again.
    backdate(db, school["teacher"], 366)
    assert teacher.post(f"/classes/{class_id}/route", data={"course_id": course_id}).status_code == 403


def test_with_the_setting_on_the_dsl_and_admins_are_asked_too(app, db, school):
    signed_in(app, "ada@hill.test").post("/admin/staff-course", data={"required": "yes"})
    for email in ("dee@hill.test", "ada@hill.test"):
        asked = signed_in(app, email).post("/classes", data={"name": f"New {email}", "year_group": "8"})
        assert asked.status_code == 403 and "Complete the staff course first" in asked.text


# Provider sign-in --------------------------------------------------------------------------------------------------
# In tests/accounts/test_staff_course_sign_in.py (it needs the loopback OpenID Provider's app).
