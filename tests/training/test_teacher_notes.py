"""Teacher notes: the staff course overview, a notes page per lesson and the PDF of all notes."""

import html
import io
import re

import pytest
from pypdf import PdfReader

# Not conftest's sign_in: when the browser tests run in the same session, the name "conftest"
# can resolve to tests/browser/conftest.py, whose sign_in drives a page, not a client.
PASSWORD = "notes-test-password"
STAFF_URLS = [
    "/staff/courses/online-blackmail-11-13/",
    "/staff/courses/online-blackmail-11-13/lessons/what-to-do",
    "/staff/courses/online-blackmail-11-13/notes.pdf",
]


def sign_in(client, name):
    """Sign in through the real form."""
    return client.post("/sign-in", data={"name": name, "password": PASSWORD})


def text_of(response):
    """The page's text with tags removed and whitespace squeezed, for plain assertions."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


@pytest.fixture
def school(make_school):
    return make_school()


@pytest.fixture
def signed_in_teacher(client, school, make_staff):
    make_staff(school, "teacher@hillside.test", password=PASSWORD)
    assert sign_in(client, "teacher@hillside.test").status_code == 303


@pytest.mark.parametrize("url", STAFF_URLS)
def test_pupils_get_403(client, school, make_pupil, url):
    make_pupil(school, "maya.s", password=PASSWORD)
    assert sign_in(client, "maya.s").status_code == 303
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", STAFF_URLS)
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", ["teacher", "dsl", "admin"])
def test_every_staff_role_sees_the_overview(client, school, make_staff, role):
    make_staff(school, f"{role}@hillside.test", role=role, password=PASSWORD)
    sign_in(client, f"{role}@hillside.test")
    assert client.get("/staff/courses/online-blackmail-11-13/").status_code == 200


def test_the_overview_lists_lessons_checks_and_topics(client, signed_in_teacher, course):
    response = client.get("/staff/courses/online-blackmail-11-13/")
    page = text_of(response)
    assert course.title in page and course.audience in page
    for lesson in course.lessons:
        assert f"Lesson {lesson.number}: {lesson.title}" in page
        assert f"About {lesson.minutes} minutes" in page
        assert lesson.summary in page
        assert lesson.teacher_notes["objectives"][0] in page
        assert f'href="/staff/courses/online-blackmail-11-13/lessons/{lesson.id}"' in response.text
    for question in course.checks.questions:
        assert html.unescape(question.prompt) in page
    for label in course.topics.values():
        assert label in page
    assert 'href="/staff/courses/online-blackmail-11-13/notes.pdf"' in response.text


def test_the_staff_nav_links_to_the_notes_but_the_pupil_nav_does_not(client, school, make_staff, make_pupil):
    make_staff(school, "teacher@hillside.test", password=PASSWORD)
    sign_in(client, "teacher@hillside.test")
    assert "Course &amp; teacher notes" in client.get("/staff/courses/online-blackmail-11-13/").text
    client.post("/sign-out")
    make_pupil(school, "leo.t", password=PASSWORD)
    sign_in(client, "leo.t")
    assert "teacher notes" not in client.get("/course").text


def test_a_lesson_s_notes_have_everything_a_teacher_needs(client, signed_in_teacher, course):
    lesson = course.lesson("what-to-do")
    page = text_of(client.get(f"/staff/courses/online-blackmail-11-13/lessons/{lesson.id}"))
    notes = lesson.teacher_notes
    for objective in notes["objectives"]:
        assert objective in page
    for item in notes["timing"]:
        assert item["activity"] in page
    for prompt in notes["discussion"]:
        assert prompt in page
    for source in notes["sources"]:
        assert source in page
    # What to do if a pupil discloses in class.
    assert "If a pupil discloses in class" in page
    assert (
        "Tell the designated safeguarding lead (DSL), or a deputy, immediately, and always before the pupil "
        "leaves school." in page
    )
    assert "the same day" not in page
    assert "Never view, copy, forward, screenshot, store or ask for an image" in page
    assert "Don't delete anything, and don't ask the pupil to delete anything." in page
    # A read-only preview of every step, and the quiz with right answers and all feedback.
    for step in lesson.steps:
        assert step.title in page
    for question in lesson.quiz.questions:
        assert html.unescape(question.prompt) in page
        for option in question.options:
            if option.feedback:
                assert option.feedback in page
    assert "Right answer" in page
    assert (
        "<form"
        not in client.get(f"/staff/courses/online-blackmail-11-13/lessons/{lesson.id}")
        .text.split("<main")[1]
        .split("</main>")[0]
    )


def test_an_order_question_is_previewed_in_the_right_order(client, signed_in_teacher, course):
    lesson = course.lesson("what-to-do")
    order = next(q for q in lesson.quiz.questions if q.type == "order")
    page = text_of(client.get(f"/staff/courses/online-blackmail-11-13/lessons/{lesson.id}"))
    positions = [page.index(o.text) for o in sorted(order.options, key=lambda o: o.position)]
    assert positions == sorted(positions)


def test_red_flags_are_marked_in_the_preview(client, signed_in_teacher, course):
    page = text_of(client.get("/staff/courses/online-blackmail-11-13/lessons/spotting-the-signs"))
    flags = next(q for q in course.lesson("spotting-the-signs").quiz.questions if q.type == "red_flags")
    assert page.count("Warning sign") >= sum(o.correct for o in flags.options)
    assert "Not a warning sign" in page


def test_an_unknown_lesson_is_404(client, signed_in_teacher):
    assert client.get("/staff/courses/online-blackmail-11-13/lessons/no-such-lesson").status_code == 404


def test_the_older_route_s_staff_pages_say_immediately_and_what_to_do_about_images(client, app, signed_in_teacher):
    older = app.extensions["courses"]["online-blackmail-14-18"]
    before = text_of(client.get("/staff/courses/online-blackmail-14-18/before-you-teach"))
    lesson = text_of(client.get("/staff/courses/online-blackmail-14-18/lessons/law-and-images"))
    for page in (before, lesson):
        assert "same day" not in page
    assert "immediately, and always before the pupil leaves school" in before
    assert "or a deputy DSL, immediately, and always before the pupil leaves school" in lesson
    assert "Please put it away, you don't need to show me." in before
    assert "If you saw an image by accident" in before and "Pseudo-photographs" in before
    assert "Designated Senior Person (DSP)" in before and "self-harm and suicide" in before
    assert "Ages 14 to 18" not in older.audience and "ages 14 to 18" not in older.intro_html


def test_the_older_route_s_lessons_keep_blame_off_the_victim_and_images_out_of_evidence(app):
    older = app.extensions["courses"]["online-blackmail-14-18"]
    pupil_text = " ".join(step.text for lesson in older.lessons for step in lesson.steps)
    assert "public interest" not in pupil_text and "usually come back" not in pupil_text
    assert "the evidence is" not in pupil_text.lower() and "police look at the words" not in pupil_text.lower()
    law = {step.title: step.text for step in older.lesson("law-and-images").steps}
    assert "treated as a victim, not a suspect" in law["Victim, not in trouble"]
    flags = {step.title: step.text for step in older.lesson("red-flags").steps}
    first_flag = flags["The main red flags"].split("\n- ")[1]
    assert "nude or sexual picture" in first_flag and "on camera" in first_flag
    assert "nude pic" in flags["Mateo's chat"]
    questions = [q["question"] for lesson in older.lessons for q in lesson.teacher_notes["pupil_questions"]]
    for asked in ("Will I get a criminal record?", "Will my parents be told?", "What if it's on my phone?"):
        assert asked in questions
    assert "What if I forwarded it?" in questions
    for lesson in older.lessons:
        assert len(lesson.teacher_notes["pupil_questions"]) >= 2
        notes = " ".join(lesson.teacher_notes["inclusion"])
        assert "SEND" in notes and "New to English" in notes


def test_the_pdf_holds_every_lesson_s_notes(client, signed_in_teacher, course):
    response = client.get("/staff/courses/online-blackmail-11-13/notes.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    # A cover with the disclosure guidance, then one or more pages per lesson.
    assert len(reader.pages) >= 1 + len(course.lessons)
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Teacher notes" in text and course.title in text
    assert "If a pupil discloses in class" in text
    assert "never look at, copy or forward an image" in text
    for lesson in course.lessons:
        assert f"Lesson {lesson.number}: {lesson.title}" in text
        assert lesson.teacher_notes["discussion"][0] in text
        assert lesson.teacher_notes["objectives"][-1] in text
    # Rendered once; the second download serves the same bytes.
    assert client.get("/staff/courses/online-blackmail-11-13/notes.pdf").data == response.data
