"""The whole course in a real Chromium: the quick check, every step of every lesson, every quiz
(each question type, some with the keyboard only), the final check and the certificate."""

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from quizzes.forms import field_name

from browser_helpers import assert_accessible, sign_in

# Answered with the keyboard only (Tab, Shift+Tab, Enter, Space): no clicks, no form filling.
# Lesson ids are unique across the two routes, so one table serves both.
KEYBOARD_ONLY = {
    "what-to-do": {"order"},
    "spotting-the-signs": {"red_flags"},
    "what-to-do-now": {"order"},
    "red-flags": {"red_flags"},
}


def focus_with_tab(page, selector, limit=400):
    """Press Tab (or Shift+Tab, towards the target) until the element matching `selector` has focus."""
    for _ in range(limit):
        where = page.evaluate(
            """(selector) => {
                const target = document.querySelector(selector);
                if (!target) return 'missing';
                if (document.activeElement === target) return 'here';
                const active = document.activeElement || document.body;
                if (active === document.body) return 'after';
                return active.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING ? 'after' : 'before';
            }""",
            selector,
        )
        assert where != "missing", selector
        if where == "here":
            return
        page.keyboard.press("Tab" if where == "after" else "Shift+Tab")
    raise AssertionError(f"Tab never reached {selector}")


def order_with_keyboard(page, q):
    """Put an order question's steps right using only the keyboard and the Move up buttons."""
    fieldset = page.locator(f"#question-{q.id}")
    wanted = sorted(q.options, key=lambda o: o.position)
    for index, option in enumerate(wanted):
        select = f'select[name="{field_name(q, option)}"]'
        shown = page.eval_on_selector(f"#question-{q.id}", "(f) => [...f.querySelectorAll('select')].map(s => s.name)")
        current = shown.index(field_name(q, option))
        if current == index:
            continue
        button = f'#question-{q.id} .order-step:has({select}) button[data-move="up"]'
        focus_with_tab(page, button)
        for _ in range(current - index):
            page.keyboard.press("Enter")
        # Focus stays on the button, and the live region says where the step is now.
        assert page.evaluate("(b) => document.activeElement === document.querySelector(b)", button)
        expect_text = f"is now number {index + 1} of {len(q.options)}"
        expect(fieldset.locator("[aria-live]")).to_contain_text(expect_text)
    for option in q.options:
        assert page.input_value(f'select[name="{field_name(q, option)}"]') == str(option.position)


def red_flags_with_keyboard(page, q):
    """Tick the warning signs in a chat with Tab and Space."""
    for index, option in enumerate(q.options):
        if option.correct:
            checkbox = f"#{field_name(q)}-{index}"
            focus_with_tab(page, checkbox)
            page.keyboard.press("Space")
            assert page.is_checked(checkbox)


def answer(page, quiz, keyboard=()):
    """Answer every question rightly, as a pupil would: labels, chat bubbles, numbers, the scale."""
    for q in quiz.questions:
        fieldset = page.locator(f"#question-{q.id}")
        if q.type in keyboard and q.type == "order":
            order_with_keyboard(page, q)
        elif q.type in keyboard and q.type == "red_flags":
            red_flags_with_keyboard(page, q)
        elif q.type == "red_flags":
            for option in q.options:
                if option.correct:
                    fieldset.locator("label.chat-bubble", has_text=option.text).click()
        elif q.type == "order":
            for option in sorted(q.options, key=lambda o: o.position):
                fieldset.get_by_label(f"Number for: {option.text}").select_option(str(option.position))
        elif q.type == "confidence":
            fieldset.get_by_label("4: Sure", exact=True).check()
        elif q.type == "multiple":
            for option in q.options:
                if option.correct:
                    fieldset.get_by_label(option.text, exact=True).check()
        else:
            option = next(o for o in q.options if o.correct)
            fieldset.get_by_label(option.text, exact=True).check()
    counter = page.locator("[data-quiz-progress]")
    n = len(quiz.questions)
    # quiz.js writes the counter after load: expect() waits for it instead of reading too early.
    expect(counter).to_have_text(f"{n} of {n} answered")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("course_id", "username"), [("online-blackmail-11-13", "maya.s"), ("online-blackmail-14-18", "zara.a")]
)
def test_a_pupil_completes_their_whole_route_in_a_real_browser(page, live_app, course_id, username):
    """Once per age route: the demo's 8B follows 11 to 13, its 10A 14 to 18."""
    course = live_app.extensions["courses"][course_id]
    sign_in(page, username)
    page.wait_for_url("**/course")

    # The quick check before lesson 1: unscored, no answers shown.
    page.get_by_role("link", name="Start with a quick check (not marked)").click()
    expect(page.locator("[data-quiz-progress]")).to_have_text(f"0 of {len(course.checks.questions)} answered")
    answer(page, course.checks)
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_text("Your answers are saved").wait_for()
    assert page.get_by_text("You got this one right").count() == 0

    types_answered = set()
    for lesson in course.lessons:
        page.goto("/course")
        page.get_by_role("link", name=f"Start: {lesson.title}").click()
        for number, step in enumerate(lesson.steps, start=1):
            expect(page.get_by_role("heading", level=1)).to_have_text(step.title)
            assert page.get_by_text(f"Step {number} of {len(lesson.steps)}").is_visible()
            if number < len(lesson.steps):
                page.get_by_role("link", name="Next", exact=True).click()
        page.get_by_role("link", name="Go to the quiz").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson.quiz.title)
        if lesson.id in KEYBOARD_ONLY:
            assert_accessible(page)  # with the Move buttons and the counter added by quiz.js
        answer(page, lesson.quiz, keyboard=KEYBOARD_ONLY.get(lesson.id, ()))
        types_answered |= {q.type for q in lesson.quiz.questions}
        page.get_by_role("button", name="Check my answers").click()
        page.get_by_text("You passed").wait_for()
        marked = len(lesson.quiz.marked_questions)
        assert page.get_by_text(f"You got {marked} out of {marked} (100%)").is_visible()

    assert {"red_flags", "next_step", "order", "confidence"} <= types_answered

    # The final check, with feedback, then the certificate.
    page.goto("/course")
    page.get_by_role("link", name="Take the final check").first.click()
    answer(page, course.checks)
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_role("heading", name="Final check: your feedback").wait_for()
    marked = len(course.checks.marked_questions)
    assert page.get_by_text(f"You got {marked} out of {marked}").is_visible()
    # The course ends on wellbeing, not on a test: the closing page, then the certificate.
    page.get_by_role("link", name="Continue: a last word").click()
    page.get_by_role("heading", name="A last word", level=1).wait_for()
    assert page.get_by_text("no threat is worth your life", exact=False).first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="See your certificate").click()
    page.get_by_role("heading", name="Your certificate").wait_for()
    assert page.get_by_role("link", name="Download your certificate (PDF)").is_visible()
    page.goto("/course")
    lessons = page.locator(".lesson-card .status").all_inner_texts()[1 : 1 + len(course.lessons)]
    assert lessons == ["Complete (100%)"] * len(course.lessons)


@pytest.mark.browser
def test_order_buttons_move_steps_and_keep_the_numbers_in_sync(page, live_app):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    lesson = course.lesson("what-to-do")
    q = next(q for q in lesson.quiz.questions if q.type == "order")
    sign_in(page, "leo.t")
    page.wait_for_url("**/course")
    page.goto(f"/courses/{course.id}/lessons/{lesson.id}/quiz")
    # The steps are shown in this attempt's order: take the first two as shown.
    first, second = page.eval_on_selector_all(f"#question-{q.id} select", "els => els.map(e => e.name)")[:2]
    assert {first, second} <= {field_name(q, o) for o in q.options}
    # Moving the second step up puts it first, numbers every step and says so.
    page.locator(f'#question-{q.id} .order-step:has(select[name="{second}"]) button[data-move="up"]').click()
    assert page.input_value(f'select[name="{second}"]') == "1"
    assert page.input_value(f'select[name="{first}"]') == "2"
    assert re.search(r"is now number 1 of \d", page.locator(f"#question-{q.id} [aria-live]").inner_text())
    # Already first: it stays, and the pupil is told.
    page.locator(f'#question-{q.id} .order-step:has(select[name="{second}"]) button[data-move="up"]').click()
    assert "already first" in page.locator(f"#question-{q.id} [aria-live]").inner_text()


@pytest.mark.browser
def test_without_javascript_the_quiz_is_plain_numbered_selects(browser, live_server, live_app):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    lesson = course.lesson("what-to-do")
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "leo.t")
        page.goto(f"/courses/{course.id}/lessons/{lesson.id}/quiz")
        q = next(q for q in lesson.quiz.questions if q.type == "order")
        assert page.locator(f"#question-{q.id} select").count() == len(q.options)
        assert page.locator("[data-move]").count() == 0
        assert not page.locator("[data-quiz-progress]").is_visible()
    finally:
        context.close()


@pytest.mark.browser
def test_staff_read_the_overview_and_teacher_notes(page, live_app):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    sign_in(page, "teacher@demo.school")
    page.wait_for_url("**/classes")
    page.get_by_role("link", name="Course & teacher notes").click()
    page.get_by_role("heading", level=1, name=course.title).wait_for()
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download all teacher notes (PDF)").click()
    reader = PdfReader(info.value.path())
    assert len(reader.pages) > len(course.lessons)
    page.get_by_role("link", name=f"Lesson 4: {course.lesson('what-to-do').title}").click()
    page.get_by_role("heading", name="If a pupil discloses in class").wait_for()
    assert page.get_by_text("Right answer").first.is_visible()
    assert_accessible(page)
