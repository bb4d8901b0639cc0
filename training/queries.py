"""SQL for lesson progress."""

from db import now, write_transaction

PROGRESS_FOR_PUPIL = "SELECT * FROM lesson_progress WHERE pupil_id = ?"
SAVE_STEP = """
INSERT INTO lesson_progress (pupil_id, course_id, lesson_id, current_step, furthest_step, started_at, updated_at)
VALUES (:pupil_id, :course_id, :lesson_id, :step, :step, :now, :now)
ON CONFLICT (pupil_id, lesson_id) DO UPDATE SET
    current_step = :step,
    furthest_step = max(furthest_step, :step),
    updated_at = :now
"""
COMPLETE_LESSON = """
UPDATE lesson_progress SET completed_at = coalesce(completed_at, :now), updated_at = :now
WHERE pupil_id = :pupil_id AND lesson_id = :lesson_id
"""


def progress_by_lesson(db, pupil_id):
    """The pupil's progress rows, keyed by lesson id."""
    return {row["lesson_id"]: row for row in db.query(PROGRESS_FOR_PUPIL, [pupil_id])}


def save_step(db, pupil_id, course_id, lesson_id, step):
    """Remember that the pupil is at `step` of the lesson."""
    params = {
        "pupil_id": pupil_id,
        "course_id": course_id,
        "lesson_id": lesson_id,
        "step": step,
        "now": now(),
    }
    with write_transaction(db):
        db.execute(SAVE_STEP, params)


def complete_lesson(db, pupil_id, course_id, lesson_id, step_count):
    """Mark the lesson complete (its quiz was passed); keeps the first completion time."""
    with write_transaction(db):
        save_step(db, pupil_id, course_id, lesson_id, step_count)
        db.execute(
            COMPLETE_LESSON,
            {"pupil_id": pupil_id, "lesson_id": lesson_id, "now": now()},
        )
