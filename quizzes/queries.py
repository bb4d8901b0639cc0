"""SQL for quiz attempts and answers."""

import json
import sqlite3

from db import now, write_transaction

SUMMARIES = """
SELECT CASE phase WHEN 'lesson' THEN quiz_id ELSE phase END AS key,
       max(percent) AS best_percent, max(passed) AS passed, count(*) AS attempts,
       max(id) AS last_attempt_id
FROM attempts WHERE pupil_id = ? AND course_id = ?
GROUP BY key
"""
ATTEMPT_BY_TOKEN = "SELECT * FROM attempts WHERE pupil_id = ? AND token = ?"
ATTEMPT_FOR_PUPIL = "SELECT * FROM attempts WHERE id = ? AND pupil_id = ?"
ANSWERS_FOR_ATTEMPT = "SELECT * FROM answers WHERE attempt_id = ? ORDER BY id"
EARLIER_ATTEMPTS = "SELECT count(*) AS n FROM attempts WHERE pupil_id = ? AND quiz_id = ? AND phase = ?"
PUPIL_CLASSES = "SELECT class_id FROM class_pupils WHERE person_id = ?"


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
    """The stored answers of an attempt, with responses decoded."""
    return [dict(row, response=json.loads(row["response"])) for row in db.query(ANSWERS_FOR_ATTEMPT, [attempt_id])]


def save_attempt(db, pupil, course_id, quiz, phase, token, result):
    """Store a marked attempt and its answers once; a repeated token returns the first attempt's id.

    Confidence answers are stored apart, without the pupil, and only the first time the
    pupil takes that quiz in that phase, so retakes do not count twice in class totals.
    """
    marked = [r for r in result.questions if r.correct is not None]
    confidence = [r for r in result.questions if r.correct is None]
    try:
        with write_transaction(db):
            first_time = next(db.query(EARLIER_ATTEMPTS, [pupil.id, quiz.id, phase]))["n"] == 0
            attempt_id = (
                db["attempts"]
                .insert(
                    {
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
                )
                .last_pk
            )
            db["answers"].insert_all(
                {
                    "attempt_id": attempt_id,
                    "question_id": r.question_id,
                    "question_type": quiz.question(r.question_id).type,
                    "topic": quiz.question(r.question_id).topic,
                    "response": json.dumps(r.response),
                    "correct": int(r.correct),
                }
                for r in marked
            )
            if confidence and first_time:
                _save_confidence(db, pupil, course_id, quiz, phase, confidence)
    except sqlite3.IntegrityError:
        existing = attempt_by_token(db, pupil.id, token)
        if existing is None:
            raise
        return existing["id"], False
    return attempt_id, True


def _save_confidence(db, pupil, course_id, quiz, phase, results):
    class_ids = [row["class_id"] for row in db.query(PUPIL_CLASSES, [pupil.id])]
    for r in results:
        response_id = (
            db["confidence_responses"]
            .insert(
                {
                    "school_id": pupil.school_id,
                    "course_id": course_id,
                    "item_key": quiz.question(r.question_id).key,
                    "phase": phase,
                    "value": r.response,
                    "answered_on": now()[:10],
                }
            )
            .last_pk
        )
        db["confidence_response_classes"].insert_all(
            {"response_id": response_id, "class_id": class_id} for class_id in class_ids
        )
