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


# The 11-13 ordering question's shape: telling a trusted adult may come at any point.
STEPS = question(
    "order",
    [
        Option("report", "Report it", "4th", position=4),
        Option("evidence", "Keep the evidence, then block", "2nd", position=2),
        Option("pay", "Don't pay or send more", "1st", position=1),
        Option("adult", "Tell a trusted adult", "any time", position=3, anywhere=True),
    ],
    id="steps",
)


def test_an_order_with_the_adult_step_first_passes():
    result = mark_question(STEPS, {"adult": 1, "pay": 2, "evidence": 3, "report": 4})
    assert result.correct is True and all(o.correct for o in result.options)
    assert mark_quiz(
        Quiz("q", "Q", 100, (STEPS,), "v1", None), {"steps": {"adult": 1, "pay": 2, "evidence": 3, "report": 4}}
    ).passed


@pytest.mark.parametrize("adult", [1, 2, 3, 4])
def test_an_anywhere_step_is_right_in_every_place_when_the_others_keep_their_order(adult):
    others = [place for place in (1, 2, 3, 4) if place != adult]
    response = {"adult": adult, "pay": others[0], "evidence": others[1], "report": others[2]}
    assert mark_question(STEPS, response).correct is True


def test_the_other_steps_are_marked_by_their_order_among_themselves():
    # Evidence and report swapped: both out of order, whatever the adult step's place.
    result = mark_question(STEPS, {"pay": 1, "adult": 2, "report": 3, "evidence": 4})
    assert result.correct is False
    assert {o.option_id: o.correct for o in result.options} == {
        "report": False, "evidence": False, "pay": True, "adult": True,
    }  # fmt: skip
    # Reversed, as a guesser might: still wrong, though the adult step is right anywhere.
    reversed_order = mark_question(STEPS, {o.id: 5 - o.position for o in STEPS.options})
    assert reversed_order.correct is False and next(o for o in reversed_order.options if o.option_id == "adult").correct


def test_without_anywhere_steps_each_step_is_right_only_in_its_own_place():
    result = mark_question(ORDER, {"x": 1, "y": 2})
    assert [(o.option_id, o.correct) for o in result.options] == [("x", False), ("y", False)]


SAFE = question("single", [Option("a", "Keep the words", "yes", correct=True), Option("b", "Save the picture", "no")],
                id="safe", must_pass=True)  # fmt: skip


def must_pass_quiz(pass_mark=50):
    return Quiz("quiz", "Quiz", pass_mark, (SINGLE, MULTIPLE, FLAGS, SAFE, CONFIDENCE), "v1", None)


def test_a_must_pass_question_answered_wrong_fails_the_attempt_whatever_the_percent():
    responses = {"q1": "a", "q2": {"a", "b"}, "q4": {"m2"}, "safe": "b", "q5": 3}
    result = mark_quiz(must_pass_quiz(), responses)
    assert (result.percent, result.passed, result.must_pass_missed) == (75, False, ("safe",))
    right = mark_quiz(must_pass_quiz(), dict(responses, safe="a"))
    assert right.passed and right.must_pass_missed == ()


def test_a_must_pass_question_right_still_needs_the_pass_mark():
    responses = {"q1": "b", "q2": {"a"}, "q4": {"m1"}, "safe": "a", "q5": 3}
    result = mark_quiz(must_pass_quiz(), responses)
    assert (result.percent, result.passed, result.must_pass_missed) == (25, False, ())
