"""The trust-scale bench (bench/trust_scale.py): its seeded rows are what the app would hold, and its
"nothing acknowledged is lost" check does find a lost, misdirected or half-saved submission."""

import json

import pytest

from accounts.passwords import password_matches
from bench.trust_scale import PASSWORD, TOKEN_PREFIX, check_acknowledged, pupil_username, seed


@pytest.fixture
def seeded(app, db):
    """Two schools of 45 pupils (a class of 30 and one of 15) in one trust."""
    counts = seed(db, app.extensions["courses"], scale=0.045, schools=2)
    return counts


def test_seed_makes_a_trust_of_schools_in_classes_of_30(db, seeded):
    trust = db.execute("SELECT id FROM schools WHERE kind = 'trust'").fetchall()
    assert len(trust) == 1
    schools = db.execute("SELECT trust_id FROM schools WHERE kind = 'school'").fetchall()
    assert [row[0] for row in schools] == [trust[0][0]] * 2
    sizes = [row[0] for row in db.execute("SELECT COUNT(*) FROM class_pupils GROUP BY class_id ORDER BY 1 DESC")]
    assert sizes == [30, 30, 15, 15]
    pupils = db.execute("SELECT COUNT(*) FROM people WHERE role = 'pupil'").fetchone()[0]
    in_one_class = db.execute("SELECT COUNT(DISTINCT person_id) FROM class_pupils").fetchone()[0]
    assert pupils == in_one_class == seeded["pupils"] == 90
    # One hash made once, and it is a real one: seeded pupils sign in with PASSWORD.
    hashes = db.execute("SELECT DISTINCT password_hash FROM people").fetchall()
    assert len(hashes) == 1 and password_matches(hashes[0][0], PASSWORD)
    row = db.execute(
        "SELECT p.year_group, c.course_id FROM people p JOIN class_pupils cp ON cp.person_id = p.id "
        "JOIN classes c ON c.id = cp.class_id WHERE p.username = ?",
        [pupil_username(1, 0)],
    ).fetchone()
    assert row == (7, "online-blackmail-11-13")


def test_seeded_work_is_consistent(app, db, seeded):
    courses = app.extensions["courses"]
    quizzes = {lesson.id: lesson.quiz for course in courses.values() for lesson in course.lessons}
    quizzes.update({course.checks.id: course.checks for course in courses.values()})
    counts = {row[0]: (row[1], row[2]) for row in db.execute(
        "SELECT a.id, a.quiz_id, COUNT(n.id) FROM attempts a LEFT JOIN answers n ON n.attempt_id = a.id "
        "GROUP BY a.id, a.quiz_id")}  # fmt: skip
    assert len(counts) == seeded["attempts"] > 0
    # Every attempt has one answer per marked question of its quiz, and no answer is left without an attempt.
    assert all(answers == len(quizzes[quiz_id].marked_questions) for quiz_id, answers in counts.values())
    assert sum(answers for _, answers in counts.values()) == seeded["answers"]
    for (response,) in db.execute("SELECT response FROM answers LIMIT 50"):
        json.loads(response)
    # A certificate only for a pupil who took the final check; a completed lesson only with a passed quiz.
    without_final = db.execute(
        "SELECT COUNT(*) FROM certificates c WHERE NOT EXISTS (SELECT 1 FROM attempts a WHERE a.pupil_id = c.pupil_id "
        "AND a.phase = 'final')").fetchone()[0]  # fmt: skip
    assert without_final == 0
    unpassed = db.execute(
        "SELECT COUNT(*) FROM lesson_progress p WHERE p.completed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        "attempts a WHERE a.pupil_id = p.pupil_id AND a.quiz_id = p.lesson_id AND a.passed = 1)"
    ).fetchone()[0]
    assert unpassed == 0


def test_check_acknowledged_counts_only_what_is_saved_once_and_whole(app, db, seeded):
    courses = app.extensions["courses"]
    lesson = courses["online-blackmail-11-13"].lessons[0]
    pupil = db.execute("SELECT id FROM people WHERE username = ?", [pupil_username(1, 0)]).fetchone()[0]

    def saved(token, answers):
        attempt_id = db["attempts"].insert({
            "pupil_id": pupil, "course_id": "online-blackmail-11-13", "quiz_id": lesson.id, "phase": "lesson",
            "content_version": lesson.quiz.version, "token": token, "score": 1, "max_score": 1, "percent": 100,
            "passed": 1, "submitted_at": "2026-11-21T10:00:00+00:00"}).last_pk  # fmt: skip
        for question in lesson.quiz.marked_questions[:answers]:
            db["answers"].insert({"attempt_id": attempt_id, "question_id": question.id, "question_type": question.type,
                                  "response": "[]", "correct": 1})  # fmt: skip
        return attempt_id

    whole = len(lesson.quiz.marked_questions)
    good = saved(f"{TOKEN_PREFIX}r-1", whole)
    half = saved(f"{TOKEN_PREFIX}r-2", whole - 1)
    other = saved(f"{TOKEN_PREFIX}r-3", whole)
    saved(f"{TOKEN_PREFIX}r-5", whole)  # saved, its 303 never arrived
    acknowledged = [
        (pupil, f"{TOKEN_PREFIX}r-1", good, lesson.id),
        (pupil, f"{TOKEN_PREFIX}r-2", half, lesson.id),  # an answer missing
        (pupil, f"{TOKEN_PREFIX}r-3", other + 1000, lesson.id),  # the 303 named another attempt
        (pupil, f"{TOKEN_PREFIX}r-4", 99999, lesson.id),  # never saved
    ]
    assert check_acknowledged(db, acknowledged, courses, prefix=f"{TOKEN_PREFIX}r-") == (1, 3, 1)
    assert check_acknowledged(db, acknowledged[:1], courses, prefix=f"{TOKEN_PREFIX}r-") == (1, 0, 3)
