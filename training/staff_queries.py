"""SQL for the staff course: a member of staff's completion, the school's list of them, the school's setting.

A completion is the staff member's current certificate for the staff course (certificates, keyed by people.id);
its issued_at is when they completed it. Nothing here reads an answer or a score.
"""

from db import write_transaction

STAFF_ROLES_SQL = "('teacher', 'dsl', 'admin')"

# When this member of staff last completed the course: their newest certificate that is still current.
COMPLETED_AT = """
SELECT max(issued_at) AS completed_at FROM certificates
WHERE pupil_id = ? AND course_id = ? AND revoked_at IS NULL AND erased_at IS NULL
"""
# Every member of staff of the school who has not left, with when they last completed the course (or NULL).
SCHOOL_COMPLETIONS = f"""
SELECT p.id, p.first_name, p.last_name, p.role, p.dsl_deputy,
       (SELECT max(c.issued_at) FROM certificates c
        WHERE c.pupil_id = p.id AND c.course_id = :course_id AND c.revoked_at IS NULL AND c.erased_at IS NULL)
       AS completed_at
FROM people p
WHERE p.school_id = :school_id AND p.role IN {STAFF_ROLES_SQL} AND p.archived_at IS NULL
ORDER BY p.last_name, p.first_name, p.id
"""
REQUIRED = "SELECT staff_course_required FROM schools WHERE id = ?"
SET_REQUIRED = "UPDATE schools SET staff_course_required = ? WHERE id = ?"


def completed_at(db, person_id, course_id):
    """When the member of staff last completed the course (a stored UTC time), or None."""
    return next(db.query(COMPLETED_AT, [person_id, course_id]))["completed_at"]


def school_completions(db, school_id, course_id):
    """The school's current staff, each with `completed_at` (or None): no answers, no scores."""
    return list(db.query(SCHOOL_COMPLETIONS, {"school_id": school_id, "course_id": course_id}))


def staff_course_required(db, school_id):
    """Whether the school requires the staff course before teaching the pupils' course."""
    row = next(db.query(REQUIRED, [school_id]), None)
    return bool(row and row["staff_course_required"])


def set_staff_course_required(db, school_id, required):
    """Turn the school's requirement on or off."""
    with write_transaction(db):
        db.execute(SET_REQUIRED, [1 if required else 0, school_id])
