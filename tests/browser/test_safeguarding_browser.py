"""Safeguarding in a real Chromium: quick exit (button, Shift three times, no JavaScript), a talk request that
reaches the DSL's queue and a real loopback SMTP server, and a keyboard-only pupil journey."""

import re

import pytest
from safeguarding_smtp import start_smtp

from jobs import run_pending
from urls import public_base_url

from browser_helpers import NEUTRAL_PATH, sign_in

pytestmark = pytest.mark.browser


def first_step_url(live_app):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    lesson = course.lessons[0]
    return f"/courses/{course.id}/lessons/{lesson.id}/steps/1"


def assert_left_and_back_does_not_return(page, left_path):
    """On the neutral page, and Back lands somewhere that is not the page the pupil left."""
    page.wait_for_url(f"**{NEUTRAL_PATH}")
    assert page.get_by_role("heading", name="Weather").is_visible()
    page.go_back()
    page.wait_for_load_state()
    assert left_path not in page.url
    assert "/course" not in page.url
    # The pupil was signed out behind the exit: the course is not one Back (or one click) away.
    page.goto("/course")
    assert "/sign-in" in page.url


def test_quick_exit_button_leaves_and_back_does_not_return(page):
    sign_in(page, "leo.t")
    page.wait_for_url("**/course")
    page.get_by_role("link", name="Exit this page").click()
    assert_left_and_back_does_not_return(page, "/course")


def test_three_shift_presses_leave_from_a_lesson_step(page, live_app):
    sign_in(page, "leo.t")
    page.wait_for_url("**/course")
    step = first_step_url(live_app)
    page.goto(step)
    for _ in range(3):
        page.keyboard.press("Shift")
    assert_left_and_back_does_not_return(page, step)


def test_typing_capitals_or_holding_shift_does_not_leave(page, live_app):
    sign_in(page, "leo.t")
    page.wait_for_url("**/course")
    page.goto("/talk")
    page.get_by_label("Anything you'd like them to know first").focus()
    page.keyboard.type("I Am OK")  # three capitals: Shift is pressed three times, each for a letter
    for _ in range(5):
        page.keyboard.down("Shift")  # held down: repeats count once
    page.keyboard.up("Shift")
    leaving = page.evaluate("document.documentElement.classList.contains('quick-exit-leaving')")
    assert not leaving and page.url.endswith("/talk")
    assert page.get_by_label("Anything you'd like them to know first").input_value() == "I Am OK"


def test_quick_exit_is_a_plain_link_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/sign-in")
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(f"**{NEUTRAL_PATH}")
    context.close()


@pytest.fixture
def smtp(live_app):
    """A real SMTP server on loopback, wired into the live app for this test only."""
    controller, inbox = start_smtp()
    before = {key: live_app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}
    live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield inbox
    live_app.config.update(before)
    controller.stop()


def test_a_talk_request_reaches_the_dsls_queue_and_the_email_has_no_message(browser, page, live_server, live_app, smtp):
    message = "Something happened in a game chat and I feel stuck"
    # Earlier tests' requests share this live app's outbox: send those first, then count only ours.
    run_pending(live_app.extensions["huey"])
    smtp.messages.clear()
    sign_in(page, "maya.s")
    page.wait_for_url("**/course")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Talk to someone").click()
    page.get_by_label("Mr Jones, our designated safeguarding lead").check()
    page.get_by_label("Today").check()
    page.get_by_label("Anything you'd like them to know first").fill(message)
    page.get_by_role("button", name="Send my request").click()
    page.get_by_role("heading", name="Your request has been sent").wait_for()
    assert page.get_by_text("Mr Jones", exact=True).is_visible()

    # The job worker (run here in-process) sends the outbox to the loopback server: to the DSL,
    # and the deputy DSL, with no name and no message.
    run_pending(live_app.extensions["huey"])
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["to"] == ["dsl@demo.school", "deputy@demo.school"]  # the deputy gets it too
    raw = smtp.messages[0]["message"].as_string()
    assert message not in raw and "game chat" not in raw and "Maya" not in raw and "maya.s" not in raw
    # The link comes from the configured public address, never the request's Host.
    assert f"{public_base_url(live_app.config)}/safeguarding/requests" in smtp.bodies()[0]

    # The DSL sees it in the queue and opens it.
    dsl_context = browser.new_context(base_url=live_server)
    dsl = dsl_context.new_page()
    sign_in(dsl, "dsl@demo.school")
    dsl.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
    dsl.get_by_role("link", name="Maya S").last.click()
    dsl.get_by_role("heading", name="Maya S would like to talk").wait_for()
    assert dsl.get_by_text(message).is_visible()
    dsl.get_by_label("Status").select_option("in-progress")
    dsl.get_by_label("Note").fill("Will see her at break.")
    dsl.get_by_role("button", name="Save").click()
    dsl.get_by_text("Will see her at break.").wait_for()
    dsl_context.close()


def tab_until(page, script, limit=80):
    """Press Tab until `script` (a JS expression about `el`, the focused element) is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({script}); }})()"):
            return
    raise AssertionError(f"Tab never reached: {script}")


def test_a_keyboard_only_pupil_journey(page, live_app):
    """Sign in, open a lesson, go to the next step, answer a quiz: only Tab, Space, Enter and typing."""
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    lesson = course.lessons[0]
    page.goto("/sign-in")
    tab_until(page, "el.id === 'name'")
    page.keyboard.type("amir.k")
    tab_until(page, "el.id === 'password'")
    page.keyboard.type("demo-password")
    page.keyboard.press("Enter")
    page.wait_for_url("**/course")

    tab_until(page, f"el.tagName === 'A' && el.getAttribute('href').includes('/lessons/{lesson.id}/')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/lessons/{lesson.id}/steps/\d+$"))
    number = int(page.url.rsplit("/", 1)[1])
    if number < len(lesson.steps):
        tab_until(page, "el.tagName === 'A' && el.getAttribute('rel') === 'next'")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/steps/{number + 1}")

    # On to the quiz: the quiz link sits after the last step.
    page.goto(f"/courses/{course.id}/lessons/{lesson.id}/steps/{len(lesson.steps)}")
    tab_until(page, "el.tagName === 'A' && el.getAttribute('href').endsWith('/quiz')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/quiz")

    # Space ticks the first choice of each question; Enter on the button sends the answers.
    answered = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const el = document.activeElement; return {tag: el.tagName, type: el.type, name: el.name}; })()"
        )
        if focused["tag"] == "INPUT" and focused["type"] in ("radio", "checkbox") and focused["name"] not in answered:
            page.keyboard.press("Space")
            answered.add(focused["name"])
        elif focused["tag"] == "BUTTON" and focused["type"] == "submit" and len(answered) == len(lesson.quiz.questions):
            page.keyboard.press("Enter")
            break
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    assert len(answered) == len(lesson.quiz.questions)


def test_read_aloud_button_appears_only_where_speech_exists(page, browser, live_server, live_app):
    # Record what is handed to the browser's speech synthesis (and still pass it on).
    page.add_init_script(
        "if (window.speechSynthesis) { window.__spoken = []; const speak = speechSynthesis.speak.bind(speechSynthesis);"
        " speechSynthesis.speak = (u) => { window.__spoken.push(u.text); speak(u); }; }"
    )
    sign_in(page, "leo.t")
    page.wait_for_url("**/course")
    page.goto(first_step_url(live_app))
    has_speech = page.evaluate("'speechSynthesis' in window && typeof SpeechSynthesisUtterance === 'function'")
    button = page.get_by_role("button", name="Read aloud")
    assert button.count() == (1 if has_speech else 0)
    if has_speech:
        button.click()
        spoken = page.evaluate("window.__spoken")
        assert len(spoken) == 1 and page.locator("[data-read-aloud]").inner_text().strip()[:40] in spoken[0]

    # Without speech synthesis (or without JavaScript), no button shows, and nothing is broken.
    context = browser.new_context(base_url=live_server)
    context.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
    other = context.new_page()
    sign_in(other, "leo.t")
    other.wait_for_url("**/course")
    other.goto(first_step_url(live_app))
    assert other.get_by_role("button", name="Read aloud").count() == 0
    assert other.locator("[data-read-aloud]").inner_text().strip()
    context.close()
