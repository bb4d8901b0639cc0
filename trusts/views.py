"""The trust lead's screens: figures across the trust's schools, a CSV of them, the trust's leads;
and the page where a new lead chooses their password from the invite link."""

import csv
import io
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user
from werkzeug.utils import secure_filename

from accounts.queries import school_by_id
from accounts.users import trust_lead_required
from db import get_db
from spreadsheet import safe_cell
from training.courses import courses, default_course
from trusts import queries
from trusts.rules import build_table, csv_rows, reteach_figures

bp = Blueprint("trusts", __name__)


def _course():
    """The route asked for (?course=), else the first; every figure is for one route, as school reports are."""
    return courses().get(request.args.get("course", "")) or default_course()


def _minimum():
    return current_app.config["TRUST_MIN_COUNT"]


def _table(db, course):
    return build_table(course.lessons, minimum=_minimum(), **queries.figure_rows(db, current_user.school_id, course))


@bp.get("/trust")
@trust_lead_required
def home():
    """The trust's schools side by side: progress, certificates and check scores; figures only."""
    db = get_db()
    course = _course()
    return render_template(
        "trusts/home.html",
        trust=school_by_id(db, current_user.school_id),
        course=course,
        courses=courses().values(),
        table=_table(db, course),
        minimum=_minimum(),
    )


@bp.get("/trust/reteach")
@trust_lead_required
def reteach():
    """The questions most often missed across the trust and at each school; figures only.

    A page of its own: grouping every first-attempt answer is most of the cost of the lead's figures
    (about 2 s of 2.5 s for 40 schools and a million answers in bench/trust_figures.py), so the
    schools' table does not wait for it.
    """
    db = get_db()
    course = _course()
    schools = queries.schools(db, current_user.school_id)
    missed, missed_by_school = reteach_figures(
        course, schools, queries.first_answer_counts(db, current_user.school_id, course), _minimum()
    )
    return render_template(
        "trusts/reteach.html",
        trust=school_by_id(db, current_user.school_id),
        course=course,
        courses=courses().values(),
        schools=schools,
        missed=missed,
        missed_by_school=missed_by_school,
        minimum=_minimum(),
    )


@bp.get("/trust/figures.csv")
@trust_lead_required
def download():
    """The same table as a CSV (UTF-8 with a BOM for Excel; every cell through safe_cell)."""
    db = get_db()
    course = _course()
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for cells in csv_rows(_table(db, course)):
        writer.writerow(map(safe_cell, cells))
    trust = school_by_id(db, current_user.school_id)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    name = f"{secure_filename(trust['name']) or 'trust'}-route-{course.route_label}-{stamp}.csv"
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response


@bp.get("/trust/staff")
@trust_lead_required
def staff():
    """The trust's leads (read-only: the operator invites and removes them)."""
    db = get_db()
    trust_id = current_user.school_id
    return render_template("trusts/staff.html", trust=school_by_id(db, trust_id), leads=queries.leads(db, trust_id))
