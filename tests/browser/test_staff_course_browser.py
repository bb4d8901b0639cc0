"""The staff course in a real Chromium: a teacher takes the whole course from "Course & teacher notes" and downloads
a certificate that verifies; the DSL sees the completion; with the school's setting on, a teacher who has not
completed it is sent to the course before starting a live lesson. Lessons and answers come from the loaded course."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.queries import create_person
from db import connect, write_transaction

from browser_helpers import assert_accessible, sign_in
from quiz_answers import answer_quiz

NEW_TEACHER = "new.teacher@demo.school"


@pytest.fixture
def new_teacher(live_app):
    """A second teacher of 8B who has not taken the staff course; the school's setting is put back off after."""
    db = connect(live_app.config["DATABASE"])
    if not list(db.query("SELECT id FROM people WHERE email = ?", [NEW_TEACHER])):
        person = create_person(db, 1, "teacher", "Nia", "demo-password", last_name="New", email=NEW_TEACHER)
        class_id = next(db.query("SELECT id FROM classes WHERE name = '8B'"))["id"]
        with write_transaction(db):
            db["class_teachers"].insert({"class_id": class_id, "person_id": person})
    yield NEW_TEACHER
    with write_transaction(db):
        db.execute("UPDATE schools SET staff_course_required = 0")
    db.close()


def test_staff_take_the_course_the_dsl_sees_it_and_the_setting_sends_others_to_it(
    browser, live_server, live_app, new_teacher
):
    course = next(iter(live_app.extensions["staff_courses"].values()))
    context = browser.new_context(base_url=live_server, accept_downloads=True)
    page = context.new_page()

    # The teacher finds the staff course under "Course & teacher notes" and starts lesson 1 there.
    sign_in(page, "teacher@demo.school")
    expect(page.get_by_role("link", name="Course & teacher notes")).to_be_visible()
    page.get_by_role("link", name="Course & teacher notes").click()
    expect(page.get_by_role("heading", name=f"Your staff course: {course.certificate_title}")).to_be_visible()
    assert_accessible(page)
    first = course.lessons[0]
    page.get_by_role("link", name=f"Start: {first.title}").click()
    for number, step in enumerate(first.steps, start=1):
        expect(page.get_by_role("heading", level=1)).to_have_text(step.title)
        if number == 1:
            assert_accessible(page)
        if number < len(first.steps):
            page.get_by_role("link", name="Next").click()
    page.get_by_role("link", name="Go to the quiz").click()
    expect(page.get_by_role("button", name="Check my answers")).to_be_visible()
    answer_quiz(page, first.quiz, right=True)
    page.get_by_role("button", name="Check my answers").click()
    expect(page.get_by_text("You passed")).to_be_visible()

    # Its place is kept: the staff course page continues with lesson 2.
    page.goto("/staff/training/")
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    assert_accessible(page)
    for lesson in course.lessons[1:]:
        page.goto(f"/staff/training/{course.id}/lessons/{lesson.id}/quiz")
        answer_quiz(page, lesson.quiz, right=True)
        page.get_by_role("button", name="Check my answers").click()
        expect(page.get_by_text("You passed")).to_be_visible()
    page.goto("/staff/training/")
    page.get_by_role("link", name="Take the final check").first.click()
    expect(page.get_by_role("heading", name="Final check")).to_be_visible()
    assert_accessible(page)
    answer_quiz(page, course.checks, right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_role("link", name="Continue: a last word and your certificate").click()
    expect(page.get_by_role("heading", name="A last word")).to_be_visible()
    page.get_by_role("link", name="See your certificate").click()
    expect(page.get_by_role("heading", name="Your staff course certificate")).to_be_visible()
    assert_accessible(page)
    code = page.locator(".code").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    reader = PdfReader(io.BytesIO(download_info.value.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert course.certificate_title in text and f"{live_server}/verify/{code}" in text
    page.goto(f"/verify/{code}")
    expect(page.get_by_text("Valid.")).to_be_visible()
    expect(page.get_by_text(course.certificate_title)).to_be_visible()
    context.close()

    # The DSL sees the completion, from "Course & teacher notes".
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    sign_in(page, "dsl@demo.school")
    expect(page.get_by_role("link", name="Course & teacher notes")).to_be_visible()
    page.get_by_role("link", name="Course & teacher notes").click()
    page.get_by_role("link", name="Which staff have completed it").click()
    row = page.get_by_role("row").filter(has_text="Asha Patel")
    expect(row).to_contain_text("Done")
    expect(page.get_by_role("row").filter(has_text="Nia New")).to_contain_text("Not yet")
    assert_accessible(page)
    context.close()

    # The admin turns the setting on.
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    sign_in(page, "admin@demo.school")
    expect(page.get_by_role("link", name="Classes")).to_be_visible()
    page.goto("/admin/staff-course")
    expect(page.get_by_role("heading", name="Staff course setting")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Yes:", exact=False).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: staff must complete it")).to_be_visible()
    context.close()

    # A teacher who has not completed it is asked to before a live lesson, and sent to the course.
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    sign_in(page, new_teacher)
    expect(page.get_by_role("link", name="Classes")).to_be_visible()
    page.get_by_role("link", name="8B").first.click()
    page.get_by_role("button", name="Start a live lesson").click()
    expect(page.get_by_role("heading", name="Complete the staff course first")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Go to the staff course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.steps[0].title)  # lesson 1, step 1
    context.close()
