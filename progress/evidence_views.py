"""The evidence pack on screen: what each class was taught of the RSHE statements, when, and by how many pupils.

A class's pack is for the staff who see the class (its teachers; the school's admins and DSLs); the school's
for its admins and DSLs. Counts only, with the small-number rule; no pupil is named.
"""

import csv
import io
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, render_template
from flask_login import current_user
from werkzeug.utils import secure_filename

from accounts.queries import school_by_id
from accounts.users import role_required, staff_required
from classroom.access import class_or_404
from db import get_db
from progress.evidence import build_pack, csv_rows, learning
from progress.evidence_queries import completions, evidence_classes, live_days
from progress.queries import Scope, belief_for, recheck_summary_for, reteach_for
from progress.reteach import MIN_CONFIDENCE_PUPILS
from spreadsheet import safe_row
from training.courses import course_for_class, default_course

bp = Blueprint("evidence", __name__)

school_leads = role_required("admin", "dsl")


def _minimum():
    return current_app.config["EVIDENCE_MIN_COUNT"]


def pack_for(db, school_id, class_id=None):
    """The evidence pack of one class, or of every current class of the school."""
    rows = evidence_classes(db, school_id, class_id)
    classes = [dict(row, course=course_for_class(row)) for row in rows]
    live = live_days(db, school_id, [row["id"] for row in rows])
    statements = default_course().statements
    return build_pack(statements, classes, completions(db, school_id, class_id), _minimum(), live)


@bp.route("/classes/<int:class_id>/evidence")
@staff_required
def class_evidence(class_id):
    """One class's evidence pack: for each statement, whether and when it was taught, and how many pupils."""
    db = get_db()
    klass = class_or_404(db, current_user, class_id)
    pack = pack_for(db, current_user.school_id, class_id)
    course = course_for_class(klass)
    scope = Scope(current_user.school_id, class_id, klass["name"])
    _, topics, confidence = reteach_for(db, course, scope)
    return render_template(
        "classroom/evidence.html", klass=klass, title=klass["name"], pack=pack, minimum=_minimum(),
        learned=learning(topics, _minimum()), recheck=recheck_summary_for(db, course, scope),
        beliefs=belief_for(db, course, scope), confidence=confidence, totals_minimum=MIN_CONFIDENCE_PUPILS,
    )  # fmt: skip


@bp.route("/evidence")
@school_leads
def school_evidence():
    """The school's evidence pack: every current class, for each statement."""
    db = get_db()
    school = school_by_id(db, current_user.school_id)
    pack = pack_for(db, current_user.school_id)
    return render_template("classroom/evidence.html", klass=None, title=school["name"], pack=pack, minimum=_minimum())


@bp.route("/classes/<int:class_id>/evidence.csv")
@staff_required
def class_evidence_csv(class_id):
    """One class's evidence pack as CSV: a row per statement."""
    db = get_db()
    klass = class_or_404(db, current_user, class_id)
    return csv_download(pack_for(db, current_user.school_id, class_id), klass["name"])


@bp.route("/evidence.csv")
@school_leads
def school_evidence_csv():
    """The school's evidence pack as CSV: a row per statement and class."""
    db = get_db()
    return csv_download(pack_for(db, current_user.school_id), school_by_id(db, current_user.school_id)["name"])


def csv_download(pack, name):
    """The pack as a CSV download (UTF-8 with a BOM for Excel; every cell through safe_row)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for cells in csv_rows(pack):
        writer.writerow(safe_row(cells))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers.set(
        "Content-Disposition", "attachment", filename=f"evidence-{secure_filename(name) or 'class'}-{stamp}.csv"
    )
    return response
