"""SQL for the evidence pack: a school's classes (or one class) and the lessons their pupils completed.

Every query is scoped to one school. Counts only: no pupil's name is read. The live lesson will add the
days a class was taught a lesson together (`live_days`); until it exists there are none.
"""

from dates import uk_day

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


def live_days(db, school_id, class_ids):
    """{(class_id, lesson_id): [day, ...]} the days each class was taught a lesson live.

    The seam for the live lesson (built on another branch): when its table lands, read it here, scoped to
    the school and these classes; the pack then says "taught live on <day>". Until then, no class has any.
    """
    return {}
