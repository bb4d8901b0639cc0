"""Two pupils open the same quiz in a real Chromium: options in different orders, feedback in the order each saw."""

import pytest

from accounts.queries import create_person
from db import connect

from browser_helpers import assert_accessible, sign_in
from quiz_answers import answer_quiz

pytestmark = pytest.mark.browser

SHUFFLED = ("single", "multiple", "next_step")


def make_pupils(live_app, usernames):
    """New pupils at the demo school, so no other browser test's pupil is touched."""
    database = connect(live_app.config["DATABASE"])
    school_id = next(database.query("SELECT id FROM schools ORDER BY id LIMIT 1"))["id"]
    for username in usernames:
        if not database["people"].count_where("username = ?", [username]):
            create_person(database, school_id, "pupil", username.split(".")[0].capitalize(), "demo-password",
                          last_name="Shuffle", username=username)  # fmt: skip
    database.close()


def shown_orders(page, quiz):
    """Question id -> the option ids in the order the quiz page shows them."""
    return {
        q.id: page.eval_on_selector_all(f'input[name="q_{q.id.replace("-", "_")}"]', "els => els.map(e => e.value)")
        for q in quiz.questions
        if q.type in SHUFFLED
    }


def test_two_pupils_see_different_orders_and_feedback_follows_each(browser, live_server, live_app):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    lesson = course.lessons[0]
    make_pupils(live_app, ["sam.shuffle", "jo.shuffle"])
    seen = {}
    for username in ("sam.shuffle", "jo.shuffle"):
        context = browser.new_context(base_url=live_server)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, username)
        page.wait_for_url("**/course")
        page.goto(f"/courses/{course.id}/lessons/{lesson.id}/quiz")
        orders = shown_orders(page, lesson.quiz)

        # Nothing answered: one summary naming each question, the order unchanged after it.
        page.get_by_role("button", name="Check my answers").click()
        page.get_by_text("Some questions need an answer").wait_for()
        assert page.get_by_role("link", name="Answer question 1.").is_visible()
        assert page.get_by_role("heading", name=f"Question 1 of {len(lesson.quiz.questions)}").is_visible()
        assert shown_orders(page, lesson.quiz) == orders
        assert_accessible(page)

        answer_quiz(page, lesson.quiz, right=True)
        page.get_by_role("button", name="Check my answers").click()
        page.get_by_text("You passed").wait_for()
        for q in lesson.quiz.questions:
            if q.type in SHUFFLED:
                listed = page.locator(f'[data-question="{q.id}"] .option-text strong').all_inner_texts()
                assert listed == [q.option(i).text for i in orders[q.id]], q.id
        assert_accessible(page)
        seen[username] = orders
        context.close()
    assert seen["sam.shuffle"] != seen["jo.shuffle"]
