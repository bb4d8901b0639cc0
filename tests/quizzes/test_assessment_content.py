"""The assessment fields in quiz files (must_pass, review, anywhere): read, and refused with file and line."""

from pathlib import Path

import pytest

from quizzes.questions import load_quiz
from training.course import load_course
from training.files import ContentError

from helpers import copy_course, set_question_field

ROOT = Path(__file__).parents[2]
TOPICS = {"what-to-do": "What to do"}
ORDER_QUIZ = """\
quiz: steps
title: Steps
questions:
  - id: o1
    type: order
    topic: what-to-do
    prompt: "Put these in order."
    steps:
      - id: a
        text: "Don't pay"
        position: 1
        feedback: "First."
      - id: b
        text: "Tell a trusted adult"
        position: 2
        anywhere: {anywhere}
        feedback: "Any time."
      - id: c
        text: "Report it"
        position: 3
        feedback: "Then."
  - id: s1
    type: single
    topic: what-to-do
    prompt: "What matters most?"
    must_pass: {must_pass}
    options:
      - id: a
        text: "Don't pay"
        correct: true
        feedback: "Right."
      - id: b
        text: "Pay a little"
        feedback: "No."
"""


def write_quiz(tmp_path, anywhere="true", must_pass="true"):
    path = tmp_path / "steps.yaml"
    path.write_text(ORDER_QUIZ.format(anywhere=anywhere, must_pass=must_pass), encoding="utf-8")
    return path


def line_of(path, text):
    return next(n for n, row in enumerate(path.read_text().splitlines(), start=1) if text in row)


def test_must_pass_and_anywhere_are_read(tmp_path):
    quiz = load_quiz(write_quiz(tmp_path), TOPICS)
    assert [o.anywhere for o in quiz.question("o1").options] == [False, True, False]
    assert quiz.question("s1").must_pass and not quiz.question("o1").must_pass
    assert quiz.question("s1").review == ""  # optional


@pytest.mark.parametrize(
    "fields, at, problem",
    [
        ({"anywhere": "yes please"}, "anywhere:", "anywhere must be true or false"),
        ({"must_pass": "1"}, "must_pass:", "must_pass must be true or false"),
        ({"must_pass": '"true"'}, "must_pass:", "must_pass must be true or false"),
    ],
)
def test_a_wrong_value_names_file_line_and_problem(tmp_path, fields, at, problem):
    path = write_quiz(tmp_path, **fields)
    with pytest.raises(ContentError) as caught:
        load_quiz(path, TOPICS)
    assert (caught.value.path, caught.value.line) == (path, line_of(path, at))
    assert problem in caught.value.problem


def test_anywhere_only_on_order_steps(tmp_path):
    path = write_quiz(tmp_path)
    text = path.read_text().replace("        correct: true\n", "        correct: true\n        anywhere: true\n")
    path.write_text(text)
    with pytest.raises(ContentError) as caught:
        load_quiz(path, TOPICS)
    assert caught.value.line == line_of(path, "correct: true") + 1  # the option's own line, not the question's
    assert "only for the steps of an order question" in caught.value.problem


def test_an_order_needs_two_steps_that_keep_an_order(tmp_path):
    path = write_quiz(tmp_path)
    path.write_text(path.read_text().replace("        position: 3\n", "        position: 3\n        anywhere: true\n"))
    with pytest.raises(ContentError) as caught:
        load_quiz(path, TOPICS)
    assert (caught.value.line, "at least two steps need an order" in caught.value.problem) == (
        line_of(path, "steps:"),
        True,
    )


def test_must_pass_only_on_a_marked_question(tmp_path):
    path = write_quiz(tmp_path)
    path.write_text(path.read_text().replace("    must_pass: true\n", "    must_pass: true\n    belief: true\n"))
    with pytest.raises(ContentError) as caught:
        load_quiz(path, TOPICS)
    assert caught.value.line == line_of(path, "must_pass:") and "only on a marked question" in caught.value.problem


@pytest.fixture
def content(tmp_path):
    """A copy of the younger route's content, with the course loaded to find its ids and headings."""
    training, quizzes = copy_course(ROOT, tmp_path / "training", tmp_path / "quizzes")
    return training, quizzes, load_course(training, quizzes)


def test_a_review_naming_a_step_of_the_lesson_is_read(content):
    training, quizzes, course = content
    lesson = course.lessons[0]
    question = lesson.quiz.marked_questions[0]
    set_question_field(lesson.quiz.path, question.id, "review", f'"{lesson.steps[2].title}"')
    assert load_course(training, quizzes).lessons[0].quiz.question(question.id).review == lesson.steps[2].title


def test_a_review_that_is_not_a_step_of_the_lesson_names_file_and_line(content):
    training, quizzes, course = content
    lesson, other = course.lessons[0], course.lessons[1]
    heading = next(s.title for s in other.steps if s.title not in {t.title for t in lesson.steps})
    question = lesson.quiz.marked_questions[1]
    line = set_question_field(lesson.quiz.path, question.id, "review", f'"{heading}"')
    with pytest.raises(ContentError) as caught:
        load_course(training, quizzes)
    assert (caught.value.path, caught.value.line) == (lesson.quiz.path, line)
    assert (
        f"question '{question.id}': review '{heading}' is not the heading of a step of lesson" in caught.value.problem
    )


def test_an_empty_review_is_refused(content):
    training, quizzes, course = content
    lesson = course.lessons[0]
    line = set_question_field(lesson.quiz.path, lesson.quiz.marked_questions[0].id, "review", '""')
    with pytest.raises(ContentError) as caught:
        load_course(training, quizzes)
    assert caught.value.line == line and "review should be the text of a lesson step's" in caught.value.problem


def test_a_checks_review_names_a_lesson_and_one_of_its_steps(content):
    training, quizzes, course = content
    lesson = course.lessons[3]
    question = course.checks.marked_questions[0]
    set_question_field(course.checks.path, question.id, "review", f'"{lesson.id}: {lesson.steps[1].title}"')
    assert load_course(training, quizzes).checks.question(question.id).review == f"{lesson.id}: {lesson.steps[1].title}"


@pytest.mark.parametrize(
    "value, problem",
    [
        ("{heading}", "should be '<lesson id>: <step heading>' in the checks"),
        ("no-such-lesson: {heading}", "'no-such-lesson' is not a lesson of this course"),
        ("{lesson}: No such heading", "'No such heading' is not the heading of a step of lesson"),
    ],
)
def test_a_wrong_checks_review_names_file_line_and_what_is_wrong(content, value, problem):
    training, quizzes, course = content
    lesson = course.lessons[0]
    question = course.checks.marked_questions[1]
    review = value.format(heading=lesson.steps[1].title, lesson=lesson.id)
    line = set_question_field(course.checks.path, question.id, "review", f'"{review}"')
    with pytest.raises(ContentError) as caught:
        load_course(training, quizzes)
    assert (caught.value.path, caught.value.line) == (course.checks.path, line)
    assert problem in caught.value.problem
