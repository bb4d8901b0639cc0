"""The hot path: a lesson page writes only when the pupil's place changed, the help panel is kept per
process and follows an admin's edit on the next page, and certificates still read back whole."""

import io
import re

import segno
from engines import on_postgres
from pypdf import PdfReader

from certificates.issuing import render_certificate, verify_url

from helpers import QUIZ_URL, form_token, make_app, right_answers, sign_in, submit_quiz, wrong_answers

WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN", "REPLACE")


def writes(statements):
    return [s for s in statements if s.lstrip().upper().startswith(WRITES)]


def changes(db):
    """Rows this test's connection changed (SQLite counts them; PostgreSQL has no such count: None)."""
    return None if on_postgres() else db.conn.total_changes


def step_url(course, number):
    return f"/courses/{course.id}/lessons/{course.lessons[0].id}/steps/{number}"


def test_rereading_a_step_writes_nothing_but_moving_on_saves_the_place(client, signed_in_pupil, course, db, statements):
    assert client.get(step_url(course, 2)).status_code == 200
    statements.clear()
    assert client.get(step_url(course, 2)).status_code == 200
    assert writes(statements) == []
    before = changes(db)
    client.get(step_url(course, 3))
    assert writes(statements)
    row = db.execute("SELECT current_step, furthest_step FROM lesson_progress WHERE pupil_id = ?",
                     [signed_in_pupil["id"]]).fetchone()  # fmt: skip
    assert row == (3, 3)
    # Going back is a change of place too; the furthest step is kept.
    client.get(step_url(course, 1))
    row = db.execute("SELECT current_step, furthest_step FROM lesson_progress WHERE pupil_id = ?",
                     [signed_in_pupil["id"]]).fetchone()  # fmt: skip
    assert row == (1, 3)
    assert changes(db) == before  # the checks above are reads on another connection


def test_a_page_view_reads_no_help_routes_once_the_panel_is_kept(client, signed_in_pupil, course, statements):
    client.get(step_url(course, 1))
    statements.clear()
    html = client.get(step_url(course, 1)).text
    assert "Childline" in html
    assert not [s for s in statements if "help_routes" in s]
    assert not [s for s in statements if "FROM schools" in s and "settings_version" not in s]


def test_a_step_page_reads_course_place_and_progress_in_one_query_after_the_session(
    client, signed_in_pupil, course, statements
):
    client.get(step_url(course, 1))
    statements.clear()
    assert client.get(step_url(course, 1)).status_code == 200
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) == 2  # the session's person, then the step page's one query
    assert not [s for s in statements if "GROUP BY key" in s]  # no per-quiz summaries for a progress count


def test_the_step_pages_progress_counts_only_passed_lesson_quizzes(client, signed_in_pupil, course):
    first, second = course.lessons[0], course.lessons[1]
    total = len(course.lessons)
    assert f"0 of {total} lessons done" in client.get(step_url(course, 1)).text
    submit_quiz(client, QUIZ_URL.format(second.id), second.quiz, wrong_answers(second.quiz))
    assert f"0 of {total} lessons done" in client.get(step_url(course, 1)).text
    submit_quiz(client, QUIZ_URL.format(first.id), first.quiz, right_answers(first.quiz))
    submit_quiz(client, QUIZ_URL.format(first.id), first.quiz, right_answers(first.quiz))  # a second pass counts once
    assert f"1 of {total} lessons done" in client.get(step_url(course, 1)).text


def test_the_kept_help_panel_follows_who_is_reading_and_which_page(app, client, signed_in_pupil, course):
    talk = "Ask to talk to someone at school"
    step = client.get(step_url(course, 1)).text
    assert talk in step and "data-close-when-narrow" in step
    # The help page keeps the list open on a narrow screen; the same worker's kept step-page panel must not leak in.
    assert "data-close-when-narrow" not in client.get("/help").text
    visitor = app.test_client()
    assert talk not in visitor.get("/help").text and talk not in visitor.get("/").text


def test_an_admins_edit_shows_on_the_next_page_of_another_worker(app, tmp_path, pupil, make_staff, course):
    # Two app instances on one database file stand for two gunicorn workers, each with its own cache.
    make_staff(pupil["school_id"], "admin@h.test", role="admin")
    other_worker = make_app(app.config["DATABASE"])
    pupil_client, admin_client = other_worker.test_client(), app.test_client()
    sign_in(pupil_client, pupil["username"])
    assert "School nurse" not in pupil_client.get(step_url(course, 1)).text
    assert "Mrs Patel" not in pupil_client.get(step_url(course, 1)).text

    sign_in(admin_client, "admin@h.test")
    route = {"title": "School nurse", "detail": "Mondays", "phone": "01632 960000", "sms": "", "url": ""}
    assert admin_client.post("/safeguarding/help-routes/new", data=route).status_code == 303
    assert "School nurse" in pupil_client.get(step_url(course, 1)).text

    dsl = {"dsl_name": "Mrs Patel", "dsl_where": "Room 12"}
    assert admin_client.post("/safeguarding/help-routes", data=dsl).status_code == 303
    html = pupil_client.get(step_url(course, 1)).text
    assert "At school: Mrs Patel" in html and "Room 12" in html


def test_any_change_to_routes_or_the_dsl_bumps_the_schools_settings_version(db, make_school):
    school_id = make_school()

    def version():
        return db.execute("SELECT settings_version FROM schools WHERE id = ?", [school_id]).fetchone()[0]

    seen = [version()]
    for statement in (
        "UPDATE help_routes SET detail = 'changed' WHERE school_id = ? AND position = 2",
        "DELETE FROM help_routes WHERE school_id = ? AND position = 3",
        "UPDATE schools SET dsl_where = 'Room 12' WHERE id = ?",
    ):
        db.execute(statement, [school_id])
        seen.append(version())
    assert seen == sorted(set(seen))  # strictly rising


def test_certificate_reads_back_with_its_words_and_a_qr_code_of_its_verify_address(app):
    values = {
        "code": "K7QM-3XHA-PWN9",
        "course_title": "Online safety: recognising and responding to online blackmail",
        "pupil_name": "Ryan Davies",
        "school_name": "Riverside Academy",
        "score": 93,
        "issued_at": "2026-11-21T10:00:00+00:00",
    }
    with app.test_request_context():
        first, second = render_certificate(values), render_certificate(dict(values, code="AAAA-BBBB-CCCC"))
        link = verify_url(values["code"])
    reader = PdfReader(io.BytesIO(first))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for words in ("CERTIFICATE OF COMPLETION", "Ryan Davies", "Riverside Academy", "93%", "K7QM-3XHA-PWN9", link):
        assert words in text
    # The QR image is the symbol for this certificate's link, one pixel per module.
    (image,) = reader.pages[0].images
    qr = segno.make(link, error="m", mask=0)
    modules = [[bool(m) for m in row] for row in qr.matrix]
    pixels = image.image.convert("L")
    assert pixels.size == (len(modules), len(modules))
    assert [[pixels.getpixel((x, y)) < 128 for x in range(len(modules))] for y in range(len(modules))] == modules
    # The cached stylesheet serves the next certificate: its own code, nobody else's.
    assert "AAAA-BBBB-CCCC" in PdfReader(io.BytesIO(second)).pages[0].extract_text()
    assert "K7QM-3XHA-PWN9" not in PdfReader(io.BytesIO(second)).pages[0].extract_text()


def without_csrf(html):
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)


def test_a_pages_links_are_built_once_per_process_and_match_url_for(app, client, signed_in_pupil, course, monkeypatch):
    import urls

    url = step_url(course, 2)
    first = client.get(url).text
    built, build = [], app.url_for
    monkeypatch.setattr(app, "url_for", lambda endpoint, **values: built.append(endpoint) or build(endpoint, **values))
    again = client.get(url).text
    # Same page, every link as before (the CSRF token carries the second it was made: it may differ).
    assert without_csrf(again) == without_csrf(first)
    assert built == []  # and none of them built again
    with app.test_request_context("/"):
        from flask import url_for

        assert urls.template_url_for("training.step", course_id=course.id, lesson_id="x", number=3) == url_for(
            "training.step", course_id=course.id, lesson_id="x", number=3
        )
        assert urls.template_url_for("static", filename="css/app.css", _external=True).startswith("http://")


def test_kept_links_follow_the_script_root_and_the_values_type(app):
    import urls

    with app.test_request_context("/", base_url="http://localhost/"):
        assert urls.template_url_for("training.course") == "/course"
    with app.test_request_context("/", base_url="http://localhost/school/"):
        assert urls.template_url_for("training.course") == "/school/course"
    with app.test_request_context("/"):
        one = urls.template_url_for("certificates.verify", page=1)
        assert urls.template_url_for("certificates.verify", page=True) != one


def test_a_passed_lesson_quiz_is_saved_and_completes_its_lesson_in_one_write_transaction(
    client, signed_in_pupil, course, db, statements
):
    lesson = course.lessons[0]
    url = QUIZ_URL.format(lesson.id)
    page = client.get(url)
    statements.clear()
    data = dict(right_answers(lesson.quiz), token=form_token(page.text), version=lesson.quiz.version)
    assert client.post(url, data=data).status_code == 303
    begins = [s for s in statements if s.lstrip().upper().startswith("BEGIN")]
    assert len(begins) == 1
    row = db.execute("SELECT completed_at FROM lesson_progress WHERE pupil_id = ? AND lesson_id = ?",
                     [signed_in_pupil["id"], lesson.id]).fetchone()  # fmt: skip
    assert row[0] is not None
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == len(lesson.quiz.marked_questions)


def test_a_quizs_form_class_is_made_once_and_each_form_keeps_its_own_token_and_order(app, course):
    from quizzes.forms import quiz_form

    quiz = course.lessons[0].quiz
    with app.test_request_context("/"):
        first, second = quiz_form(quiz), quiz_form(quiz)
    assert type(first) is type(second)
    assert first.token.data != second.token.data
    assert first.option_orders.keys() == second.option_orders.keys()


def test_pages_read_a_pupils_certificate_without_its_pdf_and_the_download_sends_the_stored_bytes(
    client, signed_in_pupil, course, db, statements
):
    from helpers import complete_course

    complete_course(client, course)
    stored = db.execute("SELECT pdf FROM certificates WHERE pupil_id = ?", [signed_in_pupil["id"]]).fetchone()[0]
    statements.clear()
    assert client.get("/course").status_code == 200
    lesson = course.lessons[0]
    submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    certificate_reads = [s for s in statements if "FROM certificates" in s]
    assert certificate_reads and not [s for s in certificate_reads if "pdf" in s or "*" in s]
    download = client.get("/certificate.pdf")
    assert download.status_code == 200 and download.data == bytes(stored)
