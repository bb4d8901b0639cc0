"""WCAG 2.2 AA on every page type, signed out and as pupil, teacher, DSL and admin: axe-core finds nothing,
nothing scrolls sideways at 320 CSS px wide, and text at 200% still fits."""

import json

import pytest

from browser_helpers import axe_violations, demo_certificate, sign_in
from quiz_answers import answer_quiz

pytestmark = pytest.mark.browser

CERTIFICATE_CODE = "SAFE-GVAR-D234"
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def certificate(live_app):
    """A certificate in the demo school, for the verify result page."""
    return demo_certificate(live_app, CERTIFICATE_CODE, "Leo T", "L. T.")


def problems_on(page, label):
    """axe violations, sideways scrolling at 320 px, and overflow with text at 200%, for the open page."""
    found = []
    page.set_viewport_size(WIDE)
    violations = axe_violations(page)
    if violations:
        found.append({label: [{"rule": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in violations]})
    page.set_viewport_size(NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROW["width"]:
        found.append({label: f"scrolls sideways at 320 px (scrollWidth {width})"})
    page.set_viewport_size(WIDE)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.evaluate("document.documentElement.style.fontSize = ''")
    if width > WIDE["width"]:
        found.append({label: f"text at 200% overflows (scrollWidth {width})"})
    return found


def check_pages(page, visits):
    """Visit each (label, action) and collect every problem, so one run reports them all."""
    found = []
    for label, visit in visits:
        visit()
        page.wait_for_load_state()
        found += problems_on(page, f"{label} {page.url}")
    assert not found, json.dumps(found, indent=2)


def test_signed_out_pages(page, certificate):
    check_pages(
        page,
        [
            ("sign-in", lambda: page.goto("/sign-in")),
            ("sign-in with errors", lambda: page.get_by_role("button", name="Sign in").click()),
            ("verify", lambda: page.goto("/verify")),
            ("verify result", lambda: page.goto(f"/verify/{certificate}")),
            ("verify unknown", lambda: page.goto("/verify/ABCD-EFGH-JKMN")),
            ("help", lambda: page.goto("/help")),
            ("privacy", lambda: page.goto("/privacy")),
            ("privacy for schools", lambda: page.goto("/privacy/schools")),
            ("not found", lambda: page.goto("/no-such-page")),
        ],
    )


def test_pupil_pages(page, live_app):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    lesson = course.lessons[1]
    quiz_url = f"/courses/{course.id}/lessons/{lesson.id}/quiz"

    def quiz_result():
        page.goto(quiz_url)
        answer_quiz(page, lesson.quiz, right=False)
        page.get_by_role("button", name="Check my answers").click()
        page.wait_for_url("**/attempts/*")

    def talk_errors():
        page.goto("/talk")
        page.get_by_role("button", name="Send my request").click()

    def talk_sent():
        page.goto("/talk")
        page.get_by_label("No rush").check()
        page.get_by_label("our designated safeguarding lead").check()
        page.get_by_role("button", name="Send my request").click()
        page.wait_for_url("**/talk/sent/*")

    sign_in(page, "amir.k")
    page.wait_for_url("**/course")
    check_pages(
        page,
        [
            ("course", lambda: page.goto("/course")),
            ("lesson step", lambda: page.goto(f"/courses/{course.id}/lessons/{lesson.id}/steps/1")),
            ("quiz", lambda: page.goto(quiz_url)),
            ("quiz with errors", lambda: page.get_by_role("button", name="Check my answers").click()),
            ("quiz result", quiz_result),
            ("baseline check", lambda: page.goto(f"/courses/{course.id}/checks/baseline")),
            ("certificate", lambda: page.goto("/certificate")),
            ("talk", lambda: page.goto("/talk")),
            ("talk with errors", talk_errors),
            ("talk sent", talk_sent),
            ("help", lambda: page.goto("/help")),
        ],
    )


def test_teacher_pages(page):
    sign_in(page, "teacher@demo.school")
    page.wait_for_url("**/classes")
    check_pages(
        page,
        [
            ("classes", lambda: page.goto("/classes")),
            ("requests", lambda: page.goto("/safeguarding/requests")),
        ],
    )


def test_dsl_pages(page):
    sign_in(page, "dsl@demo.school")
    page.wait_for_url("**/classes")

    def open_request():
        page.goto("/safeguarding/requests")
        page.locator("a[href^='/safeguarding/requests/']").first.click()
        page.wait_for_url("**/safeguarding/requests/*")

    def request_with_errors():
        page.get_by_role("button", name="Save").click()

    def pupil_records():
        page.goto("/safeguarding/pupils?q=amir")
        page.get_by_role("link", name="Amir K").click()

    check_pages(
        page,
        [
            ("queue", lambda: page.goto("/safeguarding/requests")),
            ("closed requests", lambda: page.goto("/safeguarding/requests?show=closed")),
            ("a request", open_request),
            ("a request with errors", request_with_errors),
            ("audit log", lambda: page.goto("/safeguarding/audit-log")),
            ("pupil records", lambda: page.goto("/safeguarding/pupils")),
            ("one pupil's records", pupil_records),
            ("erase confirm", lambda: page.get_by_role("link", name="Erase this pupil…").click()),
            ("erase with errors", lambda: page.get_by_role("button", name="Erase for good").click()),
        ],
    )


def test_admin_pages(page, live_app):
    sign_in(page, "admin@demo.school")
    page.wait_for_url("**/classes")

    def bad_route():
        page.goto("/safeguarding/help-routes/new")
        page.get_by_label("Title").fill("School nurse")
        page.get_by_label("Phone number").fill("ring me")
        page.get_by_role("button", name="Save").click()

    check_pages(
        page,
        [
            ("help routes editor", lambda: page.goto("/safeguarding/help-routes")),
            ("add a route", lambda: page.goto("/safeguarding/help-routes/new")),
            ("add a route with errors", bad_route),
            ("edit a route", lambda: page.goto("/safeguarding/help-routes/2/edit")),
            ("remove a route", lambda: page.goto("/safeguarding/help-routes/2/remove")),
            ("classes", lambda: page.goto("/classes")),
        ],
    )
