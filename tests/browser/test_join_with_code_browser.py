"""Joining a class with Google or Microsoft sign-in, in a real Chromium against the loopback OpenID Provider:
a teacher signs in with Google and shows 8B's class code; a pupil with a school Google account scans it (opens the
join link), signs in and joins; a pupil with a Microsoft account signs in and types the code; each starts
a lesson; the teacher sees both on the code screen. Signing in again goes straight to the lessons."""

import re

import pytest
from playwright.sync_api import expect

from browser_helpers import assert_accessible, provider_demo_server

pytestmark = pytest.mark.browser
CLIENT_ID, CLIENT_SECRET = "browser-join-app", "browser-join-secret"
TENANT = "6f1d2c3b-4a59-4e8d-9c7b-0a1b2c3d4e5f"


@pytest.fixture(scope="module")
def join_server(tmp_path_factory, oidc):
    """The demo school's app with Google (demo.school) and Microsoft (TENANT) sign-in at the loopback provider."""
    database = tmp_path_factory.mktemp("join") / "browser.sqlite"
    domains = (("google", "demo.school"), ("microsoft", TENANT))
    with provider_demo_server(database, oidc, domains, client=(CLIENT_ID, CLIENT_SECRET)) as served:
        yield served


def new_page(browser, base_url):
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def through_google(page, oidc, email):
    """The provider's own sign-in and consent pages (Google-shaped issuer)."""
    page.wait_for_url(f"{oidc.base_url}/**")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("provider-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue").click()


def through_microsoft(page, oidc, email):
    """Microsoft's home-realm page (which account?), then the home tenant's sign-in and consent pages."""
    page.wait_for_url(f"{oidc.base_url}/**")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Next").click()
    through_google(page, oidc, email)


def start_a_lesson(page, course):
    """From the course page, open lesson 1: its first step's heading shows."""
    page.goto("/course")
    page.get_by_role("link", name="Start lesson 1").click()
    page.get_by_role("heading", level=1, name=course.lessons[0].steps[0].title).wait_for()


def test_pupils_with_google_and_microsoft_accounts_join_with_the_code_and_start_a_lesson(browser, join_server, oidc):
    base_url, app = join_server
    course = app.extensions["courses"]["online-blackmail-11-13"]
    oidc.add_google_account("teacher@demo.school", hd="demo.school", given_name="Asha", family_name="Patel")
    oidc.add_google_account("nadia.h@demo.school", hd="demo.school", given_name="Nadia", family_name="Hussain")
    oidc.add_microsoft_account("kwame.b@demo.school", tid=TENANT, given_name="Kwame", family_name="Boateng")

    # The teacher signs in with Google and shows 8B's code.
    teacher_context, teacher = new_page(browser, base_url)
    teacher.goto("/sign-in")
    teacher.get_by_role("link", name="Sign in with Google").click()
    through_google(teacher, oidc, "teacher@demo.school")
    teacher.wait_for_url(f"{base_url}/classes")
    teacher.get_by_role("link", name="8B").first.click()
    teacher.get_by_role("link", name="Class code").click()
    teacher.get_by_role("button", name="Make a class code").click()
    code = teacher.locator("#class-code").inner_text()
    assert re.fullmatch(r"[B-Z2-9]{4}-[B-Z2-9]{4}", code), code

    # Nadia scans the QR code: the join page offers the sign-in buttons, Google's pages, then back with
    # the code filled in.
    context, pupil = new_page(browser, base_url)
    try:
        pupil.goto(f"/join?code={code}")
        assert_accessible(pupil)
        pupil.get_by_role("link", name="Sign in with Google").click()
        through_google(pupil, oidc, "nadia.h@demo.school")
        pupil.wait_for_url(re.compile(r"/join\?code="))
        assert pupil.get_by_text("You signed in with nadia.h@demo.school").is_visible()
        assert pupil.get_by_label("Class code").input_value() == code
        assert_accessible(pupil)
        pupil.get_by_role("button", name="Join the class").click()
        pupil.get_by_text("Welcome, Nadia. You've joined 8B.").wait_for()
        start_a_lesson(pupil, course)

        # Next time, the linked Google account signs her straight in (still signed in at the provider,
        # as at Google, so its pages do not show again): no class code asked for.
        pupil.goto("/course")
        pupil.get_by_role("button", name="Sign out").click()
        pupil.goto("/sign-in")
        pupil.get_by_role("link", name="Sign in with Google").click()
        pupil.wait_for_url(f"{base_url}/course")
        expect(pupil.get_by_role("heading", level=1)).to_have_text(course.title)
    finally:
        context.close()

    # Kwame signs in with Microsoft from the sign-in page and types the code.
    context, pupil = new_page(browser, base_url)
    try:
        pupil.goto("/sign-in")
        pupil.get_by_role("link", name="Sign in with Microsoft").click()
        through_microsoft(pupil, oidc, "kwame.b@demo.school")
        pupil.wait_for_url(re.compile(r"/join$"))
        pupil.get_by_label("Class code").fill(code.lower().replace("-", " "))
        pupil.get_by_role("button", name="Join the class").click()
        pupil.get_by_text("Welcome, Kwame. You've joined 8B.").wait_for()
        start_a_lesson(pupil, course)
    finally:
        context.close()

    # The teacher sees who joined: Nadia with her verified Google e-mail, Kwame with none (Microsoft sends no proof).
    try:
        teacher.reload()
        rows = teacher.locator("table tbody tr")
        assert rows.count() == 2
        assert "Kwame Boateng" in rows.nth(0).inner_text() and "None" in rows.nth(0).inner_text()
        assert "Nadia Hussain" in rows.nth(1).inner_text() and "nadia.h@demo.school" in rows.nth(1).inner_text()
        teacher.get_by_role("link", name="Nadia Hussain").click()
        teacher.get_by_role("heading", level=1, name=re.compile("Nadia Hussain")).wait_for()
    finally:
        teacher_context.close()
