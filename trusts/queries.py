"""SQL for trusts: the lead's figures across the trust's schools, and the operator's trust screens.

Every figure is one query grouped by school over the trust's schools (never a query per school):
the schools' table is 6 queries and the re-teach page 2, for a trust of 40 schools as for one of 2.
Each starts from `schools` by trust_id (index schools_trust), reaches pupils by people_school_role
and their rows by each table's pupil index. Portable SQL (ISSUE11_SHARED.md): the same on SQLite and PostgreSQL.
"""

import json

from db import now, write_transaction

# The trust's pupils: active pupils of its schools (kind 'school', not offboarded). Every query below
# reaches pupils only through this join, so none can count another trust's school.
TRUST_PUPILS = """
schools s JOIN people p ON p.school_id = s.id AND p.role = 'pupil' AND p.archived_at IS NULL
"""
IN_TRUST = "s.trust_id = :trust_id AND s.kind = 'school' AND s.offboarded_at IS NULL"

SCHOOLS = f"""
SELECT s.id AS school_id, s.name, COUNT(p.id) AS pupils
FROM schools s LEFT JOIN people p ON p.school_id = s.id AND p.role = 'pupil' AND p.archived_at IS NULL
WHERE {IN_TRUST}
GROUP BY s.id, s.name
"""
# Started: opened a lesson or submitted a quiz of the course (progress.dashboard's `started`).
STARTED = f"""
SELECT p.school_id, COUNT(*) AS n
FROM {TRUST_PUPILS}
WHERE {IN_TRUST}
  AND (EXISTS (SELECT 1 FROM lesson_progress lp WHERE lp.pupil_id = p.id AND lp.course_id = :course_id)
       OR EXISTS (SELECT 1 FROM attempts a WHERE a.pupil_id = p.id AND a.course_id = :course_id))
GROUP BY p.school_id
"""
# A lesson is complete once its quiz is passed (training.progress.lesson_states).
LESSONS_COMPLETE = f"""
SELECT p.school_id, a.quiz_id AS lesson_id, COUNT(DISTINCT a.pupil_id) AS n
FROM {TRUST_PUPILS} JOIN attempts a ON a.pupil_id = p.id
WHERE {IN_TRUST} AND a.course_id = :course_id AND a.phase = 'lesson' AND a.passed = 1
GROUP BY p.school_id, a.quiz_id
"""
# Completed: every lesson of the course complete (progress.dashboard's Grid.finished).
COURSE_COMPLETE = f"""
SELECT done.school_id, COUNT(*) AS n FROM (
    SELECT p.school_id, p.id
    FROM {TRUST_PUPILS} JOIN attempts a ON a.pupil_id = p.id
    WHERE {IN_TRUST} AND a.course_id = :course_id AND a.phase = 'lesson' AND a.passed = 1
      AND a.quiz_id IN ({{lessons}})
    GROUP BY p.school_id, p.id
    HAVING COUNT(DISTINCT a.quiz_id) = :lesson_count
) done
GROUP BY done.school_id
"""
# Pupils holding a current certificate of the course from their own school.
CERTIFICATES = f"""
SELECT p.school_id, COUNT(DISTINCT c.pupil_id) AS n
FROM {TRUST_PUPILS} JOIN certificates c ON c.pupil_id = p.id
WHERE {IN_TRUST} AND c.course_id = :course_id AND c.school_id = p.school_id
  AND c.revoked_at IS NULL AND c.erased_at IS NULL
GROUP BY p.school_id
"""
# Each pupil's best percent in the baseline and the final check (the dashboard's columns), summed
# per school: the average is total / pupils.
SCORES = f"""
SELECT best.school_id, best.phase, COUNT(*) AS pupils, SUM(best.percent) AS total FROM (
    SELECT p.school_id, a.pupil_id, a.phase, MAX(a.percent) AS percent
    FROM {TRUST_PUPILS} JOIN attempts a ON a.pupil_id = p.id
    WHERE {IN_TRUST} AND a.course_id = :course_id AND a.phase IN ('baseline', 'final')
    GROUP BY p.school_id, a.pupil_id, a.phase
) best
GROUP BY best.school_id, best.phase
"""
# Answers of each pupil's first attempt at each quiz (progress.queries.FIRST_ANSWERS),
# counted per school and identical answer rather than read one by one: at trust scale a million rows.
# Baseline answers are left out: re-teach counts the checks' questions from the final check only
# (progress/reteach.py), and grouping rows nobody reads was a third of the query's time in the bench.
FIRST_ANSWER_COUNTS = f"""
WITH firsts AS (
    SELECT p.school_id, a.quiz_id, a.phase, MIN(a.id) AS id
    FROM {TRUST_PUPILS} JOIN attempts a ON a.pupil_id = p.id
    WHERE {IN_TRUST} AND a.course_id = :course_id AND a.phase <> 'baseline'
    GROUP BY p.school_id, a.pupil_id, a.quiz_id, a.phase
)
SELECT f.school_id, f.quiz_id, f.phase, an.question_id, an.response, an.correct, COUNT(*) AS n
FROM firsts f JOIN answers an ON an.attempt_id = f.id
GROUP BY f.school_id, f.quiz_id, f.phase, an.question_id, an.response, an.correct
"""


def _params(trust_id, course):
    lessons = {f"lesson_{i}": lesson.id for i, lesson in enumerate(course.lessons)}
    return {"trust_id": trust_id, "course_id": course.id, "lesson_count": len(course.lessons), **lessons}


def _course_complete_sql(course):
    """COURSE_COMPLETE with a placeholder per lesson id (values are bound, never formatted in)."""
    return COURSE_COMPLETE.format(lessons=", ".join(f":lesson_{i}" for i in range(len(course.lessons))) or "NULL")


def figure_rows(db, trust_id, course):
    """Every grouped row the trust's table is built from, as keyword arguments for rules.build_table."""
    params = _params(trust_id, course)

    def rows(sql):
        return list(db.query(sql, params))

    return {
        "schools": rows(SCHOOLS),
        "started": rows(STARTED),
        "lesson_rows": rows(LESSONS_COMPLETE),
        "completed": rows(_course_complete_sql(course)),
        "certificates": rows(CERTIFICATES),
        "scores": rows(SCORES),
    }


def schools(db, trust_id):
    """The trust's schools (school_id, name, pupils), by name."""
    rows = db.query(SCHOOLS, {"trust_id": trust_id})
    return sorted(rows, key=lambda s: (s["name"].casefold(), s["school_id"]))


def first_answer_counts(db, trust_id, course):
    """First-attempt answers grouped by school, question, response and correctness, each with its count."""
    return [
        dict(row, response=json.loads(row["response"]))
        for row in db.query(FIRST_ANSWER_COUNTS, _params(trust_id, course))
    ]


def explain(db, trust_id, course):
    """{query name: SQLite's query plan lines}: to check each figure query uses an index (SQLite only)."""
    params = _params(trust_id, course)
    queries = {
        "schools": SCHOOLS,
        "started": STARTED,
        "lessons": LESSONS_COMPLETE,
        "completed": _course_complete_sql(course),
        "certificates": CERTIFICATES,
        "scores": SCORES,
        "answers": FIRST_ANSWER_COUNTS,
    }
    return {
        name: [row["detail"] for row in db.query(f"EXPLAIN QUERY PLAN {sql}", params)] for name, sql in queries.items()
    }


# --- Trust leads ------------------------------------------------------------------------------

LEADS = """
SELECT id, first_name, last_name, email, last_active_at, archived_at FROM people
WHERE school_id = ? AND role = 'admin' AND archived_at IS NULL
ORDER BY lower(last_name), lower(first_name), id
"""


def leads(db, trust_id):
    """The trust's active leads (admins of the trust row), by name."""
    return list(db.query(LEADS, [trust_id]))


# --- The operator's trust screens -------------------------------------------------------------

TRUSTS = """
SELECT t.id, t.name, t.created_at,
       (SELECT COUNT(*) FROM schools s WHERE s.trust_id = t.id AND s.kind = 'school'
          AND s.offboarded_at IS NULL) AS schools,
       (SELECT COUNT(*) FROM people l WHERE l.school_id = t.id AND l.role = 'admin'
          AND l.archived_at IS NULL) AS leads
FROM schools t WHERE t.kind = 'trust'
ORDER BY lower(t.name), t.id
"""
TRUST = "SELECT * FROM schools WHERE id = ? AND kind = 'trust'"
TRUST_NAME_TAKEN = "SELECT 1 FROM schools WHERE kind = 'trust' AND lower(name) = lower(?) AND id IS DISTINCT FROM ?"
SCHOOLS_IN_TRUST = """
SELECT id, name, suspended_at FROM schools
WHERE trust_id = ? AND kind = 'school' AND offboarded_at IS NULL ORDER BY lower(name), id
"""
# Schools that may be put into a trust: in no trust yet (a school is in at most one).
SCHOOLS_WITHOUT_TRUST = """
SELECT id, name FROM schools
WHERE kind = 'school' AND trust_id IS NULL AND offboarded_at IS NULL ORDER BY lower(name), id
"""
PUT_IN = """
UPDATE schools SET trust_id = ? WHERE id = ? AND kind = 'school' AND trust_id IS NULL AND offboarded_at IS NULL
"""
TAKE_OUT = "UPDATE schools SET trust_id = NULL WHERE id = ? AND kind = 'school' AND trust_id = ?"
# A trust's stored figures (trusts/tasks.py) once its schools change.
FORGET_FIGURES = "DELETE FROM trust_figures WHERE trust_id = ?"
# And its stored evidence pack (progress/evidence_tasks.py), which names its schools.
FORGET_PACK = "DELETE FROM evidence_packs WHERE school_id = ?"


def trusts(db):
    """Every trust with how many schools and leads it has, by name."""
    return list(db.query(TRUSTS))


def trust(db, trust_id):
    """The trust row with this id, or None (a school's or the operator's id is not a trust)."""
    return next(db.query(TRUST, [trust_id]), None)


def trust_name_taken(db, name, except_id=None):
    """Whether another trust already has this name (any case)."""
    return bool(next(db.query(TRUST_NAME_TAKEN, [name, except_id]), None))


def create_trust(db, name):
    """A new trust (a schools row of kind 'trust'); returns its id."""
    with write_transaction(db):
        return db["schools"].insert({"name": name, "kind": "trust", "created_at": now()}).last_pk


def rename_trust(db, trust_id, name):
    """Give the trust a new name."""
    with write_transaction(db):
        db.execute("UPDATE schools SET name = ? WHERE id = ? AND kind = 'trust'", [name, trust_id])


def schools_in(db, trust_id):
    """The trust's schools (not offboarded), by name."""
    return list(db.query(SCHOOLS_IN_TRUST, [trust_id]))


def schools_without_trust(db):
    """Schools in no trust, which may be put into one."""
    return list(db.query(SCHOOLS_WITHOUT_TRUST))


def put_in(db, trust_id, school_id):
    """Put a school that is in no trust into this one; False if it is in a trust already (or not a school)."""
    with write_transaction(db):
        moved = db.execute(PUT_IN, [trust_id, school_id]).rowcount == 1
        if moved:  # the stored figures lack the school: work them out afresh on the next view
            db.execute(FORGET_FIGURES, [trust_id])
            db.execute(FORGET_PACK, [trust_id])
        return moved


def take_out(db, trust_id, school_id):
    """Take a school out of this trust; False if it was not in it."""
    with write_transaction(db):
        moved = db.execute(TAKE_OUT, [school_id, trust_id]).rowcount == 1
        if moved:  # the stored figures show the school: its figures are no longer this trust's to see
            db.execute(FORGET_FIGURES, [trust_id])
            db.execute(FORGET_PACK, [trust_id])
        return moved
