"""The DSL cannot miss a request, in a real Chromium: the count in the header and the banner on the landing page."""

import re

import pytest

from db import connect, write_transaction
from safeguarding import queries

from browser_helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def two_new_requests(live_app):
    """Only two unopened requests in the demo school: one for today, one for the next few days."""
    db = connect(live_app.config["DATABASE"])
    try:
        school_id, pupil_id = next(db.query("SELECT school_id, id FROM people WHERE username = 'leo.t'")).values()
        with write_transaction(db):
            db.execute("UPDATE talk_requests SET status = 'seen' WHERE status = 'new'")  # earlier tests' requests
        queries.create_request(db, school_id, pupil_id, "dsl", None, "soon", "")
        queries.create_request(db, school_id, pupil_id, "dsl", None, "today", "")
    finally:
        db.close()


def test_a_dsl_lands_on_a_page_with_the_count_and_the_banner(page, live_app):
    two_new_requests(live_app)
    sign_in(page, "dsl@demo.school")
    page.wait_for_url("**/classes")

    count = page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("Requests to talk: 2"))
    assert count.is_visible()
    assert count.get_attribute("href") == "/safeguarding/requests"

    banner = page.locator("[data-dsl-banner]")
    assert banner.is_visible()
    words = banner.inner_text()
    assert "2 requests to talk are waiting to be opened" in words
    assert words.index("today (1)") < words.index("in the next few days (1)")
    assert_accessible(page)

    banner.get_by_role("link", name="Open the requests to talk").click()
    page.wait_for_url("**/safeguarding/requests")
    assert page.get_by_role("heading", name="Requests to talk").is_visible()
    # Shown once: the queue still has the count, and no banner.
    assert page.locator("[data-dsl-banner]").count() == 0
    assert page.get_by_role("link", name=re.compile("Requests to talk: 2")).is_visible()
