"""SQL for lesson progress."""

import json

from db import now, prepared, write_transaction

PROGRESS_FOR_PUPIL = "SELECT * FROM lesson_progress WHERE pupil_id = ?"
# save_step's "not read yet" (None means the pupil has no place in the lesson yet).
UNKNOWN = object()
CURRENT_STEP = prepared("SELECT current_step FROM lesson_progress WHERE pupil_id = ? AND lesson_id = ?")
SAVE_STEP = prepared("""
INSERT INTO lesson_progress (pupil_id, course_id, lesson_id, current_step, furthest_step, started_at, updated_at)
VALUES (:pupil_id, :course_id, :lesson_id, :step, :step, :now, :now)
ON CONFLICT (pupil_id, lesson_id) DO UPDATE SET
    current_step = :step,
    furthest_step = max(lesson_progress.furthest_step, :step),
    updated_at = :now
""")
COMPLETE_LESSON = prepared("""
UPDATE lesson_progress SET completed_at = coalesce(completed_at, :now), updated_at = :now
WHERE pupil_id = :pupil_id AND lesson_id = :lesson_id
""")


def progress_by_lesson(db, pupil_id):
    """The pupil's progress rows, keyed by lesson id."""
    return {row["lesson_id"]: row for row in db.query(PROGRESS_FOR_PUPIL, [pupil_id])}


def save_step(db, pupil_id, course_id, lesson_id, step, current=UNKNOWN):
    """Remember that the pupil is at `step` of the lesson; no write when that is already their place.

    `current` is the place already read (None: no row yet), so the caller's query can save this one."""
    # Re-reading a step (a reload, the back button) is most page views: a primary-key read costs
    # far less than taking the database's one write lock. When the place is unchanged, furthest_step
    # is already at least `step`, so skipping the upsert loses nothing.
    if not db.conn.in_transaction:
        if current is UNKNOWN:
            row = db.execute(CURRENT_STEP, [pupil_id, lesson_id]).fetchone()
            current = row[0] if row else None
        if current == step:
            return
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


# The course a pupil follows (training.courses explains the rule), for a pupil row `{pupil}`:
# the newest active class's route, else the course for their year group, else the default.
# `:year_courses` is JSON {"7": course id, ..., "default": course id}.
PUPIL_COURSE_OF = """coalesce(
    (SELECT c.course_id FROM class_pupils cp JOIN classes c ON c.id = cp.class_id
     WHERE cp.person_id = {pupil} AND c.archived_at IS NULL AND c.course_id IS NOT NULL
     ORDER BY c.created_at DESC, c.id DESC LIMIT 1),
    (SELECT value FROM json_each(:year_courses) WHERE key = CAST({year_group} AS TEXT)),
    (SELECT value FROM json_each(:year_courses) WHERE key = 'default'))"""
PUPIL_COURSE = prepared(f"SELECT {PUPIL_COURSE_OF.format(pupil=':pupil_id', year_group=':year_group')} AS course_id")


# Everything a lesson step page reads, in one round trip: the pupil's course, their place in this
# lesson, and which of the course's lesson quizzes they have passed (all the progress bar needs).
# Passed quizzes: one EXISTS per lesson quiz id (`:quiz_ids`, a JSON array of every course's), each stopping
# at its first passed attempt on attempts_pupil_quiz, so a pupil with many attempts costs what one with few does
# (a DISTINCT over all of them grew with every retake).
STEP_PAGE = prepared(f"""
WITH pupil_course AS (SELECT {PUPIL_COURSE_OF.format(pupil=":pupil_id", year_group=":year_group")} AS course_id)
SELECT course_id,
       (SELECT current_step FROM lesson_progress WHERE pupil_id = :pupil_id AND lesson_id = :lesson_id) AS current_step,
       (SELECT json_group_array(q.value) FROM json_each(:quiz_ids) AS q
        WHERE EXISTS (SELECT 1 FROM attempts
                      WHERE pupil_id = :pupil_id AND quiz_id = q.value AND course_id = pupil_course.course_id
                        AND phase = 'lesson' AND passed = 1)) AS passed_quizzes
FROM pupil_course
""")


def step_page_state(db, pupil_id, year_group, year_courses, lesson_id, quiz_ids="[]"):
    """(course id, current step in the lesson or None, set of passed lesson quiz ids) in one query.

    `quiz_ids` is a JSON array of the lesson quiz ids that count (every course's: the query picks the course)."""
    params = {"pupil_id": pupil_id, "year_group": year_group, "year_courses": year_courses, "lesson_id": lesson_id,
              "quiz_ids": quiz_ids}  # fmt: skip
    course_id, current_step, passed = db.execute(STEP_PAGE, params).fetchone()
    return course_id, current_step, frozenset(json.loads(passed))


def pupil_course_id(db, pupil_id, year_group, year_courses):
    """The id of the course the pupil follows: their newest class's, else their year group's."""
    params = {"pupil_id": pupil_id, "year_group": year_group, "year_courses": year_courses}
    return next(db.query(PUPIL_COURSE, params))["course_id"]
