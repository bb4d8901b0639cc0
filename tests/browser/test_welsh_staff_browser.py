"""A teacher's main pages in Welsh: axe finds nothing, and the longer Welsh words still fit a laptop and a phone."""

import pytest
from playwright.sync_api import expect
from test_teacher_widths_browser import assert_no_sideways_scroll, class_pages

from browser_helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_the_teachers_pages_in_welsh_are_accessible_and_fit_the_window(page):
    sign_in(page, "teacher@demo.school")
    page.goto("/classes")
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eich dosbarthiadau")
    urls = class_pages(page)
    class_url = next(url for url in urls if url.count("/") == 2 and url.startswith("/classes/"))
    urls += [
        f"{class_url}/import",
        f"{class_url}/pupils/new",
        f"{class_url}/code",
        "/staff/courses/online-blackmail-11-13/",
        "/staff/courses/online-blackmail-11-13/lessons/what-is-online-blackmail",
    ]
    for url in urls:
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        assert_accessible(page)
    assert_no_sideways_scroll(page, urls)
