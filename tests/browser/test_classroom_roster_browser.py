"""A teacher in a real Chromium: creates a class, imports 30 pupils from a CSV, checks the
preview, confirms, and downloads the sign-in cards, which are read back."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from jobs import run_pending

from browser_helpers import assert_accessible, sign_in

FIRST_NAMES = ("Sam", "Aisha", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hamza", "Isla")
LAST_NAMES = ("Taylor", "Khan", "Jones")


def roster_csv(class_name, count=30):
    """A class list as Excel saves it: UTF-8 with a BOM, CRLF line ends."""
    lines = ["First name,Last name,Year group,Class"]
    for number in range(count):
        lines.append(f"{FIRST_NAMES[number % 10]},{LAST_NAMES[number // 10]},10,{class_name}")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def test_a_teacher_imports_a_class_of_30_and_prints_cards(page, tmp_path, live_app):
    sign_in(page, "teacher@demo.school")
    page.wait_for_url("**/classes")

    # Create the class.
    page.get_by_label("Class name").fill("10R")
    page.get_by_label("Year group").select_option("10")
    page.get_by_role("button", name="Create class").click()
    page.wait_for_url(re.compile(r"/classes/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("10R")
    assert page.get_by_text("No pupils yet").is_visible()
    assert_accessible(page)

    # Upload the CSV.
    page.get_by_role("link", name="Import pupils from a CSV").click()
    assert_accessible(page)
    csv_path = tmp_path / "10R class list.csv"
    csv_path.write_bytes(roster_csv("10R"))
    page.get_by_label("Class list (CSV file)").set_input_files(str(csv_path))
    page.get_by_role("button", name="Upload and preview").click()

    # The preview: every row, no problems, nothing saved yet.
    page.get_by_role("heading", name="Check the pupils for 10R").wait_for()
    assert page.get_by_text("All 30 pupils can be added").is_visible()
    assert page.get_by_text("UTF-8 with BOM").is_visible()
    assert page.locator("table.preview tbody tr").count() == 30
    assert_accessible(page)
    page.get_by_role("button", name="Add 30 pupils and make sign-in cards").click()

    # The job worker (run here in-process) adds the pupils and makes the cards; the page
    # follows the progress until they are ready.
    page.get_by_text("Nothing is saved until every card is ready").wait_for()
    assert_accessible(page)
    run_pending(live_app.extensions["huey"])
    page.get_by_role("heading", name="30 pupils added to 10R").wait_for()

    # The cards: one PDF, ten to a page, usernames and passwords that work.
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download sign-in cards")).click()
    download = download_info.value
    assert download.suggested_filename.startswith("sign-in-cards-10R-")
    pdf_path = tmp_path / "cards.pdf"
    download.save_as(pdf_path)
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    assert len(reader.pages) == 3
    text = "\n".join(p.extract_text() for p in reader.pages)
    credentials = dict(re.findall(r"Username (\S+)\s+Password (\S+)", text))
    assert len(credentials) == 30
    assert "sam.t" in credentials and "Class 10R" in text and "Keep this card private" in text

    # The class page now lists them.
    page.get_by_role("link", name="Back to 10R").click()
    expect(page.get_by_text("30 pupils.")).to_be_visible()
    assert page.get_by_role("row", name=re.compile("Isla Jones")).is_visible()

    # A pupil signs in with their card.
    pupil = page.context.browser.new_context(base_url=page.url.split("/classes")[0]).new_page()
    sign_in(pupil, "sam.t", credentials["sam.t"])
    pupil.wait_for_url("**/course")
    pupil.context.close()


def test_a_file_with_problems_is_explained_row_by_row(page, tmp_path):
    sign_in(page, "teacher@demo.school")
    page.wait_for_url("**/classes")
    page.get_by_role("link", name="8B").click()
    page.get_by_role("link", name="Import pupils from a CSV").click()
    csv_path = tmp_path / "problems.csv"
    csv_path.write_bytes(b"Forename,Surname,Year\nRyan,D,8\nNoor,,9\nLee,P,15\n")
    page.get_by_label("Class list (CSV file)").set_input_files(str(csv_path))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_text("3 problems to fix").wait_for()
    assert page.get_by_role("alert").get_by_role("link", name="Row 3").is_visible()
    # Noor (Year 9) in the Year 8 class is also a warning, worth a look but not a problem.
    assert page.get_by_role("status").get_by_text("Noor is in Year 9, the class is Year 8.").is_visible()
    assert page.get_by_text("Ryan D (year 8) is already in 8B.").first.is_visible()
    assert page.get_by_role("button", name=re.compile("Add")).count() == 0
    assert_accessible(page)
