"""The import preview shows the usernames that will really be created, and warns about year groups."""

import io
import re

import pytest

from classroom.roster import RosterRow, assign_usernames, year_warnings
from jobs import run_pending

from helpers import sign_in

HEADER = "First name,Last name,Year group,Username\n"


def csv_bytes(*rows):
    """A roster file as an upload would carry it."""
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def upload(client, class_id, data):
    """POST a file to the import page; returns the preview's address."""
    response = client.post(
        f"/classes/{class_id}/import",
        data={"file": (io.BytesIO(data), "class.csv", "text/csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    return response.location


def shown_usernames(page):
    """The usernames in the preview table, in row order."""
    return re.findall(r"<td><code>([a-z0-9.]+)</code>", page)


def class_usernames(db, class_id):
    """Usernames of the pupils in a class."""
    sql = "SELECT p.username FROM people p JOIN class_pupils cp ON cp.person_id = p.id WHERE cp.class_id = ?"
    return sorted(r["username"] for r in db.query(sql, [class_id]))


@pytest.fixture
def school(make_school, make_staff, make_class, make_pupil):
    """A school with a Year 8 class 8B, its teacher and one pupil sam.t; another school with sam.t2."""
    hill, other = make_school("Hillside School"), make_school("Other School")
    teacher = make_staff(hill, "teacher@hill.test")
    class_id = make_class(hill, "8B", teacher_id=teacher, year_group=8)
    make_pupil(hill, "sam.t", first_name="Sam", last_name="Taylor", class_id=class_id)
    make_pupil(other, "sam.t2", first_name="Sam", last_name="Tate")
    return {"school": hill, "other": other, "class": class_id}


# --- the plain functions ----------------------------------------------------------------------


def test_assign_usernames_skips_taken_ones_and_the_files_own():
    rows = [
        RosterRow(2, "Sam", "Thomas", 8),
        RosterRow(3, "Zoë", "O'Neill", 8),
        RosterRow(4, "Sam", "Turner", 8),
        RosterRow(5, "Ben", "Hall", 8, username="sam.t4"),  # the file's own choice is kept and avoided
    ]
    assert assign_usernames(rows, {"sam.t", "sam.t2"}) == ["sam.t3", "zoe.o", "sam.t5", "sam.t4"]


def test_year_warnings_name_the_row_the_pupil_and_both_years():
    rows = [RosterRow(2, "Ali", "K", 8), RosterRow(4, "Noor", "B", 9), RosterRow(5, "Bad", "Year", None)]
    assert [(w.row, w.message) for w in year_warnings(rows, 8)] == [(4, "Noor is in Year 9, the class is Year 8.")]
    assert year_warnings(rows, None) == []  # a class without a year group: nothing to compare


def confirm_in_the_worker(app):
    """Confirm saves nothing itself: the job worker (run here in-process) adds the pupils and makes the cards."""
    run_pending(app.extensions["huey"])


# --- the preview and the confirm --------------------------------------------------------------


def test_the_preview_shows_the_usernames_the_confirm_creates(app, client, db, school):
    sign_in(client, "teacher@hill.test")
    preview = upload(client, school["class"], csv_bytes("Sam,Thomas,8,", "Sam,Turner,8,", "Ola,B,8,ola.b"))
    page = client.get(preview).text
    assert shown_usernames(page) == ["sam.t3", "sam.t4", "ola.b"]
    assert page.count("(made from the name)") == 2
    assert client.post(preview).status_code == 303
    confirm_in_the_worker(app)
    assert class_usernames(db, school["class"]) == ["ola.b", "sam.t", "sam.t3", "sam.t4"]


def test_the_usernames_are_kept_with_the_preview(client, db, school):
    sign_in(client, "teacher@hill.test")
    upload(client, school["class"], csv_bytes("Sam,Thomas,8,"))
    kept = db.execute("SELECT rows FROM roster_imports").fetchone()[0]
    assert '"username": "sam.t3"' in kept and '"made": true' in kept


def test_a_made_username_taken_after_the_preview_is_shown_anew_before_anything_is_saved(
    app, client, db, school, make_pupil
):
    sign_in(client, "teacher@hill.test")
    preview = upload(client, school["class"], csv_bytes("Sam,Thomas,8,"))
    assert shown_usernames(client.get(preview).text) == ["sam.t3"]
    make_pupil(school["other"], "sam.t3")  # another school's import took it meanwhile
    confirm = client.post(preview)
    assert confirm.status_code == 303 and confirm.location.endswith(preview)
    assert class_usernames(db, school["class"]) == ["sam.t"]  # nothing saved
    page = client.get(preview).text
    assert "Someone else took a username" in page
    assert shown_usernames(page) == ["sam.t4"]
    assert client.post(preview).status_code == 303
    confirm_in_the_worker(app)
    assert class_usernames(db, school["class"]) == ["sam.t", "sam.t4"]


def test_a_pupil_in_another_year_is_a_warning_not_a_problem(app, client, db, school):
    sign_in(client, "teacher@hill.test")
    preview = upload(client, school["class"], csv_bytes("Ali,K,8,", "Ben,L,8,", "Noor,B,9,"))
    page = client.get(preview).text
    assert re.search(r'href="#row-4">Row 4</a>: Noor is in Year 9, the class is Year 8\.', page)
    assert "All 3 pupils can be added" in page  # not blocking
    assert client.post(preview).status_code == 303
    confirm_in_the_worker(app)
    assert len(class_usernames(db, school["class"])) == 4
