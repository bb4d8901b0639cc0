"""A request to talk is seen only by the school's DSLs and the teacher addressed."""

import io

import pytest
from pypdf import PdfReader

from safeguarding.records import TALK_WITHHELD

from helpers import sign_in

MESSAGE = "someone online is threatening me"
NOTE = "Spoke at break, all safe"


@pytest.fixture
def school(app, make_school, make_staff, make_pupil, make_class):
    """An admin who teaches 9B (Zara's class), a DSL, and one request from Zara to each of them."""
    school_id = make_school("Hillside School")
    admin = make_staff(school_id, "admin@hill.test", role="admin", first_name="Ada", last_name="Min")
    dsl = make_staff(school_id, "dsl@hill.test", role="dsl")
    class_id = make_class(school_id, "9B", admin)
    pupil = make_pupil(school_id, "zara.q", first_name="Zara", last_name="Quinn", class_id=class_id)
    client = app.test_client()
    sign_in(client, "zara.q")
    talk = client.get("/talk").text
    assert f'value="teacher-{admin}"' in talk and "Ada Min (your teacher)" in talk
    client.post("/talk", data={"who": f"teacher-{admin}", "urgency": "today", "message": MESSAGE})
    client.post("/talk", data={"who": "dsl", "urgency": "soon", "message": "for the dsl only"})
    dsl_client = app.test_client()
    sign_in(dsl_client, "dsl@hill.test")
    dsl_client.post("/safeguarding/requests/2", data={"status": "in-progress", "note": NOTE})
    return {"admin": admin, "dsl": dsl, "pupil": pupil}


def staff(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client


def pdf_text(response):
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return " ".join(text.split())


def test_an_admin_who_teaches_sees_and_answers_only_requests_addressed_to_them(app, db, school):
    admin = staff(app, "admin@hill.test")
    home = admin.get("/classes").text
    assert 'href="/safeguarding/requests">Requests to you</a>' in home
    queue = admin.get("/safeguarding/requests")
    assert queue.status_code == 200 and "Requests to talk to you" in queue.text
    assert "/safeguarding/requests/1" in queue.text and "/safeguarding/requests/2" not in queue.text
    page = admin.get("/safeguarding/requests/1")
    assert page.status_code == 200 and MESSAGE in page.text
    assert db["talk_requests"].get(1)["status"] == "seen"
    closed = admin.post("/safeguarding/requests/1", data={"status": "closed", "note": "Talked after class"})
    assert closed.status_code == 303 and db["talk_requests"].get(1)["status"] == "closed"
    # The request to the DSL, and its note, stay the DSL's.
    assert admin.get("/safeguarding/requests/2").status_code == 404
    assert admin.post("/safeguarding/requests/2", data={"status": "closed", "note": "x"}).status_code == 404
    assert admin.get("/safeguarding/audit-log").status_code == 403


def test_an_admins_export_leaves_out_requests_and_notes_and_says_so(app, school):
    admin = staff(app, "admin@hill.test")
    pupil_id = school["pupil"]
    response = admin.get(f"/safeguarding/pupils/{pupil_id}/export.json")
    data = response.get_json()
    assert "talk_requests" not in data and TALK_WITHHELD in data["not_included"]
    assert MESSAGE not in response.text and NOTE not in response.text and "for the dsl only" not in response.text
    assert data["person"]["first_name"] == "Zara"  # the rest is all there
    text = pdf_text(admin.get(f"/safeguarding/pupils/{pupil_id}/export.pdf"))
    assert " ".join(TALK_WITHHELD.split()) in text
    assert MESSAGE not in text and NOTE not in text and "Records held about Zara Quinn" in text
    page = admin.get(f"/safeguarding/pupils/{pupil_id}").text
    assert "Held by the designated safeguarding lead" in page
    assert (
        "Ask the designated safeguarding lead before erasing"
        in admin.get(f"/safeguarding/pupils/{pupil_id}/erase").text
    )


def test_a_dsls_export_includes_requests_and_notes(app, school):
    dsl = staff(app, "dsl@hill.test")
    pupil_id = school["pupil"]
    data = dsl.get(f"/safeguarding/pupils/{pupil_id}/export.json").get_json()
    assert [r["message"] for r in data["talk_requests"]] == [MESSAGE, "for the dsl only"]
    assert NOTE in [a["note"] for a in data["talk_requests"][1]["actions"]]
    assert TALK_WITHHELD not in data["not_included"]
    text = pdf_text(dsl.get(f"/safeguarding/pupils/{pupil_id}/export.pdf"))
    assert MESSAGE in text and NOTE in text and TALK_WITHHELD not in text
