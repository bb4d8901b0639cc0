"""The pupil's whole journey in a real Chromium: sign in, a lesson, a quiz wrong then right,
the rest of the course, the certificate downloaded and read back, the verify page."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from browser_helpers import assert_accessible, sign_in
from quiz_answers import answer_quiz


def test_a_pupil_completes_the_course_and_verifies_the_certificate(page, live_app, tmp_path):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    sign_in(page, "ryan.d")
    page.wait_for_url("**/course")
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    assert_accessible(page)

    # The baseline check first: the course page's one clear next step.
    page.get_by_role("link", name="Start with a quick check").click()
    answer_quiz(page, course.checks, right=False)
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_text("Your answers are saved").wait_for()
    page.get_by_role("link", name="Go to the first lesson").click()

    # Lesson 1, step by step, with Next.
    first = course.lessons[0]
    page.goto("/course")
    page.get_by_role("link", name=f"Start: {first.title}").click()
    for number, step in enumerate(first.steps, start=1):
        expect(page.get_by_role("heading", level=1)).to_have_text(step.title)
        assert page.get_by_text(f"Step {number} of {len(first.steps)}").is_visible()
        if number == 1:
            assert_accessible(page)
        if number < len(first.steps):
            page.get_by_role("link", name="Next").click()
    page.get_by_role("link", name="Go to the quiz").click()

    # Submitting with nothing answered: a clear message, nothing saved.
    page.get_by_role("button", name="Check my answers").click()
    expect(page.get_by_text("Some questions need an answer")).to_be_visible()

    # Wrong, then right.
    answer_quiz(page, first.quiz, right=False)
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_text("Not quite yet").wait_for()
    chosen = next(o for o in first.quiz.marked_questions[0].options if not o.correct)  # a wrong option chosen
    assert page.get_by_text(chosen.feedback).first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Try the quiz again").click()
    answer_quiz(page, first.quiz, right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_text("You passed").wait_for()

    # The rest of the course: each lesson's quiz, then the final check.
    for lesson in course.lessons[1:]:
        page.goto(f"/courses/{course.id}/lessons/{lesson.id}/quiz")
        answer_quiz(page, lesson.quiz, right=True)
        page.get_by_role("button", name="Check my answers").click()
        page.get_by_text("You passed").wait_for()
    page.goto("/course")
    page.get_by_role("link", name="Take the final check").first.click()
    answer_quiz(page, course.checks, right=True)
    page.get_by_role("button", name="Check my answers").click()
    # The course ends on wellbeing, after the final check: the closing page offers the certificate.
    page.get_by_role("link", name="Continue: a last word").click()
    page.get_by_role("heading", name="A last word").wait_for()
    assert page.url.endswith(f"/courses/{course.id}/finish")
    assert "worth your life" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="See your certificate").click()

    # Download the certificate and read it back.
    code = page.locator(".code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    path = tmp_path / "certificate.pdf"
    download_info.value.save_as(path)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages).split())
    assert "Ryan D" in text and code in text and course.certificate_title in text

    # Anyone can check it: sign out, type the code on the verify page.
    page.get_by_role("button", name="Sign out").click()
    page.goto("/verify")
    page.get_by_label("Certificate code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(f"**/verify/{code}")
    assert page.get_by_text("Valid.").is_visible()
    assert page.get_by_text("R. D.").is_visible() and "Ryan" not in page.content()
    assert_accessible(page)
