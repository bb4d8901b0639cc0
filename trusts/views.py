"""The trust lead's screens: figures across the trust's schools, a CSV of them, the trust's leads;
and the page where a new lead chooses their password from the invite link.

The figures' queries never run here: a job (trusts/tasks.py) stores their grouped rows, and a page view
reads them (one small query) and applies the rules, so TRUST_MIN_COUNT still applies at once. Stored rows
older than TRUST_FIGURES_MINUTES are shown, marked with their time, while one job works them out again.
"""

import csv
import io
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from accounts.queries import school_by_id
from accounts.users import trust_lead_required
from db import get_db
from progress.evidence import cells_from_json, trust_csv_rows, trust_pack_from
from progress.evidence_views import csv_download, pdf_download, pdf_ready, refresh_pack, stored_pack, working
from progress.forms import RefreshEvidenceForm
from spreadsheet import safe_cell
from training.courses import courses, default_course
from trusts import figure_queries, queries
from trusts.forms import RefreshFiguresForm
from trusts.rules import build_table, csv_rows, reteach_figures
from trusts.tasks import queue_figures

bp = Blueprint("trusts", __name__)


def _course():
    """The route asked for (?course=), else the first; every figure is for one route, as school reports are."""
    return courses().get(request.args.get("course", "")) or default_course()


def _minimum():
    return current_app.config["TRUST_MIN_COUNT"]


def _stored(db, course, which):
    """The lead's trust's stored figures for the route ('table' or 'answers' rows), as figure_queries.stored
    gives them; asks for one job to work them out when they are missing or older than TRUST_FIGURES_MINUTES."""
    trust_id, config = current_user.school_id, current_app.config
    row = figure_queries.stored(db, trust_id, course.id, which)
    old = row is not None and row["status"] in ("done", "failed")
    old = old and (row["computed_at"] or "") < figure_queries.ago(config["TRUST_FIGURES_MINUTES"])
    # Checked here first so a fresh page view never writes; the conditional write decides between views.
    old = old and row["queued_at"] < figure_queries.ago(config["TRUST_FIGURES_REFRESH_MINUTES"])
    if row is None or old:
        stale, retry = config["TRUST_FIGURES_MINUTES"], config["TRUST_FIGURES_REFRESH_MINUTES"]
        figures_id = figure_queries.ask(db, trust_id, course.id, stale, retry, row)
        if figures_id:
            queue_figures(figures_id)
        if row is None:
            row = {"id": figures_id, "status": "queued", "error": None, "computed_at": None, "rows": None}
        elif figures_id:
            row = dict(row, status="queued", error=None)
    return row


def _working(db, course, figures, endpoint):
    """The short page shown while a trust's figures have never been worked out (it refreshes itself)."""
    return render_template(
        "trusts/working.html",
        trust=school_by_id(db, current_user.school_id),
        course=course,
        courses=courses().values(),
        figures=figures,
        endpoint=endpoint,
        refresh_form=RefreshFiguresForm(course=course.id, page=endpoint.split(".")[1]),
    )


def _table(course, rows):
    return build_table(course.lessons, minimum=_minimum(), **rows)


@bp.get("/trust")
@trust_lead_required
def home():
    """The trust's schools side by side: progress, certificates and check scores; figures only."""
    db = get_db()
    course = _course()
    figures = _stored(db, course, "table")
    if figures["rows"] is None:
        return _working(db, course, figures, "trusts.home")
    return render_template(
        "trusts/home.html",
        trust=school_by_id(db, current_user.school_id),
        course=course,
        courses=courses().values(),
        table=_table(course, figures["rows"]),
        minimum=_minimum(),
        figures=figures,
        refresh_form=RefreshFiguresForm(course=course.id, page="home"),
    )


@bp.get("/trust/reteach")
@trust_lead_required
def reteach():
    """The questions most often missed across the trust and at each school; figures only.

    A page of its own: grouping every first-attempt answer is most of the cost of the lead's figures
    (about 2 s of 2.5 s for 40 schools and a million answers in bench/trust_figures.py), so the job
    stores it in a column of its own and the schools' table never reads it.
    """
    db = get_db()
    course = _course()
    figures = _stored(db, course, "answers")
    if figures["rows"] is None:
        return _working(db, course, figures, "trusts.reteach")
    rows = figures["rows"]
    schools = sorted(rows["schools"], key=lambda s: (s["name"].casefold(), s["school_id"]))
    missed, missed_by_school = reteach_figures(course, schools, rows["answers"], _minimum())
    return render_template(
        "trusts/reteach.html",
        trust=school_by_id(db, current_user.school_id),
        course=course,
        courses=courses().values(),
        schools=schools,
        missed=missed,
        missed_by_school=missed_by_school,
        minimum=_minimum(),
        figures=figures,
        refresh_form=RefreshFiguresForm(course=course.id, page="reteach"),
    )


@bp.get("/trust/figures.csv")
@trust_lead_required
def download():
    """The same table as a CSV (UTF-8 with a BOM for Excel; every cell through safe_cell), from the stored rows."""
    db = get_db()
    course = _course()
    figures = _stored(db, course, "table")
    if figures["rows"] is None:  # nothing to put in it yet: the page says they are being worked out
        return redirect(url_for("trusts.home", course=course.id))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for cells in csv_rows(_table(course, figures["rows"])):
        writer.writerow(map(safe_cell, cells))
    trust = school_by_id(db, current_user.school_id)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    name = f"{secure_filename(trust['name']) or 'trust'}-route-{course.route_label}-{stamp}.csv"
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response


@bp.post("/trust/figures/refresh")
@trust_lead_required
def refresh():
    """Work the figures out again now (the lead's button): one job, at most once per TRUST_FIGURES_REFRESH_MINUTES."""
    db = get_db()
    form = RefreshFiguresForm()
    course = courses().get(form.course.data or "") or default_course()
    page = "trusts.reteach" if form.page.data == "reteach" else "trusts.home"
    if form.validate_on_submit():
        trust_id, config = current_user.school_id, current_app.config
        row = figure_queries.stored(db, trust_id, course.id, None)
        figures_id = figure_queries.ask(db, trust_id, course.id, 0, config["TRUST_FIGURES_REFRESH_MINUTES"], row)
        if figures_id:
            queue_figures(figures_id)
            flash("The figures are being worked out again. This takes up to a minute for a large trust: "
                  "reload the page to see them.", "success")  # fmt: skip
        elif row is not None and row["status"] in ("queued", "running"):
            flash("The figures are being worked out already. Reload the page in a minute to see them.", "info")
        else:
            minutes = config["TRUST_FIGURES_REFRESH_MINUTES"]
            flash(f"The figures were worked out or asked for less than {minutes} minutes ago. Try again later.", "info")
    return redirect(url_for(page, course=course.id))


@bp.get("/trust/staff")
@trust_lead_required
def staff():
    """The trust's leads (read-only: the operator invites and removes them)."""
    db = get_db()
    trust_id = current_user.school_id
    return render_template("trusts/staff.html", trust=school_by_id(db, trust_id), leads=queries.leads(db, trust_id))


# The trust's evidence pack ---------------------------------------------------------------------------
# Trust level only: for each RSHE statement, which of the trust's schools teach it and how many of their pupils
# completed a lesson on it, with the small-number rule (EVIDENCE_MIN_COUNT); never a class or a pupil. Worked out
# by the evidence job (progress/evidence_tasks.py), stored on the trust's evidence_packs row, as the school's is.


def _trust_pack(stored):
    """The trust's pack from its stored tally, under today's small-number minimum."""
    return trust_pack_from(default_course().statements, courses(), stored["schools"], cells_from_json(stored["cells"]),
                           current_app.config["EVIDENCE_MIN_COUNT"])  # fmt: skip


@bp.get("/trust/evidence")
@trust_lead_required
def evidence():
    """The trust's evidence pack on screen: per statement, the schools that taught it and how many pupils."""
    db = get_db()
    trust = school_by_id(db, current_user.school_id)
    row = stored_pack(db, current_user.school_id, "tally")
    if row["stored"] is None:
        return working(trust["name"], row, url_for(".evidence"), url_for(".refresh_evidence"))
    return render_template(
        "trusts/evidence.html", trust=trust, pack=_trust_pack(row["stored"]),
        minimum=current_app.config["EVIDENCE_MIN_COUNT"], figures=row, refresh_url=url_for(".refresh_evidence"),
        refresh_form=RefreshEvidenceForm(),
    )  # fmt: skip


@bp.get("/trust/evidence.csv")
@trust_lead_required
def evidence_csv():
    """The trust's evidence pack as CSV: a row per statement and school."""
    db = get_db()
    row = stored_pack(db, current_user.school_id, "tally")
    if row["stored"] is None:
        return redirect(url_for(".evidence"))
    return csv_download(trust_csv_rows(_trust_pack(row["stored"])), school_by_id(db, current_user.school_id)["name"])


@bp.get("/trust/evidence.pdf")
@trust_lead_required
def evidence_pdf():
    """The trust's evidence pack as the tagged PDF the job drew."""
    db = get_db()
    row = stored_pack(db, current_user.school_id, "pdf")
    if not pdf_ready(row):
        return redirect(url_for(".evidence"))
    return pdf_download(row["stored"], school_by_id(db, current_user.school_id)["name"])


@bp.post("/trust/evidence/refresh")
@trust_lead_required
def refresh_evidence():
    """Work the trust's evidence pack out again now."""
    if RefreshEvidenceForm().validate_on_submit():
        refresh_pack(get_db(), current_user.school_id)
    return redirect(url_for(".evidence"))
