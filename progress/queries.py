"""SQL for progress dashboards, re-teach and reports. Every query is scoped to one school.

A scope is a class (`class_id`) or the whole school (`class_id` None). Each query picks its
pupils through the same scope fragment, so a class's grid, re-teach page and report always
count the same pupils. A period limits activity to a date range (inclusive, by day).
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta

from db import light_rows, now, write_transaction
from progress.dashboard import build_grid, pupil_rows
from progress.reteach import RecheckSummary, belief_totals, confidence_totals, question_stats, topic_gains
from quizzes.recheck import as_date
from quizzes.shuffle import decode
from training.queries import PUPIL_COURSE_OF


@dataclass(frozen=True)
class Scope:
    """Whose progress: one class of a school, or the whole school."""

    school_id: int
    class_id: int | None = None
    name: str = ""  # the class name, or the school's name
    # The whole school: only the pupils who follow this course (training.courses' rule), as
    # JSON year group -> course id for pupils in no class. A class follows one course already.
    course_id: str | None = None
    year_courses: str = "{}"

    @property
    def whole_school(self):
        """True when the scope is every pupil of the school."""
        return self.class_id is None


@dataclass(frozen=True)
class Period:
    """A date range, both ends included; None means open-ended."""

    start: date | None = None
    end: date | None = None

    def params(self):
        """SQL parameters: ISO strings that compare correctly with stored timestamps."""
        return {
            "date_from": self.start.isoformat() if self.start else None,
            # Timestamps on the last day sort after its date, so compare with the next day.
            "date_before": (self.end + timedelta(days=1)).isoformat() if self.end else None,
        }


ALL_TIME = Period()

# The pupils in scope: active (not archived) pupils of the class or of the whole school.
# Two fragments, not one with "(:class_id IS NULL OR ...)": SQLite plans a query once, so a
# shared fragment read every pupil of the school to keep a class's 30. A class's starts from
# class_pupils (its primary key leads with class_id); the school's from people_school_role.
# CROSS JOIN is SQLite's way to fix the join order: left to itself the planner took
# people_school_role (every pupil of the school) and looked each one up in the class.
CLASS_PUPIL_IDS = """
SELECT cp.person_id FROM class_pupils cp CROSS JOIN people p ON p.id = cp.person_id
WHERE cp.class_id = :class_id AND p.school_id = :school_id AND p.role = 'pupil' AND p.archived_at IS NULL
"""
SCHOOL_PUPIL_IDS = f"""
SELECT p.id FROM people p
WHERE p.school_id = :school_id AND p.role = 'pupil' AND p.archived_at IS NULL
  AND (:route_course_id IS NULL
       OR {PUPIL_COURSE_OF.format(pupil="p.id", year_group="p.year_group")} = :route_course_id)
"""
# Last active: the latest of the recorded activity time, a lesson step and a quiz submitted.
PUPILS = """
SELECT p.id, p.first_name, p.last_name,
       nullif(max(coalesce(p.last_active_at, ''),
                  coalesce((SELECT max(updated_at) FROM lesson_progress WHERE pupil_id = p.id), ''),
                  coalesce((SELECT max(submitted_at) FROM attempts WHERE pupil_id = p.id), '')),
              '') AS last_active_at,
       (SELECT group_concat(name, ', ') FROM (
            SELECT c.name FROM class_pupils cp JOIN classes c ON c.id = cp.class_id
            WHERE cp.person_id = p.id ORDER BY c.name) AS pupil_classes) AS classes
FROM people p WHERE p.id IN ({scope})
ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.id
"""
COUNT_PUPILS = "SELECT count(*) AS n FROM ({scope}) AS pupils"
IN_PERIOD = """
  AND (:date_from IS NULL OR {column} >= :date_from)
  AND (:date_before IS NULL OR {column} < :date_before)
"""
# Best percent, passed and attempts per pupil per lesson quiz, and for 'baseline' and 'final':
# the pupil's course page groups its own attempts the same way (quizzes.queries.SUMMARIES).
SUMMARIES = f"""
SELECT a.pupil_id, CASE a.phase WHEN 'lesson' THEN a.quiz_id ELSE a.phase END AS key,
       max(a.percent) AS best_percent, max(a.passed) AS passed, count(*) AS attempts
FROM attempts a
WHERE a.pupil_id IN ({{scope}}) AND a.course_id = :course_id
{IN_PERIOD.format(column="a.submitted_at")}
GROUP BY a.pupil_id, key
"""
# Lesson progress that existed in the period: opened before it ended, touched after it began.
PROGRESS = """
SELECT lp.pupil_id, lp.lesson_id, lp.current_step, lp.furthest_step
FROM lesson_progress lp
WHERE lp.pupil_id IN ({scope}) AND lp.course_id = :course_id
  AND (:date_before IS NULL OR lp.started_at < :date_before)
  AND (:date_from IS NULL OR lp.updated_at >= :date_from)
"""
# Every certificate of the pupils in scope, oldest first (so the newest valid one wins).
CERTIFICATES = """
SELECT c.id, c.pupil_id, c.code, c.score, c.issued_at, c.revoked_at, c.revoked_reason
FROM certificates c
WHERE c.pupil_id IN ({scope}) AND c.course_id = :course_id
  AND c.school_id = :school_id AND c.erased_at IS NULL
  AND (:date_before IS NULL OR c.issued_at < :date_before)
ORDER BY c.id
"""
# Per pupil in scope and lesson: the first day (UK, ISO) it was taught live with them there, on their own device
# or ticked as there without one (live/: the sessions and their attendance), within the period; `on_device` is 0
# when they were only ever there without one.
TAUGHT_LIVE = """
SELECT a.pupil_id, s.lesson_id, min(s.taught_on) AS taught_on,
       max(CASE WHEN a.how = 'device' THEN 1 ELSE 0 END) AS on_device
FROM live_attendance a JOIN live_sessions s ON s.id = a.session_id
WHERE a.pupil_id IN ({scope}) AND s.course_id = :course_id AND s.school_id = :school_id
  AND (:date_from IS NULL OR s.taught_on >= :date_from)
  AND (:date_before IS NULL OR s.taught_on < :date_before)
GROUP BY a.pupil_id, s.lesson_id
ORDER BY a.pupil_id, s.lesson_id
"""
# The answers of each pupil's first attempt at each quiz in each phase.
FIRST_ANSWERS = f"""
WITH firsts AS (
    SELECT min(a.id) AS id FROM attempts a
    WHERE a.pupil_id IN ({{scope}}) AND a.course_id = :course_id
    {IN_PERIOD.format(column="a.submitted_at")}
    GROUP BY a.pupil_id, a.quiz_id, a.phase
)
SELECT a.pupil_id, a.quiz_id, a.phase, an.question_id, an.topic, an.response, an.correct
FROM firsts JOIN attempts a ON a.id = firsts.id JOIN answers an ON an.attempt_id = a.id
"""
# The class's re-check date (none for the whole school) and how many pupils took the final check and the re-check.
RECHECK_COUNTS = f"""
SELECT (SELECT c.recheck_on FROM classes c WHERE c.id = :class_id AND c.school_id = :school_id) AS recheck_on,
       count(DISTINCT CASE WHEN a.phase = 'final' THEN a.pupil_id END) AS finished,
       count(DISTINCT CASE WHEN a.phase = 'recheck' THEN a.pupil_id END) AS taken
FROM attempts a
WHERE a.pupil_id IN ({{scope}}) AND a.course_id = :course_id AND a.phase IN ('final', 'recheck')
{IN_PERIOD.format(column="a.submitted_at")}
"""
# Confidence answers carry no pupil: totals per item and phase, never rows per person.
# A class's start from its links (index from m014_report_indexes), not the school's answers.
CONFIDENCE_FOR_CLASS = f"""
SELECT r.item_key, r.phase, r.value, count(*) AS n
FROM confidence_response_classes rc CROSS JOIN confidence_responses r ON r.id = rc.response_id
WHERE rc.class_id = :class_id AND r.school_id = :school_id AND r.course_id = :course_id
{IN_PERIOD.format(column="r.answered_on")}
GROUP BY r.item_key, r.phase, r.value
"""
CONFIDENCE_FOR_SCHOOL = f"""
SELECT r.item_key, r.phase, r.value, count(*) AS n
FROM confidence_responses r
WHERE r.school_id = :school_id AND r.course_id = :course_id
{IN_PERIOD.format(column="r.answered_on")}
GROUP BY r.item_key, r.phase, r.value
"""
# Belief answers carry no pupil either: totals per question, phase and option.
BELIEF_FOR_CLASS = f"""
SELECT r.question_id, r.phase, r.option_id, count(*) AS n
FROM belief_response_classes rc CROSS JOIN belief_responses r ON r.id = rc.response_id
WHERE rc.class_id = :class_id AND r.school_id = :school_id AND r.course_id = :course_id
{IN_PERIOD.format(column="r.answered_on")}
GROUP BY r.question_id, r.phase, r.option_id
"""
BELIEF_FOR_SCHOOL = f"""
SELECT r.question_id, r.phase, r.option_id, count(*) AS n
FROM belief_responses r
WHERE r.school_id = :school_id AND r.course_id = :course_id
{IN_PERIOD.format(column="r.answered_on")}
GROUP BY r.question_id, r.phase, r.option_id
"""

# One pupil.
PUPIL_ATTEMPTS = """
SELECT * FROM attempts WHERE pupil_id = ? AND course_id = ? ORDER BY submitted_at, id
"""
PUPIL_ANSWERS = """
SELECT an.* FROM answers an JOIN attempts a ON a.id = an.attempt_id
WHERE a.pupil_id = ? ORDER BY an.id
"""
PUPIL_CERTIFICATES = """
SELECT c.*, p.first_name AS revoked_by_first, p.last_name AS revoked_by_last
FROM certificates c LEFT JOIN people p ON p.id = c.revoked_by
WHERE c.pupil_id = ? AND c.school_id = ? AND c.course_id = ? ORDER BY c.id DESC
"""
CLASS_CERTIFICATE_PDFS = """
SELECT c.pupil_id, c.pdf FROM class_pupils cp
CROSS JOIN people p ON p.id = cp.person_id AND p.archived_at IS NULL
CROSS JOIN certificates c ON c.pupil_id = cp.person_id
WHERE cp.class_id = :class_id AND c.school_id = :school_id AND c.course_id = :course_id
  AND c.revoked_at IS NULL AND c.erased_at IS NULL AND c.pdf IS NOT NULL
ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.id, c.id
"""
# How many pupils the class's certificates PDF will have a page for (without reading the PDFs).
CLASS_CERTIFICATE_COUNT = """
SELECT COUNT(DISTINCT c.pupil_id) FROM class_pupils cp
CROSS JOIN people p ON p.id = cp.person_id AND p.archived_at IS NULL
CROSS JOIN certificates c ON c.pupil_id = cp.person_id
WHERE cp.class_id = :class_id AND c.school_id = :school_id AND c.course_id = :course_id
  AND c.revoked_at IS NULL AND c.erased_at IS NULL AND c.pdf IS NOT NULL
"""

# Classes a member of staff may report on.
CLASSES_FOR_STAFF = """
SELECT c.id, c.name, c.year_group, c.course_id FROM classes c
WHERE c.school_id = :school_id AND c.archived_at IS NULL
  AND (:whole_school = 1 OR c.id IN (SELECT class_id FROM class_teachers WHERE person_id = :person_id))
ORDER BY c.name COLLATE NOCASE
"""

# Background report jobs.
JOB_FOR_STAFF = """
SELECT id, school_id, requested_by, class_id, pupil_id, kind, format, date_from, date_to, status, progress,
       filename, error, created_at, finished_at
FROM report_jobs WHERE id = :id AND school_id = :school_id
  AND (:whole_school = 1 OR requested_by = :person_id)
"""
JOB_CONTENT = "SELECT content, filename FROM report_jobs WHERE id = ? AND status = 'done'"
JOB_PROGRESS = "UPDATE report_jobs SET status = :status, progress = :progress WHERE id = :id"
JOB_DONE = """
UPDATE report_jobs SET status = 'done', progress = 100, filename = :filename,
       content = :content, finished_at = :now WHERE id = :id
"""
JOB_FAILED = "UPDATE report_jobs SET status = 'failed', error = :error, finished_at = :now WHERE id = :id"


def _params(scope, course_id=None, period=ALL_TIME):
    return {
        "school_id": scope.school_id,
        "class_id": scope.class_id,
        "course_id": course_id,
        "route_course_id": scope.course_id,
        "year_courses": scope.year_courses,
        **period.params(),
    }


def scoped(sql, scope):
    """`sql` with its {scope} filled in: the class's pupils or the school's."""
    return sql.format(scope=SCHOOL_PUPIL_IDS if scope.whole_school else CLASS_PUPIL_IDS)


def pupils_in_scope(db, scope):
    """The active pupils in scope, by last name: id, names, last active and class names."""
    return list(db.query(scoped(PUPILS, scope), _params(scope)))


def count_pupils(db, scope):
    """How many active pupils are in scope."""
    return next(db.query(scoped(COUNT_PUPILS, scope), _params(scope)))["n"]


def _current_certificates(rows):
    """Pupil id -> code of the newest certificate not revoked, from rows oldest first."""
    return {row["pupil_id"]: row["code"] for row in rows if row["revoked_at"] is None}


def grid_for(db, course, scope, period=ALL_TIME):
    """The progress grid for the scope, built from the rows the pupils' own pages use."""
    return grid_from(course, grid_source(db, course, scope, period))


def grid_source(db, course, scope, period=ALL_TIME):
    """Every row the grid is built from: (pupils, progress, summaries, certificates, taught live), each a tuple of
    sqlite3.Row.

    Rows made in C and hashable, so equal sources can share one rendering (progress_views.grid_html).
    """
    params = _params(scope, course.id, period)
    return tuple(
        tuple(_light_rows(db, scoped(sql, scope), params))
        for sql in (PUPILS, PROGRESS, SUMMARIES, CERTIFICATES, TAUGHT_LIVE)
    )


def grid_from(course, source):
    """The grid from grid_source's rows."""
    pupils, progress, summaries, certificates, taught = source
    return build_grid(
        course, [dict(p) for p in pupils], progress, summaries, _current_certificates(certificates), taught
    )


def grid_rows_streamed(db, course, scope, period=ALL_TIME):
    """The grid's rows in name order, each made as its pupil is read (for streaming a long report).

    The same rows as grid_for(...).rows. Progress, quiz summaries and certificates (a few small
    rows a pupil) are read first; the pupils' cursor is then read one row at a time.
    """
    params = _params(scope, course.id, period)
    progress = _light_rows(db, scoped(PROGRESS, scope), params)
    summaries = _light_rows(db, scoped(SUMMARIES, scope), params)
    certificates = _current_certificates(_light_rows(db, scoped(CERTIFICATES, scope), params))
    taught = _light_rows(db, scoped(TAUGHT_LIVE, scope), params)
    pupils = db.query(scoped(PUPILS, scope), params)
    return pupil_rows(course, pupils, progress, summaries, certificates, taught)


def _light_rows(db, sql, params):
    """Rows read by name; on SQLite as sqlite3.Row, made in C, where a dict per row cost more than the query."""
    return light_rows(db, sql, params)


def first_answers(db, course, scope, period=ALL_TIME):
    """The answers of every first attempt in scope, with responses decoded."""
    return [
        dict(row, response=json.loads(row["response"]))
        for row in db.query(scoped(FIRST_ANSWERS, scope), _params(scope, course.id, period))
    ]


def confidence_rows(db, course, scope, period=ALL_TIME):
    """Counts of each confidence value per item and phase: class (or school) totals only."""
    sql = CONFIDENCE_FOR_SCHOOL if scope.whole_school else CONFIDENCE_FOR_CLASS
    return list(db.query(sql, _params(scope, course.id, period)))


def belief_for(db, course, scope, period=ALL_TIME):
    """Belief items as class (or school) totals per phase: never per pupil."""
    sql = BELIEF_FOR_SCHOOL if scope.whole_school else BELIEF_FOR_CLASS
    return belief_totals(course, db.query(sql, _params(scope, course.id, period)))


def reteach_for(db, course, scope, period=ALL_TIME):
    """(question stats, topic gains, confidence totals) for the scope."""
    answers = first_answers(db, course, scope, period)
    return (
        question_stats(course, answers),
        topic_gains(course, answers),
        confidence_totals(course, confidence_rows(db, course, scope, period)),
    )


def recheck_summary_for(db, course, scope, period=ALL_TIME):
    """The scope's re-check: the class's date and how many took the final check and the re-check."""
    row = next(db.query(scoped(RECHECK_COUNTS, scope), _params(scope, course.id, period)))
    return RecheckSummary(as_date(row["recheck_on"]), row["finished"], row["taken"], scope.whole_school)


def questions_and_topics_for(db, course, scope, period=ALL_TIME):
    """(question stats, topic gains): re-teach without the confidence totals (the PDF's summary)."""
    answers = first_answers(db, course, scope, period)
    return question_stats(course, answers), topic_gains(course, answers)


def certificates_in_scope(db, course, scope, period=ALL_TIME):
    """Every certificate (revoked ones too) of the pupils in scope, oldest first."""
    return list(db.query(scoped(CERTIFICATES, scope), _params(scope, course.id, period)))


def pupil_attempts(db, pupil_id, course_id):
    """The pupil's attempts, oldest first."""
    return list(db.query(PUPIL_ATTEMPTS, [pupil_id, course_id]))


def pupil_answers(db, pupil_id):
    """The pupil's stored answers, responses decoded, grouped by attempt id."""
    grouped = {}
    for row in db.query(PUPIL_ANSWERS, [pupil_id]):
        grouped.setdefault(row["attempt_id"], []).append(
            dict(row, response=json.loads(row["response"]), option_order=decode(row["option_order"]))
        )
    return grouped


def pupil_certificates(db, pupil_id, school_id, course_id):
    """Every certificate the pupil was issued, newest first, with who revoked it."""
    return list(db.query(PUPIL_CERTIFICATES, [pupil_id, school_id, course_id]))


def class_certificate_pdfs(db, school_id, class_id, course_id):
    """The stored PDFs of the class's current certificates, by pupil name."""
    rows = db.query(
        CLASS_CERTIFICATE_PDFS,
        {"school_id": school_id, "class_id": class_id, "course_id": course_id},
    )
    latest = {}
    for row in rows:  # newest certificate per pupil, keeping the name order
        latest[row["pupil_id"]] = row["pdf"]
    return list(latest.values())


def class_certificate_count(db, school_id, class_id, course_id):
    """How many of the class's pupils hold a current certificate with a stored PDF."""
    params = {"school_id": school_id, "class_id": class_id, "course_id": course_id}
    return db.execute(CLASS_CERTIFICATE_COUNT, params).fetchone()[0]


def classes_for_staff(db, user, whole_school):
    """The classes this member of staff may report on (all of the school's for admin and DSL)."""
    params = {
        "school_id": user.school_id,
        "person_id": user.id,
        "whole_school": whole_school,
    }
    return list(db.query(CLASSES_FOR_STAFF, params))


def create_job(db, user, scope, fmt, period, course_id=None, kind="report", pupil_id=None):
    """Record a queued report (class certificates, reissue) job and return its id (written before it is queued)."""
    row = {
        "kind": kind,
        "pupil_id": pupil_id,
        "school_id": scope.school_id,
        "requested_by": user.id,
        "class_id": scope.class_id,
        "course_id": course_id or scope.course_id,
        "format": fmt,
        "date_from": period.start.isoformat() if period.start else None,
        "date_to": period.end.isoformat() if period.end else None,
        "status": "queued",
        "progress": 0,
        "created_at": now(),
    }
    with write_transaction(db):
        return db["report_jobs"].insert(row).last_pk


def job_for_staff(db, user, job_id, whole_school):
    """The job if it belongs to the user's school (and, for a teacher, was theirs), else None."""
    params = {
        "id": job_id,
        "school_id": user.school_id,
        "person_id": user.id,
        "whole_school": whole_school,
    }
    return next(db.query(JOB_FOR_STAFF, params), None)


def job_content(db, job_id):
    """The finished report's bytes and file name, or None."""
    return next(db.query(JOB_CONTENT, [job_id]), None)


def set_job_progress(db, job_id, progress, status="running"):
    """Record how far the job has got (0-100)."""
    with write_transaction(db):
        db.execute(JOB_PROGRESS, {"id": job_id, "progress": progress, "status": status})


def finish_job(db, job_id, filename, content):
    """Store the finished report."""
    with write_transaction(db):
        db.execute(
            JOB_DONE,
            {"id": job_id, "filename": filename, "content": content, "now": now()},
        )


def fail_job(db, job_id, error):
    """Record why the job failed."""
    with write_transaction(db):
        db.execute(JOB_FAILED, {"id": job_id, "error": error, "now": now()})
