"""Two age routes on one engine: a class's route, the pupil's course, closing page, staff pages, migration."""

from pathlib import Path

import pytest
from sqlite_utils import Database

from classroom.queries import create_class
from db import migrate

from helpers import OLDER, YOUNGER, copy_course, make_app, make_older_route, report_by_job, right_answers, sign_in

ROOT = Path(__file__).parents[2]


@pytest.fixture
def app(tmp_path):
    """The app with two courses: the younger route and a stand-in older route."""
    copy_course(ROOT, tmp_path / "training", tmp_path / "quizzes")
    make_older_route(ROOT, tmp_path / "training", tmp_path / "quizzes")
    return make_app(
        tmp_path / "test.sqlite", TRAINING_CONTENT=str(tmp_path / "training"), QUIZ_CONTENT=str(tmp_path / "quizzes")
    )


def test_a_new_class_gets_its_route_from_its_year_group_and_the_teacher_can_change_it(app, db, make_school, make_staff):
    school = make_school()
    make_staff(school, "teach@hill.test")
    client = app.test_client()
    sign_in(client, "teach@hill.test")
    client.post("/classes", data={"name": "10A", "year_group": "10", "course_id": ""})
    client.post("/classes", data={"name": "7A", "year_group": "7", "course_id": ""})
    client.post("/classes", data={"name": "8X", "year_group": "8", "course_id": OLDER})
    routes = {row["name"]: row["course_id"] for row in db.query("SELECT name, course_id FROM classes")}
    assert routes == {"10A": OLDER, "7A": YOUNGER, "8X": OLDER}
    class_id = next(db.query("SELECT id FROM classes WHERE name = '10A'"))["id"]
    assert "Route: Years 9 to 13" in client.get(f"/classes/{class_id}").text
    assert "Route: Years 9 to 13" in client.get(f"/classes/{class_id}/import").text
    client.post(f"/classes/{class_id}/route", data={"course_id": YOUNGER})
    assert next(db.query("SELECT course_id FROM classes WHERE id = ?", [class_id]))["course_id"] == YOUNGER
    assert "Route: Years 7 and 8" in client.get(f"/classes/{class_id}/progress").text
    assert client.post(f"/classes/{class_id}/route", data={"course_id": "nonsense"}).status_code == 303
    assert next(db.query("SELECT course_id FROM classes WHERE id = ?", [class_id]))["course_id"] == YOUNGER


def test_a_pupil_sees_their_route_and_the_other_route_s_url_redirects(app, db, make_school, make_pupil, make_class):
    school = make_school()
    pupil = make_pupil(school, "ola.y", year_group=7)
    make_class(school, "10A", pupil_ids=[pupil], year_group=10, course_id=OLDER)
    client = app.test_client()
    sign_in(client, "ola.y")
    page = client.get("/course").text
    assert "Your route: Years 9 to 13" in page and f"/courses/{OLDER}/checks/baseline" in page
    assert client.get(f"/courses/{OLDER}/lessons/o-what-to-do/steps/1").status_code == 200
    other = client.get(f"/courses/{YOUNGER}/lessons/what-to-do/steps/1")
    assert other.status_code == 303 and other.location.endswith("/course")
    assert client.get("/courses/no-such-course/lessons/what-to-do/steps/1").status_code == 404
    # A bookmark from the first edition (one course, id "online-blackmail") reaches the course page.
    bookmark = client.get("/courses/online-blackmail/lessons/what-to-do/steps/1")
    assert bookmark.status_code == 303 and bookmark.location.endswith("/course")


def test_a_pupil_in_no_class_follows_their_year_group_and_the_newest_class_wins(app, db, make_school, make_pupil):
    school = make_school()
    young, old = make_pupil(school, "a.y", year_group=8), make_pupil(school, "b.o", year_group=11)
    for name, pupil in (("a.y", young), ("b.o", old)):
        client = app.test_client()
        sign_in(client, name)
        route = "Years 7 and 8" if pupil == young else "Years 9 to 13"
        assert f"Your route: {route}" in client.get("/course").text
    create_class(db, school, "Older", 10, None, OLDER)
    newest = create_class(db, school, "Newer", 10, None, YOUNGER)
    db["class_pupils"].insert_all([{"class_id": 1, "person_id": old}, {"class_id": newest, "person_id": old}])
    client = app.test_client()
    sign_in(client, "b.o")
    assert "Your route: Years 7 and 8" in client.get("/course").text


def finish_course(client, course):
    """Pass every lesson quiz and the final check; returns the final check's feedback page."""
    for lesson in course.lessons:
        client.post(f"/courses/{course.id}/lessons/{lesson.id}/quiz", data=right_answers(lesson.quiz))
    return client.post(f"/courses/{course.id}/checks/final", data=right_answers(course.checks), follow_redirects=True)


def test_the_course_ends_on_the_closing_page_and_the_certificate_names_the_route(app, db, make_school, make_pupil):
    school = make_school()
    make_pupil(school, "c.o", year_group=12)
    client = app.test_client()
    sign_in(client, "c.o")
    course = app.extensions["courses"][OLDER]
    assert client.get(f"/courses/{OLDER}/finish").status_code == 303  # not before the final check
    feedback = finish_course(client, course)
    assert f'href="/courses/{OLDER}/finish"' in feedback.text
    closing = client.get(f"/courses/{OLDER}/finish")
    assert closing.status_code == 200 and "worth your life" in closing.text and "/certificate" in closing.text
    assert f"/courses/{OLDER}/finish" in client.get("/course").text
    certificate = next(db.query("SELECT code, course_id, course_title FROM certificates"))
    assert certificate["course_id"] == OLDER and "(ages 14 to 18)" in certificate["course_title"]
    assert "(ages 14 to 18)" in app.test_client().get(f"/verify/{certificate['code']}").text


def test_reports_name_the_route_and_use_its_lessons(app, db, make_school, make_staff, make_pupil, make_class):
    school = make_school()
    teacher = make_staff(school, "teach@hill.test")
    pupil = make_pupil(school, "d.o", year_group=10)
    class_id = make_class(school, "10A", teacher_id=teacher, pupil_ids=[pupil], year_group=10, course_id=OLDER)
    client = app.test_client()
    sign_in(client, "teach@hill.test")
    report = report_by_job(app, client, {"scope": str(class_id), "format": "csv"})
    header, row = report.data.decode("utf-8-sig").splitlines()[:2]
    assert "Route" in header and row.endswith("Years 9 to 13")
    assert "L1 " in header and "o-" not in header  # the older route's lesson titles, by number
    assert "10A (route Years 9 to 13)" in client.get("/reports").text


def test_before_you_teach_is_for_staff_only_and_first_in_the_overview(app, make_school, make_staff, make_pupil):
    school = make_school()
    make_staff(school, "teach@hill.test")
    make_pupil(school, "e.p", year_group=9)
    staff = app.test_client()
    sign_in(staff, "teach@hill.test")
    overview = staff.get(f"/staff/courses/{OLDER}/").text
    assert overview.index("before-you-teach") < overview.index("/lessons/")
    page = staff.get(f"/staff/courses/{OLDER}/before-you-teach")
    assert page.status_code == 200 and "designated safeguarding lead" in page.text
    assert staff.get("/staff/course").location.endswith(f"/staff/courses/{YOUNGER}/")
    pupil = app.test_client()
    sign_in(pupil, "e.p")
    assert pupil.get(f"/staff/courses/{OLDER}/before-you-teach").status_code == 403


def test_the_migration_moves_the_old_course_id_and_sets_class_routes(tmp_path):
    from migrations import migrations

    database = Database(tmp_path / "old.sqlite")
    old = [m for m in migrations._migrations if m.name <= "m006_classroom_roster"]
    migrations.ensure_migrations_table(database)
    for migration in old:  # the schema as it was before the routes
        migration.fn(database)
        migrations._record_applied(database, migration.name)
    database.execute("INSERT INTO schools (id, name, created_at) VALUES (1, 'Hill', 'x')")
    database.execute(
        "INSERT INTO people (id, school_id, role, username, first_name, password_hash, created_at)"
        " VALUES (1, 1, 'pupil', 'p', 'P', 'h', 'x')"
    )
    for year, name in ((7, "7A"), (10, "10A"), (None, "Mixed")):
        database.execute(
            "INSERT INTO classes (school_id, name, year_group, created_at) VALUES (1, ?, ?, 'x')", [name, year]
        )
    database.execute("INSERT INTO lesson_progress VALUES (1, 'online-blackmail', 'what-to-do', 2, 3, 'x', 'x', NULL)")
    database.execute(
        "INSERT INTO attempts (pupil_id, course_id, quiz_id, phase, content_version, token, score, max_score,"
        " percent, passed, submitted_at) VALUES (1, 'online-blackmail', 'what-to-do', 'lesson', 'v', 't', 1, 1,"
        " 100, 1, 'x')"
    )
    database.conn.commit()
    migrate(database)
    assert {r["name"]: r["course_id"] for r in database.query("SELECT name, course_id FROM classes")} == {
        "7A": YOUNGER, "10A": OLDER, "Mixed": YOUNGER,
    }  # fmt: skip
    assert [r["course_id"] for r in database.query("SELECT course_id FROM lesson_progress")] == [YOUNGER]
    assert [r["course_id"] for r in database.query("SELECT course_id FROM attempts")] == [YOUNGER]
