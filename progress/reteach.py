"""What to re-teach: pure rules over first-attempt answers and confidence totals. No Flask here.

"First attempt" is each pupil's first go at a quiz: it shows what the lesson taught, before
feedback and retakes. The checks' questions are counted from the final check (the baseline
is what pupils knew before the course); baseline against final is the gain per topic, and the
delayed re-check (quizzes.recheck) against the final check is what pupils kept weeks later.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from dates import day as day_text
from quizzes.questions import CONFIDENCE_SCALE, MULTIPLE_CHOICE, SINGLE_CHOICE
from quizzes.shuffle import ordered_options

# Confidence totals are shown only when at least this many pupils answered, so that no
# single pupil's answer can be picked out.
MIN_CONFIDENCE_PUPILS = 5
PHASE_LABELS = {
    "baseline": "Before the course",
    "lesson": "During the lessons",
    "final": "After the course",
    "recheck": "At the re-check, weeks later",
}


@dataclass(frozen=True)
class QuestionStat:
    """How a class did on one question at the first attempt."""

    quiz_title: str
    question: object
    answered: int
    correct: int
    wrong_choice: str | None  # the most chosen wrong option, as the pupil saw it
    wrong_count: int

    @property
    def share(self):
        """Percent correct at the first attempt, or None if nobody answered."""
        return round(100 * self.correct / self.answered) if self.answered else None


@dataclass(frozen=True)
class TopicGain:
    """Baseline against final check for one topic, over pupils who took both; and the re-check against
    the final check, over pupils who took those two."""

    topic: str
    title: str
    pupils: int
    baseline: int | None  # percent correct
    final: int | None
    recheck_pupils: int = 0
    recheck: int | None = None  # percent correct at the re-check
    recheck_final: int | None = None  # the same pupils' percent correct at the final check

    @property
    def gain(self):
        """Percentage points gained (negative if lower), or None."""
        if self.baseline is None or self.final is None:
            return None
        return self.final - self.baseline

    @property
    def kept(self):
        """Percentage points from the final check to the re-check, for the same pupils (negative if lower), or None."""
        if self.recheck is None or self.recheck_final is None:
            return None
        return self.recheck - self.recheck_final


@dataclass(frozen=True)
class RecheckSummary:
    """Whether a re-check is set and how many pupils have taken it: class figures, never names."""

    day: date | None  # the class's re-check date; None when none is set, or for the whole school
    finished: int  # pupils who took the final check
    taken: int  # pupils who took the re-check
    whole_school: bool = False

    def text(self):
        """'Re-check date: 15 Mar 2027. 4 of 20 pupils who did the final check have taken it.'"""
        took = f"{self.taken} of {self.finished} {'pupil' if self.finished == 1 else 'pupils'} who did the final check"
        taken = f"{took} {'has' if self.finished == 1 else 'have'} taken it."
        if self.whole_school:
            return f"Re-checks are set class by class. {took} {'has' if self.finished == 1 else 'have'} taken one."
        if self.day is None:
            earlier = f" {self.taken} took an earlier one." if self.taken else ""
            return f"No re-check is set for this class: its teacher can set one on the class page.{earlier}"
        return f"Re-check date: {day_text(self.day.isoformat())}. {taken}"


@dataclass(frozen=True)
class BeliefStat:
    """Class totals for one belief item in one phase, e.g. "12 of 15 said True"; never per pupil."""

    question: object
    phase: str
    counts: tuple  # (option, how many chose it), in the question's option order
    answered: int

    @property
    def hidden(self):
        """Too few answers to show without risk of identifying someone."""
        return self.answered < MIN_CONFIDENCE_PUPILS

    @property
    def phase_label(self):
        """'Before the course', 'After the course'..."""
        return PHASE_LABELS.get(self.phase, self.phase)

    def sentences(self):
        """'12 of 15 said True', one per option."""
        return [f"{n} of {self.answered} said {option.text}" for option, n in self.counts]


@dataclass(frozen=True)
class ConfidenceStat:
    """Class totals for one confidence item in one phase; never per pupil."""

    key: str
    prompt: str
    phase: str
    counts: tuple  # how many chose 1, 2, 3, 4, 5
    answered: int

    @property
    def hidden(self):
        """Too few answers to show without risk of identifying someone."""
        return self.answered < MIN_CONFIDENCE_PUPILS

    @property
    def mean(self):
        """The mean answer (1-5) to one decimal place, or None."""
        if not self.answered:
            return None
        total = sum(value * n for value, n in zip(range(1, 6), self.counts, strict=True))
        return round(total / self.answered, 1)

    @property
    def phase_label(self):
        """'Before the course', 'After the course'..."""
        return PHASE_LABELS.get(self.phase, self.phase)


def _questions_in_play(course):
    """(quiz_id, phase, quiz title, question) for each marked question on the re-teach page."""
    for lesson in course.lessons:
        for question in lesson.quiz.marked_questions:
            yield lesson.id, "lesson", lesson.title, question
    for question in course.checks.marked_questions:
        yield course.checks.id, "final", "Final check", question


def wrong_choices(question, response):
    """What a wrong answer chose wrongly: option texts (or a step out of place)."""
    if question.type in SINGLE_CHOICE:
        option = question.option(response)
        return [option.text] if option and not option.correct else []
    if question.type in MULTIPLE_CHOICE:
        chosen = set(response)
        wrong = [o.text for o in question.options if o.id in chosen and not o.correct]
        if wrong:
            return wrong
        # Only correct options chosen, but not all of them: name what was missed.
        return [f"Missed: {o.text}" for o in question.options if o.correct and o.id not in chosen]
    if question.type == "order":
        return [
            f"Put in the wrong place: {o.text}" for o in question.options if str(response.get(o.id)) != str(o.position)
        ]
    return []


def question_stats(course, answers):
    """Per question: share correct at the first attempt and the most chosen wrong option.

    `answers` are first-attempt answer rows (quiz_id, phase, question_id, response, correct), each
    one pupil's answer, or, with a count `n`, that many pupils' identical answers (trusts group them
    in SQL rather than read a million rows). Most missed first; questions nobody answered go last.
    """
    by_question = {}
    for row in answers:
        by_question.setdefault((row["quiz_id"], row["phase"], row["question_id"]), []).append(row)
    stats = []
    for quiz_id, phase, title, question in _questions_in_play(course):
        rows = by_question.get((quiz_id, phase, question.id), [])
        wrong = Counter()
        for row in rows:
            if not row["correct"]:
                for choice in wrong_choices(question, row["response"]):
                    wrong[choice] += row.get("n", 1)
        top = wrong.most_common(1)
        stats.append(
            QuestionStat(
                quiz_title=title,
                question=question,
                answered=sum(r.get("n", 1) for r in rows),
                correct=sum(r.get("n", 1) for r in rows if r["correct"]),
                wrong_choice=top[0][0] if top else None,
                wrong_count=top[0][1] if top else 0,
            )
        )
    answered = sorted((s for s in stats if s.answered), key=lambda s: (s.share, -s.answered))
    return answered + [s for s in stats if not s.answered]


def topic_gains(course, answers):
    """Per course topic: percent correct in the baseline and the final check, and the gain; and the
    re-check beside the final check.

    Baseline and final count only pupils who took both, so the two figures are about the same people;
    the re-check likewise counts only pupils who took the final check and the re-check, and gives their
    final figure again, so what they kept is measured on the same pupils.
    """
    # Only scored questions: answers kept before a question became a belief item do not count.
    scored = {q.id for q in course.checks.marked_questions}
    checks = [r for r in answers if r["phase"] in ("baseline", "final", "recheck") and r["question_id"] in scored]
    by_phase = {"baseline": set(), "final": set(), "recheck": set()}
    for row in checks:
        by_phase[row["phase"]].add(row["pupil_id"])
    groups = {
        "gain": by_phase["baseline"] & by_phase["final"],
        "kept": by_phase["final"] & by_phase["recheck"],
    }
    tally = {}  # (group, topic, phase) -> [correct, answered]
    for row in checks:
        for group, pupils in groups.items():
            if row["pupil_id"] in pupils:
                cell = tally.setdefault((group, row["topic"], row["phase"]), [0, 0])
                cell[0] += 1 if row["correct"] else 0
                cell[1] += 1

    def percent(group, topic, phase):
        correct, answered = tally.get((group, topic, phase), (0, 0))
        return round(100 * correct / answered) if answered else None

    return [
        TopicGain(
            topic,
            title,
            len(groups["gain"]),
            percent("gain", topic, "baseline"),
            percent("gain", topic, "final"),
            len(groups["kept"]),
            percent("kept", topic, "recheck"),
            percent("kept", topic, "final"),
        )  # fmt: skip
        for topic, title in course.topics.items()
        if any(q.topic == topic for q in course.checks.marked_questions)
    ]


def confidence_totals(course, rows):
    """Class totals per confidence item and phase from rows of (item_key, phase, value, n).

    Items come from every quiz in the course (matched by key); an item and phase nobody
    answered is left out. Whether each is shown is up to ConfidenceStat.hidden.
    """
    prompts = {}
    for quiz in course.quizzes():
        for question in quiz.questions:
            if question.type == "confidence":
                prompts.setdefault(question.key, question.prompt)
    counts = {}
    for row in rows:
        cell = counts.setdefault((row["item_key"], row["phase"]), [0] * len(CONFIDENCE_SCALE))
        if 1 <= row["value"] <= len(CONFIDENCE_SCALE):
            cell[row["value"] - 1] += row["n"]
    phase_order = list(PHASE_LABELS)
    keys = list(prompts) + sorted({k for k, _ in counts} - set(prompts))
    stats = []
    for key in keys:
        for phase in phase_order:
            cell = counts.get((key, phase))
            if cell:
                stats.append(ConfidenceStat(key, prompts.get(key, key), phase, tuple(cell), sum(cell)))
    return stats


def belief_totals(course, rows):
    """Class totals per belief item and phase from rows of (question_id, phase, option_id, n).

    Items nobody answered in a phase are left out; whether each is shown is up to BeliefStat.hidden.
    """
    questions = {q.id: q for quiz in course.quizzes() for q in quiz.questions if q.belief}
    counts = {}
    for row in rows:
        cell = counts.setdefault((row["question_id"], row["phase"]), {})
        cell[row["option_id"]] = cell.get(row["option_id"], 0) + row["n"]
    stats = []
    for question_id, question in questions.items():
        for phase in PHASE_LABELS:
            cell = counts.get((question_id, phase))
            if cell:
                pairs = tuple((o, cell.get(o.id, 0)) for o in ordered_options(question))
                stats.append(BeliefStat(question, phase, pairs, sum(cell.values())))
    return stats
