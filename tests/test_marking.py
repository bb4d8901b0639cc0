"""Marking and eligibility are pure functions: tested directly."""

import pytest

from certificates.eligibility import check_eligibility
from quizzes.marking import mark_question, mark_quiz
from quizzes.questions import Option, Question, Quiz


def question(qtype, options, **fields):
    return Question(id=fields.pop("id", "q1"), type=qtype, prompt="?", options=tuple(options), topic="t", **fields)


SINGLE = question("single", [Option("a", "A", "right", correct=True), Option("b", "B", "not this")])
MULTIPLE = question(
    "multiple",
    [Option("a", "A", "yes", correct=True), Option("b", "B", "yes", correct=True), Option("c", "C", "no")],
    id="q2",
)
ORDER = question("order", [Option("x", "X", "2nd", position=2), Option("y", "Y", "1st", position=1)], id="q3")
FLAGS = question(
    "red_flags", [Option("m1", "hi", "fine", sender="Sam"), Option("m2", "pay", "flag", correct=True, sender="Jo")],
    id="q4", character="Sam",
)  # fmt: skip
CONFIDENCE = question("confidence", [Option(str(n), str(n)) for n in range(1, 6)], id="q5", key="k")


def test_single_choice_right_and_wrong_with_feedback_on_every_option():
    right = mark_question(SINGLE, "a")
    wrong = mark_question(SINGLE, "b")
    assert right.correct is True and wrong.correct is False
    assert [(o.option_id, o.chosen, o.correct, o.feedback) for o in wrong.options] == [
        ("a", False, True, "right"),
        ("b", True, False, "not this"),
    ]


def test_multiple_response_needs_exactly_the_right_set():
    assert mark_question(MULTIPLE, {"a", "b"}).correct is True
    assert mark_question(MULTIPLE, {"a"}).correct is False
    assert mark_question(MULTIPLE, {"a", "b", "c"}).correct is False


def test_red_flags_marks_the_set_of_warning_signs():
    assert mark_question(FLAGS, {"m2"}).correct is True
    assert mark_question(FLAGS, {"m1", "m2"}).correct is False


def test_order_is_right_only_in_the_right_order_and_reports_each_place():
    assert mark_question(ORDER, {"x": 2, "y": 1}).correct is True
    result = mark_question(ORDER, {"x": 1, "y": 2})
    assert result.correct is False
    assert [(o.option_id, o.placed, o.position) for o in result.options] == [("x", 1, 2), ("y", 2, 1)]


@pytest.mark.parametrize(
    "q, response",
    [(SINGLE, "z"), (MULTIPLE, {"a", "zz"}), (MULTIPLE, set()), (ORDER, {"x": 1, "y": 1}), (CONFIDENCE, 9)],
)
def test_responses_that_do_not_fit_are_refused(q, response):
    with pytest.raises(ValueError):
        mark_question(q, response)


def test_confidence_is_never_marked():
    assert mark_question(CONFIDENCE, 3).correct is None


def make_quiz(pass_mark=80):
    return Quiz("quiz", "Quiz", pass_mark, (SINGLE, MULTIPLE, ORDER, FLAGS, CONFIDENCE), "v1", None)


def test_quiz_score_ignores_confidence_and_applies_the_pass_mark():
    responses = {"q1": "a", "q2": {"a", "b"}, "q3": {"x": 2, "y": 1}, "q4": {"m1"}, "q5": 2}
    result = mark_quiz(make_quiz(), responses)
    assert (result.score, result.max_score, result.percent, result.passed) == (3, 4, 75, False)
    assert mark_quiz(make_quiz(pass_mark=75), responses).passed is True


def test_a_quiz_with_an_unanswered_question_is_not_marked():
    with pytest.raises(ValueError, match="unanswered: q5"):
        mark_quiz(make_quiz(), {"q1": "a", "q2": {"a"}, "q3": {"x": 1, "y": 2}, "q4": {"m2"}})


def test_eligible_once_every_lesson_passed_and_final_check_done():
    best = {"one": 100, "two": 80}
    result = check_eligibility(["one", "two"], best, {"one", "two"}, final_check_done=True)
    assert result.eligible and result.score == 90


def test_not_eligible_lists_what_is_left():
    result = check_eligibility(["one", "two"], {"one": 100, "two": 40}, {"one"}, final_check_done=False)
    assert not result.eligible
    assert result.lessons_to_pass == ("two",) and result.final_check_done is False and result.score is None


def test_final_check_is_needed_even_with_every_lesson_passed():
    assert not check_eligibility(["one"], {"one": 100}, {"one"}, final_check_done=False).eligible


def test_a_course_without_lessons_never_gives_a_certificate():
    assert not check_eligibility([], {}, set(), final_check_done=True).eligible
