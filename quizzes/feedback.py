"""What a pupil is shown after a quiz: teaching feedback until the quiz is passed, then every answer.

No Flask here. After a failed attempt a wrong answer shows why the options the pupil chose are
wrong and which lesson to look at again, but never which option is right, the right options'
feedback, or where a step belongs: otherwise the retake is copying. Once the pupil has passed
the quiz (this attempt or an earlier one) every option and its feedback is shown. Options are
listed in the order the pupil saw them.
"""

from dataclasses import dataclass

from quizzes.questions import MULTIPLE_CHOICE
from quizzes.shuffle import ordered_options

# QuestionFeedback.kind
ANSWERED = "answered"
NOT_MARKED = "not marked"  # confidence: no right or wrong
BELIEF = "belief"  # not kept with the attempt; every option's explanation is shown
CHANGED = "changed"  # the question changed since the attempt


@dataclass(frozen=True)
class ShownOption:
    """One option as the feedback shows it."""

    text: str
    chosen: bool
    feedback: str = ""  # '' when it is not shown
    correct: bool | None = None  # None: not revealed
    placed: int | None = None  # order: where the pupil put the step
    position: int | None = None  # order: where it belongs (only once answers are shown)
    sender: str = ""
    anywhere: bool = False  # order, once answers are shown: the step is right in any place


@dataclass(frozen=True)
class QuestionFeedback:
    """Everything the feedback page shows about one question."""

    question: object
    kind: str
    correct: bool | None = None
    answers_shown: bool = False
    options: tuple[ShownOption, ...] = ()
    misplaced: tuple[str, ...] = ()  # order, answers hidden: steps not in their place
    missed: bool = False  # multiple/red_flags, answers hidden: a right option was not chosen
    look_again: str | None = None  # a lesson title, after a wrong answer
    must_pass_missed: bool = False  # a safety-critical question answered wrong: the attempt cannot pass


def question_feedback(question, result, order=None, answers_shown=False, look_again=None):
    """Decide what the pupil sees about one marked `result` (or None if nothing was kept).

    `order` is the option ids as the pupil saw them (None: file order); `answers_shown` is
    whether the pupil has passed this quiz; `look_again` the lesson title for a wrong answer.
    """
    if question.type == "confidence":
        return QuestionFeedback(question, NOT_MARKED)
    if question.belief:
        # Never kept against the pupil, so there is no answer to show: explain every option.
        options = tuple(ShownOption(o.text, False, o.feedback, o.correct) for o in ordered_options(question, order))
        return QuestionFeedback(question, BELIEF, options=options, answers_shown=True)
    if result is None:
        return QuestionFeedback(question, CHANGED)
    marked = {o.option_id: o for o in result.options}
    seen = [marked[o.id] for o in ordered_options(question, order) if o.id in marked]
    must_pass_missed = question.must_pass and not result.correct
    if answers_shown:
        options = tuple(
            ShownOption(
                o.text, o.chosen, o.feedback, o.correct, o.placed, o.position, _sender(question, o),
                _anywhere(question, o),
            )
            for o in seen
        )  # fmt: skip
        return QuestionFeedback(question, ANSWERED, result.correct, True, options, must_pass_missed=must_pass_missed)
    if result.correct:
        # Right: what the pupil chose, and why it is right. Nothing they did not choose.
        options = tuple(
            ShownOption(
                o.text, True, o.feedback, True, o.placed, o.position, _sender(question, o), _anywhere(question, o)
            )
            for o in seen
            if o.chosen
        )
        return QuestionFeedback(question, ANSWERED, True, False, options)
    if question.type == "order":
        misplaced = tuple(o.text for o in seen if not o.correct)
        options = tuple(ShownOption(o.text, True, placed=o.placed) for o in seen)
        return QuestionFeedback(
            question, ANSWERED, False, False, options, misplaced, look_again=look_again,
            must_pass_missed=must_pass_missed,
        )  # fmt: skip
    # Wrong: only the chosen options that are wrong, with why; the right ones stay unnamed.
    wrong = [o for o in seen if o.chosen and not o.correct]
    options = tuple(ShownOption(o.text, True, o.feedback, False, sender=_sender(question, o)) for o in wrong)
    missed = question.type in MULTIPLE_CHOICE and any(o.correct and not o.chosen for o in seen)
    return QuestionFeedback(
        question, ANSWERED, False, False, options, missed=missed, look_again=look_again,
        must_pass_missed=must_pass_missed,
    )  # fmt: skip


def _sender(question, marked_option):
    option = question.option(marked_option.option_id)
    return option.sender if option else ""


def _anywhere(question, marked_option):
    option = question.option(marked_option.option_id)
    return bool(option and option.anywhere)


def lesson_for_topic(course, topic):
    """The first lesson whose quiz tests `topic` (a scored question), or None."""
    for lesson in course.lessons:
        if any(q.topic == topic for q in lesson.quiz.marked_questions):
            return lesson
    return None
