"""Feedback after a quiz: teaching without the key until passed, then every answer."""

from types import SimpleNamespace

from quizzes.feedback import BELIEF, CHANGED, NOT_MARKED, lesson_for_topic, question_feedback
from quizzes.marking import mark_question
from quizzes.questions import Option, Question

from helpers import CHECK_URL, submit_quiz, wrong_answers

SINGLE = Question(
    id="s",
    type="single",
    prompt="What should Maya do?",
    topic="what-to-do",
    options=(
        Option("a", "Pay them", "Paying rarely stops it.", False),
        Option("b", "Tell an adult she trusts", "Yes: an adult can help.", True),
        Option("c", "Delete everything", "Deleting loses the evidence.", False),
    ),
)
MULTIPLE = Question(
    id="m",
    type="multiple",
    prompt="Which are warning signs?",
    topic="warning-signs",
    options=(
        Option("a", "Asks to move to a private app", "Yes, a warning sign.", True),
        Option("b", "Replies the next day", "Not in itself a sign.", False),
        Option("c", "Asks you to keep it secret", "Yes, a warning sign.", True),
        Option("d", "Likes the same music", "Not in itself a sign.", False),
    ),
)
ORDER = Question(
    id="o",
    type="order",
    prompt="Put these in order.",
    topic="what-to-do",
    options=(
        Option("x", "Stop replying", "First, because...", position=1),
        Option("y", "Tell an adult", "Then, because...", position=2),
        Option("z", "Report it", "Then, because...", position=3),
    ),
)


def shown(question, response, order=None, passed=False):
    """The feedback for `response`, with 'Lesson 4' to look at again."""
    return question_feedback(question, mark_question(question, response), order, passed, "Lesson 4")


def texts(feedback):
    """The option texts the feedback shows."""
    return [o.text for o in feedback.options]


def test_a_wrong_choice_shows_why_it_is_wrong_and_where_to_look_but_not_the_right_option():
    f = shown(SINGLE, "a")
    assert f.correct is False and not f.answers_shown
    assert texts(f) == ["Pay them"] and f.options[0].feedback == "Paying rarely stops it."
    assert f.look_again == "Lesson 4"
    assert all(o.correct is not True for o in f.options)
    assert "Yes: an adult can help." not in [o.feedback for o in f.options]


def test_a_right_answer_before_passing_shows_only_what_was_chosen():
    f = shown(SINGLE, "b")
    assert f.correct and texts(f) == ["Tell an adult she trusts"] and f.look_again is None


def test_once_passed_every_option_is_shown_in_the_order_seen():
    f = shown(SINGLE, "a", order=["c", "a", "b"], passed=True)
    assert f.answers_shown and texts(f) == ["Delete everything", "Pay them", "Tell an adult she trusts"]
    assert [o.correct for o in f.options] == [False, False, True]
    assert [o.chosen for o in f.options] == [False, True, False]
    assert all(o.feedback for o in f.options)


def test_choose_all_shows_the_wrong_ones_chosen_and_says_one_was_missed_without_naming_it():
    f = shown(MULTIPLE, {"a", "b"}, order=["d", "c", "b", "a"])
    assert texts(f) == ["Replies the next day"] and f.missed
    assert "Asks you to keep it secret" not in texts(f)


def test_choose_all_with_only_right_ones_chosen_names_no_option():
    f = shown(MULTIPLE, {"a"})
    assert f.correct is False and texts(f) == [] and f.missed and f.look_again == "Lesson 4"


def test_choose_all_with_every_right_one_and_a_wrong_one_does_not_say_missed():
    f = shown(MULTIPLE, {"a", "c", "d"})
    assert texts(f) == ["Likes the same music"] and not f.missed


def test_order_says_which_steps_are_out_of_place_but_not_where_they_belong():
    f = shown(ORDER, {"x": 1, "y": 3, "z": 2}, order=["z", "y", "x"])
    assert f.misplaced == ("Report it", "Tell an adult")
    assert all(o.position is None and not o.feedback for o in f.options)
    assert [o.placed for o in f.options] == [2, 3, 1]


def test_order_once_passed_shows_where_each_step_belongs():
    f = shown(ORDER, {"x": 1, "y": 3, "z": 2}, passed=True)
    assert [(o.placed, o.position) for o in f.options] == [(1, 1), (3, 2), (2, 3)] and not f.misplaced


def test_belief_items_explain_every_option_and_confidence_has_no_verdict():
    options = (Option("true", "True", "Right: never.", True), Option("false", "False", "It is never."))
    belief = Question(
        id="b", type="true_false", prompt="Never their fault.", topic="feelings", belief=True, options=options
    )
    f = question_feedback(belief, None)
    assert f.kind == BELIEF and texts(f) == ["True", "False"] and all(o.feedback for o in f.options)
    assert not any(o.chosen for o in f.options)
    confidence = Question(id="c", type="confidence", prompt="How sure?", options=())
    assert question_feedback(confidence, None).kind == NOT_MARKED


def test_a_question_changed_since_the_attempt_says_so():
    assert question_feedback(SINGLE, None).kind == CHANGED


def test_the_lesson_to_look_at_again_is_the_first_that_tests_the_topic():
    quiz = SimpleNamespace(marked_questions=(SINGLE,))
    lessons = (
        SimpleNamespace(title="One", quiz=SimpleNamespace(marked_questions=(MULTIPLE,))),
        SimpleNamespace(title="Two", quiz=quiz),
    )
    course = SimpleNamespace(lessons=lessons)
    assert lesson_for_topic(course, "what-to-do").title == "Two"
    assert lesson_for_topic(course, "nothing") is None


def test_a_failed_final_check_sends_pupils_to_the_lesson_for_each_topic(client, signed_in_pupil, course):
    response = submit_quiz(client, CHECK_URL.format("final"), course.checks, wrong_answers(course.checks))
    page = client.get(response.location).text
    assert "Right answer" not in page
    for question in course.checks.marked_questions:
        lesson = lesson_for_topic(course, question.topic)
        assert f"Look again at: <strong>{lesson.title}</strong>" in page


def test_the_baseline_check_still_shows_no_feedback(client, signed_in_pupil, course):
    response = submit_quiz(client, CHECK_URL.format("baseline"), course.checks, wrong_answers(course.checks))
    page = client.get(response.location).text
    assert "Look again at" not in page and "feedback-list" not in page


STEPS = Question(
    id="steps",
    type="order",
    prompt="Put these in order.",
    topic="what-to-do",
    options=(
        Option("x", "Stop replying", "First, because...", position=1),
        Option("y", "Tell an adult", "Any time, because...", position=2, anywhere=True),
        Option("z", "Report it", "Then, because...", position=3),
    ),
)


def test_an_order_with_an_anywhere_step_gives_no_misplaced_step_when_the_others_keep_their_order():
    f = shown(STEPS, {"y": 1, "x": 2, "z": 3})
    assert f.correct is True and not f.misplaced
    assert [(o.text, o.correct, o.anywhere) for o in f.options] == [
        ("Stop replying", True, False), ("Tell an adult", True, True), ("Report it", True, False),
    ]  # fmt: skip


def test_an_order_names_only_the_steps_out_of_order_not_the_anywhere_step():
    f = shown(STEPS, {"z": 1, "y": 2, "x": 3})
    assert f.correct is False and f.misplaced == ("Stop replying", "Report it")


def test_a_missed_must_pass_question_is_flagged_and_a_right_one_is_not():
    safe = Question(id="safe", type="single", prompt="?", topic="evidence", must_pass=True, options=SINGLE.options)
    assert shown(safe, "a").must_pass_missed and shown(safe, "a", passed=True).must_pass_missed
    assert not shown(safe, "b").must_pass_missed
    assert not shown(SINGLE, "a").must_pass_missed
