"""A whole live lesson in real Chromium: a teacher with the controls and a projector window, and three pupils on
their own devices (one with JavaScript off, one who reloads half way, one who uses quick exit). Each screen
shows what it should, each pupil's answers land in their own records, and the projector shows only totals.

The event server runs (devices wait there for the teacher's moves); Cat's network refuses it, as a filtering
proxy might, so her page falls back to polling the app by itself."""

import re
import time

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.queries import create_person
from classroom.queries import create_class
from db import connect, write_transaction

from browser_helpers import NEUTRAL_PATH, assert_accessible, sign_in
from helpers import events_server, right_answers
from quiz_answers import answer_quiz

pytestmark = pytest.mark.browser

COURSE = "online-blackmail-11-13"
# The lesson reaches a following device within this long (the goal is 2 s; the rest is the browser's own time).
FOLLOWS_WITHIN_MS = 3_000
# The projector's counts come with its poll (every 3 s), then a reload.
COUNTS_WITHIN_MS = 6_000
PUPILS = (("Ana", "live.ana"), ("Ben", "live.ben"), ("Cat", "live.cat"), ("Dev", "live.dev"), ("Eve", "live.eve"),
          ("Fay", "live.fay"))  # fmt: skip


def make_live_class(live_app):
    """A class of the demo school's teacher with six new pupils (only in it); returns (class id, pupil ids)."""
    db = connect(live_app.config["DATABASE"])
    try:
        teacher_id = db.execute("SELECT id FROM people WHERE email = 'teacher@demo.school'").fetchone()[0]
        school_id = db.execute("SELECT school_id FROM people WHERE id = ?", [teacher_id]).fetchone()[0]
        class_id = create_class(db, school_id, "8L", 8, teacher_id, COURSE)
        ids = {}
        for first, username in PUPILS:
            ids[first] = create_person(db, school_id, "pupil", first, DEMO_PASSWORD, last_name="Live",
                                       username=username, year_group=8)  # fmt: skip
        with write_transaction(db):
            db["class_pupils"].insert_all({"class_id": class_id, "person_id": p} for p in ids.values())
        return class_id, ids
    finally:
        db.close()


def csrf_of(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def answer_with_a_client(live_app, username, session_id, quiz):
    """Another pupil answers on their own device (the test client: quicker than a browser, the same requests)."""
    client = live_app.test_client()
    page = client.get("/sign-in")
    client.post("/sign-in", data={"name": username, "password": DEMO_PASSWORD, "csrf_token": csrf_of(page.text)})
    course = client.get("/course")
    assert client.post(f"/live/{session_id}/join", data={"csrf_token": csrf_of(course.text)}).status_code == 303
    page = client.get(f"/live/{session_id}").text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    data = dict(right_answers(quiz), token=token, version=quiz.version, csrf_token=csrf_of(page))
    assert client.post(f"/live/{session_id}/quiz", data=data).status_code == 303


def pupil_page(browser, live_server, username, javascript=True):
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, username)
    page.wait_for_url("**/course")
    return context, page


def press(page, name):
    """Press one of the teacher's controls and wait for the controls to come back (a POST, then the page)."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def heading(page):
    return page.get_by_role("heading", level=1)


@pytest.fixture
def events(live_app, live_server):
    """The event server beside the browser tests' app; its base URL."""
    with events_server(live_app, live_server) as url:
        yield url


def test_a_live_lesson_with_a_teacher_a_projector_and_three_pupils(browser, live_server, live_app, page, events):
    lesson = live_app.extensions["courses"][COURSE].lessons[0]
    steps = lesson.steps
    class_id, ids = make_live_class(live_app)

    # The teacher starts lesson 1 from the class page: the controls, with the ground rules on screen.
    sign_in(page, "teacher@demo.school")
    page.wait_for_url("**/classes**")
    page.goto(f"/classes/{class_id}")
    page.get_by_label("Lesson", exact=True).select_option(lesson.id)
    page.get_by_role("button", name="Start a live lesson").click()
    page.wait_for_url(re.compile(r"/live/\d+/teach$"))
    session_id = int(re.search(r"/live/(\d+)/teach", page.url).group(1))
    expect(page.get_by_text("Before we start: our ground rules")).to_be_visible()
    assert_accessible(page)

    # The projector: a second window on the presenter alone.
    projector = page.context.new_page()
    projector.goto(f"/live/{session_id}/present")
    expect(projector.get_by_text("Before we start: our ground rules")).to_be_visible()
    assert_accessible(projector)

    # Three pupils join from their course page: Ana (reloads half way), Ben (no JavaScript), Cat (quick exit).
    pupils, asked = {}, {}
    for first, username, javascript in (("Ana", "live.ana", True), ("Ben", "live.ben", False),
                                        ("Cat", "live.cat", True)):  # fmt: skip
        context, pupil = pupil_page(browser, live_server, username, javascript)
        if first == "Cat":
            context.route(f"{events}/**", lambda route: route.abort())  # her school's proxy cuts held requests
        pupil.on("request", lambda request, first=first: asked.setdefault(first, []).append(request.url))
        expect(pupil.get_by_role("heading", name="Your teacher has started a live lesson")).to_be_visible()
        pupil.get_by_role("button", name="Join the live lesson").click()
        expect(heading(pupil)).to_have_text("Before we start")
        pupils[first] = (context, pupil)
    ana, ben, cat = (pupils[name][1] for name in ("Ana", "Ben", "Cat"))
    assert_accessible(ana)

    # Next: the devices with JavaScript follow by themselves; Ben's page follows with its button.
    press(page, "Next")
    moved = time.monotonic()
    expect(heading(ana)).to_have_text(steps[0].title, timeout=FOLLOWS_WITHIN_MS)
    expect(heading(cat)).to_have_text(steps[0].title, timeout=FOLLOWS_WITHIN_MS)
    print(f"\nteacher's move to the pupils' screens: {time.monotonic() - moved:.2f} s")
    expect(projector.get_by_role("heading", name=steps[0].title)).to_be_visible(timeout=FOLLOWS_WITHIN_MS)
    expect(heading(ben)).to_have_text("Before we start")
    # Ana's page waited on the event server and never polled the app; Cat's fell back to polling the app.
    assert any(url.startswith(f"{events}/live/{session_id}/") for url in asked["Ana"])
    assert not any("/state/" in url for url in asked["Ana"])
    assert any("/state/" in url for url in asked["Cat"])
    ben.get_by_role("link", name="Go to the teacher's step").click()
    expect(heading(ben)).to_have_text(steps[0].title)
    assert_accessible(ana)

    # Cat leaves with quick exit: the teacher's screens show nothing of it, only a count of pupils following.
    cat.get_by_role("link", name="Exit this page").click()
    cat.wait_for_url(f"**{NEUTRAL_PATH}")
    pupils["Cat"][0].close()

    # Step 2; Ana reloads half way and lands on the teacher's step, goes back to re-read, but never ahead.
    press(page, "Next")
    expect(heading(ana)).to_have_text(steps[1].title, timeout=FOLLOWS_WITHIN_MS)
    ana.reload()
    expect(heading(ana)).to_have_text(steps[1].title)
    ana.get_by_role("link", name="Read the step before").click()
    expect(heading(ana)).to_have_text(steps[0].title)
    expect(ana.get_by_text("You are reading step 1 again")).to_be_visible()
    ana.goto(f"/live/{session_id}/steps/3")
    expect(heading(ana)).to_have_text(steps[1].title)

    # Pause everyone: Ana's screen says so at once, without a new page; carry on clears it.
    press(page, "Pause everyone")
    expect(ana.get_by_text("Your teacher has paused the lesson")).to_be_visible(timeout=FOLLOWS_WITHIN_MS)
    press(page, "Carry on (end the pause)")
    expect(ana.get_by_text("Your teacher has paused the lesson")).to_be_hidden(timeout=FOLLOWS_WITHIN_MS)

    # On through the steps and the discussion to the quiz.
    for _ in range(len(steps)):  # the rest of the steps, then the discussion, to the quiz
        press(page, "Next")
    expect(projector.get_by_role("heading", name="Answer the questions on your own device")).to_be_visible(
        timeout=FOLLOWS_WITHIN_MS
    )
    expect(heading(ana)).to_have_text(lesson.quiz.title, timeout=FOLLOWS_WITHIN_MS)
    assert_accessible(ana)
    answer_quiz(ana, lesson.quiz, right=True)
    ana.get_by_role("button", name="Send my answers").click()
    expect(heading(ana)).to_have_text("Your answers are saved")
    ben.get_by_role("link", name="Go to the teacher's step").click()
    answer_quiz(ben, lesson.quiz, right=False)
    ben.get_by_role("button", name="Send my answers").click()
    expect(heading(ben)).to_have_text("Your answers are saved")

    # Fewer than five answers: the projector shows no totals.
    press(page, "Show the class's answers")
    expect(projector.get_by_text("Fewer than 5 have answered so far")).to_be_visible(timeout=FOLLOWS_WITHIN_MS)
    for username in ("live.dev", "live.eve", "live.fay"):
        answer_with_a_client(live_app, username, session_id, lesson.quiz)
    expect(projector.get_by_role("heading", name="The class's answers (5 pupils)")).to_be_visible(
        timeout=COUNTS_WITHIN_MS
    )
    shown = projector.locator("main").inner_text()
    for first, _ in PUPILS:
        assert f"{first} Live" not in shown
    assert_accessible(projector)

    # The close: each pupil's private check-in. Ben (no JavaScript) asks to talk; nothing reaches the teacher.
    press(page, "Next")
    expect(heading(ana)).to_have_text("To finish", timeout=FOLLOWS_WITHIN_MS)
    assert_accessible(ana)
    ana.get_by_label("Fine", exact=True).check()
    ana.get_by_label("No, not now").check()
    ana.get_by_role("button", name="Send", exact=True).click()
    expect(ana.get_by_text("Thank you for checking in")).to_be_visible()
    ben.get_by_role("link", name="Go to the teacher's step").click()
    ben.get_by_label("Worried or upset").check()
    ben.get_by_label("Yes, today").check()
    ben.get_by_role("button", name="Send", exact=True).click()
    expect(ben.get_by_role("heading", level=1)).not_to_have_text("To finish")
    page.reload()
    teacher_text = page.locator("main").inner_text()
    assert "Worried or upset" not in teacher_text and "asked to talk" not in teacher_text
    assert "Worried or upset" not in projector.locator("main").inner_text()

    # The teacher ends it; Ana's screen says so by itself.
    press(page, "End the live lesson")
    expect(heading(ana)).to_have_text("The live lesson has ended", timeout=FOLLOWS_WITHIN_MS)
    expect(page.get_by_text("The live lesson has ended")).to_be_visible()

    # Each pupil's answers are in their own records; Ben's request went to the DSL; attendance is kept.
    db = connect(live_app.config["DATABASE"])
    try:
        attempts = dict(db.execute(
            "SELECT pupil_id, passed FROM attempts WHERE quiz_id = ? AND pupil_id IN (?, ?, ?)",
            [lesson.quiz.id, ids["Ana"], ids["Ben"], ids["Cat"]],
        ).fetchall())  # fmt: skip
        assert attempts == {ids["Ana"]: 1, ids["Ben"]: 0}
        talk = db.execute("SELECT pupil_id, addressed_to FROM talk_requests WHERE pupil_id IN (?, ?)",
                          [ids["Ana"], ids["Ben"]]).fetchall()  # fmt: skip
        assert [tuple(row) for row in talk] == [(ids["Ben"], "dsl")]
        how = dict(
            db.execute("SELECT pupil_id, how FROM live_attendance WHERE session_id = ?", [session_id]).fetchall()
        )
        assert {ids[n] for n in ("Ana", "Ben", "Cat", "Dev", "Eve", "Fay")} == set(how)
    finally:
        db.close()
    for context, _ in (pupils["Ana"], pupils["Ben"]):
        context.close()
