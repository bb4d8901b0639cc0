"""The pupil's screens: overall progress, the intro before Start, sign-in's error summary,
one date format, forgiving certificate codes, a compact help panel, and quick exit that signs out first."""

import io
import re
from datetime import date
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from app import create_app
from certificates.codes import code_problem, normalise_code
from certificates.issuing import render_certificate
from dates import long_date
from db import connect, migrate, write_transaction
from training.progress import course_progress

from helpers import QUIZ_URL, right_answers, sign_in, submit_quiz

ISSUED_AT = "2026-11-21T09:30:00+00:00"
CODE = "K7QM-3XHA-PWN9"


def title_of(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def step_url(course, number=1):
    lesson = course.lessons[0]
    return f"/courses/{course.id}/lessons/{lesson.id}/steps/{number}"


# Overall progress ----------------------------------------------------------------------------------
def test_progress_counts_lessons_whose_quiz_is_passed():
    course = SimpleNamespace(lessons=[SimpleNamespace(id=f"l{n}") for n in range(6)])
    summaries = {
        "l0": {"passed": 1},
        "l1": {"passed": 1},
        "l2": {"passed": 1},
        "l3": {"passed": 0},  # tried, not passed: not done
        "baseline": {"passed": 1},  # the checks are not lessons
    }
    progress = course_progress(course, summaries)
    assert (progress.done, progress.total, progress.text) == (3, 6, "3 of 6 lessons done")
    assert course_progress(course, {}).text == "0 of 6 lessons done"


def test_course_and_lesson_pages_show_overall_progress(client, signed_in_pupil, course):
    total = len(course.lessons)
    page = client.get("/course").text
    assert (
        f"0 of {total} lessons done" in page
        and f'<progress class="course-progress-bar" max="{total}" value="0"' in page
    )
    lesson = course.lessons[0]
    submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    assert f"1 of {total} lessons done" in client.get("/course").text
    step = client.get(step_url(course)).text
    assert f"1 of {total} lessons done" in step and 'value="1"' in step


def test_the_intro_and_its_content_note_come_before_the_start_button(client, signed_in_pupil):
    page = client.get("/course").text
    assert page.index('id="intro-title"') < page.index('class="button button-large"')


# Sign-in: error summary and title ------------------------------------------------------------------
def test_sign_in_without_errors_has_a_plain_title_and_no_summary(client):
    page = client.get("/sign-in").text
    assert title_of(page).startswith("Sign in") and "error-summary" not in page


def test_empty_sign_in_lists_each_problem_linking_to_its_field(client):
    response = client.post("/sign-in", data={"name": "", "password": ""})
    page = response.text
    assert title_of(page).startswith("Error: Sign in")
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1" data-focus>(.*?)</div>', page, re.S)
    assert summary, "no focusable error summary"
    assert 'href="#name"' in summary.group(1) and 'href="#password"' in summary.group(1)
    assert "Type your username" in summary.group(1) and "Type your password" in summary.group(1)


def test_wrong_password_keeps_the_name_but_never_the_password(client, pupil):
    page = client.post("/sign-in", data={"name": "ryan.d", "password": "not-the-secret-1"}).text
    assert title_of(page).startswith("Error: Sign in")
    assert re.search(r'<a href="#password">That username or e-mail and password don', page)
    assert 'value="ryan.d"' in page and "not-the-secret-1" not in page


def test_too_many_tries_is_in_the_summary_and_the_title(tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "s", "DATABASE": str(tmp_path / "s.sqlite"), "SIGN_IN_THROTTLE": True,
         "SIGN_IN_NAME_LIMIT": 1, "WTF_CSRF_ENABLED": False}
    )  # fmt: skip
    database = connect(app.config["DATABASE"])
    migrate(database)
    database.close()
    client = app.test_client()
    client.post("/sign-in", data={"name": "tries.screens", "password": "wrong-password"})
    response = client.post("/sign-in", data={"name": "tries.screens", "password": "wrong-password"})
    assert response.status_code == 429
    assert title_of(response.text).startswith("Error: Sign in")
    assert "error-summary" in response.text and "too many wrong tries" in response.text


def test_the_talk_form_uses_the_same_summary(client, signed_in_pupil):
    page = client.post("/talk", data={}).text
    assert title_of(page).startswith("Error: Talk to someone")
    assert 'href="#who-0"' in page and 'href="#urgency-0"' in page


# One date format; forgiving certificate codes ------------------------------------------------------
def test_long_date_reads_as_people_write_dates():
    assert long_date(ISSUED_AT) == "21 November 2026"
    assert long_date("2026-03-05") == "5 March 2026"
    assert long_date(date(2026, 11, 21)) == "21 November 2026"
    assert long_date(None) == ""


@pytest.fixture
def certificate(db, make_school):
    """A certificate issued on 21 November 2026, stored as issue() stores one."""
    school_id = make_school()
    values = {
        "code": CODE,
        "school_id": school_id,
        "course_id": "online-blackmail",
        "course_title": "Online safety: recognising and responding to online blackmail",
        "pupil_name": "Ryan D",
        "pupil_initials": "R. D.",
        "school_name": "Hillside School",
        "score": 90,
        "issued_at": ISSUED_AT,
    }
    db["certificates"].insert(values)
    db.conn.commit()
    return values


def test_verify_page_and_pdf_show_the_same_date(app, client, certificate):
    page = client.get(f"/verify/{CODE}").text
    assert "21 November 2026" in page and "2026-11-21<" not in page
    with app.test_request_context():
        pdf = render_certificate(certificate)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "21 November 2026" in text


def test_a_revoked_date_is_a_long_date_too(client, db, certificate):
    db.execute("UPDATE certificates SET revoked_at = ?, revoked_reason = 'x' WHERE code = ?", [ISSUED_AT, CODE])
    db.conn.commit()
    assert "withdrawn by the school on 21 November 2026" in client.get(f"/verify/{CODE}").text


@pytest.mark.parametrize("typed", ["k7qm3xhapwn9", "K7QM3XHAPWN9", " k7qm 3xha pwn9 ", "K7QM–3XHA—PWN9"])
def test_codes_typed_without_dashes_in_small_letters_or_with_spaces_are_found(client, certificate, typed):
    assert normalise_code(typed) == CODE and code_problem(typed) is None
    response = client.post("/verify", data={"code": typed})
    assert response.status_code == 303 and response.location.endswith(f"/verify/{CODE}")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("K7QM-3XHA-PWN", "That has 11 letters and numbers, not 12."),
        ("K7QM-3XHA-PWN99", "That has 13 letters and numbers, not 12."),
        ("O0QM-3XHA-PWN1", "Codes never use I, L, O, 0 or 1"),
        ("K7QM-3XHA-PWN!", "Codes have only letters and numbers."),
    ],
)
def test_a_malformed_code_says_what_a_code_looks_like(client, typed, reason):
    response = client.post("/verify", data={"code": typed})
    page = response.text.replace("&#39;", "'")
    assert response.status_code == 400 and reason in page
    assert "A code is 12 letters and numbers, like K7QM-3XHA-PWN9" in page
    assert title_of(page).startswith("Error: Check a certificate") and 'href="#code"' in page


def test_a_malformed_code_in_the_address_says_what_a_code_looks_like(client):
    response = client.get("/verify/K7QM-3XHA")
    assert response.status_code == 404 and "That has 8 letters and numbers, not 12." in response.text


# The help panel and the quick-exit bar -------------------------------------------------------------
def test_help_panel_keeps_urgent_help_and_talk_in_view_and_folds_the_rest(client, signed_in_pupil, course):
    page = client.get(step_url(course)).text
    panel = page[page.index('<aside id="help"') :]
    more = panel.index('<details class="help-more" open data-close-when-narrow>')
    assert panel.index("In danger now? Call 999") < more
    assert panel.index("Ask to talk to someone at school") < more
    # Childline stays in view too: free, private and open all night is what a frightened pupil needs.
    assert panel.index('href="tel:08001111"') < more
    assert panel.index("Samaritans") > more
    # On the help page itself, the list never folds.
    assert "data-close-when-narrow" not in client.get("/help").text


def test_quick_exit_is_in_a_landmark_of_its_own(client):
    page = client.get("/sign-in").text
    assert re.search(
        r'<aside class="quick-exit-bar" aria-label="Quick exit">\s*<a class="quick-exit" href="/exit"', page
    )


# Quick exit signs out on the server, then leaves ---------------------------------------------------
def session_cookie(client):
    return client.get_cookie("session").value


def test_signed_in_pages_are_never_stored(client, signed_in_pupil, course):
    for path in ("/course", step_url(course), "/talk", "/certificate", "/help"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_exit_signs_out_then_leaves_and_tells_the_browser_to_forget(app, client, signed_in_pupil):
    old_cookie = session_cookie(client)
    response = client.get("/exit")
    assert response.status_code == 303 and response.location == app.config["QUICK_EXIT_URL"]
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/course").status_code == 302
    # A copy of the cookie from before the exit (Back, another tab, someone else) no longer signs in.
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert replay.get("/course").status_code == 302


def test_exit_works_for_visitors_too(app, client):
    response = client.get("/exit")
    assert response.status_code == 303 and response.location == app.config["QUICK_EXIT_URL"]


def test_signing_out_ends_a_copied_cookie_and_signing_in_again_works(app, client, signed_in_pupil):
    old_cookie = session_cookie(client)
    client.post("/sign-out")
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert replay.get("/course").status_code == 302
    assert sign_in(client, "ryan.d").status_code == 303 and client.get("/course").status_code == 200


def test_a_cookie_holding_a_person_id_not_a_session_is_signed_out(app, client, signed_in_pupil):
    with client.session_transaction() as session:
        session["_user_id"] = str(signed_in_pupil["id"])  # the old form: the id alone
    assert client.get("/course").status_code == 302


def test_the_kept_lesson_list_follows_each_pupils_progress_and_language(app, client, db, pupil, make_pupil, course):
    """The course page's list of lessons is kept per worker by course, language and states (training.views): two
    pupils at different points, the same pupil after a quiz, and the same states in Welsh each get their own."""
    other = app.test_client()
    make_pupil(pupil["school_id"], "amir.k")
    assert sign_in(client, pupil["username"]).status_code == 303 and sign_in(other, "amir.k").status_code == 303
    lesson = course.lessons[0]
    first_card = re.compile(r'<p class="status status-([a-z-]+)">\s*([^<]*?)\s*</p>', re.S)

    def statuses(c):
        return first_card.findall(c.get("/course").text)

    before = statuses(client)
    assert before == statuses(other) and before[1] == ("not-started", "Not started")
    submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    assert statuses(client)[1] == ("complete", "Complete (100%)")
    assert statuses(other)[1] == ("not-started", "Not started")  # the other pupil's kept list is still theirs
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE username = 'amir.k'")
    assert statuses(other)[1] == ("not-started", "Heb ddechrau")
    assert statuses(client)[1] == ("complete", "Complete (100%)")
