"""Every download (reports, certificates, cards, notes, a pupil's records) is sent with Cache-Control: no-store,
so a shared computer keeps no copy; our own static files may still be cached."""

import re

import pytest

from jobs import run_pending

from helpers import complete_course, report_by_job, sign_in


def staff(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client


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
    data = {"scope": str(world["class"]), "format": fmt}
    response = report_by_job(app, teacher, data)  # every report is the job's download
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
