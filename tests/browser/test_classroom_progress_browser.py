"""The teacher watches progress in a real Chromium: a pupil answers a quiz in another browser,
the dashboard shows it, and every report format downloads and reads back with the same numbers."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from db import connect
from jobs import run_pending

from browser_helpers import assert_accessible, sign_in
from quiz_answers import answer_quiz

pytestmark = pytest.mark.browser


def demo_class_id(live_app, name="8B"):
    """The demo class's id, read from the live app's database."""
    db = connect(live_app.config["DATABASE"])
    try:
        return db.execute("SELECT id FROM classes WHERE name = ?", [name]).fetchone()[0]
    finally:
        db.close()


def grid_cell(page, pupil_name, lesson_id):
    """The dashboard cell for one pupil and one lesson."""
    row = page.locator("#progress-grid tbody tr").filter(has=page.get_by_role("link", name=pupil_name, exact=True))
    return row.locator(f'td[data-lesson="{lesson_id}"]')


def test_teacher_sees_progress_appear_and_downloads_every_report(page, browser, live_server, live_app, tmp_path):
    course = live_app.extensions["courses"]["online-blackmail-11-13"]
    first = course.lessons[0]
    class_id = demo_class_id(live_app)

    sign_in(page, "teacher@demo.school")
    page.wait_for_url("**/classes**")
    page.goto(f"/classes/{class_id}/progress")
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress: 8B")
    assert grid_cell(page, "Amir K", first.id).inner_text().strip() == "Not started"
    assert_accessible(page)

    # Amir answers lesson 1's quiz on his own computer (another browser context).
    pupil_context = browser.new_context(base_url=live_server)
    pupil_page = pupil_context.new_page()
    pupil_page.set_default_timeout(10_000)
    sign_in(pupil_page, "amir.k")
    pupil_page.wait_for_url("**/course")
    pupil_page.goto(f"/courses/{course.id}/lessons/{first.id}/quiz")
    answer_quiz(pupil_page, first.quiz, right=True)
    pupil_page.get_by_role("button", name="Check my answers").click()
    pupil_page.get_by_text("You passed").wait_for()
    pupil_context.close()

    # The teacher refreshes and sees it: the same status and score Amir's course page shows.
    page.get_by_role("link", name="Refresh").click()
    assert grid_cell(page, "Amir K", first.id).inner_text().strip() == "Complete 100%"
    complete_total = page.locator(f'td[data-total="{first.id}"]').inner_text()
    assert complete_total.startswith("1 of") or int(complete_total.split()[0]) >= 1

    # Sorting works without a script: by lesson 1, highest first, Amir is at the top.
    page.get_by_role("link", name=re.compile(rf"^L1 {re.escape(first.title)}")).click()
    page.get_by_role("link", name=re.compile(rf"^L1 {re.escape(first.title)}")).click()
    assert "sort=-" + first.id in page.url
    assert page.locator("#progress-grid tbody tr").first.locator("th").inner_text() == "Amir K"

    # His page: the attempt and every answer.
    page.get_by_role("link", name="Amir K", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amir K")
    assert page.get_by_text(first.quiz.marked_questions[0].prompt).first.is_visible()
    assert page.locator(".answers-table tbody tr").count() == len(first.quiz.marked_questions)
    assert_accessible(page)

    page.goto(f"/classes/{class_id}/reteach")
    expect(page.get_by_role("heading", level=1)).to_have_text("What to re-teach: 8B")
    assert_accessible(page)

    # Reports: every format, downloaded as a teacher would, read back.
    page.goto(f"/classes/{class_id}/progress")
    page.get_by_role("link", name="Download a report").click()
    assert page.get_by_label("Class").input_value() == str(class_id)
    assert_accessible(page)
    files = {}
    for fmt, label in (("csv", "CSV"), ("xlsx", "Excel workbook"), ("pdf", "PDF")):
        page.goto(f"/reports?class_id={class_id}")
        page.get_by_label(label).check()
        # The job worker (run here in-process) builds every report; the page follows it, then links it.
        page.get_by_role("button", name="Download report").click()
        page.get_by_text("waiting to be made").wait_for()
        run_pending(live_app.extensions["huey"])
        page.get_by_text("is ready").wait_for()
        with page.expect_download() as download_info:
            page.get_by_role("link", name=re.compile("^Download ")).click()
        download = download_info.value
        assert re.fullmatch(rf"progress-8B-\d{{8}}-\d{{4}}\.{fmt}", download.suggested_filename)
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        files[fmt] = path.read_bytes()

    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    header = rows[0]
    amir = next(r for r in rows[1:] if r[0] == "Amir K")
    assert amir[header.index(f"L1 {first.title}: status")] == "Complete"
    assert amir[header.index("L1 best %")] == "100"

    sheet = list(load_workbook(io.BytesIO(files["xlsx"]))["Progress grid"].values)
    amir_xlsx = next(r for r in sheet[1:] if r[0] == "Amir K")
    assert amir_xlsx[header.index("L1 best %")] == 100

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "Progress report: 8B" in text and re.search(r"Amir K\s+Complete 100%", text)

    # A bad date range: a clear message, the form keeps what was typed.
    page.goto(f"/reports?class_id={class_id}")
    page.get_by_label("From (optional)").fill("2026-03-10")
    page.get_by_label("To (optional)").fill("2026-03-01")
    page.get_by_role("button", name="Download report").click()
    expect(page.get_by_role("alert").get_by_text("before the ‘From’ date")).to_be_visible()
    assert page.get_by_label("From (optional)").input_value() == "2026-03-10"
    assert_accessible(page)
