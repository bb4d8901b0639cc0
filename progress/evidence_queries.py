"""SQL for the evidence pack: a school's classes (or one class) and the lessons their pupils completed.

Every query is scoped to one school. Counts only: no pupil's name is read. The days a class was taught a
lesson together come from the live lesson's sessions (`live_days`).
"""

import json
from datetime import UTC, date, datetime, timedelta

from dates import uk_day
from db import now, write_transaction
from job_rows import JobRows

# A class of the school, or every current class of it, with how many active pupils it has.
CLASSES = """
SELECT c.id, c.name, c.course_id, c.year_group,
       (SELECT count(*) FROM class_pupils cp JOIN people p ON p.id = cp.person_id
        WHERE cp.class_id = c.id AND p.role = 'pupil' AND p.archived_at IS NULL) AS pupils
FROM classes c
WHERE c.school_id = :school_id AND c.archived_at IS NULL AND (:class_id IS NULL OR c.id = :class_id)
ORDER BY c.name, c.id
"""
# Each lesson an active pupil of those classes completed, with the class it counts for.
COMPLETIONS = """
SELECT cp.class_id, lp.pupil_id, lp.lesson_id, lp.completed_at
FROM classes c
JOIN class_pupils cp ON cp.class_id = c.id
JOIN people p ON p.id = cp.person_id
JOIN lesson_progress lp ON lp.pupil_id = cp.person_id
WHERE c.school_id = :school_id AND c.archived_at IS NULL AND (:class_id IS NULL OR c.id = :class_id)
  AND p.school_id = :school_id AND p.role = 'pupil' AND p.archived_at IS NULL
  AND lp.completed_at IS NOT NULL
"""


def evidence_classes(db, school_id, class_id=None):
    """The class (or every current class of the school) as rows with id, name, course_id, year_group, pupils."""
    return list(db.query(CLASSES, {"school_id": school_id, "class_id": class_id}))


def completions(db, school_id, class_id=None):
    """(class_id, pupil_id, lesson_id, UK day completed) for every lesson completed in those classes."""
    params = {"school_id": school_id, "class_id": class_id}
    return [
        (row["class_id"], row["pupil_id"], row["lesson_id"], uk_day(row["completed_at"]))
        for row in db.query(COMPLETIONS, params)
    ]


# The days each of these classes was taught a lesson live: a session at least one pupil took part in (on a
# device, or ticked as there without one), as the dashboard counts "taught live".
LIVE_DAYS = """
SELECT DISTINCT s.class_id, s.lesson_id, s.taught_on FROM live_sessions s
WHERE s.school_id = :school_id AND s.class_id IN (SELECT CAST(value AS INTEGER) FROM json_each(:class_ids))
  AND EXISTS (SELECT 1 FROM live_attendance a WHERE a.session_id = s.id)
ORDER BY s.taught_on
"""


def live_days(db, school_id, class_ids):
    """{(class_id, lesson_id): [day, ...]} the days each class was taught a lesson live (someone took part)."""
    taught = {}
    for row in db.query(LIVE_DAYS, {"school_id": school_id, "class_ids": json.dumps(list(class_ids))}):
        taught.setdefault((row["class_id"], row["lesson_id"]), []).append(date.fromisoformat(row["taught_on"]))
    return taught


# ---------------------------------------------------------------- a trust's schools and completions

# The trust's schools (kind 'school', not offboarded: trusts.queries' IN_TRUST) with their active pupils.
IN_TRUST = "s.trust_id = :trust_id AND s.kind = 'school' AND s.offboarded_at IS NULL"
TRUST_SCHOOLS = f"""
SELECT s.id AS school_id, s.name,
       (SELECT count(*) FROM people p WHERE p.school_id = s.id AND p.role = 'pupil' AND p.archived_at IS NULL)
       AS pupils
FROM schools s WHERE {IN_TRUST}
ORDER BY s.name, s.id
"""
# The routes each school's current classes follow (course_id NULL: the year group's route).
TRUST_ROUTES = f"""
SELECT DISTINCT s.id AS school_id, c.course_id, c.year_group
FROM schools s JOIN classes c ON c.school_id = s.id AND c.archived_at IS NULL
WHERE {IN_TRUST}
"""
# Each lesson an active pupil of the trust's schools completed: counted per school, never named.
TRUST_COMPLETIONS = f"""
SELECT p.school_id, lp.pupil_id, lp.course_id, lp.lesson_id, lp.completed_at
FROM schools s
JOIN people p ON p.school_id = s.id AND p.role = 'pupil' AND p.archived_at IS NULL
JOIN lesson_progress lp ON lp.pupil_id = p.id
WHERE {IN_TRUST} AND lp.completed_at IS NOT NULL
"""


def trust_schools(db, trust_id):
    """The trust's schools as dicts with school_id, name and pupils, by name."""
    return [dict(row) for row in db.query(TRUST_SCHOOLS, {"trust_id": trust_id})]


def trust_routes(db, trust_id):
    """(school_id, course_id, year_group) for each route a current class of the trust's schools follows."""
    return [
        (row["school_id"], row["course_id"], row["year_group"])
        for row in db.query(TRUST_ROUTES, {"trust_id": trust_id})
    ]


def trust_completions(db, trust_id):
    """(school_id, pupil_id, course_id, lesson_id, completed_at) for every lesson completed in the trust."""
    return db.execute(TRUST_COMPLETIONS, {"trust_id": trust_id}).fetchall()


# ---------------------------------------------------------------- the stored packs (evidence_packs, m032)

# The job's state: the same claim, progress, failure and sweep queries as the trust figures'.
ROWS = JobRows("evidence_packs", "id", claim_sets="error = NULL")

STORED = """
SELECT id, status, error, computed_at, queued_at, pdf_minimum, {column} AS stored FROM evidence_packs
WHERE school_id = ? AND class_id = ?
"""
COLUMNS = {"tally": "tally", "pdf": "pdf", None: "NULL"}
CREATE = """
INSERT INTO evidence_packs (school_id, class_id, status, created_at, queued_at, heartbeat_at)
VALUES (:school_id, :class_id, 'queued', :now, :now, :now)
ON CONFLICT (school_id, class_id) DO NOTHING
"""
ID_OF = "SELECT id FROM evidence_packs WHERE school_id = ? AND class_id = ?"
# Queue the pack's job again: only when none is queued or running, the stored pack is older than :stale (or
# its PDF was drawn under another small-number minimum), and no job was asked for since :retry.
REQUEUE = """
UPDATE evidence_packs SET status = 'queued', progress = 0, attempts = 0, error = NULL, queued_at = :now,
       heartbeat_at = :now
WHERE id = :id AND status IN ('done', 'failed')
  AND (computed_at IS NULL OR computed_at < :stale OR pdf_minimum IS NULL OR pdf_minimum <> :minimum)
  AND queued_at < :retry
"""
DONE = """
UPDATE evidence_packs SET status = 'done', progress = 100, tally = :tally, pdf = :pdf, pdf_minimum = :minimum,
       computed_at = :computed_at, heartbeat_at = :now
WHERE id = :id AND status = 'running'
"""
KIND_OF = "SELECT kind FROM schools WHERE id = ?"
FORGET = "DELETE FROM evidence_packs WHERE school_id = ?"


def ago(minutes):
    """The ISO time `minutes` ago (stored times compare as strings)."""
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")


def stored(db, school_id, which, class_id=0):
    """The school's (or trust's, or one class's) stored pack: a dict with `stored` ('tally': the parsed JSON;
    'pdf': the bytes; None: the job's state alone; None if never worked out), status, error, computed_at,
    queued_at, pdf_minimum and id. None if no job was ever asked for."""
    row = next(db.query(STORED.format(column=COLUMNS[which]), [school_id, class_id]), None)
    if row is None:
        return None
    value = row["stored"]
    if which == "tally" and value:
        value = json.loads(value)
    return dict(row, stored=bytes(value) if which == "pdf" and value else value)


def ask(db, school_id, stale_minutes, retry_minutes, minimum, row=None, class_id=0):
    """Ask for the pack to be worked out if it is missing, older than `stale_minutes` or drawn under another
    minimum; returns the row's id if this call queued a job (the caller enqueues it), else None."""
    stamp = now()
    with write_transaction(db):
        if row is None:
            if db.execute(CREATE, {"school_id": school_id, "class_id": class_id, "now": stamp}).rowcount == 1:
                return next(db.query(ID_OF, [school_id, class_id]))["id"]
            return None  # another view made the row a moment ago: its job is queued
        params = {"id": row["id"], "now": stamp, "stale": ago(stale_minutes), "retry": ago(retry_minutes),
                  "minimum": minimum}  # fmt: skip
        return row["id"] if db.execute(REQUEUE, params).rowcount == 1 else None


def finish(db, pack_id, tally, pdf, minimum, computed_at):
    """Store the job's tally and PDF as the pack as of `computed_at`; False if the row was not running."""
    params = {"id": pack_id, "tally": json.dumps(tally, separators=(",", ":")), "pdf": pdf, "minimum": minimum,
              "computed_at": computed_at, "now": now()}  # fmt: skip
    with write_transaction(db):
        return db.execute(DONE, params).rowcount == 1


def is_trust(db, school_id):
    """Whether the schools row is a trust's (its pack is the trust's) rather than a school's."""
    row = next(db.query(KIND_OF, [school_id]), None)
    return row is not None and row["kind"] == "trust"
