"""A live lesson through the test client: who may start, join and drive it, the poll's 304, the steps a pupil may
open, answers stored as each pupil's own, totals from five answers, the private check-in, attendance, the end."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from markupsafe import escape
from pypdf import PdfReader

from db import write_transaction
from live import rules
from quizzes.forms import field_name

from helpers import report_by_job, right_answers, wrong_answers
from live_client import LESSON, client_for, joined, move, start, started, to_position, version


def main(html):
    """The page's main content (not the help panel)."""
    return html.split("<main")[1].split("</main>")[0]


def quiz_position(course):
    return len(course.lessons[0].steps) + 2


def answer(client, session_id, answers):
    """Open the live page (for the form's token) and send `answers`."""
    page = client.get(f"/live/{session_id}")
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    version_ = re.search(r'name="version" type="hidden" value="([^"]+)"', page.text).group(1)
    return client.post(f"/live/{session_id}/quiz", data=dict(answers, token=token, version=version_)), token


def test_a_teacher_starts_a_lesson_and_a_pupil_joins_from_the_course_page(app, db, room):
    teacher = client_for(app, "teacher@hill.test")
    assert "Start a live lesson" in teacher.get(f"/classes/{room['class_id']}").text
    session_id = started(teacher, room["class_id"])
    page = teacher.get(f"/live/{session_id}/teach")
    assert "Before we start: our ground rules" in page.text
    assert "we don't name people" in page.text.replace("&#39;", "'")

    pupil = client_for(app, "pupil0.x")
    course_page = pupil.get("/course").text
    assert "Your teacher has started a live lesson" in course_page
    assert f'action="/live/{session_id}/join"' in course_page
    # Not joined yet: the live page offers the one click.
    assert "Join the live lesson" in pupil.get(f"/live/{session_id}").text
    assert pupil.post(f"/live/{session_id}/join").location.endswith(f"/live/{session_id}")
    page = pupil.get(f"/live/{session_id}")
    assert "Before we start" in page.text and "Go to the teacher's step" in page.text
    assert db.execute("SELECT how FROM live_attendance WHERE pupil_id = ?", [room["pupils"][0]]).fetchone()[0] == (
        "device"
    )


def poll_url(client, session_id):
    """The poll URL the pupil's live page gives its script."""
    return re.search(r'data-live-state-url="([^"]+)"', client.get(f"/live/{session_id}").text).group(1)


def test_the_poll_answers_304_until_the_teacher_moves_then_the_new_step(app, db, room, course):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    url = poll_url(joined(app, session_id, "pupil0.x"), session_id)
    # The poll sends no sign-in cookie: its URL's key stands in for it.
    pupil = app.test_client()

    first = pupil.get(url)
    assert first.status_code == 200 and first.json["position"] == 0 and first.json["stage"] == "rules"
    tag = first.headers["ETag"]
    again = pupil.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["ETag"] == tag

    assert move(teacher, db, session_id, "next").status_code == 303
    moved = pupil.get(url, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.json["position"] == 1 and moved.json["stage"] == "step"
    # A reload (or a late join) lands on the teacher's step.
    assert course.lessons[0].steps[0].title in client_for(app, "pupil0.x").get(f"/live/{session_id}").text
    # Pause reaches the device without a step change.
    move(teacher, db, session_id, "pause")
    assert pupil.get(url).json["paused"] is True
    # A key made for another pupil, or none at all, opens nothing.
    other = url.replace(f"/pupils/{room['pupils'][0]}/", f"/pupils/{room['pupils'][1]}/")
    assert pupil.get(other).status_code == 404 and pupil.get(url[:-4] + "0000").status_code == 404


def test_a_poll_key_for_a_pupil_who_never_joined_opens_nothing(app, db, room):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    key = rules.poll_key(app.secret_key, session_id, room["outsider"])
    assert app.test_client().get(f"/live/{session_id}/pupils/{room['outsider']}/state/{key}").status_code == 404


def test_the_poll_writes_last_seen_at_most_every_few_seconds(app, db, room, statements):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    url = poll_url(joined(app, session_id, "pupil0.x"), session_id)
    pupil = app.test_client()
    pupil.get(url)
    seen = db.execute("SELECT seen_at FROM live_attendance WHERE session_id = ?", [session_id]).fetchone()[0]
    assert seen
    statements.clear()
    for _ in range(3):
        pupil.get(url, headers={"If-None-Match": '"1"'})
    assert not [s for s in statements if "UPDATE live_attendance" in s]
    # Nor does a poll read the person or their sign-in session: one read of the session's state.
    assert [s for s in statements if "FROM" in s] == [s for s in statements if "FROM live_sessions" in s]
    # The teacher's screens count one pupil following, never who.
    following = teacher.get(f"/live/{session_id}/present/state").json
    assert following["following"] == 1 and "Pupil0" not in str(following)


def test_a_pupil_can_go_back_but_never_past_the_teacher(app, db, room, course):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    pupil = joined(app, session_id, "pupil0.x")
    to_position(teacher, db, session_id, 2)
    steps = course.lessons[0].steps
    assert steps[0].title in pupil.get(f"/live/{session_id}/steps/1").text
    ahead = pupil.get(f"/live/{session_id}/steps/3")
    assert ahead.status_code == 303 and ahead.location.endswith(f"/live/{session_id}")
    # The quiz is not open before the teacher gets there: nothing is stored.
    response, _ = answer_without_form(pupil, session_id, course)
    assert response.status_code == 303
    assert db.execute("SELECT count(*) FROM attempts").fetchone()[0] == 0
    # From the discussion (and the quiz) the pupil can read the steps again, from the last one back.
    to_position(teacher, db, session_id, len(steps) + 1)
    page = pupil.get(f"/live/{session_id}").text
    assert f'href="/live/{session_id}/steps/{len(steps)}"' in page
    last = pupil.get(f"/live/{session_id}/steps/{len(steps)}").text
    assert steps[-1].title in last and "Read the step before" in last and "Read the next step" not in last


def answer_without_form(client, session_id, course):
    data = dict(right_answers(course.lessons[0].quiz), token="made-up", version=course.lessons[0].quiz.version)
    return client.post(f"/live/{session_id}/quiz", data=data), None


def test_answers_are_each_pupils_own_and_the_projector_shows_totals_from_five(app, db, room, course):
    lesson = course.lessons[0]
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    pupils = [joined(app, session_id, f"pupil{n}.x") for n in range(5)]
    to_position(teacher, db, session_id, quiz_position(course))
    move(teacher, db, session_id, "show")

    for n, pupil in enumerate(pupils[:4]):
        response, token = answer(pupil, session_id, right_answers(lesson.quiz) if n % 2 else wrong_answers(lesson.quiz))
        assert response.status_code == 303
    presenter = teacher.get(f"/live/{session_id}/present").text
    assert "Fewer than 5 have answered so far" in presenter
    # The projector's page has no teacher notes and no attendance: those are on the controls only.
    assert "Teacher notes" not in presenter and "Attendance" not in presenter
    assert "Teacher notes" in teacher.get(f"/live/{session_id}/teach").text
    assert 'data-live-totals="shown"' not in presenter

    response, token = answer(pupils[4], session_id, right_answers(lesson.quiz))
    # The same form sent twice is stored once and counted once.
    again = pupils[4].post(f"/live/{session_id}/quiz", data=dict(right_answers(lesson.quiz), token=token,
                                                                   version=lesson.quiz.version))  # fmt: skip
    assert again.status_code == 303
    presenter = teacher.get(f"/live/{session_id}/present").text
    assert 'data-live-totals="shown"' in presenter and "The class's answers (5 pupils)" in presenter
    for n in range(6):
        assert f"Pupil{n}" not in presenter
    single = next(q for q in lesson.quiz.questions if q.type in ("single", "true_false") and q.marked)
    right = next(o for o in single.options if o.correct)
    block = presenter.split(f'data-question="{single.id}"')[1].split("</ul>")[0]
    assert re.search(rf">3</span> {re.escape(right.text)}", block.replace("&#39;", "'").replace("&quot;", '"'))

    # Each pupil's answers are their own attempt, in the same records as self-paced work; a pass completes it.
    rows = list(db.query("SELECT pupil_id, passed FROM attempts WHERE quiz_id = ? ORDER BY pupil_id", [lesson.quiz.id]))
    assert [r["pupil_id"] for r in rows] == room["pupils"][:5]
    done = {r["pupil_id"] for r in db.query("SELECT pupil_id FROM lesson_progress WHERE completed_at IS NOT NULL")}
    assert done == {r["pupil_id"] for r in rows if r["passed"]} and len(done) == 3
    assert db.execute("SELECT count(attempt_id) FROM live_attendance").fetchone()[0] == 5
    # The pupil's own page says their answers are saved, with their score.
    assert "Your answers are saved" in pupils[4].get(f"/live/{session_id}").text


def test_the_check_in_asks_the_dsl_and_the_teacher_sees_nothing_of_it(app, db, room, course):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    pupil = joined(app, session_id, "pupil0.x")
    to_position(teacher, db, session_id, quiz_position(course) + 1)
    page = pupil.get(f"/live/{session_id}").text
    assert "A quick check-in, just for you" in page

    response = pupil.post(f"/live/{session_id}/check-in", data={"feeling": "worried", "talk": "today"})
    assert response.status_code == 303 and "/talk/sent/" in response.location
    request_row = next(db.query("SELECT * FROM talk_requests"))
    assert request_row["pupil_id"] == room["pupils"][0] and request_row["addressed_to"] == "dsl"
    assert request_row["urgency"] == "today" and "Worried or upset" in request_row["message"]
    # Nothing reaches the teacher's screens: not the live lesson's, not their queue.
    for url in (f"/live/{session_id}/teach", f"/live/{session_id}/present"):
        text = teacher.get(url).text
        assert "Worried or upset" not in text and "asked to talk" not in text.lower()
    assert "Pupil0" not in main(teacher.get("/safeguarding/requests").text)
    dsl = client_for(app, "dsl@hill.test")
    assert "Pupil0" in dsl.get("/safeguarding/requests").text
    # The check-in does not show again on the pupil's screen.
    assert "Thank you for checking in" in pupil.get(f"/live/{session_id}").text


def test_a_no_is_kept_nowhere(app, db, room, course):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    pupil = joined(app, session_id, "pupil0.x")
    to_position(teacher, db, session_id, quiz_position(course) + 1)
    assert pupil.post(f"/live/{session_id}/check-in", data={"feeling": "fine", "talk": "no"}).status_code == 303
    assert db.execute("SELECT count(*) FROM talk_requests").fetchone()[0] == 0


def test_pupils_without_a_device_are_recorded_and_answer_later(app, db, room, course):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    joined(app, session_id, "pupil0.x")
    page = teacher.get(f"/live/{session_id}/teach").text
    # A pupil on a device is not offered for ticking.
    assert f'value="{room["pupils"][0]}"' not in page and f'value="{room["pupils"][1]}"' in page
    # Ticked from a page loaded before pupil 0 joined: a tick never turns a device into 'no device'.
    ticks = [room["pupils"][0], room["pupils"][1], room["pupils"][2]]
    assert teacher.post(f"/live/{session_id}/attendance", data={"pupils": ticks}).status_code == 303
    rows = dict(db.execute("SELECT pupil_id, how FROM live_attendance WHERE session_id = ?", [session_id]).fetchall())
    assert rows == {room["pupils"][0]: "device", room["pupils"][1]: "no device", room["pupils"][2]: "no device"}
    # Unticking one keeps the other; a pupil on a device cannot be unticked.
    teacher.post(f"/live/{session_id}/attendance", data={"pupils": [room["pupils"][2]]})
    rows = dict(db.execute("SELECT pupil_id, how FROM live_attendance WHERE session_id = ?", [session_id]).fetchall())
    assert rows == {room["pupils"][0]: "device", room["pupils"][2]: "no device"}
    # Later, on their own, the ticked pupil answers the quiz self-paced.
    move(teacher, db, session_id, "end")
    pupil = client_for(app, "pupil2.x")
    page = pupil.get(f"/courses/{course.id}/lessons/{LESSON}/quiz")
    assert page.status_code == 200


def test_an_hour_without_a_move_ends_the_session(app, db, room):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    pupil = joined(app, session_id, "pupil0.x")
    url = poll_url(pupil, session_id)
    tag = pupil.get(url).headers["ETag"]
    long_ago = (datetime.now(UTC) - timedelta(minutes=61)).isoformat(timespec="seconds")
    with write_transaction(db):
        db.execute("UPDATE live_sessions SET moved_at = ? WHERE id = ?", [long_ago, session_id])
    state = pupil.get(url, headers={"If-None-Match": tag})
    assert state.status_code == 200 and state.json["ended"] is True
    assert "The live lesson has ended" in pupil.get(f"/live/{session_id}").text
    assert "Your teacher has started a live lesson" not in pupil.get("/course").text
    before = version(db, session_id)
    response = move(teacher, db, session_id, "next")
    assert response.status_code == 303 and version(db, session_id) == before
    assert db.execute("SELECT ended_at FROM live_sessions WHERE id = ?", [session_id]).fetchone()[0]
    # The class can start a new one.
    assert started(teacher, room["class_id"]) != session_id


def test_an_ended_session_refuses_moves(app, db, room):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    assert move(teacher, db, session_id, "end").status_code == 303
    before = db.execute("SELECT position, version FROM live_sessions WHERE id = ?", [session_id]).fetchone()
    move(teacher, db, session_id, "next")
    assert db.execute("SELECT position, version FROM live_sessions WHERE id = ?", [session_id]).fetchone() == before
    assert "The live lesson has ended" in teacher.get(f"/live/{session_id}/teach").text
    # Starting and ending are in the school's audit log: who, which class, when (never a pupil).
    logged = db.execute(
        "SELECT action, subject_type, subject_id FROM audit_log WHERE action LIKE 'live-%' ORDER BY id"
    ).fetchall()
    assert [tuple(row) for row in logged] == [("live-start", "class", room["class_id"]),
                                              ("live-end", "class", room["class_id"])]  # fmt: skip


def test_a_stale_control_does_not_skip_a_step(app, db, room):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    old = version(db, session_id)
    teacher.post(f"/live/{session_id}/move", data={"move": "next", "version": old})
    teacher.post(f"/live/{session_id}/move", data={"move": "next", "version": old})  # the same page's button again
    assert db.execute("SELECT position FROM live_sessions WHERE id = ?", [session_id]).fetchone()[0] == 1


def test_a_class_has_one_live_lesson_and_a_second_teacher_is_told_who_runs_it(app, db, room, make_staff):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    second = make_staff(room["school_id"], "second@hill.test", first_name="Sol", last_name="Park")
    with write_transaction(db):
        db["class_teachers"].insert({"class_id": room["class_id"], "person_id": second})
    other = client_for(app, "second@hill.test")
    response = start(other, room["class_id"])
    assert response.status_code == 409 and "Tara Jones is running" in response.text
    assert db.execute("SELECT count(*) FROM live_sessions").fetchone()[0] == 1
    # Its own teacher pressing start again goes back to it.
    assert start(teacher, room["class_id"]).location.endswith(f"/live/{session_id}/teach")
    # Another class is not affected.
    other_teacher = client_for(app, "other@hill.test")
    assert start(other_teacher, room["other_class"]).status_code == 303


def test_another_classs_pupil_and_teacher_are_refused(app, db, room, make_school, make_staff):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    outsider = client_for(app, "outsider.y")
    assert outsider.post(f"/live/{session_id}/join").status_code == 404
    assert outsider.get(f"/live/{session_id}").status_code == 404
    assert "Your teacher has started a live lesson" not in outsider.get("/course").text
    assert db.execute("SELECT count(*) FROM live_attendance").fetchone()[0] == 0
    # A teacher of another class can neither start this class's lesson nor drive it.
    other = client_for(app, "other@hill.test")
    assert start(other, room["class_id"]).status_code == 404
    assert other.get(f"/live/{session_id}/teach").status_code == 404
    assert other.post(f"/live/{session_id}/move", data={"move": "next", "version": 1}).status_code == 404
    # Another school's teacher cannot even find it.
    elsewhere = make_school("Far School")
    make_staff(elsewhere, "far@far.test")
    assert client_for(app, "far@far.test").get(f"/live/{session_id}/present").status_code == 404
    # A pupil cannot use the teacher's screens.
    assert joined(app, session_id, "pupil0.x").get(f"/live/{session_id}/teach").status_code == 403


def test_the_live_quiz_form_sends_back_missing_answers(app, db, room, course):
    lesson = course.lessons[0]
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    pupil = joined(app, session_id, "pupil0.x")
    to_position(teacher, db, session_id, quiz_position(course))
    answers = right_answers(lesson.quiz)
    answers.pop(field_name(lesson.quiz.questions[0]), None)
    response, _ = answer(pupil, session_id, answers)
    assert response.status_code == 400 and "Some questions need an answer" in response.text
    assert db.execute("SELECT count(*) FROM attempts").fetchone()[0] == 0


def test_the_dashboard_and_reports_say_taught_live_done_on_their_own_or_not_yet(app, db, room, course):
    lesson = course.lessons[0]
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    joined(app, session_id, "pupil0.x")
    teacher.post(f"/live/{session_id}/attendance", data={"pupils": [room["pupils"][1]]})
    move(teacher, db, session_id, "end")
    taught_on = db.execute("SELECT taught_on FROM live_sessions WHERE id = ?", [session_id]).fetchone()[0]
    # Pupil 2 does the lesson alone.
    alone = client_for(app, "pupil2.x")
    page = alone.get(f"/courses/{course.id}/lessons/{lesson.id}/quiz")
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    data = dict(right_answers(lesson.quiz), token=token, version=lesson.quiz.version)
    assert alone.post(f"/courses/{course.id}/lessons/{lesson.id}/quiz", data=data).status_code == 303

    grid = teacher.get(f"/classes/{room['class_id']}/progress").text
    rows = {pupil_id: grid.split(f'data-pupil="{pupil_id}"')[1].split("</tr>")[0] for pupil_id in room["pupils"][:4]}
    cell = f'data-lesson="{lesson.id}">'
    assert "Taught live" in rows[room["pupils"][0]].split(cell)[1].split("</td>")[0]
    assert "Taught live" in rows[room["pupils"][1]].split(cell)[1].split("</td>")[0]
    assert "(no device)" in rows[room["pupils"][1]].split(cell)[1].split("</td>")[0]
    assert "(no device)" not in rows[room["pupils"][0]].split(cell)[1].split("</td>")[0]
    assert f'{cell}Complete <span class="cell-score">100%</span></td>' in rows[room["pupils"][2]]
    assert f"{cell}Not started</td>" in rows[room["pupils"][3]]

    report = report_by_job(app, teacher, {"scope": str(room["class_id"]), "format": "csv"})
    table = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig"))))
    column = table[0].index("L1 taught")
    by_name = {row[0]: row[column] for row in table[1:]}
    assert by_name["Pupil0 Zed"] == f"Taught live {taught_on}"
    assert by_name["Pupil1 Zed"] == f"Taught live {taught_on} (no device)"
    assert by_name["Pupil2 Zed"] == "Done on their own" and by_name["Pupil3 Zed"] == "Not yet"
    pdf = report_by_job(app, teacher, {"scope": str(room["class_id"]), "format": "pdf"})
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"Taught live {taught_on} (no device)" in " ".join(text.split())


def test_a_pupils_export_lists_their_live_lessons_and_erasing_them_removes_their_attendance(app, db, room):
    from safeguarding.records import erase_pupil, export_pupil

    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    joined(app, session_id, "pupil0.x")
    lessons = export_pupil(db, room["pupils"][0])["live_lessons"]
    assert [(row["lesson_id"], row["how"]) for row in lessons] == [(LESSON, "device")]
    erase_pupil(db, room["pupils"][0])
    assert db.execute("SELECT count(*) FROM live_attendance").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM live_sessions").fetchone()[0] == 1  # the class's session stays


def test_answers_sent_just_after_the_teacher_ends_are_still_saved(app, db, room, course):
    lesson = course.lessons[0]
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    pupil = joined(app, session_id, "pupil0.x")
    to_position(teacher, db, session_id, quiz_position(course))
    page = pupil.get(f"/live/{session_id}").text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    move(teacher, db, session_id, "end")
    data = dict(right_answers(lesson.quiz), token=token, version=lesson.quiz.version)
    assert pupil.post(f"/live/{session_id}/quiz", data=data).status_code == 303
    assert db.execute("SELECT count(*) FROM attempts WHERE pupil_id = ?", [room["pupils"][0]]).fetchone()[0] == 1


def test_a_teacher_whose_account_says_welsh_teaches_live_in_welsh(app, db, room):
    """The teacher's controls, presenter and attendance in Welsh; the class's screen is the lesson's Welsh words."""
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE email = 'teacher@hill.test'")
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    page = teacher.get(f"/live/{session_id}/teach").text
    assert '<html lang="cy">' in page and "Oedi i bawb" in page and "Nawr: rheolau sylfaenol." in page
    assert "Pause everyone" not in page and "Attendance (names" not in page
    move(teacher, db, session_id, "next")
    moved = teacher.get(f"/live/{session_id}/teach").text
    welsh = app.extensions["courses_in"]["cy"]["online-blackmail-11-13"]
    assert "Nawr: cam 1 o" in moved and escape(welsh.lessons[0].steps[0].title) in moved
    assert "Yn dilyn ar ddyfais:" in teacher.get(f"/live/{session_id}/present").text
