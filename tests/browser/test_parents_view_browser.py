"""A parent, signed out, reads the demo school's parents' view of both routes in Chromium, and the page for parents."""

import re

import pytest

from db import connect
from training.parents_queries import parents_setting

from browser_helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def squeezed(text):
    """Whitespace squeezed, so a page's rendered text and the content files compare."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def slug(live_app):
    """The demo school's public slug (made the first time it is needed, as by the letter or the admin's page)."""
    database = connect(live_app.config["DATABASE"])
    try:
        return parents_setting(database, 1)["public_slug"]
    finally:
        database.close()


def first_class(live_app):
    """The demo school's first class, by id."""
    database = connect(live_app.config["DATABASE"])
    try:
        return next(database.query("SELECT min(id) AS id FROM classes WHERE school_id = 1"))["id"]
    finally:
        database.close()


def assert_fits_320_px(page):
    """WCAG 1.4.10 reflow: nothing scrolls sideways at 320 CSS px wide."""
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert width <= 320, f"{page.url} scrolls sideways at 320 px (scrollWidth {width})"


def test_a_signed_out_parent_reads_both_routes_and_the_page_for_parents(page, live_app, slug):
    courses = list(live_app.extensions["courses"].values())
    page.goto(f"/parents/{slug}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("What Riverside Academy")
    assert page.get_by_role("button", name="Sign out").count() == 0  # nobody is signed in
    assert_accessible(page)

    for course in courses:
        page.goto(f"/parents/{slug}/")
        page.get_by_role("link", name=f"{course.route_label}: {course.title}").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/parents/{slug}/{course.id}/")
        text = squeezed(page.inner_text("main"))
        for lesson in course.lessons:
            assert f"Lesson {lesson.number}: {lesson.title}" in text
            for question in lesson.quiz.questions:
                assert squeezed(question.prompt) in text, question.id
        for question in course.checks.questions:
            assert squeezed(question.prompt) in text, question.id
        assert "Who wrote these materials:" in text
        assert_accessible(page)
        assert_fits_320_px(page)

    page.get_by_role("link", name="For parents and carers").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Stay calm. Don't pay.").is_visible()
    assert_accessible(page)
    assert_fits_320_px(page)

    # The admin's setting for it, and the school's evidence of teaching: new pages too.
    sign_in(page, "admin@demo.school")
    page.goto("/admin/parents-page")
    assert page.get_by_role("heading", level=1, name="Parents' page").is_visible()
    assert_accessible(page)
    page.goto("/evidence")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Evidence of teaching")
    assert_accessible(page)
    page.goto(f"/classes/{first_class(live_app)}/evidence")
    assert page.get_by_role("heading", name="What the class learned, topic by topic").is_visible()
    assert_accessible(page)
