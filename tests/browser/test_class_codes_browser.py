"""Class codes in a real Chromium: a teacher shows a class's code (large letters and a QR code that the
strict CSP lets through), and a pupil who already has an account joins the class with it.

The journey from a Google or Microsoft sign-in (a pending identity) through /join is tested with the
test client in tests/classroom/test_class_codes.py; its browser journey comes with the provider sign-in.
"""

import re

import pytest

from browser_helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_a_teacher_shows_the_class_code_and_a_pupil_joins_with_it(page, browser, live_server):
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    sign_in(page, "teacher@demo.school")
    page.wait_for_url("**/classes")
    page.get_by_label("Class name").fill("10J")
    page.get_by_label("Year group").select_option("10")
    page.get_by_role("button", name="Create class").click()
    page.wait_for_url(re.compile(r"/classes/\d+$"))

    page.get_by_role("link", name="Class code").click()
    page.get_by_role("button", name="Make a class code").click()
    code = page.locator("#class-code").inner_text()
    assert re.fullmatch(r"[B-Z2-9]{4}-[B-Z2-9]{4}", code), code
    assert float(page.locator("#class-code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48
    qr = page.locator("img.class-code-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the data: SVG is shown, not blocked
    assert_accessible(page)

    pupil_context = browser.new_context(base_url=live_server)
    pupil = pupil_context.new_page()
    pupil.set_default_timeout(10_000)
    try:
        sign_in(pupil, "zara.a")
        pupil.wait_for_url(re.compile(r"/course"))
        pupil.goto(f"/join?code={code}")  # as the QR code opens it
        field = pupil.get_by_label("Class code")
        assert field.input_value() == code
        assert_accessible(pupil)

        field.fill("bcdf ghjk")  # a wrong code: the message says so and keeps what was typed
        pupil.get_by_role("button", name="Join the class").click()
        pupil.get_by_text("There's no class with that code").first.wait_for()
        assert pupil.get_by_label("Class code").input_value() == "bcdf ghjk"
        assert_accessible(pupil)

        pupil.get_by_label("Class code").fill(code.lower().replace("-", " "))
        pupil.get_by_role("button", name="Join the class").click()
        pupil.get_by_text("You've joined 10J").wait_for()
    finally:
        pupil_context.close()

    page.reload()
    assert page.get_by_role("link", name="Zara A").is_visible()
    page.get_by_role("button", name="Switch off").click()
    page.get_by_text("is switched off").first.wait_for()
    assert_accessible(page)
    assert blocked == []
