"""A pupil of a school in Wales, whose pages are in Welsh, completes the younger route in a real Chromium: the help
panel (with Meic, and the designated senior person), asking to talk, a lesson step by step, every quiz, the final
check, the last word, a Welsh certificate read back from its PDF, the quick exit, and the certificate verified."""

import io
import re

from flask_babel import gettext
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.queries import create_person, create_school
from classroom.queries import create_class
from db import connect, write_transaction
from safeguarding.help_routes import add_default_help_routes

from browser_helpers import NEUTRAL_PATH, assert_accessible, sign_in
from quiz_answers import answer_quiz

COURSE = "online-blackmail-11-13"
PASSWORD = "demo-password"


def welsh_school(live_app):
    """A school in Wales whose default language is Welsh, with a named lead and a Year 8 pupil (made once)."""
    db = connect(live_app.config["DATABASE"])
    if not list(db.query("SELECT id FROM people WHERE username = 'cerys.w'")):
        school = create_school(db, "Ysgol y Bryn (demo)")
        with write_transaction(db):
            db.execute(
                "UPDATE schools SET language = 'cy', nation = 'wales', dsl_name = 'Mr Jones' WHERE id = ?", [school]
            )
        add_default_help_routes(db, school, "wales")
        pupil = create_person(db, school, "pupil", "Cerys", PASSWORD, last_name="Williams", username="cerys.w",
                              year_group=8)  # fmt: skip
        class_id = create_class(db, school, "8C", 8, None, COURSE)
        with write_transaction(db):
            db["class_pupils"].insert({"class_id": class_id, "person_id": pupil})
    db.close()


def test_a_pupil_in_wales_completes_the_route_in_welsh_and_verifies_a_welsh_certificate(page, live_app, tmp_path):
    welsh_school(live_app)
    with live_app.test_request_context(headers={"Accept-Language": "cy"}):
        cy = {words: gettext(words) for words in (
            "Get help", "Ask to talk to someone at school", "Send my request", "Save my answers", "Check my answers",
            "Next", "Go to the quiz", "Download your certificate (PDF)", "Exit this page", "Today",
        )}  # fmt: skip
    course = live_app.extensions["courses_in"]["cy"][COURSE]
    assert course.language == "cy"

    sign_in(page, "cerys.w", PASSWORD)
    page.wait_for_url("**/course")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    panel = page.locator("#help")
    expect(panel.get_by_role("heading", name=cy["Get help"])).to_be_visible()
    expect(panel).to_contain_text("Ein person diogelu dynodedig")  # Wales's title for the role, in Welsh
    expect(panel).to_contain_text("Meic")  # Wales's own helpline, added for a school in Wales
    assert_accessible(page)

    # Asking to talk, in Welsh: the lead is named as Wales names the role.
    panel.get_by_role("link", name=cy["Ask to talk to someone at school"]).click()
    page.get_by_label("Mr Jones, ein person diogelu dynodedig").check()
    page.get_by_label(cy["Today"]).check()
    page.get_by_role("button", name=cy["Send my request"]).click()
    expect(page.locator("main")).to_contain_text("Mr Jones")
    expect(page.locator("html")).to_have_attribute("lang", "cy")

    # The quick check, then lesson 1 step by step: the lesson's own Welsh words, no English voice marked.
    page.goto(f"/courses/{COURSE}/checks/baseline")
    answer_quiz(page, course.checks, right=False)
    page.get_by_role("button", name=cy["Save my answers"]).click()
    first = course.lessons[0]
    page.goto(f"/courses/{COURSE}/lessons/{first.id}/steps/1")
    for number, step in enumerate(first.steps, start=1):
        expect(page.get_by_role("heading", level=1)).to_have_text(step.title)
        expect(page.locator(".step-body")).not_to_have_attribute("lang", "en-GB")
        if number < len(first.steps):
            page.get_by_role("link", name=cy["Next"], exact=True).click()
    page.get_by_role("link", name=cy["Go to the quiz"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.quiz.title)
    assert_accessible(page)

    # Every lesson's quiz in Welsh (marked by the same ids as the English), then the final check.
    for lesson in course.lessons:
        page.goto(f"/courses/{COURSE}/lessons/{lesson.id}/quiz")
        answer_quiz(page, lesson.quiz, right=True)
        page.get_by_role("button", name=cy["Check my answers"]).click()
        page.wait_for_url("**/attempts/**")
    page.goto(f"/courses/{COURSE}/checks/final")
    answer_quiz(page, course.checks, right=True)
    page.get_by_role("button", name=cy["Check my answers"]).click()
    page.wait_for_url("**/attempts/**")
    page.goto(f"/courses/{COURSE}/finish")
    expect(page.locator("main")).to_contain_text(course.closing_text.split("\n")[0].removeprefix("## ").strip())

    # The certificate, in Welsh and tagged so.
    page.goto("/certificate")
    code = page.locator(".code").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=cy["Download your certificate (PDF)"]).click()
    path = tmp_path / "tystysgrif.pdf"
    download_info.value.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "TYSTYSGRIF CWBLHAU" in text and "Cerys Williams" in text and code in text
    assert re.search(r"ar \d{1,2} \w+ 20\d\d", text) and reader.trailer["/Root"]["/Lang"] == "cy"

    # The quick exit leaves at once, and the certificate still checks out for anyone.
    page.get_by_role("link", name=cy["Exit this page"]).click()
    page.wait_for_url(f"**{NEUTRAL_PATH}")
    page.goto(f"/verify/{code}")
    expect(page.get_by_text("C. W.")).to_be_visible()
    assert "Cerys" not in page.content()
