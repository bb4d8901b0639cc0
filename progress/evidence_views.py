"""The evidence pack on screen: what each class was taught of the RSHE statements, when, and by how many pupils.

A class's pack is for the staff who see the class (its teachers; the school's admins and DSLs); the school's
for its admins and DSLs. Counts only, with the small-number rule; no pupil is named.

A class's page and CSV are counted in the request (one class of 30: about 7 ms in bench/evidence_pack.py). The
school's never are: a job (progress/evidence_tasks.py) stores its raw counts and its PDF, and a page view reads
them (one small query) and applies the rules, as the trust figures do; a pack older than EVIDENCE_PACK_MINUTES is
shown, with its time, while one job works it out again. Every PDF is drawn by that job (a class's took about
0.7 s of WeasyPrint, a school's seconds). A trust's pack (trusts/views.py) is stored the same way.
"""

import csv
import io
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from accounts.queries import school_by_id
from accounts.users import role_required, staff_required
from classroom.access import class_or_404
from db import get_db
from progress import evidence_queries
from progress.evidence import build_pack, cells_from_json, csv_rows, pack_from
from progress.evidence_queries import completions, evidence_classes, live_days
from progress.evidence_tasks import class_learning, queue_pack
from progress.forms import RefreshEvidenceForm
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
    return render_template(
        "progress/evidence.html", klass=klass, title=klass["name"], pack=pack, minimum=_minimum(),
        **class_learning(db, current_user.school_id, klass, _minimum()),
    )  # fmt: skip


@bp.route("/classes/<int:class_id>/evidence.pdf")
@staff_required
def class_evidence_pdf(class_id):
    """One class's evidence pack as the tagged PDF the job drew (most of a second of WeasyPrint: never here)."""
    db = get_db()
    klass = class_or_404(db, current_user, class_id)
    row = stored_pack(db, current_user.school_id, "pdf", class_id)
    if not pdf_ready(row):  # its link brings the person back here, to the PDF once it is drawn
        refresh = url_for(".refresh_class_evidence", class_id=class_id)
        return working(klass["name"], row, url_for(".class_evidence_pdf", class_id=class_id), refresh)
    return pdf_download(row["stored"], klass["name"])


@bp.post("/classes/<int:class_id>/evidence/refresh")
@staff_required
def refresh_class_evidence(class_id):
    """Draw the class's PDF again now."""
    db = get_db()
    class_or_404(db, current_user, class_id)
    if RefreshEvidenceForm().validate_on_submit():
        refresh_pack(db, current_user.school_id, class_id)
    return redirect(url_for(".class_evidence_pdf", class_id=class_id))


def stored_pack(db, owner_id, which, class_id=0):
    """The stored pack of a school or trust, or of one of the school's classes (`which`: 'tally', 'pdf' or None),
    as evidence_queries.stored gives it; asks for one job when it is missing, older than EVIDENCE_PACK_MINUTES or
    drawn under another minimum. The caller has checked the person may see it."""
    config = current_app.config
    stale, retry = config["EVIDENCE_PACK_MINUTES"], config["EVIDENCE_PACK_REFRESH_MINUTES"]
    row = evidence_queries.stored(db, owner_id, which, class_id)
    old = row is not None and row["status"] in ("done", "failed")
    old = old and ((row["computed_at"] or "") < evidence_queries.ago(stale) or row["pdf_minimum"] != _minimum())
    # Checked here first so a fresh page view never writes; the conditional write decides between views.
    old = old and row["queued_at"] < evidence_queries.ago(retry)
    if row is None or old:
        pack_id = evidence_queries.ask(db, owner_id, stale, retry, _minimum(), row, class_id)
        if pack_id:
            queue_pack(pack_id)
        if row is None:
            row = {"id": pack_id, "status": "queued", "error": None, "computed_at": None, "stored": None,
                   "pdf_minimum": None}  # fmt: skip
        elif pack_id:
            row = dict(row, status="queued", error=None)
    return row


def pdf_ready(row):
    """Whether a stored PDF may be served: drawn, and under today's small-number minimum (a PDF drawn under a
    lower one could show a count the rule now hides; the view that found it asked for it to be drawn again)."""
    return row["stored"] is not None and row["pdf_minimum"] == _minimum()


def refresh_pack(db, owner_id, class_id=0):
    """Work a school's or trust's pack out again now (the button): one job, at most once per
    EVIDENCE_PACK_REFRESH_MINUTES; flashes what happened."""
    row = evidence_queries.stored(db, owner_id, None, class_id)
    retry = current_app.config["EVIDENCE_PACK_REFRESH_MINUTES"]
    pack_id = evidence_queries.ask(db, owner_id, 0, retry, _minimum(), row, class_id)
    if pack_id:
        queue_pack(pack_id)
        flash("The evidence pack is being worked out again. Reload the page in a minute to see it.", "success")
    elif row is not None and row["status"] in ("queued", "running"):
        flash("The evidence pack is being worked out already. Reload the page in a minute to see it.", "info")
    else:
        flash(f"The evidence pack was worked out or asked for less than {retry} minutes ago. Try again later.", "info")


def school_pack(stored):
    """The school's pack from its stored tally, under today's small-number minimum."""
    classes = [dict(klass, course=course_for_class(klass)) for klass in stored["classes"]]
    return pack_from(default_course().statements, classes, cells_from_json(stored["cells"]), _minimum())


def working(title, row, page_url, refresh_url):
    """The short page shown while a pack has never been worked out (the person follows its link when ready)."""
    return render_template("progress/evidence_working.html", title=title, row=row, page_url=page_url,
                           refresh_url=refresh_url, refresh_form=RefreshEvidenceForm())  # fmt: skip


@bp.route("/evidence")
@school_leads
def school_evidence():
    """The school's evidence pack: every current class, for each statement (from the stored tally)."""
    db = get_db()
    school = school_by_id(db, current_user.school_id)
    row = stored_pack(db, current_user.school_id, "tally")
    if row["stored"] is None:
        return working(school["name"], row, url_for(".school_evidence"), url_for(".refresh_school_evidence"))
    return render_template(
        "progress/evidence.html", klass=None, title=school["name"], pack=school_pack(row["stored"]),
        minimum=_minimum(), figures=row, refresh_url=url_for(".refresh_school_evidence"),
        refresh_form=RefreshEvidenceForm(),
    )  # fmt: skip


@bp.route("/classes/<int:class_id>/evidence.csv")
@staff_required
def class_evidence_csv(class_id):
    """One class's evidence pack as CSV: a row per statement."""
    db = get_db()
    klass = class_or_404(db, current_user, class_id)
    return csv_download(csv_rows(pack_for(db, current_user.school_id, class_id)), klass["name"])


@bp.route("/evidence.csv")
@school_leads
def school_evidence_csv():
    """The school's evidence pack as CSV: a row per statement and class (from the stored tally)."""
    db = get_db()
    row = stored_pack(db, current_user.school_id, "tally")
    if row["stored"] is None:  # nothing to put in it yet: the page says it is being worked out
        return redirect(url_for(".school_evidence"))
    name = school_by_id(db, current_user.school_id)["name"]
    return csv_download(csv_rows(school_pack(row["stored"])), name)


@bp.route("/evidence.pdf")
@school_leads
def school_evidence_pdf():
    """The school's evidence pack as the tagged PDF the job drew."""
    db = get_db()
    row = stored_pack(db, current_user.school_id, "pdf")
    if not pdf_ready(row):
        return redirect(url_for(".school_evidence"))
    return pdf_download(row["stored"], school_by_id(db, current_user.school_id)["name"])


@bp.post("/evidence/refresh")
@school_leads
def refresh_school_evidence():
    """Work the school's pack out again now."""
    if RefreshEvidenceForm().validate_on_submit():
        refresh_pack(get_db(), current_user.school_id)
    return redirect(url_for(".school_evidence"))


def _filename(name, extension):
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"evidence-{secure_filename(name) or 'pack'}-{stamp}.{extension}"


def pdf_download(pdf, name):
    """PDF bytes as a download named for the class, school or trust."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=_filename(name, "pdf"))
    return response


def csv_download(rows, name):
    """CSV rows as a download (UTF-8 with a BOM for Excel; every cell through safe_row)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for cells in rows:
        writer.writerow(safe_row(cells))
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=_filename(name, "csv"))
    return response
