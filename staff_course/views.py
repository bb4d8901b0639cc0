"""The staff course's pages: the course, its lessons and quizzes, the final check, the certificate; the list of who
has completed it (DSLs, deputies and admins) and the school's rule that it comes before teaching (admins).

The course runs on the pupils' engine: the same lesson steps, quiz pages, marking, feedback and certificate, on the
staff course's own URLs (training.courses.course_url), for the signed-in member of staff.
"""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user

from accounts.users import role_required, staff_required
from audit import audit_by
from certificates.issuing import eligibility_for
from certificates.queries import certificate_for_pupil, certificate_pdf_for_pupil
from dates import uk_day, uk_today
from db import get_db
from quizzes.queries import quiz_summaries
from quizzes.views import review, show_attempt, take_quiz
from staff_course.forms import StaffCourseSettingForm
from training.courses import staff_course
from training.progress import course_progress
from training.queries import save_step
from training.staff_queries import school_completions, set_staff_course_required, staff_course_required
from training.staff_rules import completion_status, due_on
from training.staff_training import staff_training
from training.views import open_where_left

bp = Blueprint("staff_course", __name__)

# Who sees which staff have completed it: the DSL and deputies (role dsl) and the school's admins.
completions_required = role_required("dsl", "admin")
admin_required = role_required("admin")


def course_or_404(course_id):
    """The staff course, if the URL names it; otherwise the request ends with 404."""
    course = staff_course()
    if course_id != course.id:
        abort(404)
    return course


def final_check_or_404(course_id, phase):
    """The staff course and its final check, if the URL names them: staff take no check before the lessons."""
    course = course_or_404(course_id)
    if phase != "final":
        abort(404)
    return course, course.checks


def lesson_or_404(course_id, lesson_id):
    """The staff course and the lesson the URL names."""
    course = course_or_404(course_id)
    return course, course.lesson(lesson_id) or abort(404)


@bp.route("/staff/training/")
@staff_required
def course():
    """The member of staff's own course page: each lesson's status, the final check, and one clear next step."""
    return render_template("staff_course/course.html", training=staff_training(get_db(), current_user.id))


@bp.route("/staff/training/<course_id>/lessons/<lesson_id>/")
@staff_required
def lesson(course_id, lesson_id):
    """Open a lesson where the member of staff left it."""
    return open_where_left(*lesson_or_404(course_id, lesson_id))


@bp.route("/staff/training/<course_id>/lessons/<lesson_id>/steps/<int:number>")
@staff_required
def step(course_id, lesson_id, number):
    """One step of a lesson; opening it saves the member of staff's place."""
    course, lesson = lesson_or_404(course_id, lesson_id)
    if not 1 <= number <= len(lesson.steps):
        abort(404)
    db = get_db()
    save_step(db, current_user.id, course.id, lesson.id, number)
    return render_template(
        "training/step.html", course=course, lesson=lesson, number=number, step=lesson.steps[number - 1],
        progress=course_progress(course, quiz_summaries(db, current_user.id, course.id)),
    )  # fmt: skip


@bp.route("/staff/training/<course_id>/lessons/<lesson_id>/quiz", methods=["GET", "POST"])
@staff_required
def lesson_quiz(course_id, lesson_id):
    """A lesson's quiz: the pupils' quiz page, marking and feedback."""
    course, lesson = lesson_or_404(course_id, lesson_id)
    return take_quiz(course, lesson.quiz, "lesson", lesson=lesson)


@bp.route("/staff/training/<course_id>/lessons/<lesson_id>/quiz/review", methods=["GET", "POST"])
@staff_required
def lesson_review(course_id, lesson_id):
    """After two failed attempts at a lesson's quiz: the steps that teach what was missed."""
    course, lesson = lesson_or_404(course_id, lesson_id)
    return review(course, lesson.quiz, "lesson", lesson=lesson)


@bp.route("/staff/training/<course_id>/checks/<phase>", methods=["GET", "POST"])
@staff_required
def check(course_id, phase):
    """The final check (staff take no check before the lessons); passing it completes the course."""
    return take_quiz(*final_check_or_404(course_id, phase), phase)


@bp.route("/staff/training/<course_id>/checks/<phase>/review", methods=["GET", "POST"])
@staff_required
def check_review(course_id, phase):
    """After two failed attempts at the final check: the steps, across the lessons, that teach what was missed."""
    return review(*final_check_or_404(course_id, phase), phase)


@bp.route("/staff/training/<course_id>/attempts/<int:attempt_id>")
@staff_required
def attempt(course_id, attempt_id):
    """Feedback on a submitted quiz: only the member of staff who made it sees it."""
    return show_attempt(course_or_404(course_id), attempt_id)


@bp.route("/staff/training/<course_id>/finish")
@staff_required
def finish(course_id):
    """The last page, after the final check: a closing word and the certificate."""
    course = course_or_404(course_id)
    db = get_db()
    if "final" not in quiz_summaries(db, current_user.id, course.id):
        return redirect(url_for("staff_course.course"), 303)
    certificate = certificate_for_pupil(db, current_user.id, course.id)
    return render_template("training/finish.html", course=course, certificate=certificate)


@bp.route("/staff/training/certificate")
@staff_required
def certificate():
    """The member of staff's certificate, or what is left to earn it."""
    db, course = get_db(), staff_course()
    certificate = certificate_for_pupil(db, current_user.id, course.id)
    eligibility = None if certificate else eligibility_for(db, current_user.id, course)
    return render_template(
        "staff_course/certificate.html", course=course, certificate=certificate, eligibility=eligibility,
        training=staff_training(db, current_user.id),
    )  # fmt: skip


@bp.route("/staff/training/certificate.pdf")
@staff_required
def certificate_pdf():
    """The stored PDF, exactly as issued."""
    code, pdf = certificate_pdf_for_pupil(get_db(), current_user.id, staff_course().id) or abort(404)
    return send_file(
        BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
        download_name=f"staff-training-certificate-{code}.pdf",
    )  # fmt: skip


@bp.route("/staff/training/completions")
@completions_required
def completions():
    """Which of the school's staff have completed the staff course, and when; a year on it is due again. Never their
    answers or scores."""
    course, today = staff_course(), uk_today()
    rows = []
    for person in school_completions(get_db(), current_user.school_id, course.id):
        completed_on = uk_day(person["completed_at"])
        rows.append({**person, "completed_on": completed_on, "status": completion_status(completed_on, today),
                     "due_on": due_on(completed_on) if completed_on else None})  # fmt: skip
    return render_template(
        "staff_course/completions.html", course=course, rows=rows,
        required=staff_course_required(get_db(), current_user.school_id),
    )  # fmt: skip


@bp.route("/staff/training/<course_id>/facilitator")
@completions_required
def facilitator(course_id):
    """For a DSL (or admin) running the staff course with a group: before you run it, each lesson's facilitator
    notes (objectives, timing, discussion, sources)."""
    return render_template("staff_course/facilitator.html", course=course_or_404(course_id))


@bp.route("/admin/staff-course", methods=["GET", "POST"])
@admin_required
def setting():
    """The admin's setting: staff must complete the staff course before teaching the pupils' course, or not."""
    db = get_db()
    required = staff_course_required(db, current_user.school_id)
    # The saved value fills the form only when it is opened: a POST with no choice is an error, not a default.
    form = StaffCourseSettingForm(data={"required": "yes" if required else "no"} if request.method == "GET" else None)
    if form.validate_on_submit():
        required = form.required.data == "yes"
        set_staff_course_required(db, current_user.school_id, required)
        audit_by(db, current_user, "staff-course-setting", "school", current_user.school_id)
        said = (
            gettext("Saved: staff must complete it before teaching the pupils' course.")
            if required
            else gettext("Saved: staff can teach without it.")
        )
        flash(said, "success")
        return redirect(url_for("staff_course.setting"), 303)
    page = render_template("staff_course/setting.html", form=form, required=required, course=staff_course())
    return page, 400 if form.errors else 200
