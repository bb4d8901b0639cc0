"""Marking: pure functions from a quiz and a pupil's responses to a result. No Flask here.

A response is, by question type:
- single, true_false, next_step: the chosen option id (str)
- multiple, red_flags: the chosen option ids (a set; may be empty for red_flags)
- order: {option id: position}. A step marked `anywhere` is right in any place; each other step is
  right when its place among those steps is its place in the model order, so the whole answer is
  right when they keep the model's relative order (telling a trusted adult first is fine)
- confidence: 1 to 5 (never marked)

Belief items (question.belief) are marked like any single/true_false question, so their
feedback says whether the answer agrees with the course, but they never count in the score.
A `must_pass` question is safety-critical: an attempt with it wrong does not pass, whatever the score.
"""

from dataclasses import dataclass

from quizzes.questions import MULTIPLE_CHOICE, SINGLE_CHOICE


@dataclass(frozen=True)
class OptionFeedback:
    """What the pupil sees about one option after submitting."""

    option_id: str
    text: str
    chosen: bool
    correct: bool  # the option is right (or: is a red flag)
    feedback: str
    placed: int | None = None  # order: where the pupil put it
    position: int | None = None  # order: where it belongs


@dataclass(frozen=True)
class QuestionResult:
    """One marked question."""

    question_id: str
    correct: bool | None  # None: not marked (confidence)
    response: object
    options: tuple[OptionFeedback, ...]


@dataclass(frozen=True)
class QuizResult:
    """A whole marked quiz."""

    score: int
    max_score: int
    percent: int
    passed: bool
    questions: tuple[QuestionResult, ...]
    must_pass_missed: tuple[str, ...] = ()  # ids of safety-critical questions answered wrong


def mark_question(question, response):
    """Mark one response; raises ValueError for a response that does not fit the question."""
    ids = {o.id for o in question.options}
    if question.type in SINGLE_CHOICE:
        if response not in ids:
            raise ValueError(f"{question.id}: '{response}' is not an option")
        chosen = {response}
        correct = question.option(response).correct
    elif question.type in MULTIPLE_CHOICE:
        chosen = set(response)
        if not chosen <= ids:
            raise ValueError(f"{question.id}: unknown options {sorted(chosen - ids)}")
        if question.type == "multiple" and not chosen:
            raise ValueError(f"{question.id}: nothing chosen")
        correct = chosen == {o.id for o in question.options if o.correct}
    elif question.type == "order":
        if set(response) != ids or sorted(response.values()) != list(range(1, len(ids) + 1)):
            raise ValueError(f"{question.id}: each step needs its own position")
        right = steps_in_order(question, response)
        options = tuple(
            OptionFeedback(o.id, o.text, True, o.id in right, o.feedback, response[o.id], o.position)
            for o in question.options
        )
        return QuestionResult(question.id, all(o.correct for o in options), dict(response), options)
    elif question.type == "confidence":
        if response not in range(1, 6):
            raise ValueError(f"{question.id}: confidence is 1 to 5")
        return QuestionResult(question.id, None, response, ())
    else:
        raise ValueError(f"{question.id}: unknown type {question.type}")
    options = tuple(OptionFeedback(o.id, o.text, o.id in chosen, o.correct, o.feedback) for o in question.options)
    stored = response if question.type in SINGLE_CHOICE else sorted(chosen)
    return QuestionResult(question.id, correct, stored, options)


def steps_in_order(question, response):
    """The ids of an order question's steps that are right where the pupil put them.

    `anywhere` steps always; each other step when its place among the non-anywhere steps (as
    the pupil placed them) is its place among them in the model order.
    """
    ordered = [o for o in question.options if not o.anywhere]
    model = sorted(ordered, key=lambda o: o.position)
    placed = sorted(ordered, key=lambda o: response[o.id])
    return {o.id for o in question.options if o.anywhere} | {
        mine.id for mine, expected in zip(placed, model, strict=True) if mine.id == expected.id
    }


def mark_quiz(quiz, responses):
    """Mark every question of `quiz`; `responses` maps question id to response."""
    missing = [q.id for q in quiz.questions if q.id not in responses]
    if missing:
        raise ValueError(f"unanswered: {', '.join(missing)}")
    results = tuple(mark_question(q, responses[q.id]) for q in quiz.questions)
    # Belief items are marked (for their feedback) but, like confidence, never scored.
    counted = [r for r, q in zip(results, quiz.questions, strict=True) if q.marked]
    score = sum(1 for r in counted if r.correct)
    max_score = len(counted)
    percent = round(100 * score / max_score) if max_score else 100
    missed = tuple(
        q.id for r, q in zip(results, quiz.questions, strict=True) if q.must_pass and q.marked and not r.correct
    )
    return QuizResult(score, max_score, percent, percent >= quiz.pass_mark and not missed, results, missed)
