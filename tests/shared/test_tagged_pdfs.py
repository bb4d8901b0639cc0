"""Every PDF the app makes is tagged PDF/UA, so a screen reader can read it: certificates,
sign-in cards, report PDFs and the teacher notes, each read back with pypdf."""

import pytest

from certificates.issuing import render_certificate
from classroom.cards import cards_pdf
from progress import reports
from progress.queries import Scope

from helpers import PASSWORD, assert_tagged, sign_in


def test_a_certificate_is_tagged(app):
    values = {"code": "ABCD-EFGH-JKLM", "course_title": "Online safety", "pupil_name": "Sam Taylor",
              "pupil_initials": "S.T.", "school_name": "Hillside School", "score": 9,
              "issued_at": "2026-11-21T10:00:00+00:00"}  # fmt: skip
    with app.test_request_context():
        assert_tagged(render_certificate(values), "Sam Taylor")


def test_a_card_batch_is_tagged(app):
    cards = [{"name": f"Pupil {n}", "class_name": "8B", "username": f"pupil.{n}", "password": "apple-moon-42"}
             for n in range(12)]  # fmt: skip
    with app.test_request_context():
        assert_tagged(cards_pdf(cards, "https://school.test/sign-in", "Hillside School"), "Sign-in cards")


def test_a_report_pdf_is_tagged(db, course, make_school, make_staff, make_class, make_pupil):
    school = make_school("Hillside School")
    teacher = make_staff(school, "teach@hill.test")
    class_id = make_class(school, "9B", teacher_id=teacher)
    make_pupil(school, "ava.b", first_name="Ava", last_name="Brown", class_id=class_id)
    data = reports.collect(db, course, Scope(school, class_id, "9B"))
    assert_tagged(reports.to_pdf(data), "Progress report: 9B")


@pytest.fixture
def school(make_school):
    return make_school()


def test_the_teacher_notes_pdf_is_tagged(client, school, make_staff, course):
    make_staff(school, "teacher@hillside.test", password=PASSWORD)
    assert sign_in(client, "teacher@hillside.test").status_code == 303
    response = client.get("/staff/courses/online-blackmail-11-13/notes.pdf")
    assert response.status_code == 200
    assert_tagged(response.data, "Teacher notes")


def test_an_evidence_pack_pdf_is_tagged(app, course):
    from progress.evidence import build_pack
    from progress.evidence_pdf import pack_pdf

    classes = [{"id": 1, "name": "9B", "course": course, "pupils": 28}]
    pack = build_pack(course.statements, classes, [], 5)
    assert_tagged(pack_pdf("Hillside School", pack, 5, "7 Dec 2026, 10:00"), "Evidence of teaching: Hillside School")
