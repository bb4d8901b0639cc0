"""A teacher in a real Chromium signs in with Google: the app's button, the (loopback) provider's own
sign-in and consent pages, back to the app, and onto their classes. No mock of the provider."""

import pytest
from playwright.sync_api import expect

from accounts.mfa import DEMO_TOTP_SECRET, current_code

from browser_helpers import assert_accessible, provider_demo_server, sign_in

pytestmark = pytest.mark.browser
CLIENT_ID, CLIENT_SECRET = "browser-training-app", "browser-app-secret"


@pytest.fixture(scope="module")
def provider_server(tmp_path_factory, oidc):
    """The demo school's app with Google sign-in (demo.school) at the loopback provider, served on 127.0.0.1."""
    database = tmp_path_factory.mktemp("provider") / "browser.sqlite"
    with provider_demo_server(
        database, oidc, (("google", "demo.school"),), client=(CLIENT_ID, CLIENT_SECRET)
    ) as served:
        yield served[0]


def test_a_teacher_signs_in_with_google_and_sees_their_classes(browser, provider_server, oidc):
    oidc.add_google_account("teacher@demo.school", hd="demo.school", given_name="Asha", family_name="Patel")
    context = browser.new_context(base_url=provider_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/sign-in")
        assert_accessible(page)
        page.get_by_role("link", name="Sign in with Google").click()

        # The provider's own pages.
        page.wait_for_url(f"{oidc.base_url}/**")
        page.get_by_label("Email").fill("teacher@demo.school")
        page.get_by_label("Password").fill("provider-password")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Continue").click()

        # Back at the app, signed in as the teacher the admin added, on their classes.
        page.wait_for_url(f"{provider_server}/classes")
        assert page.get_by_role("link", name="8B").first.is_visible()
        assert page.get_by_role("button", name="Sign out").is_visible()
        assert_accessible(page)
    finally:
        context.close()


def test_an_admin_tries_google_sign_in_and_reads_each_check(browser, provider_server, oidc):
    # Under the app's strict CSP: Try it must reach the provider from a real browser.
    oidc.add_google_account("asha.p@demo.school", hd="demo.school", given_name="Asha", family_name="Patel")
    context = browser.new_context(base_url=provider_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, "admin@demo.school")
        # An admin signing in with a password passes two-step sign-in (STAFF_MFA is on here).
        page.wait_for_url("**/sign-in/two-step")
        page.get_by_label("Code").fill(current_code(DEMO_TOTP_SECRET))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/classes")
        page.get_by_role("link", name="Sign-in settings").click()
        expect(page.get_by_role("button", name="Remove demo.school")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("link", name="Try signing in with Google").click()
        page.wait_for_url(f"{oidc.base_url}/**")
        page.get_by_label("Email").fill("asha.p@demo.school")
        page.get_by_label("Password").fill("provider-password")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("heading", name="Try it: signing in with Google").wait_for()
        assert page.get_by_text("Would be accepted.").is_visible()
        assert page.get_by_text("No account here matches").is_visible()
        assert page.locator("table.checks .check-refused").count() == 0
        assert_accessible(page)
    finally:
        context.close()
