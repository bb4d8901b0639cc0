"""Who may see which class and pupil. Every staff query goes through these."""

from flask import abort

CLASS_FOR_STAFF = """
SELECT c.* FROM classes c
WHERE c.id = :class_id AND c.school_id = :school_id
  AND (:whole_school = 1 OR c.id IN (SELECT class_id FROM class_teachers WHERE person_id = :person_id))
"""
TEACHES_CLASS = "SELECT 1 FROM class_teachers WHERE class_id = ? AND person_id = ?"
PUPIL_IN_CLASS = """
SELECT p.* FROM people p JOIN class_pupils cp ON cp.person_id = p.id
WHERE cp.class_id = ? AND p.id = ? AND p.role = 'pupil' AND p.school_id = ?
"""


def sees_whole_school(user):
    """Admins (and the DSL) see every class in their school; teachers only their own."""
    return user.role in ("admin", "dsl")


def class_for_staff(db, user, class_id):
    """The class if `user` may see it (same school; their own class unless admin or DSL), else None."""
    params = {
        "class_id": class_id,
        "school_id": user.school_id,
        "person_id": user.id,
        "whole_school": sees_whole_school(user),
    }
    return next(db.query(CLASS_FOR_STAFF, params), None)


def pupil_in_class(db, class_id, pupil_id, school_id):
    """The pupil if they are in the class and the school, else None (archived pupils included, for history)."""
    return next(db.query(PUPIL_IN_CLASS, [class_id, pupil_id, school_id]), None)


def class_or_404(db, user, class_id):
    """The class if `user` may see it; otherwise the request ends with 404."""
    return class_for_staff(db, user, class_id) or abort(404)


def pupil_or_404(db, user, class_id, pupil_id):
    """(class, pupil) if `user` may see the class and the pupil is in it; otherwise 404."""
    class_row = class_or_404(db, user, class_id)
    return class_row, pupil_in_class(db, class_id, pupil_id, user.school_id) or abort(404)


def code_class_or_404(db, user, class_id):
    """The class if `user` may see and change its class code (its teachers and the school's admins), else 404.

    Narrower than class_or_404: a DSL sees every class, but a code lets pupils into a class, so
    only the people who teach it (or run the school's accounts) show and change it.
    """
    class_row = class_or_404(db, user, class_id)
    return class_row if runs_class(db, user, class_id) else abort(404)


def runs_class(db, user, class_id):
    """Whether `user` teaches the class or is the school's admin: who may change its code and its re-check."""
    return user.role == "admin" or bool(next(db.query(TEACHES_CLASS, [class_id, user.id]), None))
