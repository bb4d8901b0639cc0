"""The course page and lesson pages; for staff, the course overview, teacher notes and resources for parents."""

import functools
from collections import OrderedDict
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, url_for
from flask_babel import force_locale
from flask_login import current_user

from accounts.users import pupil_required, staff_required
from certificates.queries import certificate_for_pupil
from dates import uk_today
from db import get_db
from languages import DEFAULT, LANGUAGES, page_language
from pdf import STATIC, html_to_pdf
from quizzes import recheck
from quizzes.queries import quiz_summaries, recheck_for_pupil
from training.courses import (
    action_url,
    course_for_class,
    course_for_pupil,
    course_or_404,
    course_url,
    courses,
    default_course,
    in_language,
    lesson_quiz_ids,
    pupil_course_or_redirect,
    remember_pupil_course,
    route_words,
    year_courses,
)
from training.parents_queries import parents_setting
from training.progress import course_progress, lesson_states, next_action
from training.queries import progress_by_lesson, save_step, step_page_state
from training.resource_queries import school_and_dsl_names, store_pdf, stored_pdf
from training.resources import body_html, inputs_key, materials_phrase, values_for
from training.staff_training import staff_training
from training.translations import file_pairs, translated_files
from urls import public_url

bp = Blueprint("training", __name__)


@bp.route("/course")
@pupil_required
def course():
    """The pupil's course page: every lesson's status and one clear next step."""
    db = get_db()
    course = course_for_pupil(db, current_user)
    summaries = quiz_summaries(db, current_user.id, course.id)
    states = lesson_states(course, progress_by_lesson(db, current_user.id), summaries)
    certificate = certificate_for_pupil(db, current_user.id, course.id)
    action = next_action(states, "baseline" in summaries, "final" in summaries, certificate is not None)
    return render_template(
        "training/course.html", course=course, states=states, action=action,
        summaries=summaries, certificate=certificate, action_url=action_url(course, action),
        progress=course_progress(course, summaries), recheck_open=offers_recheck(db, course, summaries),
        lesson_list_html=lesson_list_html(course, states, summaries),
    )  # fmt: skip


# Lesson lists kept per worker: a class's pupils share few sets of states, and each pupil sees the same one on
# every visit until they move on. Bounded: an old entry is simply rendered again.
LESSON_LISTS_KEPT = 1024


def lesson_list_html(course, states, summaries):
    """The course page's list of lessons (training/_lesson_list.html), rendered once per worker for each course,
    language and set of states: it was about a third of the page's time, the same for most visits."""
    recheck = summaries.get("recheck")
    key = (
        course.id, course.language, tuple((state.status, state.best_percent) for state in states),
        "baseline" in summaries, "final" in summaries, recheck and recheck["last_attempt_id"],
    )  # fmt: skip
    kept = current_app.extensions.setdefault("lesson_list_html", OrderedDict())
    html = kept.get(key)
    if html is None:
        template = current_app.jinja_env.get_template("training/_lesson_list.html")
        # Rendered with autoescape like any page template; course.html marks the result safe.
        html = kept[key] = template.render(course=course, states=states, summaries=summaries)
        while len(kept) > LESSON_LISTS_KEPT:
            kept.popitem(last=False)
    return html


def offers_recheck(db, course, summaries):
    """Whether the course page offers the delayed re-check (read only for a pupil who has done the final check)."""
    if "final" not in summaries or "recheck" in summaries:
        return False
    class_day, final_day, _ = recheck_for_pupil(db, current_user.id, course.id)
    return recheck.is_open(class_day, final_day, False, uk_today())


@bp.app_template_global()
def class_route(class_row):
    """'Years 9 to 13': the route a class follows, for class pages, imports and dashboards."""
    return route_words(course_for_class(class_row))


bp.add_app_template_global(course_url)
bp.add_app_template_global(route_words)


def lesson_or_404(course_id, lesson_id):
    """The pupil's course (another route's URL redirects to it) and the lesson named in the URL."""
    course = pupil_course_or_redirect(get_db(), current_user, course_id)
    return course, course.lesson(lesson_id) or abort(404)


@bp.route("/courses/<course_id>/lessons/<lesson_id>/")
@pupil_required
def lesson(course_id, lesson_id):
    """Open a lesson where the pupil left it."""
    return open_where_left(*lesson_or_404(course_id, lesson_id))


def open_where_left(course, lesson):
    """Go to the step of `lesson` the signed-in person was last on (the first if they have not opened it): a pupils'
    course or the staff course."""
    progress = progress_by_lesson(get_db(), current_user.id).get(lesson.id)
    number = progress["current_step"] if progress else 1
    return redirect(course_url(course, "step", lesson_id=lesson.id, number=number))


@bp.route("/courses/<course_id>/lessons/<lesson_id>/steps/<int:number>")
@pupil_required
def step(course_id, lesson_id, number):
    """One step of a lesson; opening it saves the pupil's place."""
    db, user = get_db(), current_user._get_current_object()
    # The pupil's course, place and passed quizzes in one query (the hot path: every step of every lesson).
    pupil_course, current, passed = step_page_state(
        db, user.id, user.row["year_group"], year_courses(), lesson_id, lesson_quiz_ids()
    )
    remember_pupil_course(user, pupil_course)
    course, lesson = lesson_or_404(course_id, lesson_id)
    if not 1 <= number <= len(lesson.steps):
        abort(404)
    save_step(db, user.id, course.id, lesson.id, number, current=current)
    return render_template(
        "training/step.html",
        course=course,
        lesson=lesson,
        number=number,
        step=lesson.steps[number - 1],
        progress=course_progress(course, {quiz_id: {"passed": 1} for quiz_id in passed}),
    )


@bp.route("/courses/<course_id>/finish")
@pupil_required
def finish(course_id):
    """The last page of the course, after the final check: the wellbeing moment and the certificate."""
    db = get_db()
    course = pupil_course_or_redirect(db, current_user, course_id)
    if "final" not in quiz_summaries(db, current_user.id, course.id):
        return redirect(url_for("training.course"), 303)  # the course ends here only after the final check
    certificate = certificate_for_pupil(db, current_user.id, course.id)
    return render_template("training/finish.html", course=course, certificate=certificate)


# ---------------------------------------------------------------- staff: overview and teacher notes


@bp.route("/staff/course")
@staff_required
def overview_index():
    """The first course's overview; it links to every other route."""
    return redirect(url_for("training.overview", course_id=default_course().id))


@bp.route("/staff/courses/<course_id>/")
@staff_required
def overview(course_id):
    """A course for staff: before you teach, lessons with timings and objectives, the checks, the topics."""
    course = course_or_404(course_id)
    return render_template(
        "training/overview.html", course=course, courses=courses(), coverage=topic_coverage(course),
        parents_page=parents_page(), staff_training=staff_training(get_db(), current_user.id),
    )  # fmt: skip


def parents_page():
    """The school's parents' view: (its public address, whether it is published), for staff pages."""
    row = parents_setting(get_db(), current_user.school_id)
    return public_url("parents.school", slug=row["public_slug"]), bool(row["parents_view"])


@bp.route("/staff/courses/<course_id>/before-you-teach")
@staff_required
def before_you_teach(course_id):
    """What to do before teaching the course: the DSL, ground rules, parents."""
    course = course_or_404(course_id)
    return render_template("training/before_you_teach.html", course=course)


@bp.route("/staff/translations")
@staff_required
def translations():
    """The courses in each other language: which translated files a fluent safeguarding professional has reviewed."""
    everything = [*current_app.extensions["courses"].values(), *current_app.extensions["staff_courses"].values()]
    others = [code for code in LANGUAGES if code != DEFAULT]
    # Each course named in the page's language; its files are those of the row's language.
    rows = [
        (LANGUAGES[code], in_language(course, page_language()), translated_files(course, code),
         len(file_pairs(course, code)))
        for code in others
        for course in everything
    ]  # fmt: skip
    return render_template("training/translations.html", rows=rows, root=Path(current_app.root_path))


@bp.route("/staff/courses/<course_id>/lessons/<lesson_id>")
@staff_required
def notes(course_id, lesson_id):
    """A lesson's teacher notes, with a read-only preview of its steps and quiz answers."""
    course = course_or_404(course_id)
    lesson = course.lesson(lesson_id) or abort(404)
    return render_template("training/notes.html", course=course, lesson=lesson, topics=course.topics)


@bp.route("/staff/courses/<course_id>/notes.pdf")
@staff_required
def notes_pdf(course_id):
    """The course's teacher notes, "before you teach" first, as one printable PDF."""
    course = course_or_404(course_id)
    # The content is loaded once at start-up and never changes while the app runs, so each
    # course's PDF (in each language its content is in) is rendered once per process and the bytes are kept.
    kept = current_app.extensions.setdefault("teacher_notes_pdf", {})
    pdf = kept.get((course.id, course.language))
    if pdf is None:
        # The PDF's own words are English (notes_pdf.html); the notes macros it shares with the pages say theirs so too.
        with force_locale(DEFAULT):
            html = render_template("training/notes_pdf.html", course=course, coverage=topic_coverage(course))
        pdf = kept[(course.id, course.language)] = html_to_pdf(html, "teacher-notes.css")
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="teacher-notes-{course.id}.pdf"'},
    )


PARENTS_STYLESHEET = "parents.css"


@bp.route("/staff/courses/<course_id>/parents/<name>.pdf")
@staff_required
def parents_pdf(course_id, name):
    """The letter to parents and carers, or the "If your child tells you" sheet, filled in for the school."""
    course = course_or_404(course_id)
    resource = current_app.extensions["resources"].get(name) or abort(404)
    db, school_id = get_db(), current_user.school_id
    school_name, dsl_names = school_and_dsl_names(db, school_id)
    setting = parents_setting(db, school_id)
    view_url = public_url("parents.school", slug=setting["public_slug"]) if setting["parents_view"] else None
    values = values_for(
        course, school_name, dsl_names, materials=materials_phrase(view_url, setting["parents_contact"]),
        for_parents=public_url("parents.for_parents"),
    )  # fmt: skip
    body = body_html(resource, course.route, values)
    html = render_template("training/resource_pdf.html", resource=resource, school_name=school_name, body=body)
    # Rendered once per distinct inputs (a change of name, DSL, route or text is a new key); later
    # downloads serve the stored bytes, as issued certificates do.
    key = inputs_key(html, _stylesheet_text(PARENTS_STYLESHEET))
    pdf = stored_pdf(db, school_id, key)
    if pdf is None:
        pdf = html_to_pdf(html, PARENTS_STYLESHEET)
        store_pdf(db, school_id, resource.name, course.id, key, pdf)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{resource.name}-{course.route}.pdf"'},
    )


@functools.cache
def _stylesheet_text(name):
    """A stylesheet's text, read once per process: part of the inputs a stored PDF is keyed by."""
    return (STATIC / "css" / name).read_text(encoding="utf-8")


def topic_coverage(course):
    """Each topic with the lessons whose quizzes test it and the number of check questions on it."""
    coverage = []
    for topic_id, label in course.topics.items():
        lessons = [lesson for lesson in course.lessons if any(q.topic == topic_id for q in lesson.quiz.questions)]
        checks = sum(1 for q in course.checks.questions if q.topic == topic_id)
        coverage.append({"id": topic_id, "label": label, "lessons": lessons, "checks": checks})
    return coverage
