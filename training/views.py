"""The course page and lesson pages."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from accounts.users import pupil_required
from app import current_course
from certificates.queries import certificate_for_pupil
from db import get_db
from quizzes.queries import quiz_summaries
from training.progress import lesson_states, next_action
from training.queries import progress_by_lesson, save_step

bp = Blueprint("training", __name__)


@bp.route("/course")
@pupil_required
def course():
    """The pupil's course page: every lesson's status and one clear next step."""
    course = current_course()
    db = get_db()
    summaries = quiz_summaries(db, current_user.id, course.id)
    states = lesson_states(course, progress_by_lesson(db, current_user.id), summaries)
    certificate = certificate_for_pupil(db, current_user.id, course.id)
    action = next_action(
        states, "baseline" in summaries, "final" in summaries, certificate is not None
    )
    return render_template(
        "training/course.html", course=course, states=states, action=action,
        summaries=summaries, certificate=certificate, action_url=action_url(course, action),
    )  # fmt: skip


def action_url(course, action):
    """Where the course page's main button goes."""
    if action.kind in ("baseline", "final"):
        return url_for("quizzes.check", course_id=course.id, phase=action.kind)
    if action.kind == "quiz":
        return url_for(
            "quizzes.lesson_quiz", course_id=course.id, lesson_id=action.lesson_id
        )
    if action.kind == "lesson":
        return url_for(
            "training.step",
            course_id=course.id,
            lesson_id=action.lesson_id,
            number=action.step,
        )
    return url_for("certificates.mine")


def lesson_or_404(course_id, lesson_id):
    """The course and lesson named in the URL."""
    course = current_course()
    lesson = course.lesson(lesson_id) if course_id == course.id else None
    if lesson is None:
        abort(404)
    return course, lesson


@bp.route("/courses/<course_id>/lessons/<lesson_id>/")
@pupil_required
def lesson(course_id, lesson_id):
    """Open a lesson where the pupil left it."""
    course, lesson = lesson_or_404(course_id, lesson_id)
    progress = progress_by_lesson(get_db(), current_user.id).get(lesson.id)
    number = progress["current_step"] if progress else 1
    return redirect(
        url_for(
            "training.step", course_id=course.id, lesson_id=lesson.id, number=number
        )
    )


@bp.route("/courses/<course_id>/lessons/<lesson_id>/steps/<int:number>")
@pupil_required
def step(course_id, lesson_id, number):
    """One step of a lesson; opening it saves the pupil's place."""
    course, lesson = lesson_or_404(course_id, lesson_id)
    if not 1 <= number <= len(lesson.steps):
        abort(404)
    save_step(get_db(), current_user.id, course.id, lesson.id, number)
    return render_template(
        "training/step.html",
        course=course,
        lesson=lesson,
        number=number,
        step=lesson.steps[number - 1],
    )
