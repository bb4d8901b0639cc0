"""Every page a pupil or a teacher sees is free of wording that could harm a pupil.

Each harmful phrase below once stood in the course; a frightened pupil, or a teacher with a pupil
in front of them, would have read it. The pages are read as they are served, every lesson step,
quiz, check and teacher-notes page of both routes, and the content files too (quiz feedback shows
only after an attempt).
"""

import re
from pathlib import Path

import pytest

from quizzes.marking import mark_question

from helpers import sign_in

# pattern (in lower-cased text) -> why it must not be shown
HARMFUL = {
    r"(dsl|deputy|safeguarding lead)\b[^.]{0,80}\bthe same day": "staff tell the DSL immediately, never 'the same day'",
    "not always in the public interest": "a tricked, pressured or threatened young person is a victim, not a suspect",
    "take screenshots of the chat": "evidence advice must say: the words and the account, never a picture",
    "usually come back": "paid blackmailers 'often' come back; the sources say no more",
    r"take it down[^.]{0,40}takes (images|pictures) down": "Take It Down fingerprints an image; it takes nothing down",
}
# The course's evidence rule, as the help panel on every page gives it.
EVIDENCE_RULE = "Never screenshot, save or forward a nude or sexual picture, even one the blackmailer sent"
PLAIN_REQUEST = re.compile(r"\b(nudes?|naked|undress|clothes off|top off|sexy|sexual)\b", re.IGNORECASE)
ROUTE_YEARS = {"online-blackmail-11-13": 8, "online-blackmail-14-18": 10}
CONTENT_FOLDERS = ("training/content", "quizzes/content")


def harmful_in(text):
    """The harmful phrases in `text`, with why each must go."""
    plain = re.sub(r"<[^>]+>|\s+", " ", text).lower()
    return [f"'{pattern}': {why}" for pattern, why in HARMFUL.items() if re.search(pattern, plain)]


def pupil_pages(client, course):
    """(URL, page) for every lesson step, lesson quiz and check of `course`, as its pupil sees them."""
    urls = [f"/courses/{course.id}/checks/baseline", f"/courses/{course.id}/checks/final", "/course", "/help"]
    for lesson in course.lessons:
        base = f"/courses/{course.id}/lessons/{lesson.id}"
        urls += [f"{base}/steps/{n}" for n in range(1, len(lesson.steps) + 1)] + [f"{base}/quiz"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        yield url, response.text


@pytest.mark.parametrize("course_id", ROUTE_YEARS)
def test_no_page_a_pupil_sees_carries_harmful_wording_and_each_carries_the_evidence_rule(
    app, client, make_school, make_pupil, course_id
):
    course = app.extensions["courses"][course_id]
    make_pupil(make_school(), "zara.a", year_group=ROUTE_YEARS[course_id])
    assert sign_in(client, "zara.a").status_code == 303
    for url, page in pupil_pages(client, course):
        assert not harmful_in(page), (url, harmful_in(page))
        assert EVIDENCE_RULE in page, f"{url}: the help panel's evidence rule is missing"


def test_no_page_a_teacher_sees_carries_harmful_wording(app, client, make_school, make_staff):
    make_staff(make_school(), "teacher@school.test")
    assert sign_in(client, "teacher@school.test").status_code == 303
    for course in app.extensions["courses"].values():
        urls = [f"/staff/courses/{course.id}/", f"/staff/courses/{course.id}/before-you-teach"]
        urls += [f"/staff/courses/{course.id}/lessons/{lesson.id}" for lesson in course.lessons]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert not harmful_in(response.text), (url, harmful_in(response.text))


def test_no_content_file_carries_harmful_wording():
    for folder in CONTENT_FOLDERS:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in (".md", ".yaml"):
                assert not harmful_in(path.read_text(encoding="utf-8")), (str(path), harmful_in(path.read_text()))


def test_the_help_page_gives_the_evidence_rule_and_every_way_to_report(client):
    page = client.get("/help").text
    assert "the words and the account, never a picture" in page
    assert EVIDENCE_RULE in page
    for route in ('href="tel:101"', 'href="tel:999"', "CEOP", "Report Remove", "Take It Down"):
        assert route in page, route
    assert "digital fingerprint" in page and "before it is ever posted" in page


@pytest.mark.parametrize("course_id", ROUTE_YEARS)
def test_every_red_flag_list_starts_with_a_request_for_a_nude_and_every_practice_chat_has_one(app, course_id):
    course = app.extensions["courses"][course_id]
    lists = [
        step
        for lesson in course.lessons
        for step in lesson.steps
        if re.search(r"red flags|warning signs", step.title, re.IGNORECASE) and "<li>" in step.html
    ]
    assert lists, "no red-flag list found"
    for step in lists:
        first_item = step.html.split("<li>", 1)[1].split("</li>", 1)[0]
        assert PLAIN_REQUEST.search(first_item), (step.title, first_item)
    chats = [q for quiz in course.quizzes() for q in quiz.questions if q.type == "red_flags"]
    assert chats
    for chat in chats:
        requests = [
            o for o in chat.options if o.sender != chat.character and o.correct and PLAIN_REQUEST.search(o.text)
        ]
        assert requests, f"{chat.id}: no plain request for a nude or sexual picture"


@pytest.mark.parametrize("course_id", ROUTE_YEARS)
def test_telling_a_trusted_adult_first_is_right_in_every_ordering_question(app, course_id):
    course = app.extensions["courses"][course_id]
    for question in (q for quiz in course.quizzes() for q in quiz.questions if q.type == "order"):
        adult = next(o for o in question.options if o.text.lower().startswith("tell a trusted adult"))
        others = sorted((o for o in question.options if o is not adult), key=lambda o: o.position)
        response = {adult.id: 1} | {o.id: place for place, o in enumerate(others, start=2)}
        assert mark_question(question, response).correct, question.id


def test_the_law_lesson_says_a_pressured_young_person_is_a_victim_not_a_suspect(app):
    for course in app.extensions["courses"].values():
        text = " ".join(step.text for lesson in course.lessons for step in lesson.steps)
        assert re.search(r"victim, not a suspect", text), course.id
