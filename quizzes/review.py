"""Going back over the lesson after two failed attempts: which attempts count, and which steps to show.

No Flask here. After two failed attempts in a row at a quiz, the pupil reads again the lesson steps
that teach what they got wrong before trying the same items again (CONTENT.md: assessment). A
question names its step in `review`: in a lesson quiz the exact '## ' heading of a step of that
lesson; in the checks "<lesson id>: <heading>". Without one, the steps of the lesson whose heading
matches the question's topic are shown, or else the lesson's first step.
"""

from dataclasses import dataclass

from quizzes.feedback import lesson_for_topic

# Failed attempts in a row (since the last review, or the last pass) that send a pupil back to the lesson.
FAILURES_BEFORE_REVIEW = 2
# Phases that can send a pupil back: the baseline check has no pass or fail for the pupil.
REVIEW_PHASES = ("lesson", "final")
CHECKS_SEPARATOR = ": "


@dataclass(frozen=True)
class ReviewStep:
    """A lesson step to read again, and the questions it helps with."""

    lesson: object
    number: int  # from 1, as in the step's URL
    step: object
    questions: tuple = ()


def review_due(phase, failures_in_a_row):
    """Whether the pupil goes back over the lesson before trying this quiz again."""
    return phase in REVIEW_PHASES and failures_in_a_row >= FAILURES_BEFORE_REVIEW


def split_checks_review(review):
    """'<lesson id>: <heading>' as (lesson id, heading); (None, review) without the separator."""
    lesson_id, separator, heading = review.partition(CHECKS_SEPARATOR)
    if not separator:
        return None, review
    return lesson_id.strip(), heading.strip()


def review_problem(review, lesson=None, lessons=()):
    """What is wrong with a question's `review` (None if it is right).

    For a lesson quiz pass its `lesson`; for the checks, the course's `lessons`.
    """
    if lesson is not None:
        if _step_number(lesson, review) is None:
            return f"review '{review}' is not the heading of a step of lesson '{lesson.id}' ({_headings(lesson)})"
        return None
    lesson_id, heading = split_checks_review(review)
    if lesson_id is None:
        return f"review '{review}' should be '<lesson id>: <step heading>' in the checks"
    target = next((candidate for candidate in lessons if candidate.id == lesson_id), None)
    if target is None:
        known = ", ".join(candidate.id for candidate in lessons)
        return f"review '{review}': '{lesson_id}' is not a lesson of this course ({known})"
    if _step_number(target, heading) is None:
        return (
            f"review '{review}': '{heading}' is not the heading of a step of lesson '{lesson_id}' ({_headings(target)})"
        )
    return None


def steps_for_question(course, lesson, question):
    """The (lesson, step number) pairs that teach `question`; `lesson` is None for the checks."""
    if question.review:
        if lesson is not None:
            number = _step_number(lesson, question.review)
            return [(lesson, number)] if number else _by_topic(course, lesson, question)
        lesson_id, heading = split_checks_review(question.review)
        target = course.lesson(lesson_id) if lesson_id else None
        number = _step_number(target, heading) if target else None
        if number:
            return [(target, number)]
    return _by_topic(course, lesson, question)


def steps_to_review(course, lesson, questions):
    """The steps teaching `questions` (those answered wrong), once each, in course order."""
    found = {}
    for question in questions:
        for target, number in steps_for_question(course, lesson, question):
            found.setdefault((target.number, number), (target, []))[1].append(question)
    return [
        ReviewStep(target, number, target.steps[number - 1], tuple(asked))
        for (_, number), (target, asked) in sorted(found.items(), key=lambda item: item[0])
    ]


def _by_topic(course, lesson, question):
    """Steps whose heading matches the question's topic label, else the lesson's first step."""
    target = lesson or lesson_for_topic(course, question.topic)
    if target is None:
        return []
    label = str(course.topics.get(question.topic, "")).casefold()
    matching = [
        number
        for number, step in enumerate(target.steps, start=1)
        if label and (label in step.title.casefold() or step.title.casefold() in label)
    ]
    return [(target, number) for number in matching or [1]]


def _step_number(lesson, heading):
    return next((number for number, step in enumerate(lesson.steps, start=1) if step.title == heading), None)


def _headings(lesson):
    return "its steps: " + "; ".join(f"'{step.title}'" for step in lesson.steps)
