"""Pupils' school account e-mails on the roster: the CSV column and the "add a pupil" field.

A provider sign-in finds a pupil by this e-mail (provider sign-in matching, step 3), so it must be
well formed and belong to nobody else.
"""

import html
import io

import pytest

from classroom.roster import check_existing, parse
from jobs import run_pending

from helpers import sign_in

HEADER = "First name,Last name,Year group,E-mail\n"


def csv_bytes(*rows, header=HEADER):
    return (header + "".join(row + "\n" for row in rows)).encode()


def messages(result, row):
    return [p.message for p in result.problems if p.row == row]


@pytest.mark.parametrize("header", ["E-mail", "Email address", "School email", "Pupil e-mail", "EMAIL"])
def test_the_email_column_is_read_under_its_usual_names(header):
    result = parse(
        csv_bytes("Sam,Taylor,9, Sam.Taylor@Hill.sch.uk ", header=f"First name,Last name,Year,{header}\n"), "9B"
    )
    assert result.ok, result.problems
    assert result.rows[0].email == "Sam.Taylor@Hill.sch.uk"
    assert result.ignored_columns == []


def test_the_email_is_optional_row_by_row():
    result = parse(csv_bytes("Sam,Taylor,9,sam@hill.sch.uk", "Aisha,K,9,"), "9B")
    assert result.ok, result.problems
    assert [r.email for r in result.rows] == ["sam@hill.sch.uk", ""]


def test_a_malformed_email_is_a_problem_naming_its_row():
    result = parse(csv_bytes("Sam,Taylor,9,sam@hill.sch.uk", "Aisha,K,9,aisha.k@", "Ben,O,9,ben o@hill.sch.uk"), "9B")
    assert not result.ok
    assert messages(result, 2) == []
    assert messages(result, 3) == ['"aisha.k@" is not an e-mail address. Type one like sam.taylor@school.sch.uk, '
                                   "or leave it blank."]  # fmt: skip
    assert "is not an e-mail address" in messages(result, 4)[0]


def test_the_same_email_twice_in_the_file_names_both_rows():
    result = parse(csv_bytes("Sam,Taylor,9,sam@hill.sch.uk", "Samuel,T,9,SAM@hill.sch.uk"), "9B")
    assert messages(result, 3) == ["The e-mail SAM@hill.sch.uk is also on row 2. Each pupil needs their own."]


def test_an_email_someone_already_has_is_a_problem_naming_its_row():
    result = parse(csv_bytes("Sam,Taylor,9,Sam@Hill.sch.uk", "Aisha,K,9,aisha@hill.sch.uk"), "9B")
    problems = check_existing(result.rows, set(), set(), "9B", taken_emails={"sam@hill.sch.uk"})
    assert [(p.row, p.message) for p in problems] == [
        (2, "The e-mail Sam@Hill.sch.uk already belongs to someone with an account here.")
    ]


# --- through the pages ----------------------------------------------------------------------------


@pytest.fixture
def school(make_school, make_staff, make_class):
    hill = make_school("Hillside School")
    make_staff(hill, "teacher@hill.test")
    class_id = make_class(hill, "9B", teacher_id=1, year_group=9)
    return {"school": hill, "class": class_id}


def upload(client, class_id, data):
    return client.post(f"/classes/{class_id}/import", data={"file": (io.BytesIO(data), "class.csv", "text/csv")},
                       content_type="multipart/form-data")  # fmt: skip


def test_imported_emails_are_shown_in_the_preview_and_stored(client, app, db, school):
    sign_in(client, "teacher@hill.test")
    response = upload(client, school["class"], csv_bytes("Sam,Taylor,9,sam@hill.sch.uk", "Aisha,K,9,"))
    preview = client.get(response.location)
    assert "All 2 pupils can be added" in preview.text
    assert '<th scope="col">E-mail</th>' in preview.text and "<td>sam@hill.sch.uk</td>" in preview.text
    assert client.post(response.location).status_code == 303
    run_pending(app.extensions["huey"])
    stored = db.execute("SELECT first_name, email FROM people WHERE role = 'pupil' ORDER BY first_name").fetchall()
    assert stored == [("Aisha", None), ("Sam", "sam@hill.sch.uk")]
    assert "sam@hill.sch.uk" in client.get(f"/classes/{school['class']}").text


def test_an_imported_email_someone_has_stops_the_import_naming_the_row(client, db, school):
    sign_in(client, "teacher@hill.test")
    response = upload(
        client, school["class"], csv_bytes("Sam,Taylor,9,sam@hill.sch.uk", "Tim,Staff,9,TEACHER@hill.test")
    )
    preview = client.get(response.location)
    text = html.unescape(preview.text)
    assert "1 problem to fix" in text
    assert "Row 3</a>: The e-mail TEACHER@hill.test already belongs to someone with an account here." in text
    assert client.post(response.location).status_code == 400
    assert db.execute("SELECT count(*) FROM people WHERE role = 'pupil'").fetchone()[0] == 0


def test_adding_a_pupil_with_an_email(client, db, school):
    sign_in(client, "teacher@hill.test")
    url = f"/classes/{school['class']}/pupils/new"
    assert 'name="email"' in client.get(url).text
    added = client.post(url, data={"first_name": "Sam", "last_name": "Taylor", "year_group": "9",
                                   "email": " sam@hill.sch.uk "})  # fmt: skip
    assert added.status_code == 200 and "Sam Taylor added" in added.text
    assert db.execute("SELECT email FROM people WHERE role = 'pupil'").fetchall() == [("sam@hill.sch.uk",)]


@pytest.mark.parametrize(
    ("email", "message"),
    [("sam@hill", "is not an e-mail address"), ("SAM@hill.sch.uk", "already belongs to someone with an account here")],
)
def test_adding_a_pupil_with_a_malformed_or_taken_email_keeps_what_was_typed(client, db, school, email, message):
    sign_in(client, "teacher@hill.test")
    url = f"/classes/{school['class']}/pupils/new"
    client.post(url, data={"first_name": "Sam", "last_name": "Taylor", "year_group": "9", "email": "sam@hill.sch.uk"})
    refused = client.post(url, data={"first_name": "Samuel", "last_name": "T", "year_group": "9", "email": email})
    assert refused.status_code == 400 and message in html.unescape(refused.text)
    assert f'value="{email}"' in refused.text and 'value="Samuel"' in refused.text
    assert db.execute("SELECT count(*) FROM people WHERE first_name = 'Samuel'").fetchone()[0] == 0
