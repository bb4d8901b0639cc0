"""Two failed attempts in a real Chromium: back over the lesson, then the quiz again, with JavaScript off too."""

import pytest
from playwright.sync_api import expect

from accounts.queries import create_person
from db import connect

from browser_helpers import assert_accessible, sign_in
from quiz_answers import answer_quiz

pytestmark = pytest.mark.browser


def make_pupil(live_app, username):
    """A new pupil at the demo school, so no other browser test's pupil is touched."""
    database = connect(live_app.config["DATABASE"])
    school_id = next(database.query("SELECT id FROM schools ORDER BY id LIMIT 1"))["id"]
    if not database["people"].count_where("username = ?", [username]):
        create_person(database, school_id, "pupil", "Ella", "demo-password", last_name="Review", username=username)
    database.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_two_failures_lead_to_the_lesson_steps_then_the_quiz_again(browser, live_server, live_app, javascript):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    lesson = course.lessons[2]
    username = f"ella.review{int(javascript)}"
    make_pupil(live_app, username)
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, username)
    page.wait_for_url("**/course")
    quiz_url = f"/courses/{course.id}/lessons/{lesson.id}/quiz"
    for _ in range(2):
        page.goto(quiz_url)
        answer_quiz(page, lesson.quiz, right=False)
        page.get_by_role("button", name="Check my answers").click()
        page.get_by_text("Not quite yet").wait_for()
    if javascript:
        assert_accessible(page)  # the feedback that links to the review
    page.get_by_role("link", name="Go back over the lesson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Let's go back over this before you try again")
    assert page.locator(".review-step h2").count() >= 1
    assert page.locator("#help").count() == 1
    if javascript:
        assert_accessible(page)
    page.goto(quiz_url)  # the quiz itself sends the pupil back here
    assert page.url.endswith(quiz_url + "/review")
    page.get_by_role("button", name="Try the quiz again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.quiz.title)
    context.close()
