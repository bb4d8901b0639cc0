"""After two failed attempts in a row, a pupil goes back over the lesson steps that teach what they missed."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from markupsafe import escape

from quizzes.forms import field_name
from quizzes.questions import Question
from quizzes.review import review_due, steps_to_review
from training.course import load_course

from helpers import (
    CHECK_URL,
    QUIZ_URL,
    copy_course,
    form_token,
    make_app,
    right_answers,
    set_question_field,
    sign_in,
    wrong_answers,
)

ROOT = Path(__file__).parents[2]
REVIEW_URL = QUIZ_URL + "/review"


@pytest.fixture
def content(tmp_path):
    """A copy of the younger route with `review` set: lesson 1's first question -> its step 3, the others -> step 5;
    every check question -> lesson 4's step 3."""
    training, quizzes = copy_course(ROOT, tmp_path / "content" / "training", tmp_path / "content" / "quizzes")
    course = load_course(training, quizzes)
    first = course.lessons[0]
    for number, question in enumerate(first.quiz.marked_questions):
        step = first.steps[2] if number == 0 else first.steps[4]
        set_question_field(first.quiz.path, question.id, "review", f'"{step.title}"')
    fourth = course.lessons[3]
    for question in course.checks.marked_questions:
        set_question_field(course.checks.path, question.id, "review", f'"{fourth.id}: {fourth.steps[2].title}"')
    return training, quizzes


@pytest.fixture
def app(tmp_path, content):
    """The app on that copy of the content (client, db and the pupil fixtures use it)."""
    return make_app(
        tmp_path / "test.sqlite", TRAINING_CONTENT=str(content[0].parent), QUIZ_CONTENT=str(content[1].parent)
    )


def submit(client, url, quiz, answers):
    """Open the quiz (it must open, not send the pupil to review) and submit `answers`; returns the POST response."""
    page = client.get(url)
    assert page.status_code == 200, page.location
    return client.post(url, data=dict(answers, token=form_token(page.text), version=quiz.version))


def fail(client, url, quiz):
    response = submit(client, url, quiz, wrong_answers(quiz))
    assert response.status_code == 303
    return response


def html(text):
    return str(escape(text))


def test_two_failures_send_the_pupil_back_to_the_steps_that_teach_what_they_missed(client, signed_in_pupil, course, db):
    lesson = course.lessons[0]
    quiz_url, review_url = QUIZ_URL.format(lesson.id), REVIEW_URL.format(lesson.id)
    first = fail(client, quiz_url, lesson.quiz)
    assert "Try the quiz again" in client.get(first.location).text
    assert client.get(review_url).location == quiz_url  # one failure: nothing to review yet
    second = fail(client, quiz_url, lesson.quiz)

    # The feedback on the second failure links to the review page, not straight back to the quiz.
    feedback = client.get(second.location).text
    assert f'href="{review_url}"' in feedback and "go back over this before you try again" in feedback
    assert f'href="{quiz_url}"' not in feedback

    # The quiz page sends the pupil to the review page, with a GET or a stale form's POST, saving nothing.
    assert (client.get(quiz_url).status_code, client.get(quiz_url).location) == (303, review_url)
    stale = client.post(quiz_url, data=dict(right_answers(lesson.quiz), token="stale", version=lesson.quiz.version))
    assert stale.location == review_url and db["attempts"].count == 2

    page = client.get(review_url)
    assert page.status_code == 200
    assert "Let&#39;s go back over this before you try again" in page.text
    assert lesson.steps[2].html in page.text and lesson.steps[4].html in page.text  # the steps named in `review`
    assert lesson.steps[1].html not in page.text and lesson.steps[3].html not in page.text
    assert page.text.index(lesson.steps[2].html) < page.text.index(lesson.steps[4].html)  # in lesson order
    assert 'id="help"' in page.text  # the help panel stays
    assert '<button type="submit" class="button">Try the quiz again</button>' in page.text

    done = client.post(review_url)
    assert (done.status_code, done.location) == (303, quiz_url)
    assert db["quiz_reviews"].count == 1
    assert client.get(quiz_url).status_code == 200

    # After a review the count starts again: one more failure is fine, a second sends the pupil back again.
    fail(client, quiz_url, lesson.quiz)
    assert client.get(quiz_url).status_code == 200
    fail(client, quiz_url, lesson.quiz)
    assert client.get(quiz_url).location == review_url


def test_a_pass_resets_the_count(client, signed_in_pupil, course):
    lesson = course.lessons[0]
    quiz_url = QUIZ_URL.format(lesson.id)
    fail(client, quiz_url, lesson.quiz)
    assert submit(client, quiz_url, lesson.quiz, right_answers(lesson.quiz)).status_code == 303
    fail(client, quiz_url, lesson.quiz)
    assert client.get(quiz_url).status_code == 200


def test_the_review_is_the_pupils_own(app, client, signed_in_pupil, course, make_pupil, db):
    lesson = course.lessons[0]
    quiz_url, review_url = QUIZ_URL.format(lesson.id), REVIEW_URL.format(lesson.id)
    fail(client, quiz_url, lesson.quiz)
    fail(client, quiz_url, lesson.quiz)
    classmate = app.test_client()
    make_pupil(signed_in_pupil["school_id"], "zara.k")
    sign_in(classmate, "zara.k")
    assert classmate.get(quiz_url).status_code == 200  # another pupil's failures do not count for her
    assert classmate.get(review_url).location == quiz_url
    assert classmate.post(review_url).location == quiz_url and db["quiz_reviews"].count == 0
    assert client.get(quiz_url).location == review_url  # and her visit records nothing for him


def test_the_final_check_goes_back_to_the_steps_its_review_names_and_the_baseline_never_does(
    client, signed_in_pupil, course
):
    for _ in range(2):
        fail(client, CHECK_URL.format("baseline"), course.checks)
    assert client.get(CHECK_URL.format("baseline")).status_code == 200
    assert client.get(CHECK_URL.format("baseline") + "/review").status_code == 404

    final, review_url = CHECK_URL.format("final"), CHECK_URL.format("final") + "/review"
    fail(client, final, course.checks)
    second = fail(client, final, course.checks)
    assert f'href="{review_url}"' in client.get(second.location).text
    assert client.get(final).location == review_url
    page = client.get(review_url).text
    step = course.lessons[3].steps[2]
    assert step.html in page and html(f"Lesson 4: {course.lessons[3].title}") in page
    assert "Try the final check again" in page
    assert client.post(review_url).location == final


def test_the_review_button_needs_its_csrf_token(app, client, signed_in_pupil, course, db):
    lesson = course.lessons[0]
    quiz_url, review_url = QUIZ_URL.format(lesson.id), REVIEW_URL.format(lesson.id)
    fail(client, quiz_url, lesson.quiz)
    fail(client, quiz_url, lesson.quiz)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(review_url).text
    refused = client.post(review_url)
    assert refused.status_code == 400 and db["quiz_reviews"].count == 0
    assert client.get(quiz_url).location == review_url
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post(review_url, data={"csrf_token": token}).location == quiz_url
    assert db["quiz_reviews"].count == 1


def test_a_missed_must_pass_question_fails_a_high_score_and_says_why_kindly(app, client, signed_in_pupil, content, db):
    lesson = load_course(*content).lessons[0]
    safe = lesson.quiz.marked_questions[0]
    set_question_field(lesson.quiz.path, safe.id, "must_pass", "true")
    course = load_course(*content)
    app.extensions["courses"][course.id] = course  # the edited copy, as if the app had started with it
    quiz = course.lessons[0].quiz
    field = field_name(quiz.question(safe.id))
    answers = dict(right_answers(quiz), **{field: wrong_answers(quiz)[field]})
    response = submit(client, QUIZ_URL.format(lesson.id), quiz, answers)
    page = client.get(response.location).text
    marked = len(quiz.marked_questions)
    assert round(100 * (marked - 1) / marked) >= quiz.pass_mark  # the score alone would pass
    assert "You passed" not in page and "Your score is high enough" in page
    assert page.count("To pass, this one needs to be right, because it keeps you safe") == 2  # at the top, at it
    assert f'href="#feedback-{safe.id}"' in page and f'id="feedback-{safe.id}"' in page
    assert next(db.query("SELECT passed FROM attempts"))["passed"] == 0


def test_steps_without_review_come_from_the_topic_or_the_lesson_s_first_step():
    steps = tuple(SimpleNamespace(title=title) for title in ("About this lesson", "Warning signs", "What to remember"))
    lesson = SimpleNamespace(id="l", number=2, steps=steps, quiz=SimpleNamespace(marked_questions=()))
    course = SimpleNamespace(topics={"warning-signs": "Warning signs", "feelings": "Feelings"}, lessons=(lesson,))
    by_topic = Question(id="a", type="single", prompt="?", options=(), topic="warning-signs")
    no_match = Question(id="b", type="single", prompt="?", options=(), topic="feelings")
    assert [s.number for s in steps_to_review(course, lesson, [by_topic])] == [2]
    assert [s.number for s in steps_to_review(course, lesson, [no_match])] == [1]
    both = steps_to_review(course, lesson, [no_match, by_topic])
    assert [(s.number, [q.id for q in s.questions]) for s in both] == [(1, ["b"]), (2, ["a"])]


def test_review_is_due_after_two_failures_in_a_row_of_a_lesson_quiz_or_the_final_check():
    assert not review_due("lesson", 1) and review_due("lesson", 2) and review_due("final", 3)
    assert not review_due("baseline", 5)


def test_a_review_is_in_the_pupil_s_export_and_goes_when_the_pupil_is_erased(client, signed_in_pupil, course, db):
    from safeguarding.records import erase_pupil, export_pupil

    lesson = course.lessons[0]
    for _ in range(2):
        fail(client, QUIZ_URL.format(lesson.id), lesson.quiz)
    client.post(REVIEW_URL.format(lesson.id))
    exported = export_pupil(db, signed_in_pupil["id"])["quiz_reviews"]
    assert [(r["quiz_id"], r["phase"]) for r in exported] == [(lesson.quiz.id, "lesson")]
    erase_pupil(db, signed_in_pupil["id"])
    assert db["quiz_reviews"].count == 0
