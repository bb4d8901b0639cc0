"""Certificates: issued once earned, PDF read back, stored bytes served, public verify page."""

import io
import re

import pytest
from pypdf import PdfReader

from certificates.codes import ALPHABET, initials, new_code, normalise_code

from helpers import CHECK_URL, QUIZ_URL, complete_course, right_answers, sign_in, submit_quiz

TITLE = "Online safety: recognising and responding to online blackmail"


@pytest.fixture
def certified(client, signed_in_pupil, course, db):
    """The signed-in pupil, having completed the course; returns their certificate row."""
    complete_course(client, course)
    return next(db["certificates"].rows_where("pupil_id = ?", [signed_in_pupil["id"]]))


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    # Lines wrap where the layout wraps them: compare with white space folded.
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_codes_are_three_groups_of_four_without_look_alikes():
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        assert not set(code) & set("01IOL")
    assert set("".join(codes)) - {"-"} <= set(ALPHABET)


def test_typed_codes_are_normalised_or_refused():
    assert normalise_code(" k7qm 3xha-pwn9 ") == "K7QM-3XHA-PWN9"
    assert normalise_code("K7QM-3XHA-PWN") is None
    assert normalise_code("O0O0-1111-IIII") is None
    assert normalise_code("") is None


def test_initials_only():
    assert initials("Ryan", "Davies") == "R. D."
    assert initials("Zoë", "") == "Z."


def test_no_certificate_before_the_course_is_complete(client, signed_in_pupil, course, db):
    lesson = course.lessons[0]
    submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    assert db["certificates"].count == 0
    page = client.get("/certificate").text
    assert "Still to do" in page and course.lessons[1].title in page
    assert client.get("/certificate.pdf").status_code == 404


def test_certificate_is_issued_once_with_a_pdf_holding_name_school_code_title(client, certified, db):
    reader, text = pdf_text(certified["pdf"])
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert width > height  # A4 landscape
    assert round(width) == 842 and round(height) == 595
    for expected in ("Ryan Davies", "Hillside School", certified["code"], TITLE):
        assert expected in text
    assert certified["score"] == 100
    assert db["certificates"].count == 1


def test_download_serves_exactly_the_stored_bytes(client, certified):
    response = client.get("/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == certified["pdf"]
    assert certified["code"] in response.headers["Content-Disposition"]


def test_more_quizzes_after_certification_do_not_issue_another(client, certified, course, db):
    submit_quiz(client, CHECK_URL.format("final"), course.checks, right_answers(course.checks))
    assert db["certificates"].count == 1


def test_verify_page_is_public_and_shows_initials_not_the_name(app, certified):
    visitor = app.test_client()
    page = visitor.get(f"/verify/{certified['code']}")
    assert page.status_code == 200
    assert "Valid" in page.text and "R. D." in page.text and "Hillside School" in page.text
    assert "Ryan" not in page.text and "Davies" not in page.text
    assert TITLE in page.text


def test_verify_accepts_a_code_typed_loosely(app, certified):
    visitor = app.test_client()
    typed = certified["code"].lower().replace("-", " ")
    response = visitor.post("/verify", data={"code": typed})
    assert response.status_code == 303 and response.location.endswith(f"/verify/{certified['code']}")


def test_verify_form_explains_a_malformed_code_and_keeps_it(client):
    response = client.post("/verify", data={"code": "hello"})
    assert response.status_code == 400
    assert "doesn&#39;t look like a certificate code" in response.text and 'value="hello"' in response.text


def test_unknown_code_is_a_404_that_says_so(client):
    response = client.get("/verify/ABCD-EFGH-JKMN")
    assert response.status_code == 404 and "We can't find that certificate" in response.text


def test_revoked_and_erased_certificates_say_so(app, certified, db):
    db["certificates"].update(certified["id"], {"revoked_at": "2026-11-20T10:00:00+00:00", "revoked_reason": "x"})
    assert "Revoked" in app.test_client().get(f"/verify/{certified['code']}").text
    db["certificates"].update(certified["id"], {"erased_at": "2026-11-21T10:00:00+00:00", "pupil_initials": None})
    page = app.test_client().get(f"/verify/{certified['code']}").text
    assert "no longer held" in page


def test_a_pupil_sees_only_their_own_certificate(app, certified, make_pupil, signed_in_pupil):
    make_pupil(signed_in_pupil["school_id"], "amir.k")
    other = app.test_client()
    sign_in(other, "amir.k")
    assert other.get("/certificate.pdf").status_code == 404
    assert certified["code"] not in other.get("/certificate").text


def test_qr_code_in_the_pdf_points_at_the_public_verify_address(certified):
    # The QR code is an SVG image; the verify address is also printed beside it.
    _, text = pdf_text(certified["pdf"])
    assert f"https://training.example.test/verify/{certified['code']}" in text
