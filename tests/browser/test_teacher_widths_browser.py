"""No teacher's page scrolls sideways on a 1366 px laptop or a 320 px phone.

A wide table may scroll inside its own box (overflow-x: auto, focusable, named); the page itself
must not: document.documentElement.scrollWidth stays within the viewport.
"""

import re

import pytest

from browser_helpers import sign_in

pytestmark = pytest.mark.browser

WIDTHS = (1366, 320)


def overflow(page):
    """(page width, viewport width, the widest elements poking out) after layout."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const out = [];
          for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            const parent = el.parentElement.getBoundingClientRect();
            if (box.right > width + 1 && parent.right <= width + 1) {
              out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.right)}`);
            }
          }
          return [document.documentElement.scrollWidth, width, out.slice(0, 5)];
        }"""
    )


def class_pages(page):
    """The teacher's pages for each demo class: class, progress grid, re-teach and a pupil."""
    page.goto("/classes")
    hrefs = page.eval_on_selector_all("a[href^='/classes/']", "links => links.map(a => a.getAttribute('href'))")
    class_urls = sorted({h for h in hrefs if re.fullmatch(r"/classes/\d+", h)})
    assert len(class_urls) >= 2  # 8B and 10A
    urls = ["/classes", "/reports"]
    for url in class_urls:
        urls += [url, f"{url}/progress", f"{url}/reteach"]
    page.goto(f"{class_urls[0]}/progress")
    pupil = page.eval_on_selector_all("a[href*='/pupils/']", "links => links.map(a => a.getAttribute('href'))")
    pupil_urls = [h for h in pupil if re.fullmatch(r"/classes/\d+/pupils/\d+", h)]
    assert pupil_urls
    return urls + pupil_urls[:1]


def assert_no_sideways_scroll(page, urls):
    """Every url, at every width: the page is no wider than the window."""
    wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            scroll_width, viewport, culprits = overflow(page)
            if scroll_width > viewport:
                wide.append((width, url, scroll_width, culprits))
    assert not wide, wide


def test_the_teachers_pages_fit_the_window(page):
    sign_in(page, "teacher@demo.school")
    assert_no_sideways_scroll(page, class_pages(page))


def test_the_staff_page_fits_the_window(page):
    sign_in(page, "admin@demo.school")
    assert_no_sideways_scroll(page, ["/staff", "/classes"])


def test_wide_tables_scroll_in_a_named_focusable_box(page):
    sign_in(page, "teacher@demo.school")
    page.set_viewport_size({"width": 320, "height": 900})
    for url in class_pages(page):
        page.goto(url)
        for table in page.locator("table").all():
            wrap = table.locator("xpath=ancestor::div[contains(@class, 'table-wrap')][1]")
            fits = table.evaluate("t => t.scrollWidth <= document.documentElement.clientWidth")
            if fits:
                continue
            assert wrap.count() == 1, url  # a wide table scrolls in its own box...
            assert wrap.get_attribute("tabindex") == "0", url  # ...that a keyboard can scroll
            assert wrap.get_attribute("role") == "region", url
            assert wrap.get_attribute("aria-labelledby") or wrap.get_attribute("aria-label"), url
