"""A live lesson: the teacher leads one lesson from the presenter and controls; each pupil follows on their device.

Pupils' devices poll a tiny state document (`/live/<id>/state`) with If-None-Match: the session's one row
carries a version that every move bumps, so an unchanged poll is answered 304 after one primary-key read.
Plain short requests get through filtering proxies, and any app server answers from the database alone.
Without JavaScript the pupil's page shows the current step when loaded and a "Go to the teacher's step" link.
"""

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user

from accounts.users import pupil_required, staff_required
from audit import audit_by
from classroom.access import class_for_staff, runs_class
from dates import uk_today
from db import get_db, now
from forms import ConfirmForm
from languages import DEFAULT as DEFAULT_LANGUAGE
from live import queries, rules
from live.forms import FEELINGS, AttendanceForm, CheckInForm, MoveForm, StartForm
from quizzes.forms import field_name, quiz_form
from quizzes.queries import attempt_by_token, attempt_for_pupil
from quizzes.views import QUIZ_CHANGED, save_quiz
from safeguarding.views import send_talk_request
from training.courses import course_for_class, courses
from training.files import render_markdown
from training.queries import save_step
from training.staff_training import staff_course_first

bp = Blueprint("live", __name__)

CHECKED_IN = "live_checked_in"  # the Flask session's note of the sessions whose check-in the pupil sent


# ------------------------------------------------------------------------------------------ shared


def course_and_lesson(row):
    """The session's course and lesson (content is loaded once; a lesson no longer in it is a 404)."""
    course = courses().get(row["course_id"]) or abort(404)
    return course, course.lesson(row["lesson_id"]) or abort(404)


def is_open(db, row):
    """Whether the session is running; one idle for an hour is marked ended here, when it is next read."""
    if row["ended_at"] is not None:
        return False
    if rules.is_idle(row["moved_at"], now()):
        queries.end_idle(db, row["id"], row["moved_at"], rules.idle_end(row["moved_at"]))
        return False
    return True


def ground_rules_html(course):
    """The course's ground rules as HTML, made once per course and kept."""
    kept = current_app.extensions.setdefault("live_ground_rules", {})
    if course.id not in kept:
        text = rules.ground_rules(course.before_you_teach_text)
        kept[course.id] = render_markdown(text) if text else ""
    return kept[course.id]


def seen_every():
    """How often a device's poll writes its last-seen time (the LIVE_SEEN_SECONDS setting)."""
    return timedelta(seconds=current_app.config["LIVE_SEEN_SECONDS"])


def not_modified_or(tag, body):
    """304 when the device already has this state (its If-None-Match), else the JSON; either way with the ETag."""
    fresh = request.if_none_match.contains(tag)
    response = current_app.response_class(status=304) if fresh else jsonify(body)
    response.set_etag(tag)
    return response


# ------------------------------------------------------------------------------------------ teacher


def start_choices(course):
    """The lessons of the class's route, for the start form."""
    return [
        (lesson.id, gettext("Lesson %(number)s: %(title)s", number=lesson.number, title=lesson.title))
        for lesson in course.lessons
    ]


@bp.app_template_global()
def live_start(class_row):
    """For the class page: the class's running live lesson (or None) and the form that starts one."""
    db = get_db()
    running = queries.open_for_class(db, class_row["id"])
    if running is not None and not is_open(db, running):
        running = None
    lesson = None
    if running is not None:
        lesson = course_and_lesson(running)[1] if running["course_id"] in courses() else None
    form = StartForm(formdata=None)
    form.lesson_id.choices = start_choices(course_for_class(class_row))
    return {"running": running, "lesson": lesson, "form": form}


def class_run_by_user_or_404(db, class_id):
    """The class if the signed-in member of staff teaches it (or is the school's admin); else 404."""
    class_row = class_for_staff(db, current_user, class_id)
    if class_row is None or not runs_class(db, current_user, class_id):
        abort(404)
    return class_row


@bp.post("/classes/<int:class_id>/live")
@staff_required
def start(class_id):
    """Start a live lesson of the class's route; a class has one at a time."""
    db = get_db()
    class_row = class_run_by_user_or_404(db, class_id)
    course = course_for_class(class_row)
    form = StartForm()
    form.lesson_id.choices = start_choices(course)
    if not form.validate_on_submit():
        flash(gettext("Choose a lesson to teach live."), "warning")
        return redirect(url_for("classroom.class_page", class_id=class_id), 303)
    asked = staff_course_first(db, "start the live lesson")
    if asked:
        return asked
    running = queries.open_for_class(db, class_id)
    if running is not None and is_open(db, running):
        return running_elsewhere(class_row, running)
    session_id = queries.start_session(
        db, current_user.school_id, class_id, course.id, form.lesson_id.data, current_user.id, now(),
        uk_today().isoformat(),
    )  # fmt: skip
    if session_id is None:  # another teacher started one a moment ago
        return running_elsewhere(class_row, queries.open_for_class(db, class_id))
    audit_by(db, current_user, "live-start", "class", class_id)
    return redirect(url_for("live.teach", session_id=session_id), 303)


def running_elsewhere(class_row, running):
    """The class already has a live lesson: say who is running it, or take its own teacher back to it."""
    if running is not None and running["started_by"] == current_user.id:
        return redirect(url_for("live.teach", session_id=running["id"]), 303)
    lesson = course_and_lesson(running)[1] if running else None
    page = render_template("live/running.html", class_=class_row, running=running, lesson=lesson)
    return page, 409


def staff_session_or_404(session_id):
    """(db, session row, class row) if the signed-in member of staff teaches its class (or is the school's admin)."""
    db = get_db()
    row = queries.session_in_school(db, session_id, current_user.school_id) or abort(404)
    return db, row, class_run_by_user_or_404(db, row["class_id"])


def teacher_view(db, row, course, lesson, open_):
    """What the presenter and controls show: the stage, the counts and (when shown, from 5 answers) the totals."""
    step_count = len(lesson.steps)
    position = row["position"]
    following, answered, joined, no_device = queries.counts(db, row["id"], rules.following_since(now(), seen_every()))
    shown = bool(row["answers_shown"]) and rules.totals_shown(answered)
    return {
        "live": row, "course": course, "lesson": lesson, "open": open_, "position": position,
        "stage": rules.stage(position, step_count), "step_count": step_count, "last": rules.last_position(step_count),
        "step": lesson.steps[position - 1] if 1 <= position <= step_count else None,
        "following": following, "answered": answered, "joined": joined, "no_device": no_device,
        "totals": queries.totals(db, row["id"]) if shown else None, "threshold": rules.TOTALS_THRESHOLD,
        "ground_rules": ground_rules_html(course),
    }  # fmt: skip


@bp.get("/live/<int:session_id>/teach")
@staff_required
def teach(session_id):
    """The teacher's one screen: the presenter, the controls, the notes for this step and attendance."""
    db, row, class_row = staff_session_or_404(session_id)
    course, lesson = course_and_lesson(row)
    view = teacher_view(db, row, course, lesson, is_open(db, row))
    attendance = queries.roster(db, row["id"], row["class_id"], current_user.school_id)
    form = AttendanceForm(formdata=None, pupils=[p["id"] for p in attendance if p["how"] == "no device"])
    form.pupils.choices = [(p["id"], f"{p['first_name']} {p['last_name']}".strip()) for p in attendance
                           if p["how"] != "device"]  # fmt: skip
    move_form = MoveForm(formdata=None, version=row["version"])
    return render_template(
        "live/teach.html", class_=class_row, move_form=move_form, attendance_form=form,
        on_device=[p for p in attendance if p["how"] == "device"], **view,
    )  # fmt: skip


@bp.get("/live/<int:session_id>/present")
@staff_required
def present(session_id):
    """The presenter alone, for a second window on the projector; it follows the same state."""
    db, row, class_row = staff_session_or_404(session_id)
    course, lesson = course_and_lesson(row)
    return render_template("live/present.html", class_=class_row, **teacher_view(db, row, course, lesson,
                                                                                  is_open(db, row)))  # fmt: skip


@bp.get("/live/<int:session_id>/present/state")
@staff_required
def present_state(session_id):
    """The teacher's screens' poll: the state, and the counts of pupils following and answered (never who)."""
    db, row, _ = staff_session_or_404(session_id)
    open_ = is_open(db, row)
    following, answered, _joined, _no_device = queries.counts(db, row["id"], rules.following_since(now(), seen_every()))
    tag = f"{rules.state_tag(row['version'], open_)}-{following}-{answered}"
    body = {"version": row["version"], "ended": not open_, "following": following, "answered": answered}
    return not_modified_or(tag, body)


@bp.post("/live/<int:session_id>/move")
@staff_required
def move(session_id):
    """Next, back, pause, resume, show or hide the class's answers, or end: applied to the state it was made on."""
    db, row, _ = staff_session_or_404(session_id)
    _, lesson = course_and_lesson(row)
    form = MoveForm()
    back = redirect(url_for("live.teach", session_id=session_id), 303)
    if not form.validate_on_submit():
        flash(gettext("That did not work: the page was open a long time. Please press the button again."), "warning")
        return back
    if not is_open(db, row):
        flash(gettext("This live lesson has ended, so it cannot move."), "warning")
        return back
    if form.move.data == "end":
        queries.end_session(db, session_id, now())
        audit_by(db, current_user, "live-end", "class", row["class_id"])
        return back
    if form.version.data != row["version"]:
        flash(gettext("The lesson moved on in another window. Here is where it is now."), "info")
        return back
    changes = rules.moved(row, form.move.data, len(lesson.steps))
    if changes:
        state = {key: changes.get(key, row[key]) for key in ("position", "paused", "answers_shown")}
        if not queries.apply_move(db, session_id, row["version"], state, now()):
            flash(gettext("The lesson moved on in another window. Here is where it is now."), "info")
    return back


@bp.post("/live/<int:session_id>/attendance")
@staff_required
def attendance(session_id):
    """Record the pupils taught in class without a device (they answer the questions later, on their own)."""
    db, row, _ = staff_session_or_404(session_id)
    roster = queries.roster(db, row["id"], row["class_id"], current_user.school_id)
    form = AttendanceForm()
    # Every pupil of the class is a valid choice: one who joined on a device meanwhile stays 'device' (a tick
    # never overwrites it, an untick removes only 'no device').
    form.pupils.choices = [(p["id"], p["first_name"]) for p in roster]
    if form.validate_on_submit():
        ticked = set(form.pupils.data or ())
        choices = {value for value, _ in form.pupils.choices}
        queries.set_no_device(db, session_id, ticked, choices - ticked, now())
        flash(gettext("Attendance saved."), "info")
    else:
        flash(gettext("That did not work. Please tick the pupils again."), "warning")
    return redirect(url_for("live.teach", session_id=session_id, _anchor="attendance"), 303)


# ------------------------------------------------------------------------------------------ pupil


@bp.app_template_global()
def live_lessons_for_pupil():
    """For the pupil's course page: the live lessons their teachers have started (and not ended), with titles."""
    found = []
    for row in queries.open_for_pupil(get_db(), current_user.id, rules.idle_since(now())):
        course = courses().get(row["course_id"])
        lesson = course.lesson(row["lesson_id"]) if course else None
        if lesson is not None:
            found.append({"id": row["id"], "lesson": lesson, "class_name": row["class_name"]})
    return found


def pupil_session_or_404(session_id):
    """(db, session row) if the signed-in pupil is in the session's class; another class's pupil gets 404."""
    db = get_db()
    row = queries.session_in_school(db, session_id, current_user.school_id) or abort(404)
    if not queries.pupil_in_class(db, row["class_id"], current_user.id, current_user.school_id):
        abort(404)
    return db, row


@bp.post("/live/<int:session_id>/join")
@pupil_required
def join(session_id):
    """Join with one click from the course page; the device then follows the teacher."""
    db, row = pupil_session_or_404(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if is_open(db, row):
        queries.join(db, session_id, current_user.id, now())
    return redirect(url_for("live.follow", session_id=session_id), 303)


@bp.get("/live/<int:session_id>")
@pupil_required
def follow(session_id):
    """The pupil's live page: whatever the teacher is showing now (a reload or a late join lands here too)."""
    db, row = pupil_session_or_404(session_id)
    return pupil_page(db, row)


def pupil_page(db, row, quiz=None, check_in=None, status=200):
    """Render the pupil's view of the teacher's position (`quiz`/`check_in`: forms coming back with errors)."""
    course, lesson = course_and_lesson(row)
    open_ = is_open(db, row)
    mine = queries.own_attendance(db, row["id"], current_user.id)
    if mine is None or mine["how"] != "device":
        # Not joined yet: one click to join (while it runs).
        return render_template("live/join.html", live=row, lesson=lesson, open=open_), status
    step_count = len(lesson.steps)
    position = row["position"]
    stage = rules.stage(position, step_count)
    step = None
    if stage == rules.STEP:
        step = lesson.steps[position - 1]
        save_step(db, current_user.id, course.id, lesson.id, position)  # the same place as reading it alone
    attempt = attempt_for_pupil(db, mine["attempt_id"], current_user.id) if mine["attempt_id"] else None
    if stage == rules.QUIZ and attempt is None and quiz is None:
        quiz = quiz_form(lesson.quiz)
    if stage == rules.CLOSE and check_in is None:
        check_in = CheckInForm(formdata=None)
    page = render_template(
        "live/pupil.html", live=row, course=course, lesson=lesson, open=open_, position=position, stage=stage,
        step=step, step_count=step_count, quiz=lesson.quiz, form=quiz, field_name=field_name, attempt=attempt,
        check_in=check_in, checked_in=row["id"] in session.get(CHECKED_IN, []), ground_rules=ground_rules_html(course),
        viewing=None, poll_url=poll_url(row["id"], current_user.id), events_url=events_url(row["id"], current_user.id),
        tag=rules.state_tag(row["version"], open_),
    )  # fmt: skip
    return page, status


@bp.get("/live/<int:session_id>/steps/<int:number>")
@pupil_required
def reread(session_id, number):
    """An earlier step, to read again; never one the teacher has not reached (that goes to the teacher's step)."""
    db, row = pupil_session_or_404(session_id)
    course, lesson = course_and_lesson(row)
    mine = queries.own_attendance(db, row["id"], current_user.id)
    step_count = len(lesson.steps)
    if mine is None or not rules.may_read(number, row["position"], step_count) or number == row["position"]:
        return redirect(url_for("live.follow", session_id=session_id), 303)
    open_ = is_open(db, row)
    return render_template(
        "live/pupil.html", live=row, course=course, lesson=lesson, open=open_, position=row["position"],
        stage=rules.STEP, step=lesson.steps[number - 1], step_count=step_count, viewing=number, quiz=lesson.quiz,
        form=None, field_name=field_name, attempt=None, check_in=None, checked_in=False, ground_rules="",
        poll_url=poll_url(row["id"], current_user.id), events_url=events_url(row["id"], current_user.id),
        tag=rules.state_tag(row["version"], open_),
    )  # fmt: skip


def poll_url(session_id, pupil_id):
    """The pupil's poll URL, with the key that stands in for their sign-in cookie."""
    key = rules.poll_key(current_app.secret_key, session_id, pupil_id)
    return url_for("live.state", session_id=session_id, pupil_id=pupil_id, key=key)


def events_url(session_id, pupil_id):
    """Where the pupil's device waits for the teacher's moves (live/events.py), or None if no event server is set."""
    base = current_app.config["LIVE_EVENTS_URL"]
    if not base:
        return None
    key = rules.poll_key(current_app.secret_key, session_id, pupil_id)
    return f"{base.rstrip('/')}/live/{session_id}/pupils/{pupil_id}/events/{key}"


@bp.get("/live/<int:session_id>/pupils/<int:pupil_id>/state/<key>")
def state(session_id, pupil_id, key):
    """The poll: the session's state as a tiny JSON document, or 304 while it has not changed since the last one.

    The key in the URL (made for this pupil when their live page was served) stands in for the sign-in
    cookie, which the script does not send: no person or sign-in session is read. One read (the session's row
    and the pupil's own attendance row, both by primary key); the pupil's last-seen time is written only when
    it is older than LIVE_SEEN_SECONDS. What it returns names nobody: the version, position, stage, pause, end.
    """
    if not rules.poll_key_matches(current_app.secret_key, session_id, pupil_id, key):
        abort(404)
    db = get_db()
    polled = queries.poll_state(db, session_id, pupil_id)
    if polled is None or polled["seen_at"] is None:
        abort(404)  # no such session, or this pupil never joined it (another class's pupils never can)
    stamp = now()
    if rules.seen_due(polled["seen_at"], stamp, seen_every()):
        queries.touch_seen(db, session_id, pupil_id, stamp)
    open_ = polled["ended_at"] is None and not rules.is_idle(polled["moved_at"], stamp)
    lesson = courses()[polled["course_id"]].lesson(polled["lesson_id"]) if polled["course_id"] in courses() else None
    step_count = len(lesson.steps) if lesson else 0
    body = rules.state_json(polled["version"], polled["position"], polled["paused"], open_, step_count)
    return not_modified_or(rules.state_tag(polled["version"], open_), body)


@bp.post("/live/<int:session_id>/quiz")
@pupil_required
def answer(session_id):
    """The pupil's answers to the lesson's quiz: their own attempt, through the same path as self-paced work."""
    db, row = pupil_session_or_404(session_id)
    course, lesson = course_and_lesson(row)
    mine = queries.own_attendance(db, row["id"], current_user.id)
    if mine is None or row["position"] < rules.quiz_position(len(lesson.steps)):
        return redirect(url_for("live.follow", session_id=session_id), 303)  # not joined, or not at the quiz yet
    quiz = lesson.quiz
    form = quiz_form(quiz)
    if attempt_by_token(db, current_user.id, form.token.data or ""):
        flash(gettext("Your answers were already saved."), "info")
        return redirect(url_for("live.follow", session_id=session_id), 303)
    if not form.validate_on_submit():
        return pupil_page(db, row, quiz=form, status=400)
    if form.version.data != quiz.version:
        flash(str(QUIZ_CHANGED), "warning")
        form.version.data = quiz.version
        return pupil_page(db, row, quiz=form, status=400)

    def add_to_totals(attempt_id, result, created):
        if created:
            choices = [
                (r.question_id, choice)
                for r in result.questions
                for choice in rules.tally_choices(quiz.question(r.question_id).type, r.response, r.correct)
            ]
            queries.record_answers(db, session_id, current_user.id, attempt_id, choices)

    save_quiz(db, current_user, course, quiz, "lesson", form, lesson, also=add_to_totals)
    flash(gettext("Your answers are saved."), "info")
    return redirect(url_for("live.follow", session_id=session_id), 303)


@bp.post("/live/<int:session_id>/check-in")
@pupil_required
def check_in(session_id):
    """The private check-in: "yes" asks the DSL to talk (the same request as the talk page); the room sees nothing."""
    db, row = pupil_session_or_404(session_id)
    if queries.own_attendance(db, row["id"], current_user.id) is None:
        abort(404)
    form = CheckInForm()
    if not form.validate_on_submit():
        return pupil_page(db, row, check_in=form, status=400)
    session[CHECKED_IN] = [*session.get(CHECKED_IN, [])[-4:], row["id"]]
    if form.talk.data != "no":
        feeling = FEELINGS.get(form.feeling.data)
        message = "Asked in the check-in at the end of a live lesson."
        if feeling:
            with force_locale(DEFAULT_LANGUAGE):  # the DSL's record keeps one language, whatever the pupil's page
                message += f" How I'm feeling: {feeling}."
        request_id = send_talk_request(db, "dsl", None, form.talk.data, message)
        return redirect(url_for("safeguarding.talk_sent", request_id=request_id), 303)
    flash(gettext("Thank you. If you change your mind, “Talk to someone” is always at the top of the page."), "info")
    return redirect(url_for("live.follow", session_id=session_id), 303)
