"""A teacher in a real Chromium signs in with Google: the app's button, the (loopback) provider's own
sign-in and consent pages, back to the app, and onto their classes. No mock of the provider."""

import threading

import pytest
from werkzeug.serving import make_server

from accounts.demo import seed_demo
from accounts.mfa import DEMO_TOTP_SECRET, current_code
from app import create_app
from db import connect, migrate, write_transaction

from browser_helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser
CLIENT_ID, CLIENT_SECRET = "browser-training-app", "browser-app-secret"


@pytest.fixture(scope="module")
def provider_server(tmp_path_factory, oidc):
    """The demo school's app with Google sign-in at the loopback provider, served on 127.0.0.1."""
    app = create_app(
        {
            "TESTING": True,
            "DEVELOPMENT": True,
            "SECRET_KEY": "browser-secret",
            "DATABASE": str(tmp_path_factory.mktemp("provider") / "browser.sqlite"),
            "RATELIMIT_ENABLED": False,
            "GOOGLE_CLIENT_ID": CLIENT_ID,
            "GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
            "GOOGLE_METADATA_URL": oidc.google_metadata_url,
        }
    )
    database = connect(app.config["DATABASE"])
    migrate(database)
    seed_demo(database, secret_key=app.config["SECRET_KEY"])  # the admin has the demo authenticator
    with write_transaction(database):
        database["school_sign_in_domains"].insert(
            {"school_id": 1, "provider": "google", "value": "demo.school", "added_at": "2026-01-01"}
        )
    database.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base_url  # the redirect URI is built from it
    oidc.add_client(CLIENT_ID, CLIENT_SECRET, [f"{base_url}/sign-in/google/callback"], providers=("google",))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()


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
        assert page.get_by_role("button", name="Remove demo.school").is_visible()
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
