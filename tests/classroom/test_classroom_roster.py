"""Staff, classes, rosters, roster import and sign-in cards: the parser directly, then every route."""

import io
import re

import pytest
from engines import on_postgres
from pypdf import PdfReader

from classroom import roster
from classroom.roster import Problem, RosterRow, check_existing, parse
from jobs import run_pending

from helpers import PASSWORD, sign_in

HEADER = "First name,Last name,Year group,Class\n"


def csv_bytes(*rows, header=HEADER, encoding="utf-8", newline="\n"):
    """A roster file as an upload would carry it."""
    return (header + "".join(row + "\n" for row in rows)).replace("\n", newline).encode(encoding)


def messages(result, row=None):
    """The problem messages of one row (or of the whole file)."""
    return [p.message for p in result.problems if p.row == row]


# --- roster.py: parsing ---------------------------------------------------------------------


def test_plain_utf8_rows_are_read_and_tidied():
    result = parse(csv_bytes("  Sam ,Taylor,9,9B", "Aisha,K,Year 9,9b", "Ben,  O'Neill ,Y9,"), "9B")
    assert result.ok, result.problems
    assert result.encoding == "UTF-8"
    assert [(r.row, r.first_name, r.last_name, r.year_group) for r in result.rows] == [
        (2, "Sam", "Taylor", 9),
        (3, "Aisha", "K", 9),
        (4, "Ben", "O'Neill", 9),
    ]


def test_excel_utf8_with_bom_and_crlf():
    data = b"\xef\xbb\xbf" + csv_bytes("Zo\u00eb,M\u00fcller,8,8A", newline="\r\n")
    result = parse(data, "8A")
    assert result.ok, result.problems
    assert "BOM" in result.encoding
    assert (result.rows[0].first_name, result.rows[0].last_name) == ("Zo\u00eb", "M\u00fcller")


def test_windows_1252_is_detected_and_named():
    data = csv_bytes("Zo\u00eb,O\u2019Brien,10,10C", encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = parse(data, "10C")
    assert result.ok, result.problems
    assert result.encoding == "Windows-1252"
    assert (result.rows[0].first_name, result.rows[0].last_name) == ("Zo\u00eb", "O\u2019Brien")


def test_semicolon_files_from_european_excel():
    result = parse(b"Forename;Surname;Year\nSam;Taylor;9\n", "9B")
    assert result.ok and result.rows[0].last_name == "Taylor"


@pytest.mark.parametrize(
    "header",
    [
        "First name,Last name,Year group,Class,Username",
        "first_name,last_name,year_group,class,username",
        "Forename,SURNAME,Year,Form,Login",
        "FirstName , Surname Or Initial , NC Year , Tutor group , User name",
    ],
)
def test_header_names_are_matched_forgivingly(header):
    result = parse(csv_bytes("Sam,T,9,9B,sam.taylor", header=header + "\n"), "9B")
    assert result.ok, result.problems
    assert result.rows[0].username == "sam.taylor"


def test_missing_columns_are_one_message_naming_them():
    result = parse(csv_bytes("Sam", header="Name\n"), "9B")
    assert not result.ok
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.row == 1
    assert "first name, last name (or initial) and year group" in problem.message
    assert '"Name"' in problem.message


def test_unknown_columns_are_ignored_and_listed():
    result = parse(csv_bytes("Sam,T,9,2011-01-01", header="First name,Last name,Year,Date of birth\n"), "9B")
    assert result.ok
    assert result.ignored_columns == ["Date of birth"]
    assert "2011" not in repr(result.rows)


def test_missing_values_are_reported_by_spreadsheet_row():
    # Row 3 is blank (skipped, but still counted, as the spreadsheet shows it).
    result = parse(csv_bytes("Sam,Taylor,9,9B", ",,,", ",Khan,9,9B", "Ben,,,9B"), "9B")
    assert messages(result, 4) == ["The first name is missing."]
    assert messages(result, 5) == ["The last name (or initial) is missing.", "The year group is missing."]
    assert not messages(result, 2) and not messages(result, 3)
    assert [r.row for r in result.rows] == [2, 4, 5]


def test_duplicates_within_the_file_name_the_earlier_row():
    result = parse(csv_bytes("Sam,Taylor,9,9B", "Ben,Hall,9,9B", "sam , TAYLOR,9,9B", "Sam,Taylor,10,"), "9B")
    assert messages(result, 4) == ["The same pupil as row 2 (sam TAYLOR, year 9)."]
    assert not messages(result, 5)  # a different year group: a different pupil


def test_duplicate_usernames_within_the_file():
    header = "First name,Last name,Year,Username\n"
    result = parse(csv_bytes("Sam,Taylor,9,sam.t", "Sara,Tan,9,Sam.T", header=header), "9B")
    assert messages(result, 3) == ["Username sam.t is also on row 2. Each pupil needs their own."]


def test_over_long_names():
    long_name = "A" * (roster.MAX_NAME + 1)
    result = parse(csv_bytes(f"{long_name},Taylor,9,9B", "Sam," + "B" * roster.MAX_NAME + ",9,9B"), "9B")
    assert messages(result, 2) == [f"The first name is {roster.MAX_NAME + 1} characters long; the most is 50."]
    assert not messages(result, 3)


@pytest.mark.parametrize("year", ["6", "14", "nine", "Year 0"])
def test_year_groups_outside_7_to_13(year):
    result = parse(csv_bytes(f"Sam,Taylor,{year},9B"), "9B")
    assert messages(result, 2) == [f'The year group "{year}" is not a year from 7 to 13.']


def test_a_class_that_is_not_the_class_being_imported_into():
    result = parse(csv_bytes("Sam,Taylor,9,9C", "Ben,Hall,9, 9 b "), "9B")
    assert "you are importing into 9B" in messages(result, 2)[0]
    assert not messages(result, 3)


def test_bad_usernames():
    result = parse(csv_bytes("Sam,Taylor,9,9B,sam taylor!", header=HEADER.strip() + ",Username\n"), "9B")
    assert "can only use letters a to z" in messages(result, 2)[0]


def test_too_many_rows():
    rows = [f"Pupil{i},Test,9,9B" for i in range(roster.MAX_ROWS + 1)]
    result = parse(csv_bytes(*rows), "9B")
    assert not result.ok
    assert result.problems[0] == Problem(None, "The file has 501 pupils. Import at most 500 at a time: split it.")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
        (b"\x89PNG\r\n\x1a\nrest", "image"),
        (b"\xff\xd8\xff\xe0rest", "image"),
        (HEADER.encode(), "no pupils"),
    ],
)
def test_files_that_are_not_rosters(data, words):
    result = parse(data, "9B")
    assert not result.ok
    assert words in result.problems[0].message


def test_check_existing_finds_pupils_already_in_the_class_and_taken_usernames():
    rows = [RosterRow(2, "Zoë", "Taylor", 9), RosterRow(3, "Ben", "Hall", 9, username="ben.h")]
    existing = {roster.pupil_key("zoe", "TAYLOR", 9)}
    problems = check_existing(rows, existing, {"ben.h"}, "9B")
    assert problems == [
        Problem(2, "Zoë Taylor (year 9) is already in 9B."),
        Problem(3, "The username ben.h is already used. Choose another or leave it blank."),
    ]


# --- routes: set-up ----------------------------------------------------------------------------


@pytest.fixture
def school(make_school, make_staff, make_class, make_pupil):
    """Two schools. Hillside: admin, two teachers, each with a class. Other: an admin, a teacher, a class."""
    hillside = make_school("Hillside School")
    other = make_school("Other School")
    ids = {
        "school": hillside,
        "other_school": other,
        "admin": make_staff(hillside, "admin@hill.test", role="admin", first_name="Ada"),
        "dsl": make_staff(hillside, "dsl@hill.test", role="dsl", first_name="Dev"),
        "teacher": make_staff(hillside, "teacher@hill.test", first_name="Tess", last_name="Teach"),
        "teacher2": make_staff(hillside, "teacher2@hill.test", first_name="Tom"),
        "other_admin": make_staff(other, "admin@other.test", role="admin"),
        "other_teacher": make_staff(other, "teacher@other.test"),
    }
    ids["class"] = make_class(hillside, "9B", teacher_id=ids["teacher"])
    ids["class2"] = make_class(hillside, "9C", teacher_id=ids["teacher2"])
    ids["other_class"] = make_class(other, "9B", teacher_id=ids["other_teacher"])
    ids["pupil"] = make_pupil(hillside, "ryan.d", first_name="Ryan", last_name="Davies", class_id=ids["class"])
    ids["pupil2"] = make_pupil(hillside, "cara.m", first_name="Cara", last_name="Mills", class_id=ids["class2"])
    ids["other_pupil"] = make_pupil(other, "omar.o", first_name="Omar", class_id=ids["other_class"])
    return ids


def upload(client, class_id, data, filename="class.csv", content_type="text/csv"):
    """POST a file to the import page."""
    return client.post(
        f"/classes/{class_id}/import",
        data={"file": (io.BytesIO(data), filename, content_type)},
        content_type="multipart/form-data",
    )


def pupils_in_class(db, class_id):
    """Active pupils' usernames in a class."""
    sql = """SELECT p.username FROM people p JOIN class_pupils cp ON cp.person_id = p.id
             WHERE cp.class_id = ? AND p.archived_at IS NULL ORDER BY p.username"""
    return [r["username"] for r in db.query(sql, [class_id])]


def cards_text(response):
    """The text of a sign-in cards PDF response."""
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def card_credentials(text):
    """{username: password} read off the cards."""
    return dict(re.findall(r"Username (\S+)\s+Password (\S+)", text))


def follow_cards(client, page):
    """From a 'cards ready' page, download the PDF it links to."""
    link = re.search(r'href="(/classes/\d+/cards/[^"]+\.pdf)"', page.text).group(1)
    return client.get(link)


# --- staff -----------------------------------------------------------------------------------


def test_admin_adds_a_teacher_who_signs_in_with_the_one_time_password(client, app, school):
    sign_in(client, "admin@hill.test")
    response = client.post(
        "/staff", data={"first_name": "Nia", "last_name": "Jones", "email": "nia@hill.test", "role": "teacher"}
    )
    assert response.status_code == 200
    password = re.search(r"Password</dt><dd><code>([a-z]+-[a-z]+-\d+)</code>", response.text).group(1)
    assert "nia@hill.test" in response.text
    fresh = app.test_client()
    assert sign_in(fresh, "nia@hill.test", password).status_code == 303
    assert fresh.get("/classes").status_code == 200
    assert fresh.get("/staff").status_code == 403  # teachers don't manage staff


def test_adding_staff_keeps_what_was_typed_on_error(client, school):
    sign_in(client, "admin@hill.test")
    response = client.post(
        "/staff", data={"first_name": "Nia", "last_name": "Jones", "email": "TEACHER@hill.test", "role": "dsl"}
    )
    assert response.status_code == 400
    assert "TEACHER@hill.test already has an account." in response.text
    assert 'value="Nia"' in response.text and 'value="Jones"' in response.text
    assert '<option selected value="dsl">' in response.text
    response = client.post("/staff", data={"first_name": "Nia", "last_name": "", "email": "not-an-email"})
    assert "Type their last name." in response.text
    assert "Type an e-mail address like" in response.text


def test_staff_list_is_one_school_only(client, school):
    sign_in(client, "admin@hill.test")
    page = client.get("/staff").text
    assert "teacher@hill.test" in page and "dsl@hill.test" in page
    assert "other.test" not in page


def test_admin_archives_staff_who_then_cannot_sign_in(client, app, school):
    sign_in(client, "admin@hill.test")
    url = f"/staff/{school['teacher2']}/archive"
    assert "Archive Tom Staff?" in client.get(url).text
    assert client.post(url).status_code == 303
    assert sign_in(app.test_client(), "teacher2@hill.test").status_code == 200  # refused
    assert "Archived" in client.get("/staff").text
    # Another school's staff, and oneself, cannot be archived from here.
    assert client.post(f"/staff/{school['other_teacher']}/archive").status_code == 404
    assert client.post(f"/staff/{school['admin']}/archive").status_code == 303
    assert sign_in(app.test_client(), "admin@hill.test").status_code == 303


def test_admin_resets_a_staff_password(client, app, school):
    sign_in(client, "admin@hill.test")
    response = client.post(f"/staff/{school['teacher']}/reset-password")
    password = re.search(r"<code>([a-z]+-[a-z]+-\d+)</code>", response.text).group(1)
    assert sign_in(app.test_client(), "teacher@hill.test", password).status_code == 303
    assert sign_in(app.test_client(), "teacher@hill.test").status_code == 200  # the old one no longer works
    assert client.post(f"/staff/{school['other_teacher']}/reset-password").status_code == 404


@pytest.mark.parametrize("who", ["teacher@hill.test", "dsl@hill.test"])
def test_only_admins_see_the_staff_page(client, school, who):
    sign_in(client, who)
    assert client.get("/staff").status_code == 403
    assert client.post(f"/staff/{school['teacher2']}/archive").status_code == 403
    assert b'href="/staff"' not in client.get("/classes").data


def test_pupils_get_403_on_every_staff_page(client, school):
    sign_in(client, "ryan.d")
    class_id, pupil_id = school["class"], school["pupil"]
    base = f"/classes/{class_id}"
    urls = ["/classes", base, f"{base}/import", f"{base}/pupils/new", f"{base}/pupils/{pupil_id}/reset-password",
            f"{base}/cards/new", "/staff"]  # fmt: skip
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(client, school):
    response = client.get(f"/classes/{school['class']}")
    assert response.status_code == 302 and "/sign-in" in response.location


# --- classes ---------------------------------------------------------------------------------


def test_teacher_creates_a_class_and_teaches_it(client, db, school):
    sign_in(client, "teacher@hill.test")
    response = client.post("/classes", data={"name": " 10  PSHE ", "year_group": "10"})
    assert response.status_code == 303
    class_id = int(response.location.rsplit("/", 1)[1])
    row = db["classes"].get(class_id)
    assert (row["name"], row["year_group"], row["school_id"]) == ("10 PSHE", 10, school["school"])
    assert db.execute("SELECT person_id FROM class_teachers WHERE class_id = ?", [class_id]).fetchall() == [
        (school["teacher"],)
    ]
    listing = client.get("/classes").text
    # The class links' names: "9C" could appear by chance in the page's random form token.
    names = re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', listing)
    assert "10 PSHE" in names and "9B" in names and "9C" not in names


def test_a_duplicate_class_name_keeps_what_was_typed(client, school):
    sign_in(client, "teacher@hill.test")
    response = client.post("/classes", data={"name": "9c", "year_group": "9"})
    assert response.status_code == 400
    assert "already has a class called 9c" in response.text
    assert 'value="9c"' in response.text
    assert client.post("/classes", data={"name": ""}).status_code == 400


def test_class_list_counts_active_pupils(client, db, school, make_pupil):
    make_pupil(school["school"], "left.p", class_id=school["class"])
    db.execute("UPDATE people SET archived_at = '2025-01-01' WHERE username = 'left.p'")
    db.conn.commit()
    sign_in(client, "teacher@hill.test")
    assert re.search(r"\b1 pupil\b(?!s)", client.get("/classes").text)


@pytest.mark.parametrize("who", ["admin@hill.test", "dsl@hill.test"])
def test_admin_and_dsl_see_every_class_in_their_school_only(client, school, who):
    sign_in(client, who)
    listing = client.get("/classes").text
    assert "9B" in listing and "9C" in listing
    assert client.get(f"/classes/{school['class2']}").status_code == 200
    assert client.get(f"/classes/{school['other_class']}").status_code == 404


def test_teacher_gets_404_for_other_classes_and_schools(client, school):
    sign_in(client, "teacher@hill.test")
    assert client.get(f"/classes/{school['class']}").status_code == 200
    for class_id in (school["class2"], school["other_class"], 9999):
        for url in [f"/classes/{class_id}", f"/classes/{class_id}/import", f"/classes/{class_id}/pupils/new",
                    f"/classes/{class_id}/cards/new"]:  # fmt: skip
            assert client.get(url).status_code == 404, url
        assert client.post(f"/classes/{class_id}/pupils/new", data={}).status_code == 404


def test_class_page_lists_the_roster(client, db, school):
    db.execute("UPDATE people SET last_active_at = '2025-11-03T09:00:00+00:00' WHERE id = ?", [school["pupil"]])
    db.conn.commit()
    sign_in(client, "teacher@hill.test")
    page = client.get(f"/classes/{school['class']}").text
    assert "Ryan Davies" in page and "ryan.d" in page and "3 Nov 2025" in page
    assert "Cara Mills" not in page
    assert f"/classes/{school['class']}/import" in page
    assert f"/classes/{school['class']}/progress" in page  # the progress dashboard, one click away
    assert f"/classes/{school['class']}/pupils/{school['pupil']}/reset-password" in page


def test_admin_assigns_teachers_from_their_own_school(client, app, school):
    sign_in(client, "admin@hill.test")
    url = f"/classes/{school['class']}/teachers"
    assert client.post(url, data={"teachers": [school["teacher"], school["teacher2"]]}).status_code == 303
    tom = app.test_client()
    sign_in(tom, "teacher2@hill.test")
    assert tom.get(f"/classes/{school['class']}").status_code == 200
    # Another school's teacher is not a choice: nothing changes.
    client.post(url, data={"teachers": [school["other_teacher"]]})
    assert tom.get(f"/classes/{school['class']}").status_code == 200
    # Teachers cannot assign.
    assert tom.post(url, data={"teachers": [school["teacher2"]]}).status_code == 403
    assert client.post(f"/classes/{school['other_class']}/teachers", data={}).status_code == 404


# --- one pupil -------------------------------------------------------------------------------


def test_add_one_pupil_shows_a_password_that_works_and_a_card(client, app, db, school):
    sign_in(client, "teacher@hill.test")
    response = client.post(
        f"/classes/{school['class']}/pupils/new", data={"first_name": "Zoë", "last_name": "O'Neill", "year_group": "9"}
    )
    assert response.status_code == 200
    password = re.search(r"Password</dt><dd><code>(\S+)</code>", response.text).group(1)
    assert "zoe.o" in pupils_in_class(db, school["class"])
    assert sign_in(app.test_client(), "zoe.o", password).status_code == 303
    text, pages = cards_text(follow_cards(client, response))
    assert pages == 1
    assert card_credentials(text) == {"zoe.o": password}
    assert "Zoë O'Neill" in text and "Class 9B" in text and "Keep this card private" in text
    assert "https://training.example.test/sign-in" in text


def test_add_one_pupil_keeps_what_was_typed_on_error(client, db, school):
    sign_in(client, "teacher@hill.test")
    url = f"/classes/{school['class']}/pupils/new"
    response = client.post(url, data={"first_name": "Priya", "last_name": "", "year_group": "11", "username": "p!"})
    assert response.status_code == 400
    assert 'value="Priya"' in response.text and '<option selected value="11">' in response.text
    assert "Type the pupil&#39;s last name" in response.text
    assert "can only use letters" in response.text
    response = client.post(url, data={"first_name": "ryan", "last_name": "DAVIES", "year_group": "8"})
    assert "is already in 9B" in response.text
    response = client.post(url, data={"first_name": "Ola", "last_name": "B", "year_group": "9", "username": "omar.o"})
    assert "The username omar.o is already used" in response.text
    assert pupils_in_class(db, school["class"]) == ["ryan.d"]


def test_reset_password_gives_a_new_card_and_the_old_password_stops(client, app, school):
    sign_in(client, "teacher@hill.test")
    url = f"/classes/{school['class']}/pupils/{school['pupil']}/reset-password"
    assert "Reset Ryan Davies" in client.get(url).text
    response = client.post(url)
    password = re.search(r"Password</dt><dd><code>(\S+)</code>", response.text).group(1)
    assert sign_in(app.test_client(), "ryan.d", PASSWORD).status_code == 200
    assert sign_in(app.test_client(), "ryan.d", password).status_code == 303
    text, _ = cards_text(follow_cards(client, response))
    assert card_credentials(text) == {"ryan.d": password}


def test_pupil_actions_need_the_pupil_in_a_class_you_teach(client, school):
    sign_in(client, "teacher@hill.test")
    mine, theirs = school["class"], school["class2"]
    for url in [f"/classes/{mine}/pupils/{school['pupil2']}/reset-password",  # pupil of another class
                f"/classes/{mine}/pupils/{school['other_pupil']}/archive",  # pupil of another school
                f"/classes/{theirs}/pupils/{school['pupil2']}/archive",  # class not mine
                f"/classes/{school['other_class']}/pupils/{school['other_pupil']}/reset-password"]:  # fmt: skip
        assert client.post(url).status_code == 404, url


def test_archive_a_pupil_who_leaves(client, app, db, school):
    sign_in(client, "teacher@hill.test")
    url = f"/classes/{school['class']}/pupils/{school['pupil']}/archive"
    assert "Archive Ryan Davies?" in client.get(url).text
    assert client.post(url).status_code == 303
    assert db["people"].get(school["pupil"])["archived_at"]
    assert sign_in(app.test_client(), "ryan.d").status_code == 200  # refused
    page = client.get(f"/classes/{school['class']}").text
    assert "Ryan Davies" in page and "Archived" in page  # records stay
    assert f"/pupils/{school['pupil']}/reset-password" not in page
    assert client.post(f"/classes/{school['class']}/pupils/{school['pupil']}/reset-password").status_code == 404


def test_new_cards_for_the_whole_class(client, app, db, school, make_pupil):
    make_pupil(school["school"], "amir.k", first_name="Amir", class_id=school["class"])
    sign_in(client, "teacher@hill.test")
    response = client.post(f"/classes/{school['class']}/cards/new")
    assert response.status_code == 303
    making = client.get(response.location).text  # the job worker makes them; the page follows the progress
    assert "job-progress.js" in making and "Making new passwords and cards for 2" in making
    run_pending(app.extensions["huey"])
    text, _ = cards_text(follow_cards(client, client.get(response.location)))
    credentials = card_credentials(text)
    assert set(credentials) == {"ryan.d", "amir.k"}
    for username, password in credentials.items():
        assert sign_in(app.test_client(), username, password).status_code == 303


# --- roster import ---------------------------------------------------------------------------


def test_import_30_pupils_preview_confirm_and_cards(client, app, db, school):
    sign_in(client, "teacher@hill.test")
    rows = [f"{name},{last},9,9B" for name, last in zip(["Sam", "Aisha", "Ben"] * 10, "ABCDEFGHIJ" * 3, strict=True)]
    response = upload(client, school["class"], b"\xef\xbb\xbf" + csv_bytes(*rows, newline="\r\n"))
    assert response.status_code == 303
    preview = client.get(response.location)
    assert preview.status_code == 200
    assert "All 30 pupils can be added" in preview.text and "BOM" in preview.text
    assert preview.text.count('<tr id="row-') == 30
    assert pupils_in_class(db, school["class"]) == ["ryan.d"]  # nothing saved yet

    done = client.post(response.location)
    assert done.status_code == 303
    assert pupils_in_class(db, school["class"]) == ["ryan.d"]  # the request saved nothing: the job does it all
    making = client.get(done.location).text
    assert "Adding 30 pupils" in making and "job-progress.js" in making
    assert "<script>" not in making
    # A second click on Confirm before the job ran lands on the same batch: no second import.
    assert client.post(response.location).location == done.location
    run_pending(app.extensions["huey"])
    usernames = pupils_in_class(db, school["class"])
    assert len(usernames) == 31 and len(set(usernames)) == 31
    assert "sam.a" in usernames and "aisha.b" in usernames
    assert db.execute("SELECT count(*) FROM roster_imports").fetchone()[0] == 0  # the preview is gone

    page = client.get(done.location)
    assert "Download sign-in cards (PDF, 30 cards)" in page.text
    text, pages = cards_text(follow_cards(client, page))
    assert pages == 3  # ten to a page
    credentials = card_credentials(text)
    assert len(credentials) == 30 and "sam.a" in credentials
    assert sign_in(app.test_client(), "sam.a", credentials["sam.a"]).status_code == 303
    # The confirmed preview cannot be used twice.
    again = client.post(response.location)
    assert again.status_code == 303 and again.location.endswith(f"/classes/{school['class']}/import")


def test_generated_usernames_are_unique_across_schools(client, db, school, make_pupil):
    make_pupil(school["other_school"], "sam.t", class_id=school["other_class"])
    sign_in(client, "teacher@hill.test")
    response = upload(client, school["class"], csv_bytes("Sam,Taylor,9,9B", "Sam,Thomas,9,9B"))
    assert client.post(response.location).status_code == 303
    run_pending(client.application.extensions["huey"])
    assert pupils_in_class(db, school["class"]) == ["ryan.d", "sam.t2", "sam.t3"]


def test_preview_lists_every_problem_and_confirm_saves_nothing(client, db, school):
    sign_in(client, "teacher@hill.test")
    header = "First name,Last name,Year group,Class,Username\n"
    data = csv_bytes(
        "Sam,Taylor,9,9B,", "Ryan,Davies,8,9B,", "Ola,B,15,9B,", "Sam,Taylor,9,9B,", "Ava,C,9,9C,", "Eli,D,9,,omar.o",
        header=header,
    )  # fmt: skip
    response = upload(client, school["class"], data)
    preview = client.get(response.location).text
    assert "5 problems to fix" in preview
    for row, words in [(3, "already in 9B"), (4, "not a year from 7 to 13"), (5, "same pupil as row 2"),
                       (6, "importing into 9B"), (7, "omar.o is already used")]:  # fmt: skip
        assert re.search(rf'href="#row-{row}">Row {row}</a>: [^<]*{words}', preview), (row, words)
    assert "Add 6 pupils" not in preview
    assert client.post(response.location).status_code == 400
    assert pupils_in_class(db, school["class"]) == ["ryan.d"]


def test_a_username_taken_between_preview_and_confirm_saves_nothing(client, db, school, make_pupil):
    sign_in(client, "teacher@hill.test")
    header = "First name,Last name,Year group,Username\n"
    response = upload(client, school["class"], csv_bytes("Sam,Taylor,9,", "Eli,D,9,eli.d", header=header))
    assert "All 2 pupils can be added" in client.get(response.location).text
    make_pupil(school["other_school"], "eli.d")
    confirm = client.post(response.location)
    assert confirm.status_code == 400
    assert "eli.d is already used" in confirm.text
    assert pupils_in_class(db, school["class"]) == ["ryan.d"]


def test_a_failure_part_way_through_an_import_saves_nothing(client, db, school):
    # A real constraint failure on the third insert, after two pupils were written.
    if on_postgres():
        db.conn.raw.execute(
            """CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
               IF NEW.first_name = 'Boom' THEN RAISE integrity_constraint_violation USING MESSAGE = 'refused';
               END IF; RETURN NEW; END $$;
               CREATE TRIGGER refuse_boom BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION refuse_boom();"""
        )
    else:
        db.executescript(
            """CREATE TRIGGER refuse_boom BEFORE INSERT ON people WHEN NEW.first_name = 'Boom'
               BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;"""
        )
    sign_in(client, "teacher@hill.test")
    response = upload(client, school["class"], csv_bytes("Sam,Taylor,9,9B", "Ben,Hall,9,9B", "Boom,X,9,9B"))
    confirm = client.post(response.location)
    assert confirm.status_code == 303
    run_pending(client.application.extensions["huey"])
    page = client.get(confirm.location).text
    assert "Nothing was saved" in page and "http-equiv" not in page
    assert pupils_in_class(db, school["class"]) == ["ryan.d"]
    assert db.execute("SELECT count(*) FROM people WHERE last_name IN ('Taylor', 'Hall')").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM roster_imports").fetchone()[0] == 1  # still there to retry
    assert client.post(response.location).location != confirm.location  # confirming again makes a new try


def test_a_preview_belongs_to_the_person_and_class_it_was_made_for(client, app, school):
    sign_in(client, "admin@hill.test")
    response = upload(client, school["class"], csv_bytes("Sam,Taylor,9,9B"))
    token = response.location.rsplit("/", 1)[1]
    teacher = app.test_client()
    sign_in(teacher, "teacher@hill.test")
    stolen = teacher.post(f"/classes/{school['class']}/import/{token}")
    assert stolen.status_code == 303 and stolen.location.endswith("/import")
    assert client.get(f"/classes/{school['class2']}/import/{token}").status_code == 303  # another class
    other = app.test_client()
    sign_in(other, "teacher@other.test")
    assert other.get(f"/classes/{school['class']}/import/{token}").status_code == 404


def test_missing_columns_are_shown_on_the_preview(client, school):
    sign_in(client, "teacher@hill.test")
    response = upload(client, school["class"], b"Name,Form\nSam Taylor,9B\n")
    preview = client.get(response.location).text
    assert 'href="#row-1"' not in preview  # the header has no row in the table to link to
    assert "needs a column for first name, last name (or initial) and year group" in preview


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "words"),
    [
        (b"\x89PNG\r\n\x1a\n0000", "photo.png", "image/png", "This is an image"),
        (b"\x89PNG\r\n\x1a\n0000", "photo.csv", "text/csv", "This is an image"),
        (b"PK\x03\x04zip", "class.xlsx", "application/vnd.ms-excel", "Upload a .csv file"),
        (b"PK\x03\x04zip", "class.csv", "text/csv", "Excel workbook (.xlsx), not a CSV"),
        (b"First name,Last name,Year\nSam,T,9\n", "class.txt", "text/plain", "Upload a .csv file"),
        (b"", "class.csv", "text/csv", "The file is empty"),
    ],
)
def test_uploads_that_are_not_csv_files(client, db, school, data, filename, content_type, words):
    sign_in(client, "teacher@hill.test")
    response = upload(client, school["class"], data, filename, content_type)
    assert response.status_code == 400
    assert words in response.text
    assert db.execute("SELECT count(*) FROM roster_imports").fetchone()[0] == 0


def test_no_file_chosen(client, school):
    sign_in(client, "teacher@hill.test")
    response = client.post(f"/classes/{school['class']}/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose the CSV file to upload." in response.text


def test_files_over_1_mb_get_a_clear_message(client, db, school):
    sign_in(client, "teacher@hill.test")
    big = csv_bytes(*[f"Pupil,Test,9,9B,{'x' * 100}" for _ in range(12_000)])
    assert len(big) > 1_100_000
    response = upload(client, school["class"], big)
    assert response.status_code == 413
    assert "larger than 1 MB" in response.text
    assert "Import pupils into 9B" in response.text  # the upload page again, not a bare error
    assert db.execute("SELECT count(*) FROM roster_imports").fetchone()[0] == 0


# --- sign-in cards ---------------------------------------------------------------------------


def test_cards_are_only_for_their_maker_and_expire(client, app, db, school):
    sign_in(client, "admin@hill.test")
    response = client.post(f"/classes/{school['class']}/pupils/{school['pupil']}/reset-password")
    link = re.search(r'href="(/classes/\d+/cards/[^"]+\.pdf)"', response.text).group(1)
    assert client.get(link).status_code == 200
    teacher = app.test_client()
    sign_in(teacher, "teacher@hill.test")  # teaches the class, but did not make these cards
    assert teacher.get(link).status_code == 404
    assert teacher.get(link.removesuffix(".pdf")).status_code == 404
    db.execute("UPDATE card_batches SET expires_at = '2000-01-01T00:00:00+00:00'")
    db.conn.commit()
    gone = client.get(link)
    assert gone.status_code == 404 and "no longer kept" in gone.text


def test_expired_batches_are_deleted_when_new_ones_are_made(client, db, school):
    sign_in(client, "teacher@hill.test")
    client.post(f"/classes/{school['class']}/pupils/{school['pupil']}/reset-password")
    db.execute("UPDATE card_batches SET expires_at = '2000-01-01T00:00:00+00:00'")
    db.conn.commit()
    client.post(f"/classes/{school['class']}/pupils/{school['pupil']}/reset-password")
    assert db.execute("SELECT count(*) FROM card_batches").fetchone()[0] == 1


def test_staff_actions_are_audited(client, db, school):
    sign_in(client, "teacher@hill.test")
    client.post(f"/classes/{school['class']}/pupils/{school['pupil']}/archive")
    row = db.execute("SELECT school_id, staff_id, action, subject_type, subject_id FROM audit_log").fetchall()
    assert row == [(school["school"], school["teacher"], "pupil-archive", "pupil", school["pupil"])]


def test_a_preview_can_be_claimed_only_once(db, school):
    from types import SimpleNamespace

    from classroom import queries

    teacher = SimpleNamespace(id=school["teacher"], school_id=school["school"])
    token = queries.save_import(db, teacher, school["class"], "class.csv", parse(csv_bytes("Sam,T,9,9B"), "9B"))
    assert queries.import_for(db, teacher, school["class"], token)["filename"] == "class.csv"
    assert queries.claim_import(db, token) is True
    assert queries.claim_import(db, token) is False  # the double click finds nothing to add
    assert queries.import_for(db, teacher, school["class"], token) is None
