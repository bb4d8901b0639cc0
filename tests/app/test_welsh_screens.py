"""The pupil's screens in Welsh, for a pupil whose account says cy: the header, help panel and footer, signing in,
the course page, a lesson step, a quiz and its feedback, asking to talk, and the certificate page. None of them
shows the English of the site's own words, and the course's own words (lessons, questions, feedback) come from its
Welsh content files."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from markupsafe import escape
from pypdf import PdfReader

from db import write_transaction
from quizzes.forms import field_name

from helpers import CHECK_URL, QUIZ_URL, complete_course, right_answers, sign_in, submit_quiz, wrong_answers

WELSH = Path(__file__).parents[2] / "translations" / "cy" / "LC_MESSAGES" / "messages.po"


def english_sentences():
    """The catalogue's English that would show as it is (no placeholder, no markup), long enough not to occur
    inside the lessons' own English by chance."""
    with open(WELSH, "rb") as file:
        catalogue = read_po(file)
    return sorted(
        m.id
        for m in catalogue
        if isinstance(m.id, str) and len(m.id) >= 14 and "%" not in m.id and "<" not in m.id and "{" not in m.id
    )


def shown_text(html):
    """The page as read, without the lessons' own words (marked lang="en-GB" on a Welsh page), without the help
    routes' titles and details, which are the school's own words (its admin edits them; English by default), and
    without e-mails' subjects as they were sent (class "sent-words": in the language they were sent in)."""
    html = re.sub(r'<(?!html\b)(\w+)[^>]*\blang="en-GB"[^>]*>.*?</\1>', "", html, flags=re.S)
    html = re.sub(r'<(strong|span) class="help-route-(title|detail)">.*?</\1>', "", html, flags=re.S)
    html = re.sub(r'<span class="sent-words">.*?</span>', "", html, flags=re.S)
    return html.replace("&#39;", "'").replace("&#34;", '"')


def assert_welsh(response, *welsh, status=200):
    assert response.status_code == status, response.status_code
    assert '<html lang="cy">' in response.text
    text = shown_text(response.text)
    left = [sentence for sentence in english_sentences() if sentence in text]
    assert left == [], f"English on a Welsh page: {left}"
    for words in welsh:
        assert words in text, words


def welsh_course(client, course):
    """The same course in Welsh, as loaded from its Welsh content files."""
    return client.application.extensions["courses_in"]["cy"][course.id]


@pytest.fixture
def welsh_pupil(client, pupil, db, make_staff, make_class):
    """The pupil, in a class with a teacher, their account set to Welsh, signed in."""
    teacher = make_staff(pupil["school_id"], "tara@hill.test", first_name="Tara", last_name="Jones")
    make_class(pupil["school_id"], "8B", teacher, [pupil["id"]])
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE id = ?", [pupil["id"]])
    assert sign_in(client, pupil["username"]).status_code == 303
    return pupil


def test_the_english_list_is_long_and_the_check_finds_english(client, pupil):
    sentences = english_sentences()
    assert len(sentences) > 80 and "You can stop here and come back any time. We'll keep your place." in sentences
    english = client.get("/sign-in")
    assert "Forgotten your password? Ask your teacher: they can give you a new one." in shown_text(english.text)


def test_sign_in_in_welsh(app):
    visitor = app.test_client()
    visitor.post("/language", data={"language": "cy", "next": "/sign-in"})
    page = visitor.get("/sign-in")
    assert_welsh(page, "<h1>Mewngofnodi</h1>", "Enw defnyddiwr neu e-bost", "Gadael y dudalen hon", "Cael help")
    wrong = visitor.post("/sign-in", data={"name": "nobody", "password": "wrong"})
    assert "Dydy&#39;r enw defnyddiwr neu&#39;r e-bost a&#39;r cyfrinair ddim yn cyfateb" in wrong.text
    empty = visitor.post("/sign-in", data={})
    assert_welsh(empty, "Mae problem", "Teipiwch eich cyfrinair.", status=empty.status_code)


def test_the_course_page_in_welsh(client, welsh_pupil, course):
    page = client.get("/course")
    assert_welsh(
        page,
        "Diogelwch ar-lein",
        "Eich gwersi",
        "Dechrau gyda gwiriad cyflym (dim marciau)",
        f"Wedi gorffen 0 o {len(course.lessons)} ",
        "Heb ddechrau",
        "Siarad â rhywun",
        "Poeni am rywbeth ar-lein? Nid eich bai chi yw e",
        "Allgofnodi",
    )
    # The help lines' names and numbers stay as they are.
    assert 'href="tel:08001111"' in page.text and "Childline" in page.text


def test_a_lesson_step_in_welsh(client, welsh_pupil, course):
    lesson = course.lessons[0]
    last = len(lesson.steps)
    first = client.get(f"/courses/{course.id}/lessons/{lesson.id}/steps/1")
    assert_welsh(first, f"Cam 1 o {last}", "Nesaf", "Yn ôl i'r cwrs")
    # The lesson's own words are Welsh too (its Welsh content file), so nothing marks them as another language.
    welsh = welsh_course(client, course)
    assert escape(welsh.lessons[0].steps[0].title) in first.text and welsh.lessons[0].steps[0].html in first.text
    assert lesson.steps[0].html not in first.text
    assert re.search(r'<div class="step-body" data-read-aloud [^>]*>', first.text) and 'lang="en-GB"' not in first.text
    assert 'data-read-label="Darllen yn uchel"' in first.text
    end = client.get(f"/courses/{course.id}/lessons/{lesson.id}/steps/{last}")
    assert_welsh(end, "Blaenorol", "Mynd i'r cwis")


def test_a_quiz_and_its_feedback_in_welsh(client, welsh_pupil, course):
    lesson = course.lessons[0]
    url = QUIZ_URL.format(lesson.id)
    quiz = client.get(url)
    assert_welsh(quiz, "Gwirio fy atebion", "Cwestiwn 1 o", 'data-words="{done} o {total} wedi\'u hateb"')
    unanswered = client.post(url, data={"token": "t", "version": lesson.quiz.version})
    assert_welsh(unanswered, "Mae angen ateb rhai cwestiynau", "Atebwch gwestiwn 1.", status=unanswered.status_code)
    assert unanswered.status_code in (200, 400)
    feedback = client.get(submit_quiz(client, url, lesson.quiz, wrong_answers(lesson.quiz)).headers["Location"])
    assert_welsh(feedback, "eich adborth", "Ddim yn hollol eto")
    # The questions and their feedback are the Welsh file's, marked by the same ids as the English.
    welsh = welsh_course(client, course).lessons[0].quiz
    assert escape(welsh.questions[0].prompt) in quiz.text and escape(lesson.quiz.questions[0].prompt) not in quiz.text
    wrong = wrong_answers(lesson.quiz)
    question = next(q for q in welsh.questions if q.type in ("single", "true_false", "next_step"))
    assert escape(question.option(wrong[field_name(question)]).feedback) in feedback.text


def test_an_attempt_begun_in_english_is_marked_the_same_in_welsh(client, welsh_pupil, course, db):
    """The same ids, answers and version in both languages: the right answers from the English file pass in Welsh."""
    lesson = course.lessons[0]
    response = submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    assert response.status_code == 303
    [passed] = db.execute("SELECT passed FROM attempts WHERE pupil_id = ?", [welsh_pupil["id"]]).fetchall()
    assert passed[0] == 1


def test_the_checks_in_welsh(client, welsh_pupil, course):
    assert_welsh(client.get(CHECK_URL.format("baseline")), "Gwiriad cyflym cyn i chi ddechrau", "Cadw fy atebion")


def test_asking_to_talk_in_welsh(client, welsh_pupil):
    page = client.get("/talk")
    assert_welsh(page, "Siarad â rhywun yn yr ysgol", "Tara Jones (eich athro)", "Heddiw", "Anfon fy nghais")
    assert 'href="tel:08001111">Childline ar 0800 1111</a>' in page.text
    refused = client.post("/talk", data={})
    assert_welsh(refused, "Dewiswch gyda phwy yr hoffech chi siarad.", status=400)
    sent = client.post("/talk", data={"who": "dsl", "urgency": "today", "message": ""})
    assert sent.status_code == 303
    assert_welsh(client.get(sent.headers["Location"]), "Mae eich cais wedi", "heddiw os gallan nhw")


def test_the_certificate_page_in_welsh(client, welsh_pupil, course):
    assert_welsh(client.get("/certificate"), "Eich tystysgrif", "I'w wneud o hyd")
    complete_course(client, course)
    assert_welsh(client.get("/certificate"), "Da iawn, Ryan.", "Lawrlwytho eich tystysgrif (PDF)")
    # The PDF is in Welsh too: its words, the course's Welsh title, a Welsh date, and tagged cy for screen readers.
    pdf = client.get("/certificate.pdf")
    reader = PdfReader(io.BytesIO(pdf.data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    title = welsh_course(client, course).certificate_title  # the PDF breaks its lines where the layout does
    assert "TYSTYSGRIF CWBLHAU" in text and "Mae hyn yn cadarnhau bod" in text and title[:20] in text
    assert "CERTIFICATE OF COMPLETION" not in text and "completed the course" not in text
    assert re.search(
        r"ar \d{1,2} (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) 20\d\d",
        text,
    )
    assert reader.trailer["/Root"]["/Lang"] == "cy"


def test_each_language_gets_its_own_help_panel_at_the_same_school(client, welsh_pupil, make_pupil, app):
    """The panel is kept per school and kind of page: an English pupil's copy must not reach a Welsh pupil."""
    english = app.test_client()
    make_pupil(welsh_pupil["school_id"], "amir.k")
    assert sign_in(english, "amir.k").status_code == 303
    assert "More ways to get help" in english.get("/course").text
    assert "Rhagor o ffyrdd o gael help" in client.get("/course").text
    assert "More ways to get help" in english.get("/course").text


def test_going_back_over_a_lesson_after_two_tries_in_welsh(client, welsh_pupil, course):
    lesson = course.lessons[0]
    url = QUIZ_URL.format(lesson.id)
    for _ in range(2):
        assert submit_quiz(client, url, lesson.quiz, wrong_answers(lesson.quiz)).status_code == 303
    review = client.get(url + "/review")
    assert_welsh(review, "Rydych chi wedi cael dau gynnig ar y cwis", "Rhoi cynnig arall ar y cwis")
    assert 'lang="en-GB"' not in review.text
    welsh = welsh_course(client, course)
    assert any(escape(step.title) in review.text for step in welsh.lessons[0].steps)


def test_the_last_word_and_an_error_page_in_welsh(client, welsh_pupil, course):
    complete_course(client, course)
    assert_welsh(client.get(f"/courses/{course.id}/finish"), "Gair i gloi", "Gweld eich tystysgrif")
    assert_welsh(client.get("/no-such-page"), "Allwn ni ddim dod o hyd i'r dudalen honno", status=404)


def test_the_default_help_routes_read_in_welsh_and_a_schools_own_words_as_written(client, welsh_pupil, db, app):
    """A frightened pupil reads where to get help in their own language: a default route's words (kept by the school)
    are the catalogue's Welsh; a route the school wrote shows as it wrote it. Numbers and names stay."""
    page = client.get("/course").text
    assert "Mewn perygl nawr? Ffoniwch 999" in page and "Am ddim a phreifat, unrhyw bryd, ddydd neu nos." in page
    assert "If you or someone else is in danger right now." not in page and 'href="tel:999"' in page
    with write_transaction(db):
        db.execute(
            "UPDATE help_routes SET detail = 'Free, any time (our own words).' WHERE school_id = ? AND title = ?",
            [welsh_pupil["school_id"], "Childline"],
        )
    assert "Free, any time (our own words)." in client.get("/course").text
    english = app.test_client()
    assert english.get("/help").text.count("If you or someone else is in danger right now.") >= 1
