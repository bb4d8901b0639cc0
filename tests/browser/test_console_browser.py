"""In real Chromium: an operator signs in with two-step sign-in, creates a school; the
invite e-mail arrives at a real SMTP server on loopback; the new admin opens the link in a fresh browser, chooses
a password, sets up two-step sign-in and lands on their school's home. axe-core checks each console page."""

import re

import pyotp
import pytest
from safeguarding_smtp import start_smtp

from accounts.mfa import DEMO_TOTP_SECRET, encrypt_secret
from db import connect, now
from jobs import run_pending

from browser_helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser

OPERATOR = "operator@demo.school"
ADMIN = "ada.obi@oak-park.test"
LINK = re.compile(r"http://127\.0\.0\.1:\d+/invite/[A-Za-z0-9_-]+")


@pytest.fixture
def console_on(live_app):
    """Two-step sign-in on, the demo operator's demo authenticator, and a real SMTP server for the invite."""
    db = connect(live_app.config["DATABASE"])
    stored = encrypt_secret(DEMO_TOTP_SECRET, live_app.config["SECRET_KEY"])
    db.execute("UPDATE people SET totp_secret = ?, totp_set_up_at = ? WHERE email = ?", [stored, now(), OPERATOR])
    db.conn.commit()
    db.close()
    controller, inbox = start_smtp()
    saved = {key: live_app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_FROM", "STAFF_MFA")}
    live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="training@school.test",
                           STAFF_MFA=True)  # fmt: skip
    yield inbox
    live_app.config.update(saved)
    controller.stop()


def test_an_operator_creates_a_school_and_its_invited_admin_signs_in(page, browser, live_app, live_server, console_on):
    sign_in(page, OPERATOR)
    page.wait_for_url("**/sign-in/two-step")
    page.get_by_label("Code").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/")
    page.get_by_role("heading", name="Operator console").wait_for()
    assert page.get_by_role("link", name="Riverside Academy (demo)").is_visible()
    assert not page.get_by_text("Ryan").count()  # counts only: no pupil's name
    assert_accessible(page)

    page.get_by_role("link", name="Create a school").click()
    page.get_by_role("heading", name="Create a school").wait_for()
    assert_accessible(page)
    page.get_by_label("School name").fill("Oak Park School")
    page.get_by_label("Admin's first name").fill("Ada")
    page.get_by_label("Admin's last name").fill("Obi")
    page.get_by_label("Admin's e-mail").fill("admin@demo.school")  # already in use
    page.get_by_role("button", name="Create the school and send the invite").click()
    page.get_by_text("admin@demo.school already has an account").first.wait_for()
    assert page.get_by_label("School name").input_value() == "Oak Park School"  # kept as typed
    assert_accessible(page)
    page.get_by_label("Admin's e-mail").fill(ADMIN)
    page.get_by_role("button", name="Create the school and send the invite").click()
    page.get_by_role("heading", name="Oak Park School").wait_for()
    page.get_by_text("An invite is on its way").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Suspend the school").click()
    page.get_by_role("heading", name="Suspend Oak Park School?").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Offboard the school (export, then erase)").click()
    page.get_by_role("heading", name="Offboard Oak Park School").wait_for()
    assert_accessible(page)
    page.goto("/console/operators")
    page.get_by_role("heading", name="Invite an operator").wait_for()
    assert_accessible(page)

    run_pending(live_app.extensions["huey"])  # the worker sends the outbox's e-mail
    mail = [m for m in console_on.messages if ADMIN in m["to"]]
    assert len(mail) == 1
    link = LINK.search(mail[0]["message"].get_body(("plain",)).get_content()).group(0)
    assert link.startswith(live_server)

    context = browser.new_context(base_url=live_server)
    admin = context.new_page()
    admin.set_default_timeout(10_000)
    admin.goto(link)
    admin.get_by_role("heading", name="Choose your password").wait_for()
    assert admin.get_by_text("the admin of Oak Park School").is_visible()
    assert_accessible(admin)
    admin.get_by_label("New password").fill("short")
    admin.get_by_label("Type it again").fill("short")
    admin.get_by_role("button", name="Save my password").click()
    admin.get_by_text("Use at least 10 characters").first.wait_for()
    assert_accessible(admin)
    admin.get_by_label("New password").fill("lantern-otter-river")
    admin.get_by_label("Type it again").fill("lantern-otter-river")
    admin.get_by_role("button", name="Save my password").click()
    admin.wait_for_url("**/sign-in/two-step/set-up")
    secret = admin.locator("#mfa-secret").inner_text().replace(" ", "")
    admin.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    admin.get_by_role("button", name="Check the code").click()
    admin.get_by_role("heading", name="Save your recovery codes").wait_for()
    admin.get_by_role("button", name="I have saved them").click()
    admin.wait_for_url("**/classes")
    admin.goto("/staff")
    assert admin.get_by_role("heading", name="Staff", exact=True).is_visible()
    assert admin.get_by_text(ADMIN).first.is_visible()  # their own school's staff page

    # The link worked once.
    again = context.new_page()
    again.goto(link)
    again.get_by_role("heading", name="This invite link can't be used").wait_for()
    assert again.get_by_text("Ask whoever invited you for a new link.").is_visible()
    assert_accessible(again)
    context.close()
