"""quiz.js in Welsh, in a real Chromium: an order question's buttons and what the live region says come from the
page's own words (data- attributes on the quiz form), so a pupil whose account says cy hears Welsh."""

import contextlib
import re

import pytest

from db import connect

from browser_helpers import sign_in


@contextlib.contextmanager
def language_of(live_app, username, code):
    """The demo pupil's account says `code` for the test, and nothing again after (other tests sign in as them)."""
    db = connect(live_app.config["DATABASE"])
    try:
        db.execute("UPDATE people SET language = ? WHERE username = ?", [code, username])
        db.conn.commit()
        yield
    finally:
        db.execute("UPDATE people SET language = NULL WHERE username = ?", [username])
        db.conn.commit()
        db.close()


@pytest.mark.browser
def test_the_order_buttons_and_their_announcements_are_in_welsh(page, live_app):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    lesson = course.lesson("what-to-do")
    q = next(q for q in lesson.quiz.questions if q.type == "order")
    sign_in(page, "leo.t")
    page.wait_for_url("**/course")
    with language_of(live_app, "leo.t", "cy"):
        page.goto(f"/courses/{course.id}/lessons/{lesson.id}/quiz")
        assert page.locator("html").get_attribute("lang") == "cy"
        second = page.eval_on_selector_all(f"#question-{q.id} select", "els => els.map(e => e.name)")[1]
        button = page.locator(f'#question-{q.id} .order-step:has(select[name="{second}"]) button[data-move="up"]')
        assert button.inner_text().startswith("Symud i fyny")
        button.click()
        said = page.locator(f"#question-{q.id} [aria-live]").inner_text()
        assert re.fullmatch(r"Mae “.+” nawr yn rhif 1 o \d+\.", said), said
        button.click()
        said = page.locator(f"#question-{q.id} [aria-live]").inner_text()
        assert re.fullmatch(r"Mae “.+” yn gyntaf yn barod\.", said), said
        assert re.fullmatch(r"\d+ o \d+ wedi'u hateb", page.locator("[data-quiz-progress]").inner_text())
