"""Quiz pages: answer a lesson quiz or a check, then see feedback on every option."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from accounts.users import pupil_required
from certificates.issuing import issue_if_eligible
from dates import uk_today
from db import get_db, write_transaction
from languages import lazy_gettext as _l
from quizzes import recheck
from quizzes.feedback import lesson_for_topic, question_feedback
from quizzes.forms import ReviewForm, confidence_words, field_name, quiz_form, responses_from_form
from quizzes.marking import mark_question, mark_quiz
from quizzes.queries import (
    answers_for_attempt,
    attempt_by_token,
    attempt_for_pupil,
    failures_in_a_row,
    has_passed,
    recheck_for_pupil,
    record_review,
    save_attempt,
    wrong_question_ids,
)
from quizzes.review import REVIEW_PHASES, review_due, steps_to_review
from training.courses import course_url, pupil_course_or_redirect
from training.queries import complete_lesson

bp = Blueprint("quizzes", __name__)
bp.add_app_template_global(confidence_words)

CHECK_PHASES = ("baseline", "final", "recheck")
QUIZ_CHANGED = _l(
    "This quiz was updated while you had it open. Your answers are still here: check them and press the button again."
)


@bp.route("/courses/<course_id>/lessons/<lesson_id>/quiz", methods=["GET", "POST"])
@pupil_required
def lesson_quiz(course_id, lesson_id):
    """A lesson's quiz."""
    course = pupil_course_or_redirect(get_db(), current_user, course_id)
    lesson = course.lesson(lesson_id) or abort(404)
    return take_quiz(course, lesson.quiz, "lesson", lesson=lesson)


@bp.route("/courses/<course_id>/checks/<phase>", methods=["GET", "POST"])
@pupil_required
def check(course_id, phase):
    """The baseline check (before lesson 1, no feedback), the final check or the delayed re-check (with feedback)."""
    course = pupil_course_or_redirect(get_db(), current_user, course_id)
    if phase not in CHECK_PHASES:
        abort(404)
    if phase == "recheck":
        return recheck_closed(course) or take_quiz(course, course.checks, phase)
    return take_quiz(course, course.checks, phase)


def take_quiz(course, quiz, phase, lesson=None):
    """Show the quiz; on submit save it exactly once and go to its feedback."""
    db = get_db()
    form = quiz_form(quiz)
    earlier = attempt_by_token(db, current_user.id, form.token.data or "") if request.method == "POST" else None
    if earlier:
        # A double click, a resubmitted page or Back then submit: the answers are already saved.
        flash(gettext("Your answers were already saved. Here is your feedback."), "info")
        return redirect(course_url(course, "attempt", attempt_id=earlier["id"]), 303)
    if must_review(db, quiz, phase):
        # Two failed attempts in a row: back over the lesson before the same items again.
        return redirect(review_url(course, phase, lesson), 303)
    if form.validate_on_submit():
        if form.version.data != quiz.version:
            flash(str(QUIZ_CHANGED), "warning")
            form.version.data = quiz.version
        else:
            attempt_id, _ = save_quiz(db, current_user, course, quiz, phase, form, lesson)
            return redirect(course_url(course, "attempt", attempt_id=attempt_id), 303)
    status = 400 if request.method == "POST" else 200
    page = render_template(
        "quizzes/quiz.html",
        course=course,
        quiz=quiz,
        phase=phase,
        lesson=lesson,
        form=form,
        field_name=field_name,
    )
    return page, status


def save_quiz(db, pupil, course, quiz, phase, form, lesson=None, also=None):
    """Mark a submitted quiz form and store it as the pupil's own attempt, completing the lesson on a pass and
    issuing a certificate when earned: the one path for answers, self-paced and live alike.

    `also(attempt_id, result, created)` runs inside the same transaction (a live lesson adds to its totals
    there, so an answer is counted exactly when it is stored). Returns (attempt id, result)."""
    result = mark_quiz(quiz, responses_from_form(form))
    # The attempt and the lesson it completes in one transaction: one turn of the write lock, not two.
    with write_transaction(db):
        attempt_id, created = save_attempt(db, pupil, course.id, quiz, phase, form.token.data, result,
                                           form.option_orders)  # fmt: skip
        if lesson and result.passed:
            complete_lesson(db, pupil.id, course.id, lesson.id, len(lesson.steps))
        if also is not None:
            also(attempt_id, result, created)
    if phase in ("lesson", "final"):  # the re-check never changes the certificate
        issue_if_eligible(db, pupil, course, passed_final=phase == "final" and result.passed)
    return attempt_id, result


def must_review(db, quiz, phase):
    """Whether the signed-in pupil goes back over the lesson before trying this quiz again."""
    return phase in REVIEW_PHASES and review_due(phase, failures_in_a_row(db, current_user.id, quiz.id, phase)[0])


def quiz_url(course, phase, lesson=None):
    """The quiz page of a lesson's quiz (with `lesson`) or of a check."""
    if lesson:
        return course_url(course, "lesson_quiz", lesson_id=lesson.id)
    return course_url(course, "check", phase=phase)


def review_url(course, phase, lesson=None):
    """The review page of a lesson's quiz (with `lesson`) or of the final check."""
    if lesson:
        return course_url(course, "lesson_review", lesson_id=lesson.id)
    return course_url(course, "check_review", phase=phase)


@bp.route("/courses/<course_id>/lessons/<lesson_id>/quiz/review", methods=["GET", "POST"])
@pupil_required
def lesson_review(course_id, lesson_id):
    """After two failed attempts at a lesson's quiz: the steps that teach what was missed."""
    course = pupil_course_or_redirect(get_db(), current_user, course_id)
    lesson = course.lesson(lesson_id) or abort(404)
    return review(course, lesson.quiz, "lesson", lesson=lesson)


@bp.route("/courses/<course_id>/checks/<phase>/review", methods=["GET", "POST"])
@pupil_required
def check_review(course_id, phase):
    """After two failed attempts at the final check: the steps, across the lessons, that teach what was missed."""
    course = pupil_course_or_redirect(get_db(), current_user, course_id)
    if phase != "final":
        abort(404)
    return review(course, course.checks, phase)


def review(course, quiz, phase, lesson=None):
    """Show the steps to go back over; the button records the review and opens the quiz again."""
    db = get_db()
    failures, latest = failures_in_a_row(db, current_user.id, quiz.id, phase)
    if not review_due(phase, failures):
        return redirect(quiz_url(course, phase, lesson), 303)
    form = ReviewForm()
    if form.validate_on_submit():
        record_review(db, current_user.id, course.id, quiz.id, phase, latest)
        return redirect(quiz_url(course, phase, lesson), 303)
    wrong = [quiz.question(qid) for qid in wrong_question_ids(db, latest)]
    steps = steps_to_review(course, lesson, [q for q in wrong if q is not None and q.marked])
    if not steps and lesson:
        steps = steps_to_review(course, lesson, [])  # nothing left to match (the quiz changed): the lesson's start
    page = render_template(
        "quizzes/review.html", course=course, quiz=quiz, phase=phase, lesson=lesson, steps=steps, form=form,
        quiz_url=quiz_url(course, phase, lesson),
    )  # fmt: skip
    return page, 400 if form.errors else 200


@bp.route("/courses/<course_id>/attempts/<int:attempt_id>")
@pupil_required
def attempt(course_id, attempt_id):
    """Feedback on a submitted quiz; only the pupil who made it can see it."""
    return show_attempt(pupil_course_or_redirect(get_db(), current_user, course_id), attempt_id)


def show_attempt(course, attempt_id):
    """The feedback page of the signed-in person's own attempt at one of `course`'s quizzes; anyone else's is 404."""
    row = attempt_for_pupil(get_db(), attempt_id, current_user.id) or abort(404)
    if row["course_id"] != course.id:
        abort(404)  # an attempt at another route's quiz: its questions are not in this course
    lesson = course.lesson(row["quiz_id"]) if row["phase"] == "lesson" else None
    quiz = lesson.quiz if lesson else course.checks
    stored = {a["question_id"]: a for a in answers_for_attempt(get_db(), attempt_id)}
    # The re-check is taken once: nothing to try again, so every answer is shown.
    answers_shown = (
        bool(row["passed"])
        or row["phase"] == "recheck"
        or has_passed(get_db(), current_user.id, row["quiz_id"], row["phase"])
    )
    feedback = [feedback_for(course, lesson, q, stored.get(q.id), answers_shown) for q in quiz.questions]
    next_lesson = None
    if lesson and lesson.number < len(course.lessons):
        next_lesson = course.lessons[lesson.number]
    go_back = None
    if not row["passed"] and must_review(get_db(), quiz, row["phase"]):
        go_back = review_url(course, row["phase"], lesson)
    return render_template(
        "quizzes/attempt.html", course=course, attempt=row, lesson=lesson, quiz=quiz,
        feedback=feedback, next_lesson=next_lesson, show_feedback=row["phase"] != "baseline",
        answers_shown=answers_shown, review_url=go_back,
        must_pass_missed=[f for f in feedback if f.must_pass_missed],
    )  # fmt: skip


def feedback_for(course, lesson, question, answer, answers_shown):
    """What the pupil sees about one question of an attempt (see quizzes.feedback)."""
    result, order = None, None
    if answer is not None:
        order = answer["option_order"]
        response = answer["response"]
        if question.type == "order":
            response = {key: int(value) for key, value in response.items()}
        try:
            result = mark_question(question, response)
        except ValueError:
            result = None  # the question changed since this attempt: the stored score still stands
    # A lesson quiz sends the pupil back to its lesson; a check to the lesson that teaches the topic.
    again = lesson or lesson_for_topic(course, question.topic)
    return question_feedback(question, result, order, answers_shown, again.title if again else None)


def recheck_closed(course):
    """Where the pupil goes instead of the re-check (None if they may take it): its feedback, or the course page."""
    class_day, final_day, attempt_id = recheck_for_pupil(get_db(), current_user.id, course.id)
    if attempt_id:
        flash(gettext("You have done the re-check: it is taken once. Here is your feedback."), "info")
        return redirect(url_for("quizzes.attempt", course_id=course.id, attempt_id=attempt_id), 303)
    if not recheck.is_open(class_day, final_day, False, uk_today()):
        return redirect(url_for("training.course"), 303)  # not finished, or not open yet: nothing to take
    return None
