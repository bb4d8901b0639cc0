"""The teacher's side: classes and progress."""

from flask import Blueprint, render_template
from flask_login import current_user

from accounts.users import staff_required
from db import get_db

bp = Blueprint("classroom", __name__)

CLASSES_FOR_STAFF = """
SELECT c.id, c.name, c.year_group, count(cp.person_id) AS pupils
FROM classes c
LEFT JOIN class_pupils cp ON cp.class_id = c.id
WHERE c.school_id = :school_id AND c.archived_at IS NULL
  AND (:all_classes OR c.id IN (SELECT class_id FROM class_teachers WHERE person_id = :person_id))
GROUP BY c.id ORDER BY c.name
"""


@bp.route("/classes")
@staff_required
def home():
    """The classes this member of staff can see: their own, or all for an admin."""
    classes = get_db().query(
        CLASSES_FOR_STAFF,
        {
            "school_id": current_user.school_id,
            "person_id": current_user.id,
            "all_classes": current_user.role == "admin",
        },
    )
    return render_template("classroom/home.html", classes=list(classes))
