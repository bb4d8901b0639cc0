"""SQL for quiz attempts and answers."""

import json

from db import IntegrityError, now, prepared, write_transaction
from quizzes.recheck import as_date
from quizzes.shuffle import decode, encode

SUMMARIES = prepared("""
SELECT CASE phase WHEN 'lesson' THEN quiz_id ELSE phase END AS key,
       max(percent) AS best_percent, max(passed) AS passed, count(*) AS attempts,
       max(id) AS last_attempt_id
FROM attempts WHERE pupil_id = ? AND course_id = ?
GROUP BY key
""")
ATTEMPT_BY_TOKEN = prepared("SELECT * FROM attempts WHERE pupil_id = ? AND token = ?")
ATTEMPT_FOR_PUPIL = "SELECT * FROM attempts WHERE id = ? AND pupil_id = ?"
ANSWERS_FOR_ATTEMPT = "SELECT * FROM answers WHERE attempt_id = ? ORDER BY id"
# Whether any attempt came before: stops at the first row found, however many there are.
EARLIER_ATTEMPT = prepared("SELECT EXISTS (SELECT 1 FROM attempts WHERE pupil_id = ? AND quiz_id = ? AND phase = ?)")
# Plain statements rather than sqlite-utils' insert, which reads the schema's table names on every call.
INSERT_ATTEMPT = prepared("""
INSERT INTO attempts (pupil_id, course_id, quiz_id, phase, content_version, token, score, max_score, percent, passed,
                      submitted_at)
VALUES (:pupil_id, :course_id, :quiz_id, :phase, :content_version, :token, :score, :max_score, :percent, :passed,
        :submitted_at)
RETURNING id
""")
INSERT_ANSWER = prepared("""
INSERT INTO answers (attempt_id, question_id, question_type, topic, response, correct, option_order)
VALUES (?, ?, ?, ?, ?, ?, ?)
""")
PUPIL_CLASSES = prepared("SELECT class_id FROM class_pupils WHERE person_id = ?")
HAS_PASSED = prepared("SELECT 1 FROM attempts WHERE pupil_id = ? AND quiz_id = ? AND phase = ? AND passed = 1 LIMIT 1")
# Failed attempts in a row: those after the pupil's last review of this quiz and after their last pass.
# `latest` is the newest of them, whose wrong answers the review page goes back over. Both bounds are
# found walking back from the newest row (ORDER BY id DESC LIMIT 1 on attempts_pupil_quiz), and one bound
# (the later) limits the count to the rows after it: a pupil with many attempts costs no more than one
# with a few (max() of two values: SQLite's own, db.py's on PostgreSQL).
FAILURES_IN_A_ROW = prepared("""
SELECT count(*) AS failures, max(id) AS latest FROM attempts
WHERE pupil_id = :pupil_id AND quiz_id = :quiz_id AND phase = :phase AND passed = 0
  AND id > max(coalesce((SELECT max(attempt_id) FROM quiz_reviews
                         WHERE pupil_id = :pupil_id AND quiz_id = :quiz_id AND phase = :phase), 0),
               coalesce((SELECT id FROM attempts
                         WHERE pupil_id = :pupil_id AND quiz_id = :quiz_id AND phase = :phase AND passed = 1
                         ORDER BY id DESC LIMIT 1), 0))
""")
WRONG_QUESTIONS = "SELECT question_id FROM answers WHERE attempt_id = ? AND correct = 0 ORDER BY id"

# The delayed re-check for a pupil: the earliest day set by a class of theirs on this course (a class with no
# course stored follows its year group's, so it counts too), when they last took the final check, and their
# re-check attempt if they have taken it.
RECHECK_FOR_PUPIL = """
SELECT (SELECT min(c.recheck_on) FROM class_pupils cp JOIN classes c ON c.id = cp.class_id
        WHERE cp.person_id = :pupil_id AND c.archived_at IS NULL
          AND (c.course_id = :course_id OR c.course_id IS NULL)) AS recheck_on,
       (SELECT max(submitted_at) FROM attempts
        WHERE pupil_id = :pupil_id AND course_id = :course_id AND phase = 'final') AS final_at,
       (SELECT min(id) FROM attempts
        WHERE pupil_id = :pupil_id AND course_id = :course_id AND phase = 'recheck') AS attempt_id
"""


def quiz_summaries(db, pupil_id, course_id):
    """Best percent, passed and attempt count per lesson quiz, and for 'baseline' and 'final'."""
    return {row["key"]: row for row in db.query(SUMMARIES, [pupil_id, course_id])}


def attempt_by_token(db, pupil_id, token):
    """The attempt this form already made, if it was submitted before."""
    return next(db.query(ATTEMPT_BY_TOKEN, [pupil_id, token]), None)


def attempt_for_pupil(db, attempt_id, pupil_id):
    """The attempt if it belongs to this pupil, else None."""
    return next(db.query(ATTEMPT_FOR_PUPIL, [attempt_id, pupil_id]), None)


def answers_for_attempt(db, attempt_id):
    """The stored answers of an attempt, with responses and the order the pupil saw decoded."""
    return [
        dict(row, response=json.loads(row["response"]), option_order=decode(row["option_order"]))
        for row in db.query(ANSWERS_FOR_ATTEMPT, [attempt_id])
    ]


def has_passed(db, pupil_id, quiz_id, phase):
    """Whether the pupil has passed this quiz in this phase in any attempt."""
    return next(db.query(HAS_PASSED, [pupil_id, quiz_id, phase]), None) is not None


def failures_in_a_row(db, pupil_id, quiz_id, phase):
    """(failed attempts since the pupil's last review or pass of this quiz, the latest one's id or None)."""
    row = next(db.query(FAILURES_IN_A_ROW, {"pupil_id": pupil_id, "quiz_id": quiz_id, "phase": phase}))
    return row["failures"], row["latest"]


def wrong_question_ids(db, attempt_id):
    """The ids of the questions answered wrong in an attempt, in the order they were stored."""
    return [row["question_id"] for row in db.query(WRONG_QUESTIONS, [attempt_id])]


def record_review(db, pupil_id, course_id, quiz_id, phase, attempt_id):
    """Note that the pupil went back over the lesson after `attempt_id`: failures count afresh from it."""
    with write_transaction(db):
        db["quiz_reviews"].insert(
            {
                "pupil_id": pupil_id,
                "course_id": course_id,
                "quiz_id": quiz_id,
                "phase": phase,
                "attempt_id": attempt_id,
                "reviewed_at": now(),
            }
        )


def recheck_for_pupil(db, pupil_id, course_id):
    """(class's re-check day, day of the pupil's last final check, their re-check attempt id): dates or None."""
    row = next(db.query(RECHECK_FOR_PUPIL, {"pupil_id": pupil_id, "course_id": course_id}))
    return as_date(row["recheck_on"]), as_date(row["final_at"]), row["attempt_id"]


def save_attempt(db, pupil, course_id, quiz, phase, token, result, orders=None):
    """Store a marked attempt and its answers once; a repeated token returns the first attempt's id.

    `orders` maps question id to the option ids in the order the pupil saw them. Confidence
    and belief answers are stored apart, without the pupil, and only the first time the
    pupil takes that quiz in that phase, so retakes do not count twice in class totals.
    """
    orders = orders or {}
    scored = [r for r in result.questions if quiz.question(r.question_id).marked]
    confidence = [r for r in result.questions if r.correct is None]
    beliefs = [r for r in result.questions if quiz.question(r.question_id).belief]
    try:
        with write_transaction(db):
            first_time = not db.execute(EARLIER_ATTEMPT, [pupil.id, quiz.id, phase]).fetchone()[0]
            attempt = {
                "pupil_id": pupil.id,
                "course_id": course_id,
                "quiz_id": quiz.id,
                "phase": phase,
                "content_version": quiz.version,
                "token": token,
                "score": result.score,
                "max_score": result.max_score,
                "percent": result.percent,
                "passed": int(result.passed),
                "submitted_at": now(),
            }
            attempt_id = db.execute(INSERT_ATTEMPT, attempt).fetchone()[0]
            for r in scored:
                question = quiz.question(r.question_id)
                order = encode(orders[r.question_id]) if r.question_id in orders else None
                db.execute(
                    INSERT_ANSWER,
                    [attempt_id, r.question_id, question.type, question.topic, json.dumps(r.response), int(r.correct),
                     order],
                )  # fmt: skip
            if confidence and first_time:
                _save_confidence(db, pupil, course_id, quiz, phase, confidence)
            if beliefs and first_time:
                _save_beliefs(db, pupil, course_id, phase, beliefs)
    except IntegrityError:
        existing = attempt_by_token(db, pupil.id, token)
        if existing is None:
            raise
        return existing["id"], False
    return attempt_id, True


def _save_confidence(db, pupil, course_id, quiz, phase, results):
    rows = [{"item_key": quiz.question(r.question_id).key, "value": r.response} for r in results]
    _save_class_totals(db, pupil, course_id, phase, ("confidence_responses", "confidence_response_classes"), rows)


def _save_beliefs(db, pupil, course_id, phase, results):
    rows = [{"question_id": r.question_id, "option_id": r.response} for r in results]
    _save_class_totals(db, pupil, course_id, phase, ("belief_responses", "belief_response_classes"), rows)


def _save_class_totals(db, pupil, course_id, phase, tables, rows):
    """Answers kept without the pupil (a date, not a time), linked to the pupil's classes for class totals.

    `tables`: the responses table and its class-links table."""
    responses, links = db[tables[0]], db[tables[1]]
    class_ids = [row["class_id"] for row in db.query(PUPIL_CLASSES, [pupil.id])]
    values = {"school_id": pupil.school_id, "course_id": course_id, "phase": phase, "answered_on": now()[:10]}
    for row in rows:
        response_id = responses.insert(dict(values, **row)).last_pk
        links.insert_all({"response_id": response_id, "class_id": class_id} for class_id in class_ids)
