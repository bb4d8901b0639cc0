"""Progress for staff: the class dashboard, a pupil's page, what to re-teach, reports, class certificates."""

import functools
from datetime import UTC, datetime
from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from accounts.queries import school_by_id
from accounts.users import staff_required
from certificates.forms import ReissueForm, RevokeForm
from certificates.issuing import eligibility_for
from classroom.access import class_for_staff, class_or_404, pupil_or_404, sees_whole_school
from dates import day
from db import connect, get_db
from forms import ConfirmForm
from languages import lazy_gettext as _l
from languages import page_language
from progress import report_jobs
from progress.dashboard import LastUsed, parse_sort, response_text, sort_rows
from progress.forms import WHOLE_SCHOOL, ReportForm
from progress.queries import (
    Period,
    Scope,
    belief_for,
    class_certificate_count,
    classes_for_staff,
    count_pupils,
    create_job,
    grid_from,
    grid_source,
    job_content,
    job_for_staff,
    pupil_answers,
    pupil_attempts,
    pupil_certificates,
    recheck_summary_for,
    reteach_for,
)
from progress.reports import FORMATS, build, collect, filename, filename_for, stream_csv
from progress.reteach import MIN_CONFIDENCE_PUPILS
from progress.tasks import queue_report
from quizzes.queries import quiz_summaries
from training.courses import course_for_class, courses, route_words, year_courses
from training.progress import lesson_states
from training.queries import progress_by_lesson

bp = Blueprint("progress", __name__)


def class_page_url(klass):
    """The class page, or the list of classes if that page is not there."""
    if "classroom.class_page" in current_app.view_functions:
        return url_for("classroom.class_page", class_id=klass["id"])
    return url_for("classroom.home")


@bp.route("/classes/<int:class_id>/progress")
@staff_required
def dashboard(class_id):
    """A grid of the class's pupils by lessons, with totals; sortable by any column."""
    klass = class_or_404(get_db(), current_user, class_id)
    course = course_for_class(klass)
    source = grid_source(get_db(), course, Scope(current_user.school_id, class_id, klass["name"]))
    sort, descending = parse_sort(request.args.get("sort"), [lesson.id for lesson in course.lessons])
    return render_template(
        "progress/dashboard.html", klass=klass, grid_html=grid_html(klass, course, source, sort, descending)
    )


LESSON_CELL = Markup('<td class="cell-{kind}" data-lesson="{lesson}">{status}{score}</td>')
CELL_SCORE = Markup(' <span class="cell-score">{}%</span>')


# A lesson taught live with the pupil there says so, with the day; a complete lesson without it was done alone.
CELL_LIVE = Markup(' <span class="cell-live">{}</span>')
# A lesson's status (training.progress) in words.
STATUS_WORDS = {"not started": _l("Not started"), "in progress": _l("In progress"), "complete": _l("Complete")}


def lesson_cell(state):
    """A lesson's cell in the grid (a training.progress.LessonState), made once per worker for each kind and
    language."""
    return _lesson_cell(
        state.lesson.id, state.status, state.best_percent, state.taught_live, state.without_device, page_language()
    )


@functools.lru_cache(maxsize=4096)
def _lesson_cell(lesson_id, status, best_percent, taught_live=None, without_device=False, language=None):
    # `language` is the page's: part of the key, so each language's cell is kept apart.
    score = CELL_SCORE.format(best_percent) if best_percent is not None else ""
    if taught_live and without_device:
        score += CELL_LIVE.format(gettext("Taught live %(day)s (no device)", day=day(taught_live, language)))
    elif taught_live:
        score += CELL_LIVE.format(gettext("Taught live %(day)s", day=day(taught_live, language)))
    words = STATUS_WORDS.get(status, status.capitalize())
    return LESSON_CELL.format(kind=status.replace(" ", "-"), lesson=lesson_id, status=words, score=score)


def grid_html(klass, course, source, sort, descending):
    """The page's content, kept per worker by the rows it is made from: a refresh with no new work renders nothing.

    The rows are read afresh on every request (`source`, from grid_source) and are part of the key,
    so the page never shows stale rows; only building and rendering the grid (most of the page's
    time) is reused.
    """
    cache = current_app.extensions.setdefault("progress_grid_html", LastUsed(current_app.config["GRID_HTML_CACHE"]))
    key = (klass["id"], klass["name"], course.id, sort, descending, source, page_language())
    html = cache.get(key)
    if html is None:
        grid = grid_from(course, source)
        html = render_template(
            "progress/_progress_grid.html",
            klass=klass,
            course=course,
            class_page=class_page_url(klass),
            grid=grid,
            rows=sort_rows(grid.rows, sort, descending),
            sort=sort,
            descending=descending,
            lesson_cell=lesson_cell,
        )
        cache.put(key, html)
    return html


@bp.route("/classes/<int:class_id>/pupils/<int:pupil_id>")
@staff_required
def pupil(class_id, pupil_id):
    """One pupil: lesson progress, every attempt and answer, certificates. No confidence answers."""
    klass, pupil = pupil_or_404(get_db(), current_user, class_id, pupil_id)
    course = course_for_class(klass)
    db = get_db()
    summaries = quiz_summaries(db, pupil_id, course.id)
    states = lesson_states(course, progress_by_lesson(db, pupil_id), summaries)
    questions = {q.id: q for quiz in course.quizzes() for q in quiz.questions}
    # Belief items are shown only as class totals: answers kept before a question became one are left out.
    beliefs = {q_id for q_id, q in questions.items() if q.belief}
    answers = pupil_answers(db, pupil_id)
    attempts = [
        {
            "row": row,
            "title": quiz_title(row),
            "lesson": course.lesson(row["quiz_id"]) if row["phase"] == "lesson" else None,
            "answers": [
                (
                    questions.get(a["question_id"]),
                    a,
                    response_text(questions.get(a["question_id"]), a["response"], a["option_order"]),
                )
                for a in answers.get(row["id"], [])
                if a["question_id"] not in beliefs
            ],
        }
        for row in reversed(pupil_attempts(db, pupil_id, course.id))
    ]
    certificates = pupil_certificates(db, pupil_id, current_user.school_id, course.id)
    current = next((c for c in certificates if not c["revoked_at"]), None)
    eligibility = None if current else eligibility_for(db, pupil_id, course)
    return render_template(
        "progress/pupil.html",
        klass=klass,
        pupil=pupil,
        course=course,
        states=states,
        summaries=summaries,
        attempts=attempts,
        certificates=certificates,
        current=current,
        eligibility=eligibility,
        revoke_form=RevokeForm(),
        reissue_form=ReissueForm(),
    )


CHECK_TITLES = {"baseline": _l("Baseline check"), "final": _l("Final check"), "recheck": _l("Re-check")}


def quiz_title(attempt):
    """'Baseline check', 'Final check' or 'Re-check'; a lesson's quiz id (the page names a lesson still in the course:
    'Lesson 2: Who is behind it')."""
    if attempt["phase"] == "lesson":
        return attempt["quiz_id"]
    return str(CHECK_TITLES.get(attempt["phase"], CHECK_TITLES["final"]))


@bp.route("/classes/<int:class_id>/reteach")
@staff_required
def reteach(class_id):
    """What to re-teach: most-missed questions, gain per topic, confidence as class totals."""
    klass = class_or_404(get_db(), current_user, class_id)
    course = course_for_class(klass)
    scope = Scope(current_user.school_id, class_id, klass["name"])
    questions, topics, confidence = reteach_for(get_db(), course, scope)
    beliefs = belief_for(get_db(), course, scope)
    return render_template(
        "progress/reteach.html",
        recheck=recheck_summary_for(get_db(), course, scope),
        beliefs=beliefs,
        klass=klass,
        course=course,
        questions=questions,
        topics=topics,
        confidence=confidence,
        minimum=MIN_CONFIDENCE_PUPILS,
        class_page=class_page_url(klass),
    )


@bp.route("/classes/<int:class_id>/certificates.pdf", methods=["GET", "POST"])
@staff_required
def class_certificates(class_id):
    """The class's current certificates in one PDF, a page each, for printing: made by the job worker."""
    db = get_db()
    klass = class_or_404(db, current_user, class_id)
    course = course_for_class(klass)
    count = class_certificate_count(db, current_user.school_id, class_id, course.id)
    if not count:
        flash(gettext("No pupil in %(class_name)s holds a certificate yet.", class_name=klass["name"]), "info")
        return redirect(url_for("progress.dashboard", class_id=class_id), 303)
    form = ConfirmForm()
    if form.validate_on_submit():
        scope = Scope(current_user.school_id, class_id, klass["name"])
        job_id = create_job(db, current_user, scope, "pdf", Period(), course.id, kind=report_jobs.CERTIFICATES)
        queue_report(job_id)  # the job page shows its progress, then the download
        return redirect(url_for("progress.job", job_id=job_id), 303)
    return render_template(
        "classroom/confirm.html",
        class_=klass,
        form=form,
        title=gettext("Print the certificates of %(class_name)s", class_name=klass["name"]),
        explain=[
            ngettext(
                "%(num)d pupil in %(class_name)s hold a certificate. They are put into one PDF, a page each.",
                "%(num)d pupils in %(class_name)s hold a certificate. They are put into one PDF, a page each.",
                count,
                class_name=klass["name"],
            ),
            gettext("It takes a few seconds; the next page shows how far it has got, then the download."),
        ],
        button=gettext("Make the PDF"),
    )


@bp.route("/reports", methods=["GET", "POST"])
@staff_required
def reports():
    """Choose a class (or the whole school), dates and a format; get the file."""
    db = get_db()
    whole_school = sees_whole_school(current_user)
    classes = classes_for_staff(db, current_user, whole_school)
    form = ReportForm()
    # The whole school is reported route by route: each route has its own lessons and quizzes.
    school_choices = [
        (f"{WHOLE_SCHOOL}:{course.id}", gettext("Whole school, route %(route)s", route=route_words(course)))
        for course in courses().values()
    ]
    choices = (school_choices if whole_school else []) + [
        (
            str(c["id"]),
            gettext("%(class_name)s (route %(route)s)", class_name=c["name"], route=route_words(course_for_class(c))),
        )
        for c in classes
    ]
    form.scope.choices = [SelectChoice(value, label) for value, label in choices]
    allowed = {value for value, _ in choices}
    if request.method == "GET" and request.args.get("class_id") in allowed:
        form.scope.data = request.args["class_id"]
    if request.method == "POST" and form.scope.data and form.scope.data not in allowed:
        abort(404)  # another school's class, or not this teacher's
    if form.validate_on_submit():
        scope, course = scope_for(form.scope.data, classes)
        period = Period(form.date_from.data, form.date_to.data)
        fmt = form.format.data
        limits = current_app.config.get("REPORT_BACKGROUND_ABOVE")
        if report_jobs.runs_in_background(fmt, count_pupils(db, scope), limits):
            job_id = create_job(db, current_user, scope, fmt, period, course.id)
            queue_report(job_id)  # the job worker builds it; the page below shows its progress
            return redirect(url_for("progress.job", job_id=job_id), 303)
        if fmt == "csv":
            return _streamed_csv(course, scope, period)
        data = collect(db, course, scope, period, fmt=fmt)
        return send_file(
            BytesIO(build(data, fmt)),
            mimetype=FORMATS[fmt],
            as_attachment=True,
            download_name=filename(data, fmt),
        )
    errors = [(f"{name}", message) for name, messages in form.errors.items() for message in messages]
    status = 400 if request.method == "POST" else 200
    return render_template("progress/reports.html", form=form, errors=errors, classes=classes), status


def _streamed_csv(course, scope, period):
    """The CSV written to the response as its rows are read, not built whole in memory first."""
    name = filename_for(scope, datetime.now(UTC), "csv")
    database = current_app.config["DATABASE"]

    def chunks():
        # A connection of its own, opened on the first chunk and closed when the stream ends
        # or is cut off: the request's is closed when the view returns. Not stream_with_context:
        # it keeps the request context pushed until the body is closed, which a client that
        # reads only the headers (the test client) never does, so later requests saw this one.
        db = connect(database)
        try:
            yield from stream_csv(db, course, scope, period)
        finally:
            db.close()

    response = Response(chunks(), mimetype=FORMATS["csv"])
    response.headers.set("Content-Disposition", "attachment", filename=name)  # as send_file writes it
    response.headers["Cache-Control"] = "no-store"  # pupils' data (app.py sets it too)
    return response


def scope_for(value, classes):
    """(Scope, course) for a form value: the whole school on one route, or one of `classes`."""
    if value.startswith(f"{WHOLE_SCHOOL}:"):
        course = courses()[value.split(":", 1)[1]]
        name = school_by_id(get_db(), current_user.school_id)["name"]
        return Scope(current_user.school_id, None, name, course.id, year_courses()), course
    klass = next(c for c in classes if str(c["id"]) == value)
    return Scope(current_user.school_id, klass["id"], klass["name"]), course_for_class(klass)


def job_or_404(job_id):
    """The job, if it belongs to the signed-in person's school (a teacher: their own)."""
    job = job_for_staff(get_db(), current_user, job_id, sees_whole_school(current_user))
    return job or abort(404)


@bp.route("/reports/<int:job_id>")
@staff_required
def job(job_id):
    """A report being built by the job worker: its progress (the page refreshes itself), then the download link."""
    job = job_or_404(job_id)
    back = None
    if job["class_id"]:
        klass = class_for_staff(get_db(), current_user, job["class_id"])
        name = klass["name"] if klass else gettext("a class")
        if klass and job["kind"] == report_jobs.CERTIFICATES:
            back = url_for("progress.dashboard", class_id=klass["id"])
    else:
        name = gettext("the whole school")
    return render_template("progress/reports_job.html", job=job, name=name, back=back)


@bp.route("/reports/<int:job_id>/status")
@staff_required
def job_status(job_id):
    """The job's status and progress, for the job page's script."""
    job = job_or_404(job_id)
    return jsonify(status=job["status"], progress=job["progress"])


@bp.route("/reports/<int:job_id>/download")
@staff_required
def job_download(job_id):
    """The finished report."""
    job = job_or_404(job_id)
    stored = job_content(get_db(), job["id"]) or abort(404)
    return send_file(
        BytesIO(stored["content"]),
        mimetype=FORMATS[job["format"]],
        as_attachment=True,
        download_name=stored["filename"],
    )
