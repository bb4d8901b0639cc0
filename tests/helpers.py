"""Helpers for tests: quiz answers as a form would send them."""

import re

from quizzes.forms import field_name

# Tests import helpers from here, never from conftest: with unit and browser tests in one run,
# "conftest" could name either folder's conftest.py.
PASSWORD = "a-good-password"
QUIZ_URL = "/courses/online-blackmail-11-13/lessons/{}/quiz"
CHECK_URL = "/courses/online-blackmail-11-13/checks/{}"


def sign_in(client, name, password=PASSWORD):
    """Sign in through the real form with the test client; returns the response."""
    return client.post("/sign-in", data={"name": name, "password": password})


def right_answers(quiz):
    """Form data answering every question of `quiz` correctly (confidence: 4)."""
    data = {}
    for q in quiz.questions:
        if q.type == "order":
            data.update({field_name(q, o): str(o.position) for o in q.options})
        elif q.type in ("multiple", "red_flags"):
            data[field_name(q)] = [o.id for o in q.options if o.correct]
        elif q.type == "confidence":
            data[field_name(q)] = "4"
        else:
            data[field_name(q)] = next(o.id for o in q.options if o.correct)
    return data


def wrong_answers(quiz):
    """Form data answering every marked question wrongly."""
    data = right_answers(quiz)
    for q in quiz.questions:
        if q.type == "order":
            # Reversed: still one number each, and wrong for at least two steps.
            data.update({field_name(q, o): str(len(q.options) + 1 - o.position) for o in q.options})
        elif q.type in ("multiple", "red_flags"):
            data[field_name(q)] = [o.id for o in q.options if not o.correct] or [q.options[0].id, q.options[1].id]
        elif q.type != "confidence":
            data[field_name(q)] = next(o.id for o in q.options if not o.correct)
    return data


def form_token(html):
    """The quiz form's one-time token from a rendered quiz page."""
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def submit_quiz(client, url, quiz, answers):
    """Open the quiz page (for a fresh token) and submit `answers`; returns the POST response."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = dict(answers, token=form_token(page.text), version=quiz.version)
    return client.post(url, data=data)


def complete_course(client, course):
    """Pass every lesson quiz and take the final check; returns the last response."""
    for lesson in course.lessons:
        response = submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
        assert response.status_code == 303
    return submit_quiz(client, CHECK_URL.format("final"), course.checks, right_answers(course.checks))
