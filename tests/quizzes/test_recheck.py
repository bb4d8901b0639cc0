"""The delayed re-check: a class's teacher sets its day; pupils who did the final check take the checks once more."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlite_utils import Database

from classroom.queries import set_class_recheck
from db import migrate, write_transaction
from progress import reports, reteach
from progress.queries import Scope, recheck_summary_for
from quizzes import recheck

from helpers import CHECK_URL, complete_course, right_answers, sign_in, submit_quiz, wrong_answers

TODAY = date(2027, 3, 15)
RECHECK_URL = CHECK_URL.format("recheck")

# ---------------------------------------------------------------- rules


def test_a_recheck_date_is_today_or_later():
    assert recheck.date_problem(None, TODAY) == recheck.DATE_MISSING
    assert recheck.date_problem(TODAY - timedelta(days=1), TODAY) == recheck.DATE_IN_PAST
    assert recheck.date_problem(TODAY, TODAY) is None
    assert recheck.date_problem(TODAY + timedelta(days=35), TODAY) is None


def test_the_recheck_opens_on_the_class_day_and_not_straight_after_a_late_final_check():
    long_ago = TODAY - timedelta(days=40)
    assert recheck.opens_on(None, long_ago) is None  # no re-check set
    assert recheck.opens_on(TODAY, None) is None  # the final check not done
    assert recheck.opens_on(TODAY, long_ago) == TODAY
    late = TODAY - timedelta(days=3)  # absent, caught up last week
    assert recheck.opens_on(TODAY, late) == late + timedelta(days=recheck.MIN_DAYS_AFTER_FINAL)
    assert recheck.is_open(TODAY, long_ago, taken=False, today=TODAY)
    assert not recheck.is_open(TODAY, long_ago, taken=False, today=TODAY - timedelta(days=1))
    assert not recheck.is_open(TODAY, long_ago, taken=True, today=TODAY)  # taken once
    assert not recheck.is_open(TODAY, late, taken=False, today=TODAY)
    assert not recheck.is_open(None, long_ago, taken=False, today=TODAY)


def test_topic_figures_put_the_recheck_beside_the_same_pupils_final_check(course):
    q = course.checks.marked_questions[0]

    def row(pupil, phase, correct):
        return {"pupil_id": pupil, "quiz_id": "checks", "phase": phase, "question_id": q.id,
                "topic": q.topic, "response": "a", "correct": correct}  # fmt: skip

    rows = [
        row(1, "baseline", 0), row(1, "final", 1), row(1, "recheck", 0),
        row(2, "baseline", 1), row(2, "final", 1), row(2, "recheck", 1),
        row(3, "baseline", 0), row(3, "final", 0),  # no re-check: in the gain, not in the re-check
        row(4, "final", 1), row(4, "recheck", 1),  # no baseline: in the re-check, not in the gain
    ]  # fmt: skip
    gains = {g.topic: g for g in reteach.topic_gains(course, rows)}
    topic = gains[q.topic]
    assert (topic.pupils, topic.baseline, topic.final, topic.gain) == (3, 33, 67, 34)
    assert (topic.recheck_pupils, topic.recheck_final, topic.recheck, topic.kept) == (3, 100, 67, -33)
    untouched = next(g for g in gains.values() if g.topic != q.topic)
    assert untouched.recheck is None and untouched.kept is None


def test_the_recheck_summary_says_when_none_is_set_or_how_many_took_it():
    none_set = reteach.RecheckSummary(None, 12, 0).text()
    assert none_set.startswith("No re-check is set for this class")
    assert "took an earlier one" in reteach.RecheckSummary(None, 12, 3).text()
    assert reteach.RecheckSummary(TODAY, 12, 5).text() == (
        "Re-check date: 15 Mar 2027. 5 of 12 pupils who did the final check have taken it."
    )
    assert "1 of 1 pupil who did the final check has taken it" in reteach.RecheckSummary(TODAY, 1, 1).text()
    school = reteach.RecheckSummary(None, 30, 4, whole_school=True).text()
    assert school == "Re-checks are set class by class. 4 of 30 pupils who did the final check have taken one."


def test_confidence_at_the_recheck_keeps_the_class_totals_rule(course):
    rows = [
        {"item_key": "know-what-to-do", "phase": "recheck", "value": 4, "n": 3},
        {"item_key": "know-what-to-do", "phase": "final", "value": 5, "n": 6},
    ]
    stats = {s.phase: s for s in reteach.confidence_totals(course, rows)}
    assert list(stats) == ["final", "recheck"]  # in course order: the re-check comes last
    assert stats["recheck"].phase_label == "At the re-check, weeks later"
    assert stats["recheck"].hidden and not stats["final"].hidden  # 3 answers: fewer than the minimum


# ---------------------------------------------------------------- the migration


def test_the_migration_keeps_every_answer_and_lets_the_phase_be_recheck(tmp_path):
    from migrations import migrations

    database = Database(tmp_path / "old.sqlite")
    database.execute("PRAGMA foreign_keys=ON")  # as every connection has it: a rebuild would lose the answers
    migrations.apply(database, stop_before="m025_recheck")
    database.execute("INSERT INTO schools (id, name, created_at) VALUES (1, 'Hill', 'x')")
    database.execute(
        "INSERT INTO people (id, school_id, role, username, first_name, password_hash, created_at)"
        " VALUES (1, 1, 'pupil', 'p', 'P', 'h', 'x')"
    )
    database.execute(
        "INSERT INTO attempts (id, pupil_id, course_id, quiz_id, phase, content_version, token, score, max_score,"
        " percent, passed, submitted_at) VALUES (7, 1, 'c', 'checks', 'final', 'v', 't', 1, 1, 100, 1, 'x')"
    )
    database.execute(
        "INSERT INTO answers (attempt_id, question_id, question_type, response, correct)"
        " VALUES (7, 'q', 'single', '\"a\"', 1)"
    )
    database.conn.commit()
    migrate(database)
    assert [r["id"] for r in database.query("SELECT id FROM attempts")] == [7]
    assert database.execute("SELECT count(*) FROM answers").fetchone()[0] == 1
    assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert "recheck_on" in database["classes"].columns_dict
    database.execute(
        "INSERT INTO attempts (pupil_id, course_id, quiz_id, phase, content_version, token, score, max_score,"
        " percent, passed, submitted_at) VALUES (1, 'c', 'checks', 'recheck', 'v', 't2', 1, 1, 100, 1, 'x')"
    )


def test_each_phase_table_takes_the_recheck_and_still_refuses_other_phases(db, make_school, make_pupil):
    school = make_school()
    pupil = make_pupil(school, "ria.r")
    attempt = {"pupil_id": pupil, "course_id": "c", "quiz_id": "checks", "content_version": "v", "score": 1,
               "max_score": 1, "percent": 100, "passed": 1, "submitted_at": "x"}  # fmt: skip
    answered = {"school_id": school, "course_id": "c", "answered_on": "x"}
    rows = {
        "attempts": attempt,
        "confidence_responses": dict(answered, item_key="k", value=3),
        "belief_responses": dict(answered, question_id="q", option_id="o"),
    }
    for table, row in rows.items():
        with write_transaction(db):
            db[table].insert(
                dict(row, phase="recheck", token="t1") if table == "attempts" else dict(row, phase="recheck")
            )
        with pytest.raises(Exception, match="(?i)check"), write_transaction(db):
            db[table].insert(dict(row, phase="later", token="t2") if table == "attempts" else dict(row, phase="later"))


# ---------------------------------------------------------------- through the test client


@pytest.fixture
def world(app, db, make_school, make_staff, make_pupil, make_class):
    """Hillside: class 8A (Ms Teach) with Ava and Ben; another teacher, an admin and a DSL."""
    hill = make_school("Hillside School")
    teacher = make_staff(hill, "teach@hill.test")
    make_staff(hill, "other@hill.test")
    make_staff(hill, "admin@hill.test", role="admin")
    make_staff(hill, "dsl@hill.test", role="dsl")
    ava = make_pupil(hill, "ava.b", first_name="Ava")
    ben = make_pupil(hill, "ben.c", first_name="Ben")
    class_id = make_class(hill, "8A", teacher, [ava, ben])
    return {"hill": hill, "class_id": class_id, "ava": ava, "ben": ben}


def signed_in(app, name):
    """A test client signed in as `name`."""
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    return client


def set_date(client, class_id, value, button="save"):
    """Post the class page's re-check form."""
    return client.post(f"/classes/{class_id}/recheck", data={"day": value, button: "1"})


def stored_date(db, class_id):
    return db["classes"].get(class_id)["recheck_on"]


def take_checks(client, course, baseline=wrong_answers, final=right_answers):
    """The baseline, then the final check (lessons are not needed to take it)."""
    assert submit_quiz(client, CHECK_URL.format("baseline"), course.checks, baseline(course.checks)).status_code == 303
    assert submit_quiz(client, CHECK_URL.format("final"), course.checks, final(course.checks)).status_code == 303


def final_weeks_ago(db, pupil_id, weeks=5):
    """Move the pupil's checks back in time, as if they finished the course `weeks` ago."""
    with write_transaction(db):
        db.execute(
            "UPDATE attempts SET submitted_at = ? WHERE pupil_id = ? AND phase IN ('baseline', 'final')",
            [f"{date.today() - timedelta(weeks=weeks)}T10:00:00+00:00", pupil_id],
        )


def test_the_class_teacher_sets_changes_and_clears_the_recheck_date(app, db, world):
    teacher = signed_in(app, "teach@hill.test")
    class_id = world["class_id"]
    page = teacher.get(f"/classes/{class_id}")
    assert "No re-check is set for this class." in page.text
    assert "about 4 to 6 weeks after the class finishes" in page.text
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    refused = set_date(teacher, class_id, yesterday)
    assert refused.status_code == 400 and recheck.DATE_IN_PAST in refused.text
    assert f'value="{yesterday}"' in refused.text  # what was typed is kept
    garbled = set_date(teacher, class_id, "31/02/2027")
    assert garbled.status_code == 400 and "Type a real date" in garbled.text and 'value="31/02/2027"' in garbled.text
    assert set_date(teacher, class_id, "").status_code == 400
    assert stored_date(db, class_id) is None
    later = date.today() + timedelta(weeks=5)
    saved = set_date(teacher, class_id, later.isoformat())
    assert saved.status_code == 303 and stored_date(db, class_id) == later.isoformat()
    assert f'data-recheck-on="{later.isoformat()}"' in teacher.get(f"/classes/{class_id}").text
    uk_style = later + timedelta(days=7)
    assert set_date(teacher, class_id, uk_style.strftime("%d/%m/%Y")).status_code == 303
    assert stored_date(db, class_id) == uk_style.isoformat()
    assert set_date(teacher, class_id, "", button="clear").status_code == 303
    assert stored_date(db, class_id) is None
    assert set_date(teacher, class_id, date.today().isoformat()).status_code == 303  # today is allowed
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'class-recheck'").fetchone()[0] == 4


def test_only_the_class_teacher_or_the_admin_sets_the_date(app, db, world):
    class_id = world["class_id"]
    soon = (date.today() + timedelta(weeks=4)).isoformat()
    for outsider in ("other@hill.test", "dsl@hill.test"):
        client = signed_in(app, outsider)
        assert set_date(client, class_id, soon).status_code == 404
        page = client.get(f"/classes/{class_id}")
        assert "Save the re-check date" not in page.text
    assert stored_date(db, class_id) is None
    admin = signed_in(app, "admin@hill.test")
    assert "Save the re-check date" in admin.get(f"/classes/{class_id}").text
    assert set_date(admin, class_id, soon).status_code == 303 and stored_date(db, class_id) == soon


def test_a_pupil_sees_the_recheck_only_from_its_date_and_after_the_final_check(app, db, course, world):
    ava, ben = signed_in(app, "ava.b"), signed_in(app, "ben.c")
    take_checks(ava, course)
    assert "A quick re-check" not in ava.get("/course").text  # no date set
    assert ava.get(RECHECK_URL).status_code == 303
    set_class_recheck(db, world["class_id"], world["hill"], date.today())
    assert "A quick re-check" not in ava.get("/course").text  # finished today: a re-check now measures nothing
    final_weeks_ago(db, world["ava"])
    page = ava.get("/course")
    assert "A quick re-check" in page.text and RECHECK_URL in page.text
    quiz = ava.get(RECHECK_URL)
    assert quiz.status_code == 200 and "A quick re-check" in quiz.text
    # Ben has not done the final check: nothing new for him.
    baseline = submit_quiz(ben, CHECK_URL.format("baseline"), course.checks, wrong_answers(course.checks))
    assert baseline.status_code == 303
    assert "A quick re-check" not in ben.get("/course").text
    assert ben.get(RECHECK_URL).location.endswith("/course")
    # A date still to come: not yet.
    set_class_recheck(db, world["class_id"], world["hill"], date.today() + timedelta(days=1))
    assert "A quick re-check" not in ava.get("/course").text
    assert ava.get(RECHECK_URL).status_code == 303


def test_the_recheck_is_taken_once_with_feedback_and_never_touches_the_certificate(app, db, course, world):
    ava = signed_in(app, "ava.b")
    assert complete_course(ava, course).status_code == 303
    certificate = db.execute("SELECT id FROM certificates WHERE pupil_id = ?", [world["ava"]]).fetchone()[0]
    with write_transaction(db):  # revoked by the teacher: only a lesson quiz or the final check may issue another
        db.execute("UPDATE certificates SET revoked_at = 'x', revoked_reason = 'test' WHERE id = ?", [certificate])
    final_weeks_ago(db, world["ava"])
    set_class_recheck(db, world["class_id"], world["hill"], date.today())
    done = submit_quiz(ava, RECHECK_URL, course.checks, wrong_answers(course.checks))
    assert done.status_code == 303
    feedback = ava.get(done.location)
    assert "Re-check: your feedback" in feedback.text and "Feedback on every answer" in feedback.text
    assert db.execute("SELECT count(*) FROM attempts WHERE phase = 'recheck'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM certificates WHERE pupil_id = ?", [world["ava"]]).fetchone()[0] == 1
    page = ava.get("/course")
    assert "Take the quick re-check" not in page.text and "See your feedback" in page.text
    again = ava.get(RECHECK_URL)
    assert again.status_code == 303 and again.location == done.location
    # A second go (another tab's form) is sent to the first one's feedback, and saves nothing.
    second = dict(right_answers(course.checks), token="another-tab", version=course.checks.version)
    assert ava.post(RECHECK_URL, data=second).location == done.location
    assert db.execute("SELECT count(*) FROM attempts WHERE phase = 'recheck'").fetchone()[0] == 1


def test_the_teacher_sees_the_recheck_beside_baseline_and_final(app, db, course, world):
    teacher = signed_in(app, "teach@hill.test")
    class_id = world["class_id"]
    for name, pupil_id in (("ava.b", world["ava"]), ("ben.c", world["ben"])):
        client = signed_in(app, name)
        take_checks(client, course)
        final_weeks_ago(db, pupil_id)
    page = teacher.get(f"/classes/{class_id}/reteach")
    assert "No re-check is set for this class" in page.text
    set_class_recheck(db, class_id, world["hill"], date.today())
    ava = signed_in(app, "ava.b")
    assert submit_quiz(ava, RECHECK_URL, course.checks, wrong_answers(course.checks)).status_code == 303
    page = teacher.get(f"/classes/{class_id}/reteach")
    assert "1 of 2 pupils who did the final check have taken it." in page.text
    topic = course.checks.marked_questions[0].topic
    row = page.text.split(f'data-topic="{topic}"')[1].split("</tr>")[0]
    assert 'data-col="recheck">0%' in row and 'data-col="kept">-100' in row
    assert "pupils who took the final check and the re-check (1)" in page.text
    pupil_page = teacher.get(f"/classes/{class_id}/pupils/{world['ava']}")
    assert "Re-check" in pupil_page.text
    data = reports.collect(db, course, Scope(world["hill"], class_id, "8A"), fmt="pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(reports.build(data, "pdf"))).pages)
    assert "re-check" in text and "1 of 2 pupils who did the final check have taken it." in text.replace("\n", " ")
    school = recheck_summary_for(db, course, Scope(world["hill"]))
    assert (school.day, school.finished, school.taken, school.whole_school) == (None, 2, 1, True)
