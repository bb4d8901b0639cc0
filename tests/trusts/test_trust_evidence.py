"""The trust's evidence pack: trust level only (per statement, which of the trust's schools teach it and how many
of their pupils completed a lesson on it), small numbers hidden, worked out by the evidence job; never a class, a
pupil, or another trust's school, on screen, in the CSV or in the PDF."""

import csv
import io
import re

import pytest
from pypdf import PdfReader
from test_trusts import pupil_words, world  # noqa: F401 (world is a fixture)

from db import write_transaction
from jobs import run_pending
from trusts import queries

from helpers import assert_tagged, sign_in

STATEMENT = "online-sexual-abuse-sextortion"
# Planted as class names: a trust's pack stops at the school.
CLASS_NAMES = ("Thistlewaite 8Q", "Orrinbrook 8R")
HEAVY = re.compile(r"\b(lesson_progress|class_pupils)\b|role = 'pupil'")


@pytest.fixture
def taught(db, world, make_class, course):  # noqa: F811 (the fixture imported above)
    """World's trust T: Alder's 6 pupils completed every lesson on 4 Mar 2026; Birch's 2 none; both have a class
    on the younger route. Cedar (trust U) completed them too."""
    with write_transaction(db):
        db.execute("UPDATE lesson_progress SET completed_at = '2026-03-04T10:00:00+00:00'")
    make_class(world["a"], CLASS_NAMES[0], course_id=course.id)
    make_class(world["b"], CLASS_NAMES[1], course_id=course.id)
    make_class(world["c"], "Cedar 8C", course_id=course.id)
    return world


@pytest.fixture
def lead(client, taught):
    assert sign_in(client, "lead@northfield.test").status_code == 303
    return client


def worked_out(client, app, url):
    client.get("/trust/evidence")
    run_pending(app.extensions["huey"])
    return client.get(url)


def school_cells(html, statement_id, school_id):
    start = html.index(f'data-statement="{statement_id}"')
    row = html[html.index(f'data-school="{school_id}"', start) :]
    row = row[: row.index("</tr>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def pdf_text(data):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", " ")


@pytest.mark.parametrize(
    "email", ["teacher@alder.test", "dsl@alder.test", "admin@alder.test", "op@service.test", "zephyrine.q"]
)
def test_only_trust_leads_reach_the_trust_pack(client, taught, email):
    assert sign_in(client, email).status_code == 303
    for url in ("/trust/evidence", "/trust/evidence.csv", "/trust/evidence.pdf"):
        assert client.get(url).status_code == 403, url
    assert client.post("/trust/evidence/refresh").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, taught):
    assert client.get("/trust/evidence").status_code == 302


def test_a_lead_cannot_reach_a_schools_pack(lead, taught):
    assert lead.get("/evidence").status_code == 403 and lead.get("/evidence.pdf").status_code == 403


def test_the_page_view_runs_no_pack_query_the_job_works_it_out(app, db, lead, taught, statements):
    statements.clear()
    page = lead.get("/trust/evidence")
    assert "data-pack-working" in page.text and [s for s in statements if HEAVY.search(s)] == []
    assert lead.get("/trust/evidence.csv").status_code == 302
    assert run_pending(app.extensions["huey"]) == 1
    [row] = db.query("SELECT school_id, status FROM evidence_packs")
    assert (row["school_id"], row["status"]) == (taught["t"], "done")
    for url in ("/trust/evidence", "/trust/evidence.csv", "/trust/evidence.pdf"):
        statements.clear()
        assert lead.get(url).status_code == 200, url
        assert [s for s in statements if HEAVY.search(s)] == [], url


def test_the_lead_sees_which_schools_taught_each_statement_and_how_many_pupils(app, lead, taught):
    html = worked_out(lead, app, "/trust/evidence").text
    assert school_cells(html, STATEMENT, taught["a"]) == [
        "Alder Academy", "Years 7 and 8", "Completed on 4 Mar 2026", "6 of 6"
    ]  # fmt: skip
    birch = school_cells(html, STATEMENT, taught["b"])
    assert birch == ["Birch Primary", "Years 7 and 8", "Not yet", "fewer than 5 of fewer than 5"]
    assert "Schools that teach it: 2 of 2." in html
    assert "Cedar College" not in html and f'data-school="{taught["c"]}"' not in html


def test_no_pupil_class_or_other_trust_is_in_any_trust_pack(app, lead, taught):
    """Planted pupil names (in the lead's school and another trust's) and class names: none in screen, CSV or PDF."""
    html = worked_out(lead, app, "/trust/evidence").text
    csv_text = lead.get("/trust/evidence.csv").get_data(as_text=True)
    pdf = lead.get("/trust/evidence.pdf").data
    for text in (html, csv_text, pdf_text(pdf)):
        assert "Alder Academy" in text  # the pack itself is there
        for word in [*pupil_words(), *CLASS_NAMES, "Cedar"]:
            assert word not in text, word


def test_the_csv_and_pdf_say_what_the_screen_says(app, lead, taught):
    worked_out(lead, app, "/trust/evidence")
    response = lead.get("/trust/evidence.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][4:] == ["School", "Routes teaching it", "When", "Pupils who completed a lesson on it",
                           "Pupils at the school"]  # fmt: skip
    alder = next(r for r in rows if r[0] == STATEMENT and r[4] == "Alder Academy")
    assert alder[5:] == ["Years 7 and 8", "Completed on 4 Mar 2026", "6", "6"]
    pdf = lead.get("/trust/evidence.pdf")
    assert pdf.mimetype == "application/pdf"
    assert_tagged(pdf.data, "Evidence of teaching: Northfield Learning Trust")
    text = pdf_text(pdf.data)
    assert "sextortion" in text and "Completed on 4 Mar 2026" in text and "6 of 6" in text
    assert "Birch Primary" in text and "fewer than 5 of fewer than 5" in text


def test_a_school_leaving_the_trust_drops_the_stored_pack(app, db, lead, taught):
    worked_out(lead, app, "/trust/evidence")
    assert queries.take_out(db, taught["t"], taught["b"])
    assert list(db.query("SELECT id FROM evidence_packs WHERE school_id = ?", [taught["t"]])) == []
    assert "Birch Primary" not in worked_out(lead, app, "/trust/evidence").text
