"""The pupil's screens in a real Chromium: quick exit has signed the pupil out before Back can show anything,
axe (best-practice rules included) finds nothing on any pupil page state, and the help panel is compact on a phone.
Each journey runs once and checks every state on its way."""

import json
import re

import pytest
from playwright.sync_api import expect

from browser_helpers import ALL_TAGS, NEUTRAL_PATH, axe_violations, demo_certificate, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
WIDE = {"width": 1280, "height": 800}
CODE = "SCRN-PWN9-K7QM"


def first_step(live_app):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    return f"/courses/{course.id}/lessons/{course.lessons[0].id}/steps/1"


def session_cookies(context):
    return [c for c in context.cookies() if c["name"] == "session"]


def test_quick_exit_signs_out_before_back_and_the_old_cookie_is_dead(browser, page, live_server):
    sign_in(page, "amir.k")
    page.wait_for_url("**/course")
    old_cookies = session_cookies(page.context)
    assert old_cookies

    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(f"**{NEUTRAL_PATH}")
    # Back at once: the sign-in page, never the course page (and nothing from a cache).
    page.go_back()
    page.wait_for_load_state()
    assert "/course" not in page.url
    assert page.get_by_role("heading", name="Sign in").is_visible()
    # The browser no longer holds the signed-in cookie (the sign-in page may have set a fresh one) ...
    assert old_cookies[0]["value"] not in [c["value"] for c in session_cookies(page.context)]
    # ... and a copy of it, put back by hand, no longer signs anyone in.
    other = browser.new_context(base_url=live_server)
    other.add_cookies(old_cookies)
    replay = other.new_page()
    replay.goto("/course")
    assert "/sign-in" in replay.url
    other.close()


def test_without_javascript_back_after_quick_exit_does_not_show_the_course(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "amir.k")
    page.wait_for_url("**/course")
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(f"**{NEUTRAL_PATH}")
    page.go_back()  # the plain link left the course page in history: it must not come back signed in
    page.wait_for_load_state()
    assert "/sign-in" in page.url and page.get_by_role("heading", name="Sign in").is_visible()
    context.close()


@pytest.fixture(scope="module")
def certificate(live_app):
    """A certificate for the verify result page."""
    return demo_certificate(live_app, CODE, "Maya S", "M. S.")


def test_axe_finds_nothing_on_any_pupil_page_state(page, live_app, certificate):
    found = {}

    def check(label):
        page.wait_for_load_state()
        violations = axe_violations(page, ALL_TAGS)
        if violations:
            found[label] = [{"rule": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in violations]

    page.set_viewport_size(WIDE)
    page.goto("/sign-in")
    check("sign-in")
    page.get_by_role("button", name="Sign in").click()
    check("sign-in with errors")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.goto("/verify")
    page.get_by_label("Certificate code").fill("K7QM-3XHA")
    page.get_by_role("button", name="Check").click()
    check("verify with an error")
    page.get_by_label("Certificate code").fill(certificate.lower().replace("-", ""))
    page.get_by_role("button", name="Check").click()
    page.get_by_text("This certificate is genuine").wait_for()
    check("verify with a result")
    page.goto("/help")
    check("help, signed out")

    sign_in(page, "maya.s")
    page.wait_for_url("**/course")
    check("course")
    page.goto(first_step(live_app))
    check("lesson step")
    page.goto("/help")
    check("help, signed in")
    page.goto("/talk")
    check("talk")
    page.get_by_role("button", name="Send my request").click()
    check("talk with errors")
    page.set_viewport_size(PHONE)
    page.goto(first_step(live_app))
    check("lesson step on a phone")

    # Cymraeg from the header on a lesson step: the pupil stays on that step, now in Welsh, the lesson's own words
    # too (its Welsh content file), and axe still finds nothing. Headless Chromium has no Welsh voice, so read-aloud
    # says so plainly instead of reading Welsh with an English voice.
    page.set_viewport_size(WIDE)
    second = first_step(live_app).replace("/steps/1", "/steps/2")
    page.goto(second)
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert page.url.endswith(second)
    expect(page.locator(".step-count")).to_have_text(re.compile(r"^Cam 2 o \d+$"))
    expect(page.get_by_role("link", name="Nesaf")).to_be_visible()
    expect(page.locator(".step-body")).not_to_have_attribute("lang", "en-GB")
    welsh = live_app.extensions["courses_in"]["cy"]["online-blackmail-11-13"].lessons[0].steps[1].title
    expect(page.get_by_role("heading", name=welsh)).to_be_visible()
    page.get_by_role("button", name="Darllen yn uchel").click()
    expect(page.locator(".read-aloud-note")).to_contain_text("Does dim llais Cymraeg ar y ddyfais hon")
    check("lesson step in Welsh")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    assert page.url.endswith(second)
    assert not found, json.dumps(found, indent=2)


def test_help_panel_is_compact_on_a_phone_and_open_on_a_wide_screen(page, live_app):
    sign_in(page, "ryan.d")
    page.wait_for_url("**/course")
    step = first_step(live_app)
    page.set_viewport_size(PHONE)
    page.goto(step)
    more = page.locator("details.help-more")
    assert not more.evaluate("d => d.open")
    panel = page.locator("#help")
    # The help that matters now stays in view; the rest is one tap away.
    assert panel.get_by_role("link", name="Ask to talk to someone at school").is_visible()
    assert panel.get_by_text("In danger now? Call 999").is_visible()
    panel_height = panel.bounding_box()["height"]
    page_height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\n375 px wide, lesson 1 step 1: page {page_height} px, help panel {panel_height:.0f} px")
    # It was about 1,630 px with every route open; 999, Childline, the DSL and the talk button stay in view.
    assert panel_height < 800, panel_height
    panel.get_by_text("More ways to get help").click()
    expect(panel.get_by_role("link", name="Call 0800 1111")).to_be_visible()

    page.set_viewport_size(WIDE)
    page.goto(step)
    assert page.locator("details.help-more").evaluate("d => d.open")
    # The header's Get help link is one click from every route.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Get help").click()
    expect(page.locator("#help").get_by_role("link", name="Call 0800 1111")).to_be_visible()
