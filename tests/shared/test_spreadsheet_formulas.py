"""No cell of any CSV or XLSX export is ever a formula (OWASP CSV injection)."""

import csv
import io

import pytest
from openpyxl import load_workbook

from db import write_transaction
from spreadsheet import safe_cell, safe_row

from helpers import complete_course, report_by_job, sign_in

HOSTILE = [
    '=HYPERLINK("http://evil","x")',
    "+SUM(1)",
    "-1+1",
    "@cmd",
    "\tTabbed",
    "\rCarriage",
]
CLASS_NAME = "=9B"
REASON = '=HYPERLINK("http://evil","revoked")'
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------- the rule on its own


@pytest.mark.parametrize("text", [*HOSTILE, "\nLine", "\uff1dSUM(1)", "\uff0b1", "\uff0d1", "\uff20x"])
def test_text_that_could_start_a_formula_gets_an_apostrophe_and_keeps_its_words(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Ava Brown", "O'Neill", "Zoë", "", "9B", "1+1", None, 0, -5, 3.5, 100])
def test_ordinary_text_and_real_numbers_are_unchanged(value):
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)  # numbers stay numbers


def test_a_row_is_neutralised_cell_by_cell_by_the_same_rule():
    row = [*HOSTILE, "\uff1dSUM(1)", "Ava Brown", "1+1", None, 0, -5, 3.5]
    assert safe_row(row) == [safe_cell(value) for value in row]
    assert [type(value) for value in safe_row(row)] == [type(value) for value in row]


# ---------------------------------------------------------------- every export, read back


@pytest.fixture
def hostile(app, db, course, make_school, make_staff, make_pupil, make_class):
    """A class named "=9B" of pupils with hostile first names; one holds a certificate revoked with a hostile reason."""
    school = make_school("Hillside School")
    teacher = make_staff(school, "teach@hill.test", first_name="Tess", last_name="Teach")
    make_staff(school, "admin@hill.test", role="admin")
    pupils = [make_pupil(school, f"p{i}.x", first_name=name, last_name="Smith") for i, name in enumerate(HOSTILE)]
    class_id = make_class(school, CLASS_NAME, teacher, pupils)
    # Names are tidied when typed; tab and CR first characters are written directly, as older data could hold them.
    with write_transaction(db):
        for pupil_id, name in zip(pupils, HOSTILE, strict=True):
            db.execute("UPDATE people SET first_name = ? WHERE id = ?", [name, pupil_id])
    client = app.test_client()
    assert sign_in(client, "p0.x").status_code == 303
    complete_course(client, course)
    certificate_id = db.execute("SELECT id FROM certificates WHERE pupil_id = ?", [pupils[0]]).fetchone()[0]
    teacher_client = app.test_client()
    sign_in(teacher_client, "teach@hill.test")
    url = f"/classes/{class_id}/pupils/{pupils[0]}/certificates/{certificate_id}/revoke"
    assert teacher_client.post(url, data={"reason": REASON}).status_code == 303
    return {"class_id": class_id, "teacher": teacher_client}


def download(app, email, scope, fmt):
    """A report as the member of staff downloads it."""
    client = app.test_client()
    sign_in(client, email)
    if scope == "school":
        scope = "school:online-blackmail-11-13"  # whole-school reports are one route at a time
    response = report_by_job(app, client, {"scope": scope, "format": fmt})  # built by the job worker
    assert response.status_code == 200, response.status_code
    return response.data


def assert_text_is_safe(value):
    """A person-typed cell: never read as a formula, and the words are still there."""
    if isinstance(value, str):
        assert not value.startswith(DANGEROUS_STARTS), repr(value)


def expected(text):
    """What a person reads in the cell: the name as typed, after the spreadsheet's text mark."""
    return "'" + text


# The grid trims a full name, so a leading tab or CR is gone before the export; the rest keep the mark.
NAMES = {expected(f"{text} Smith") for text in HOSTILE[:4]} | {"Tabbed Smith", "Carriage Smith"}


@pytest.mark.parametrize("scope", ["class", "school"])
def test_csv_report_has_no_formula_and_names_still_read(app, hostile, scope):
    email = "teach@hill.test" if scope == "class" else "admin@hill.test"
    value = str(hostile["class_id"]) if scope == "class" else "school"
    rows = list(csv.reader(io.StringIO(download(app, email, value, "csv").decode("utf-8-sig"), newline="")))
    for row in rows:
        for cell in row:
            assert_text_is_safe(cell)
    assert {row[0] for row in rows[1:]} == NAMES
    if scope == "school":
        assert {row[1] for row in rows[1:]} == {expected(CLASS_NAME)}


@pytest.mark.parametrize("scope", ["class", "school"])
def test_xlsx_report_has_no_formula_cell_and_names_still_read(app, hostile, scope):
    email = "teach@hill.test" if scope == "class" else "admin@hill.test"
    value = str(hostile["class_id"]) if scope == "class" else "school"
    book = load_workbook(io.BytesIO(download(app, email, value, "xlsx")))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert_text_is_safe(cell.value)
    assert {row[0] for row in list(book["Progress grid"].values)[1:]} == NAMES
    certificates = list(book["Certificates"].values)[1:]
    assert certificates[0][0] == expected(f"{HOSTILE[0]} Smith")
    assert certificates[0][4] == "Revoked" and certificates[0][5] == expected(REASON)
    summary = dict(list(book["Summary"].values)[1:])
    if scope == "class":
        assert summary["For"] == expected(CLASS_NAME)
    else:
        assert {row[1] for row in list(book["Progress grid"].values)[1:]} == {expected(CLASS_NAME)}
    assert isinstance(summary["Pupils"], int)  # real numbers stay numbers
