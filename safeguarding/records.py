"""A pupil's records: export everything held, erase a pupil, and retention after leaving.

Plain functions on a sqlite_utils Database (no Flask), tested directly.
"""

import calendar
from datetime import UTC, datetime, timedelta

from accounts.stores import session_store
from audit import audit
from classroom.queries import purge_expired
from db import now, write_transaction

PERSON_COLUMNS = (
    "id", "role", "username", "email", "first_name", "last_name", "year_group", "created_at", "last_active_at",
    "archived_at",
)  # fmt: skip
# Google or Microsoft accounts linked to the pupil: which, the e-mail the provider sent, when.
LINKED_ACCOUNTS = """
SELECT provider, email, linked_at, last_used_at FROM identities WHERE person_id = ? ORDER BY linked_at
"""
# The classes the pupil joined with a class code, and when.
CODE_JOINS = """
SELECT c.name AS class_name, j.joined_at, j.new_account FROM class_code_joins j JOIN classes c ON c.id = j.class_id
WHERE j.person_id = ? ORDER BY j.joined_at
"""
PUPIL = "SELECT * FROM people WHERE id = ? AND role = 'pupil'"
SCHOOL_NAME = "SELECT name FROM schools WHERE id = ?"
CLASSES = """
SELECT c.name, c.year_group, c.archived_at FROM classes c JOIN class_pupils cp ON cp.class_id = c.id
WHERE cp.person_id = ? ORDER BY c.name
"""
PROGRESS = """
SELECT course_id, lesson_id, current_step, furthest_step, started_at, updated_at, completed_at
FROM lesson_progress WHERE pupil_id = ? ORDER BY started_at, lesson_id
"""
ATTEMPTS = """
SELECT id, course_id, quiz_id, phase, score, max_score, percent, passed, submitted_at
FROM attempts WHERE pupil_id = ? ORDER BY submitted_at, id
"""
# When the pupil went back over a lesson after two failed attempts at its quiz (m024).
QUIZ_REVIEWS = "SELECT course_id, quiz_id, phase, reviewed_at FROM quiz_reviews WHERE pupil_id = ? ORDER BY id"
# The live lessons the pupil was taught (m030): which lesson, the day, on their own device or in class without one.
LIVE_LESSONS = """
SELECT s.course_id, s.lesson_id, s.taught_on, a.how, a.joined_at, a.attempt_id
FROM live_attendance a JOIN live_sessions s ON s.id = a.session_id
WHERE a.pupil_id = ? ORDER BY s.taught_on, s.id
"""
ANSWERS = "SELECT question_id, question_type, topic, response, correct FROM answers WHERE attempt_id = ? ORDER BY id"
CERTIFICATES = """
SELECT code, course_id, course_title, pupil_name, pupil_initials, school_name, score, issued_at,
       revoked_at, revoked_reason, erased_at, pdf IS NOT NULL AS pdf_held
FROM certificates WHERE pupil_id = ? ORDER BY issued_at
"""
TALK_REQUESTS = """
SELECT r.id, r.addressed_to, r.urgency, r.message, r.status, r.created_at, r.updated_at,
       t.first_name || ' ' || t.last_name AS teacher
FROM talk_requests r LEFT JOIN people t ON t.id = r.teacher_id
WHERE r.pupil_id = ? ORDER BY r.created_at
"""
TALK_ACTIONS = """
SELECT a.status, a.note, a.created_at, s.first_name || ' ' || s.last_name AS staff
FROM talk_request_actions a LEFT JOIN people s ON s.id = a.staff_id
WHERE a.request_id = ? ORDER BY a.id
"""
# Erasing: certificates keep their code (so /verify can say "no longer held") and lose everything personal.
ERASE_CERTIFICATES = """
UPDATE certificates SET erased_at = :now, pupil_id = NULL, pupil_name = NULL, pupil_initials = NULL,
       score = NULL, pdf = NULL
WHERE pupil_id = :pupil_id
"""
# Deleting the person cascades to lesson_progress, attempts (and their answers), quiz reviews, class places,
# live lesson attendance and talk requests.
DELETE_PUPIL = "DELETE FROM people WHERE id = ? AND role = 'pupil'"
COUNT = {
    "lesson_progress": "SELECT count(*) AS n FROM lesson_progress WHERE pupil_id = ?",
    "attempts": "SELECT count(*) AS n FROM attempts WHERE pupil_id = ?",
    "certificates": "SELECT count(*) AS n FROM certificates WHERE pupil_id = ?",
    "talk_requests": "SELECT count(*) AS n FROM talk_requests WHERE pupil_id = ?",
}
DELETE_SCHOOL_REPORTS = "DELETE FROM report_jobs WHERE school_id = ?"
# Built reports are downloads, not records: kept for a day.
DELETE_OLD_REPORTS = "DELETE FROM report_jobs WHERE created_at < ?"
REPORTS_KEPT = timedelta(days=1)
ARCHIVED_PUPILS = "SELECT id, school_id, archived_at FROM people WHERE role = 'pupil' AND archived_at IS NOT NULL"


# Requests to talk and the notes on them are for the school's DSLs and the teacher the pupil chose:
# the talk page promises the pupil so. Anyone else's export leaves them out and says so.
TALK_WITHHELD = (
    "Requests to talk and safeguarding notes are held by the designated safeguarding lead "
    "and are not included in this export."
)
CONFIDENCE_NOT_HELD = (
    "How-sure-are-you answers are stored without any name or account, as class totals, "
    "so they cannot be linked to this pupil."
)


def sees_talk_requests(role):
    """Whether a pupil's records, as `role` sees them, include requests to talk and DSL notes: DSLs only."""
    return role == "dsl"


def export_pupil(db, pupil_id, include_talk=True):
    """Everything held about one pupil, as plain data ready for JSON; None if there is no such pupil.

    Without `include_talk`, requests to talk and their notes are left out and the export says so.
    """
    person = next(db.query(PUPIL, [pupil_id]), None)
    if person is None:
        return None
    attempts = []
    for attempt in db.query(ATTEMPTS, [pupil_id]):
        answers = [dict(answer, correct=bool(answer["correct"])) for answer in db.query(ANSWERS, [attempt["id"]])]
        attempts.append(dict(attempt, passed=bool(attempt["passed"]), answers=answers))
    data = {
        "exported_at": now(),
        "person": {column: person[column] for column in PERSON_COLUMNS}
        | {"password": "set; stored only as a one-way hash, which cannot be turned back into the password"},
        "school": next(db.query(SCHOOL_NAME, [person["school_id"]]))["name"],
        "classes": list(db.query(CLASSES, [pupil_id])),
        "linked_accounts": list(db.query(LINKED_ACCOUNTS, [pupil_id])),
        "joined_with_class_code": [
            dict(j, new_account=bool(j["new_account"])) for j in db.query(CODE_JOINS, [pupil_id])
        ],  # fmt: skip
        "lesson_progress": list(db.query(PROGRESS, [pupil_id])),
        "quiz_attempts": attempts,
        "quiz_reviews": list(db.query(QUIZ_REVIEWS, [pupil_id])),
        "live_lessons": list(db.query(LIVE_LESSONS, [pupil_id])),
        "certificates": [dict(c, pdf_held=bool(c["pdf_held"])) for c in db.query(CERTIFICATES, [pupil_id])],
        "not_included": [CONFIDENCE_NOT_HELD],
    }
    if include_talk:
        data["talk_requests"] = [
            dict(request, actions=list(db.query(TALK_ACTIONS, [request["id"]])))
            for request in db.query(TALK_REQUESTS, [pupil_id])
        ]
    else:
        data["not_included"].insert(0, TALK_WITHHELD)
    return data


def counts_for(db, pupil_id):
    """How many records of each kind an erase would remove, for the confirm page."""
    return {name: next(db.query(sql, [pupil_id]))["n"] for name, sql in COUNT.items()}


def erase_pupil(db, pupil_id, staff_id=None, action="erase"):
    """Delete a pupil and all their records; their certificates then verify as "no longer held".

    The audit log keeps that it happened (the action, who, when and the old id), never the name.
    Returns the counts removed, or None if there is no such pupil.
    """
    person = next(db.query(PUPIL, [pupil_id]), None)
    if person is None:
        return None
    counts = counts_for(db, pupil_id)
    stamp = now()
    with write_transaction(db):
        db.execute(ERASE_CERTIFICATES, {"now": stamp, "pupil_id": pupil_id})
        db.execute(DELETE_PUPIL, [pupil_id])  # their session rows go with them (ON DELETE CASCADE)
        session_store(db).end_all(pupil_id)  # and any held in Redis
        # Stored reports may name the pupil: the school's are removed (staff can make them again).
        db.execute(DELETE_SCHOOL_REPORTS, [person["school_id"]])
        audit(db, person["school_id"], staff_id, action, "pupil", pupil_id)
    return counts


def months_before(moment, months):
    """The same day and time `months` calendar months earlier (31 March minus 1 month is 28 or 29 February)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def parse_time(text):
    """An ISO date or time as stored, as an aware UTC datetime (a bare date means midnight UTC)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pupils_due(db, months, moment=None):
    """Archived pupils whose leaving date is more than `months` months before `moment` (default: now)."""
    cutoff = months_before(moment or datetime.now(UTC), months)
    return [row for row in db.query(ARCHIVED_PUPILS) if parse_time(row["archived_at"]) < cutoff], cutoff


def apply_retention(db, months, moment=None, dry_run=False):
    """Erase every pupil due under the retention rule; returns (the pupils erased, the cutoff).

    Idempotent: a second run finds nobody left to erase, so it is safe on a daily timer.
    """
    due, cutoff = pupils_due(db, months, moment)
    if not dry_run:
        for row in due:
            erase_pupil(db, row["id"], staff_id=None, action="erase-retention")
        purge_expired(db)
        with write_transaction(db):
            db.execute(DELETE_OLD_REPORTS, [((moment or datetime.now(UTC)) - REPORTS_KEPT).isoformat()])
    return due, cutoff
