"""The staff course for one member of staff: where they are in it, whether it is current, and the school's rule
that it comes before teaching the pupils' course (asked for by live lessons and a class's course)."""

from dataclasses import dataclass

from flask import render_template, request, session
from flask_login import current_user

from dates import uk_day, uk_today
from db import get_db
from quizzes.queries import quiz_summaries
from training.courses import action_url, course_url, staff_course
from training.progress import course_progress, lesson_states, next_action
from training.queries import progress_by_lesson
from training.staff_queries import completed_at, staff_course_required
from training.staff_rules import DONE, completion_status, due_on, must_take_first

# The session's note of what a member of staff was doing when asked to complete the staff course first.
THEN = "staff_course_then"


@dataclass(frozen=True)
class StaffTraining:
    """A member of staff's place in the staff course, as their pages show it."""

    course: object
    states: list  # each lesson's training.progress.LessonState
    summaries: dict  # quiz summaries by lesson id and 'final' (the person's own: never shown to anyone else)
    action: object  # the next thing to do (training.progress.NextAction)
    completed_on: object  # the UK day of their current completion, or None
    status: str  # staff_rules: NOT_DONE, DONE or DUE_AGAIN

    @property
    def progress(self):
        """'1 of 5 lessons done'."""
        return course_progress(self.course, self.summaries)

    @property
    def due_on(self):
        """The day their completion is due again, or None."""
        return due_on(self.completed_on) if self.completed_on else None

    @property
    def next_url(self):
        """Where "Continue" goes: the step they left off at, the quiz, the final check or the certificate."""
        if self.action.kind not in ("lesson", "quiz") and self.completed_on and self.status != DONE:
            return course_url(self.course, "check", phase="final")  # a completion due again: the final check renews it
        return action_url(self.course, self.action)


def staff_training(db, person_id):
    """The member of staff's place in the staff course: lessons, next step and completion."""
    course = staff_course()
    summaries = quiz_summaries(db, person_id, course.id)
    states = lesson_states(course, progress_by_lesson(db, person_id), summaries)
    completed_on = uk_day(completed_at(db, person_id, course.id))
    final_passed = bool((summaries.get("final") or {}).get("passed"))
    # No baseline check for staff: the first thing to do is lesson 1.
    action = next_action(states, True, final_passed, completed_on is not None)
    return StaffTraining(course, states, summaries, action, completed_on, completion_status(completed_on, uk_today()))


def staff_course_needed(db, user):
    """Whether the school asks this member of staff to (re)take the staff course before teaching the pupils'."""
    if not staff_course_required(db, user.school_id):
        return False
    completed_on = uk_day(completed_at(db, user.id, staff_course().id))
    return must_take_first(True, completed_on, uk_today())


def staff_course_first(db, what):
    """None if the signed-in member of staff may go on to `what` ("start a live lesson"); otherwise the page that
    asks them to complete the staff course first (403)."""
    if staff_course_needed(db, current_user):
        return ask_for_staff_course(what)
    session.pop(THEN, None)  # done: nothing is waiting any more
    return None


def ask_for_staff_course(what):
    """The page that asks a member of staff to complete the staff course before `what` ("start a live lesson").

    It carries what they sent (every field but the form's token) in a form that sends it again, so nothing they
    chose or typed is lost: once the course is done, one button does what they asked."""
    fields = [(name, value) for name, values in request.form.lists() if name != "csrf_token" for value in values]
    # Kept for the staff course's pages too, which offer the same button once the course is completed.
    session[THEN] = {"action": request.path, "what": what, "fields": fields}
    page = render_template(
        "training/staff_course_needed.html", what=what, fields=fields, action=request.path,
        course=staff_course(), training=staff_training_or_none(),
    )  # fmt: skip
    return page, 403


def staff_training_or_none():
    """The signed-in member of staff's place in the staff course (for the page that asks for it)."""
    return staff_training(get_db(), current_user.id) if current_user.is_authenticated else None
