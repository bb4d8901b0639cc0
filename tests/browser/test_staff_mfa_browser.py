"""In real Chromium, a DSL who signs in with a password must pass a code from an authenticator app:
set up from the screen's secret, recovery codes, then the code step next time.
The code is computed here with pyotp from the secret the set-up screen shows, as a phone app would."""

import time

import pyotp
import pytest

from accounts.mfa import encrypt_secret
from accounts.queries import create_person, person_by_login
from db import connect, now

from browser_helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser

EMAIL = "second.dsl@demo.school"
PASSWORD = "a-dsl-password"
NARROW = {"width": 320, "height": 640}


@pytest.fixture
def mfa_on(live_app):
    """Two-step sign-in on (as deployed) for this test, and a DSL who has not set it up yet."""
    db = connect(live_app.config["DATABASE"])
    create_person(db, 1, "dsl", "Nia", PASSWORD, last_name="Evans", email=EMAIL)
    db.close()
    live_app.config["STAFF_MFA"] = True
    yield
    live_app.config["STAFF_MFA"] = False
    # Leave the demo school as other browser tests expect it (one DSL and a deputy get its e-mails).
    db = connect(live_app.config["DATABASE"])
    db.execute("UPDATE people SET archived_at = ? WHERE email = ?", [now(), EMAIL])
    db.conn.commit()
    db.close()


def fits_narrow(page):
    """Nothing scrolls sideways at 320 CSS px (the secret and recovery codes wrap)."""
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    return width <= NARROW["width"]


def test_a_dsl_signing_in_with_a_password_must_pass_a_code(page, browser, live_server, mfa_on):
    sign_in(page, EMAIL, PASSWORD)
    page.wait_for_url("**/sign-in/two-step/set-up")
    page.get_by_role("heading", name="Set up your authenticator app").wait_for()
    assert page.get_by_role("img", name="QR code to add this site to your authenticator app").is_visible()
    assert_accessible(page)
    assert fits_narrow(page)
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)

    page.get_by_label("Code from your authenticator app").fill(totp.at(time.time() + 300))
    page.get_by_role("button", name="Check the code").click()
    page.get_by_text("That code is not right").first.wait_for()
    assert_accessible(page)

    page.get_by_label("Code from your authenticator app").fill(totp.now())
    page.get_by_role("button", name="Check the code").click()
    page.get_by_role("heading", name="Save your recovery codes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    assert_accessible(page)
    assert fits_narrow(page)
    page.get_by_role("button", name="I have saved them").click()
    page.wait_for_url("**/classes")
    assert "/sign-in" not in page.url

    # Next time, on another computer: the password alone does not sign in.
    context = browser.new_context(base_url=live_server)
    other = context.new_page()
    sign_in(other, EMAIL, PASSWORD)
    other.wait_for_url("**/sign-in/two-step")
    other.get_by_role("heading", name="Enter the code from your authenticator app").wait_for()
    assert_accessible(other)
    other.goto("/account")
    assert "/sign-in" in other.url  # not signed in yet
    other.goto("/sign-in/two-step")
    # The next time step's code: the one that confirmed the set-up may not be used twice.
    other.get_by_label("Code").fill(totp.at(time.time() + 30))
    other.get_by_role("button", name="Sign in").click()
    other.wait_for_url("**/classes")
    other.goto("/account")
    assert other.get_by_text("On: when you sign in with your password").is_visible()
    assert_accessible(other)
    context.close()


def test_an_admin_sets_the_teacher_rule_and_resets_an_authenticator(page, live_app):
    # A deputy with an authenticator set up (the demo seed in browser tests sets up none).
    db = connect(live_app.config["DATABASE"])
    deputy = person_by_login(db, "deputy@demo.school")
    stored = encrypt_secret(pyotp.random_base32(), live_app.config["SECRET_KEY"])
    db.execute("UPDATE people SET totp_secret = ?, totp_set_up_at = ? WHERE id = ?", [stored, now(), deputy["id"]])
    db.conn.commit()

    sign_in(page, "admin@demo.school")  # STAFF_MFA is off here: the password alone
    page.goto("/staff")
    page.get_by_role("link", name="Choose whether teachers must too").click()
    # One screen for the school's sign-in settings: providers and the teachers' two-step rule.
    page.get_by_role("heading", name="Sign-in settings", exact=True).wait_for()
    page.get_by_role("heading", name="Two-step sign-in for teachers").wait_for()
    assert_accessible(page)
    page.get_by_label("Yes: teachers who sign in with a password").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved: teachers must use an authenticator app.").wait_for()
    assert page.get_by_label("Yes: teachers who sign in with a password").is_checked()
    assert_accessible(page)
    page.get_by_label("No: teachers may choose").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved: teachers may choose to use an authenticator app.").wait_for()

    page.goto("/staff")
    page.get_by_role("link", name="Reset authenticator for Priya Shah").click()
    page.get_by_role("heading", name="Reset Priya Shah's authenticator?").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Reset authenticator").click()
    page.get_by_text("Priya Shah's authenticator is reset").wait_for()
    assert db["people"].get(deputy["id"])["totp_secret"] is None
    db.close()
