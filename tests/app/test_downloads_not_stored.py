"""No-store on downloads, a size limit with a clear page, unreadable roster rows, /verify."""

import io
import re

import pytest

from app import create_app
from classroom import roster
from db import connect, migrate, write_transaction
from jobs import run_pending

from helpers import complete_course, sign_in


def staff(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client


# ---------------------------------------------------------------- Cache-Control: no-store on every download


@pytest.fixture
def world(app, course, make_school, make_staff, make_pupil, make_class):
    """A teacher's 9B with a pupil who holds a certificate; a DSL."""
    school_id = make_school("Hillside School")
    teacher = make_staff(school_id, "teach@hill.test")
    make_staff(school_id, "dsl@hill.test", role="dsl")
    class_id = make_class(school_id, "9B", teacher)
    pupil_id = make_pupil(school_id, "zara.q", first_name="Zara", last_name="Quinn", class_id=class_id)
    pupil = app.test_client()
    sign_in(pupil, "zara.q")
    complete_course(pupil, course)
    return {"class": class_id, "pupil_id": pupil_id, "pupil": pupil}


def assert_download_not_stored(response):
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store", response.headers.get("Cache-Control")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_reports_are_not_stored(app, world, fmt):
    teacher = staff(app, "teach@hill.test")
    response = teacher.post("/reports", data={"scope": str(world["class"]), "format": fmt})
    assert "attachment" in response.headers["Content-Disposition"]
    assert_download_not_stored(response)


def test_a_report_built_in_the_background_is_not_stored(app, world):
    app.config["REPORT_BACKGROUND_ABOVE"] = {"csv": 0, "xlsx": 0, "pdf": 0}
    teacher = staff(app, "teach@hill.test")
    job_url = teacher.post("/reports", data={"scope": str(world["class"]), "format": "csv"}).headers["Location"]
    run_pending(app.extensions["huey"])
    assert_download_not_stored(teacher.get(f"{job_url}/download"))


def test_certificates_cards_exports_and_notes_are_not_stored(app, world):
    assert_download_not_stored(world["pupil"].get("/certificate.pdf"))
    teacher = staff(app, "teach@hill.test")
    certificates_job = teacher.post(f"/classes/{world['class']}/certificates.pdf").headers["Location"]
    run_pending(app.extensions["huey"])  # the job worker merges the class's certificates
    assert_download_not_stored(teacher.get(f"{certificates_job}/download"))
    assert_download_not_stored(teacher.get("/staff/courses/online-blackmail-11-13/notes.pdf"))
    cards_page = teacher.post(f"/classes/{world['class']}/cards/new").headers["Location"]
    run_pending(app.extensions["huey"])  # the job worker makes the cards
    ready = teacher.get(cards_page)
    cards = re.search(r'href="(/classes/\d+/cards/[^"]+\.pdf)"', ready.text).group(1)
    assert_download_not_stored(teacher.get(cards))
    dsl = staff(app, "dsl@hill.test")
    for kind in ("json", "pdf"):
        assert_download_not_stored(dsl.get(f"/safeguarding/pupils/{world['pupil_id']}/export.{kind}"))


def test_our_own_static_files_may_still_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and response.headers.get("Cache-Control") != "no-store"


# ---------------------------------------------------------------- a size limit for the whole app


def test_an_oversized_request_gets_a_clear_page_that_keeps_help_to_hand(app, client, signed_in_pupil):
    assert app.config["MAX_CONTENT_LENGTH"] >= 1_100_000  # the 1 MB roster upload and its form fit
    response = client.post("/talk", data={"who": "dsl", "urgency": "soon", "message": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too much to send" in response.text and "nothing was saved" in response.text
    assert 'href="/help"' in response.text  # the header and help panel are still there


def test_a_roster_of_nearly_1_mb_still_uploads(app, db, make_school, make_staff, make_class):
    school_id = make_school()
    make_staff(school_id, "teach@hill.test")
    teacher_id = db.execute("SELECT id FROM people WHERE email = 'teach@hill.test'").fetchone()[0]
    class_id = make_class(school_id, "9B", teacher_id)
    lines = ["First name,Last name,Year group,Notes"] + [f"Pupil{i},Test,9,{'n' * 2400}" for i in range(400)]
    data = ("\n".join(lines) + "\n").encode()
    assert 950_000 < len(data) < roster.MAX_BYTES
    client = staff(app, "teach@hill.test")
    response = client.post(
        f"/classes/{class_id}/import",
        data={"file": (io.BytesIO(data), "class.csv", "text/csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303 and "/import/" in response.headers["Location"]


# ---------------------------------------------------------------- a roster line that is far too long


def test_a_far_too_long_roster_row_is_named_in_plain_words():
    data = b"First name,Last name,Year group\nAva,Brown,9\nBen," + b"x" * 200_000 + b",9\n"
    parsed = roster.parse(data, "9B")
    assert len(parsed.problems) == 1
    message = parsed.problems[0].message
    assert message.startswith("Row 3 can't be read") and "field limit" not in message and "CSV (" not in message


def test_an_unclosed_quote_names_the_row_where_it_starts():
    data = b'First name,Last name,Year group\nAva,Brown,9\n"Ben,Clark,9\n' + b"Cal,Day,9\n" * 20_000
    message = roster.parse(data, "9B").problems[0].message
    assert message.startswith("Row 3 can't be read") and "quote mark" in message


# ---------------------------------------------------------------- /verify slowed after many unknown codes


@pytest.fixture
def limited_app(tmp_path):
    """The app with rate limits on and a small limit for unknown certificate codes."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "s",
            "DATABASE": str(tmp_path / "v.sqlite"),
            "WTF_CSRF_ENABLED": False,
            "VERIFY_UNKNOWN_LIMIT": "3 per minute",
        }
    )
    database = connect(app.config["DATABASE"])
    migrate(database)
    school_id = database["schools"].insert({"name": "Hillside School", "created_at": "2026-01-01"}).last_pk
    with write_transaction(database):
        database["certificates"].insert(
            {"code": "ABCD-EFGH-JKMN", "school_id": school_id, "course_id": "c", "course_title": "Online safety",
             "pupil_initials": "Z. Q.", "school_name": "Hillside School", "issued_at": "2026-01-01T00:00:00+00:00"}
        )  # fmt: skip
    database.close()
    return app


def test_verify_is_slowed_only_by_unknown_codes(limited_app):
    client = limited_app.test_client()
    for _ in range(5):  # checking a real certificate is never slowed
        assert client.get("/verify/ABCD-EFGH-JKMN").status_code == 200
    for code in ("AAAA-BBBB-CCCC", "AAAA-BBBB-CCCD", "not-a-code"):
        assert client.get(f"/verify/{code}").status_code == 404
    slowed = client.get("/verify/AAAA-BBBB-CCCE")
    assert slowed.status_code == 429
    assert "Please wait a few minutes" in slowed.text and 'action="/verify"' in slowed.text
    other = limited_app.test_client()  # the limit is per address
    assert other.get("/verify/ABCD-EFGH-JKMN", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_real_certificates_still_answer_after_an_address_has_tried_many_unknown_codes(limited_app):
    # A whole school shares one address: one pupil guessing codes must not stop anyone checking a real one.
    client = limited_app.test_client()
    for code in ("AAAA-BBBB-CCCC", "AAAA-BBBB-CCCD", "AAAA-BBBB-CCCE"):
        assert client.get(f"/verify/{code}").status_code == 404
    assert client.get("/verify/AAAA-BBBB-CCCF").status_code == 429  # guessing is slowed
    for _ in range(3):
        real = client.get("/verify/ABCD-EFGH-JKMN")
        assert real.status_code == 200 and "This certificate is genuine" in real.text
    assert client.get("/verify/abcd efgh jkmn").status_code == 301  # typed loosely, still found
    assert client.get("/verify/AAAA-BBBB-CCCG").status_code == 429  # and unknown codes stay slowed
