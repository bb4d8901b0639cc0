"""In real Chromium, a teacher, an admin, a DSL and a trust lead each download their evidence pack (PDF and CSV)
and find the statements, dates and figures of the records seeded here; axe passes on every evidence page, and no
planted pupil name is in the trust's pack."""

import csv
import io
import threading

import pytest
from engines import database_for
from pypdf import PdfReader
from werkzeug.serving import make_server

from accounts.demo import DEMO_SCHOOL, DEMO_SECOND_SCHOOL, DEMO_STAFF, DEMO_TRUST, DEMO_TRUST_LEAD
from accounts.queries import create_person, person_by_login
from app import create_app
from classroom.queries import create_class
from db import connect, migrate, write_transaction
from demo import seed_demo
from jobs import run_pending

from browser_helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser

STATEMENT = "including grooming and sextortion"  # part of the statement's wording
CLASS = "8E Evidence"
PUPILS = [("Wenceslas", f"Thorncastle{n}", f"wenceslas.t{n}") for n in range(6)]  # planted: never above the class
DAYS = "between 3 Mar 2026 and 4 Mar 2026"


@pytest.fixture(scope="module")
def evidence_app(tmp_path_factory):
    """The demo school and trust on a database of their own, plus a class of 6 of whom 5 completed lesson 1."""
    path = tmp_path_factory.mktemp("evidence") / "evidence.sqlite"
    app = create_app({"TESTING": True, "DEVELOPMENT": True, "SECRET_KEY": "browser-secret",
                      "DATABASE": database_for(path), "JOBS_DATABASE": str(path.parent / "jobs.sqlite"),
                      "RATELIMIT_ENABLED": False, "DEMO_MODE": True, "STAFF_MFA": False})  # fmt: skip
    db = connect(app.config["DATABASE"])
    migrate(db)
    seed_demo(db)
    teacher = person_by_login(db, DEMO_STAFF[0][3])
    course = app.extensions["courses"]["online-blackmail-11-13"]
    class_id = create_class(db, teacher["school_id"], CLASS, 8, teacher["id"], course.id)
    for n, (first, last, username) in enumerate(PUPILS):
        pupil = create_person(db, teacher["school_id"], "pupil", first, "pupil-password-1", last_name=last,
                              username=username, year_group=8)  # fmt: skip
        with write_transaction(db):
            db["class_pupils"].insert({"class_id": class_id, "person_id": pupil})
            if n < 5:
                lesson = course.lessons[0]
                db["lesson_progress"].insert(
                    {"pupil_id": pupil, "course_id": course.id, "lesson_id": lesson.id, "current_step": 1,
                     "furthest_step": len(lesson.steps), "started_at": "2026-03-02T09:00:00+00:00",
                     "updated_at": "2026-03-03T10:00:00+00:00", "completed_at": f"2026-03-0{3 + n % 2}T10:00:00+00:00"}
                )  # fmt: skip
    db.close()
    app.config["class_id"] = class_id
    return app


@pytest.fixture(scope="module")
def evidence_server(evidence_app):
    server = make_server("127.0.0.1", 0, evidence_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def new_page(browser, base_url):
    context = browser.new_context(base_url=base_url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def download(page, link_name):
    """Click the link, return the downloaded file's bytes."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).first.click()
    with open(info.value.path(), "rb") as file:
        return file.read()


def pdf_text(data):
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", " ")


def csv_rows(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_each_role_downloads_their_evidence_pack_matching_the_records(browser, evidence_app, evidence_server):
    huey = evidence_app.extensions["huey"]
    class_id = evidence_app.config["class_id"]

    # The teacher: the class's page (counted in the request), its CSV, and its PDF drawn by the job.
    teacher = new_page(browser, evidence_server)
    sign_in(teacher, DEMO_STAFF[0][3])
    teacher.goto(f"/classes/{class_id}/evidence")
    teacher.get_by_role("heading", name=f"Evidence of teaching: {CLASS}").wait_for()
    row = teacher.locator(".evidence-table", has_text="Lesson 1").first.locator("tbody tr").first
    assert "5 of 6" in row.inner_text() and DAYS in row.inner_text()
    assert_accessible(teacher)
    rows = csv_rows(download(teacher, "Download as CSV"))
    sextortion = next(r for r in rows if STATEMENT.lower() in r[1].lower())
    assert sextortion[4] == CLASS and sextortion[7] == f"Completed on their own {DAYS}" and sextortion[8:] == ["5", "6"]
    teacher.get_by_role("link", name="Download as PDF").click()  # not drawn yet: the page saying so
    teacher.get_by_role("link", name="See if the evidence pack is ready").wait_for()
    assert_accessible(teacher)
    run_pending(huey)
    text = pdf_text(download(teacher, "See if the evidence pack is ready"))
    assert STATEMENT in text and "5 of 6" in text and "3 Mar 2026" in text and "What the class learned" in text
    assert "Thorncastle" not in text

    # The admin: the school's pack, worked out by the job, then on screen, as CSV and PDF.
    admin = new_page(browser, evidence_server)
    sign_in(admin, DEMO_STAFF[2][3])
    admin.goto("/evidence")
    admin.get_by_role("link", name="See if the evidence pack is ready").wait_for()
    assert_accessible(admin)
    run_pending(huey)
    admin.get_by_role("link", name="See if the evidence pack is ready").click()
    admin.get_by_role("heading", name=f"Evidence of teaching: {DEMO_SCHOOL}").wait_for()
    admin.get_by_text("Figures as of").wait_for()
    assert_accessible(admin)
    rows = csv_rows(download(admin, "Download as CSV"))
    ours = next(r for r in rows if STATEMENT.lower() in r[1].lower() and r[4] == CLASS)
    assert ours[7] == f"Completed on their own {DAYS}" and ours[8:] == ["5", "6"]
    small = next(r for r in rows if STATEMENT.lower() in r[1].lower() and r[4] == "8B")
    assert small[8:] == ["fewer than 5", "fewer than 5"]  # the demo's 8B has 4 pupils
    text = pdf_text(download(admin, "Download as PDF"))
    assert STATEMENT in text and CLASS in text and "5 of 6" in text and "3 Mar 2026" in text
    assert "Thorncastle" not in text and "Wenceslas" not in text

    # The DSL: the same school's pack, already stored.
    dsl = new_page(browser, evidence_server)
    sign_in(dsl, DEMO_STAFF[1][3])
    dsl.goto("/evidence")
    dsl.get_by_role("heading", name=f"Evidence of teaching: {DEMO_SCHOOL}").wait_for()
    text = pdf_text(download(dsl, "Download as PDF"))
    assert STATEMENT in text and "5 of 6" in text and DEMO_SCHOOL in text

    # The trust lead: the trust's pack, schools only.
    lead = new_page(browser, evidence_server)
    sign_in(lead, DEMO_TRUST_LEAD[2])
    lead.wait_for_url("**/trust")
    lead.get_by_role("link", name="Evidence of teaching").first.click()
    lead.get_by_role("link", name="See if the evidence pack is ready").wait_for()
    assert_accessible(lead)
    run_pending(huey)
    lead.get_by_role("link", name="See if the evidence pack is ready").click()
    lead.get_by_role("heading", name=f"Evidence of teaching: {DEMO_TRUST}").wait_for()
    assert_accessible(lead)
    page_text = lead.content()
    rows = csv_rows(download(lead, "Download as CSV"))
    riverside = next(r for r in rows if STATEMENT.lower() in r[1].lower() and r[4] == DEMO_SCHOOL)
    assert riverside[6] == f"Completed {DAYS}" and riverside[7] == "5"
    brookside = next(r for r in rows if STATEMENT.lower() in r[1].lower() and r[4] == DEMO_SECOND_SCHOOL)
    assert brookside[7:] == ["fewer than 5", "fewer than 5"]
    pdf = download(lead, "Download as PDF")
    text = pdf_text(pdf)
    assert STATEMENT in text and DEMO_SCHOOL in text and DEMO_SECOND_SCHOOL in text and DAYS.split(" and ")[1] in text
    for words in (page_text, text, "\n".join(",".join(r) for r in rows)):
        for name in ("Wenceslas", "Thorncastle", CLASS, "8B", "Ryan", "Ella"):
            assert name not in words, name
