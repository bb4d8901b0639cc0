"""The evidence pack: each statement, the classes taught it, when, and how many pupils (small numbers hidden)."""

import csv
import io
from datetime import date

import pytest

from db import write_transaction
from progress.evidence import build_pack, margin_points
from training.curriculum import load_statements

from helpers import OLDER, YOUNGER, sign_in

MINIMUM = 5


@pytest.fixture
def rshe():
    """The RSHE statements the course maps to."""
    return load_statements()


# ---------------------------------------------------------------- the rules


def klass(course, class_id=1, name="8B", pupils=28):
    return {"id": class_id, "name": name, "course": course, "pupils": pupils}


def test_a_class_is_taught_a_statement_by_its_routes_lessons_and_counts_pupils_who_completed_one(app, rshe):
    course = app.extensions["courses"][YOUNGER]
    ai = next(s for s in rshe if s.id == "ai-sexual-imagery-deepfakes")
    teaching = [lesson for lesson in course.lessons if ai.id in lesson.rshe]
    assert [lesson.id for lesson in teaching] == ["what-is-online-blackmail", "the-law-and-you"]
    done = [(1, pupil, teaching[0].id, date(2026, 3, 2 + pupil % 3)) for pupil in range(1, 7)]
    done += [(1, 1, teaching[1].id, date(2026, 3, 20)), (1, 99, "spotting-the-signs", date(2026, 3, 9))]
    pack = build_pack([ai], [klass(course)], done, MINIMUM)
    row = pack[0].classes[0]
    assert row.lessons == tuple(teaching)
    assert (row.pupils.text, row.class_size.text) == ("6", "28")  # pupil 1 counted once; pupil 99's lesson is another
    assert (row.first_day, row.last_day, row.days_shown) == (date(2026, 3, 2), date(2026, 3, 20), True)
    assert row.live_days == ()


def test_fewer_pupils_than_the_minimum_show_as_fewer_and_hide_their_days(app, rshe):
    course = app.extensions["courses"][YOUNGER]
    first = course.lessons[0]
    pack = build_pack(rshe, [klass(course, pupils=3)], [(1, 7, first.id, date(2026, 3, 2))], MINIMUM)
    row = pack[0].classes[0]
    assert (row.pupils.text, row.class_size.text) == ("fewer than 5", "fewer than 5")
    assert row.first_day == date(2026, 3, 2) and not row.days_shown


def test_the_live_lesson_seam_says_taught_live_on_its_day(app, rshe):
    course = app.extensions["courses"][OLDER]
    lesson = course.lessons[2]
    live = {(4, lesson.id): [date(2026, 5, 12)]}
    pack = build_pack(rshe, [klass(course, class_id=4, name="10A")], [], MINIMUM, live)
    rows = [item.classes[0] for item in pack if lesson in item.classes[0].lessons]
    assert rows and all(row.live_days == (date(2026, 5, 12),) for row in rows)


def test_every_statement_is_in_the_pack_in_file_order_for_both_routes(app, rshe):
    courses = app.extensions["courses"]
    classes = [klass(courses[YOUNGER], 1, "8B"), klass(courses[OLDER], 2, "10A")]
    pack = build_pack(rshe, classes, [], MINIMUM)
    assert [item.statement.id for item in pack] == [s.id for s in rshe]
    for item in pack:
        if item.statement.topic.key:
            assert len(item.classes_taught) == 2, item.statement.id


# ---------------------------------------------------------------- the pages


@pytest.fixture
def school_with_classes(make_school, make_staff, make_class, make_pupil, db, app):
    """Hillside: 8B (younger route) with 6 pupils, 5 of whom completed lesson 1; 10A (older) with 3, 2 completed."""
    school = make_school("Hillside Academy")
    teacher = make_staff(school, "teacher@hillside.test")
    other_teacher = make_staff(school, "other@hillside.test")
    make_staff(school, "admin@hillside.test", role="admin")
    make_staff(school, "dsl@hillside.test", role="dsl")
    younger = make_class(school, "8B", teacher_id=teacher, course_id=YOUNGER)
    older = make_class(school, "10A", teacher_id=other_teacher, year_group=10, course_id=OLDER)
    courses = app.extensions["courses"]
    for class_id, course_id, size, completing in ((younger, YOUNGER, 6, 5), (older, OLDER, 3, 2)):
        lesson = courses[course_id].lessons[0]
        for n in range(size):
            pupil = make_pupil(school, f"p{class_id}.{n}", first_name="Quillon", last_name=f"Farthingale{n}",
                               class_id=class_id)  # fmt: skip
            if n < completing:
                with write_transaction(db):
                    db["lesson_progress"].insert(
                        {"pupil_id": pupil, "course_id": course_id, "lesson_id": lesson.id, "current_step": 1,
                         "furthest_step": len(lesson.steps), "started_at": "2026-03-02T09:00:00+00:00",
                         "updated_at": "2026-03-03T10:00:00+00:00", "completed_at": f"2026-03-0{3 + n % 2}T10:00:00"}
                    )  # fmt: skip
    other_school = make_school("Riverside High")
    make_class(other_school, "Riverside 8X", course_id=YOUNGER)
    return {"school": school, "younger": younger, "older": older}


def row_text(page, statement_id, class_id):
    start = page.index(f'data-statement="{statement_id}"')
    row = page.index(f'data-class="{class_id}"', start)
    return page[row : page.index("</tr>", row)]


def test_a_teacher_sees_their_class_pack_with_counts_and_days(client, school_with_classes):
    sign_in(client, "teacher@hillside.test")
    response = client.get(f"/classes/{school_with_classes['younger']}/evidence")
    assert response.status_code == 200
    page = response.text
    row = row_text(page, "online-sexual-abuse-sextortion", school_with_classes["younger"])
    assert "Lesson 1: What is online blackmail?" in row
    assert "5 of 6" in row and "between 3 Mar 2026 and 4 Mar 2026" in row
    assert "Paragraph number to be checked" in page
    assert "Farthingale" not in page and "Quillon" not in page and "10A" not in page


def test_a_teacher_cannot_open_another_teachers_class_or_the_school_pack(client, school_with_classes):
    sign_in(client, "teacher@hillside.test")
    assert client.get(f"/classes/{school_with_classes['older']}/evidence").status_code == 404
    assert client.get("/evidence").status_code == 403


@pytest.mark.parametrize("who", ["admin@hillside.test", "dsl@hillside.test"])
def test_admins_and_dsls_see_the_school_pack_with_small_numbers_hidden(client, school_with_classes, who):
    sign_in(client, who)
    response = client.get("/evidence")
    assert response.status_code == 200
    page = response.text
    older = row_text(page, "online-sexual-abuse-sextortion", school_with_classes["older"])
    assert "fewer than 5 of fewer than 5" in older and "dates not shown" in older and "Mar 2026" not in older
    younger = row_text(page, "online-sexual-abuse-sextortion", school_with_classes["younger"])
    assert "5 of 6" in younger
    assert "Riverside" not in page and "Farthingale" not in page and "Quillon" not in page


def test_signed_out_visitors_are_sent_to_sign_in(client, school_with_classes):
    assert client.get("/evidence").status_code == 302
    assert client.get(f"/classes/{school_with_classes['younger']}/evidence").status_code == 302


# ---------------------------------------------------------------- what the class learned


def test_the_margin_narrows_with_more_pupils_and_is_none_for_none():
    assert [margin_points(n) for n in (0, 1, 6, 30, 200)] == [None, 139, 57, 26, 10]


def take_checks(db, pupil, course, right_at):
    """A baseline and a final check for `pupil`: every scored answer right only in the phases in `right_at`."""
    for number, phase in enumerate(("baseline", "final")):
        with write_transaction(db):
            attempt = db["attempts"].insert(
                {"pupil_id": pupil, "course_id": course.id, "quiz_id": course.checks.id, "phase": phase,
                 "content_version": "x", "token": f"{pupil}-{phase}", "score": 0, "max_score": 1, "percent": 0,
                 "passed": 1, "submitted_at": f"2026-03-0{2 + number}T10:00:00+00:00"}
            ).last_pk  # fmt: skip
            db["answers"].insert_all(
                {"attempt_id": attempt, "question_id": q.id, "question_type": q.type, "topic": q.topic,
                 "response": "[]", "correct": 1 if phase in right_at else 0}
                for q in course.checks.marked_questions
            )  # fmt: skip


def test_the_class_pack_shows_the_gain_per_topic_with_its_margin(client, school_with_classes, db, app):
    course = app.extensions["courses"][YOUNGER]
    pupils = [row["person_id"] for row in db.query("SELECT person_id FROM class_pupils WHERE class_id = ?",
                                                    [school_with_classes["younger"]])]  # fmt: skip
    for pupil in pupils:
        take_checks(db, pupil, course, right_at=("final",))
    sign_in(client, "teacher@hillside.test")
    page = client.get(f"/classes/{school_with_classes['younger']}/evidence").text
    assert "Pupils who took both checks: 6. Margin: about ±57 points." in page
    table = page[page.index('id="evidence-learning"') :]
    assert "0%" in table and "100%" in table and "+100" in table and "Yes" in table
    assert "What pupils believe (class totals only)" in page and "How sure pupils feel" in page


def test_too_few_pupils_for_a_meaningful_gain_show_no_figures(client, school_with_classes, db, app, make_staff):
    course = app.extensions["courses"][OLDER]
    pupils = [row["person_id"] for row in db.query("SELECT person_id FROM class_pupils WHERE class_id = ?",
                                                    [school_with_classes["older"]])]  # fmt: skip
    for pupil in pupils[:2]:
        take_checks(db, pupil, course, right_at=("final",))
    sign_in(client, "admin@hillside.test")
    page = client.get(f"/classes/{school_with_classes['older']}/evidence").text
    assert "data-learning-hidden" in page and 'id="evidence-learning"' not in page
    assert "+100" not in page


def test_the_pack_downloads_as_csv_in_the_screens_words(client, school_with_classes, db):
    with write_transaction(db):
        db["classes"].update(school_with_classes["younger"], {"name": "=8B"})  # a formula never runs
    sign_in(client, "admin@hillside.test")
    response = client.get("/evidence.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["Statement", "Statement wording"]
    younger = next(r for r in rows if r[0] == "online-sexual-abuse-sextortion" and r[4] == "'=8B")
    assert younger[6].startswith("Lesson 1: What is online blackmail?")
    assert younger[7] == "Completed on their own between 3 Mar 2026 and 4 Mar 2026" and younger[8:] == ["5", "6"]
    older = next(r for r in rows if r[0] == "online-sexual-abuse-sextortion" and r[4] == "10A")
    assert older[7] == "Completed on their own (dates not shown)" and older[8:] == ["fewer than 5", "fewer than 5"]
    assert "Farthingale" not in response.get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, "teacher@hillside.test")
    assert client.get("/evidence.csv").status_code == 403
    own = client.get(f"/classes/{school_with_classes['younger']}/evidence.csv")
    assert own.status_code == 200 and "10A" not in own.get_data(as_text=True)
