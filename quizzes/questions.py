"""Quiz content: question types, and loading and validating a quiz file."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from training.files import ContentError, parse_yaml, read_text, render_markdown, require

# Types whose answer is one option.
SINGLE_CHOICE = {"single", "true_false", "next_step"}
# Types whose answer is a set of options; right only when it is exactly the right set.
MULTIPLE_CHOICE = {"multiple", "red_flags"}
QUESTION_TYPES = SINGLE_CHOICE | MULTIPLE_CHOICE | {"order", "confidence"}
# The page gives the hint once, in the page's language, so a prompt's own (English or Welsh) is dropped.
CHOOSE_ALL = re.compile(r"\s*\(?(?:choose all that apply|dewiswch bob un sy['’]n berthnasol)\.?\)?\s*$", re.IGNORECASE)
# Types that may be a belief (attitude) item: one answer, no score, class totals only.
BELIEF_TYPES = {"true_false", "single"}

CONFIDENCE_SCALE = (
    (1, "Not sure at all"),
    (2, "A little sure"),
    (3, "Quite sure"),
    (4, "Sure"),
    (5, "Very sure"),
)


@dataclass(frozen=True)
class Option:
    """One option of a question: a choice, a chat message, or a step to put in order."""

    id: str
    text: str
    feedback: str = ""
    correct: bool = False  # for red_flags: this message is a warning sign
    position: int | None = None  # for order: the right place, from 1
    sender: str = ""  # for red_flags: who sent the message
    anywhere: bool = False  # for order: right in any place (telling a trusted adult)


@dataclass(frozen=True)
class Question:
    """A question as the pupil sees it, with everything needed to mark it."""

    id: str
    type: str
    prompt: str
    options: tuple[Option, ...]
    topic: str = ""
    scenario_html: str = ""  # next_step: the situation, as sanitised HTML
    character: str = ""  # red_flags: whose chat it is (their messages show on the right)
    key: str = ""  # confidence: pairs the same item before and after
    line: int = 0
    belief: bool = False  # an attitude item: feedback, but no score and only class totals
    must_pass: bool = False  # safety-critical: an attempt with this wrong does not pass
    # The lesson step that teaches it: a lesson quiz's '## ' heading, or "<lesson id>: <heading>" in the checks.
    review: str = ""
    review_line: int = 0

    @property
    def marked(self):
        """Whether the question counts in the score: confidence and belief items never do."""
        return self.type != "confidence" and not self.belief

    def option(self, option_id):
        """The option with this id, or None."""
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Quiz:
    """A quiz file: its questions, pass mark and content version."""

    id: str
    title: str
    pass_mark: int
    questions: tuple[Question, ...]
    version: str  # a hash of the file, stored with every attempt
    path: Path

    @property
    def marked_questions(self):
        """The questions that count towards the score."""
        return tuple(q for q in self.questions if q.marked)

    def question(self, question_id):
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)


def load_quiz(path, topics, default_pass_mark=80):
    """Read and validate one quiz file; a problem raises ContentError with its line."""
    path = Path(path)
    raw = path.read_bytes()
    data = parse_yaml(read_text(path), path)
    quiz_id = require(data, "quiz", str, path)
    if quiz_id != path.stem:
        raise ContentError(
            path,
            data.line_of("quiz"),
            f"quiz '{quiz_id}' must match the file name '{path.stem}'",
        )
    pass_mark = data.get("pass_mark", default_pass_mark)
    if not isinstance(pass_mark, int) or not 0 < pass_mark <= 100:
        raise ContentError(
            path,
            data.line_of("pass_mark"),
            "pass_mark should be a whole number from 1 to 100",
        )
    raw_questions = require(data, "questions", list, path)
    questions = tuple(_question(item, path, topics) for item in raw_questions)
    seen = set()
    for question in questions:
        if question.id in seen:
            raise ContentError(path, question.line, f"question id '{question.id}' is used twice")
        seen.add(question.id)
    return Quiz(
        id=quiz_id,
        title=require(data, "title", str, path),
        pass_mark=pass_mark,
        questions=questions,
        version=hashlib.sha256(raw).hexdigest()[:16],
        path=path,
    )


def _question(item, path, topics):
    if not hasattr(item, "line"):
        raise ContentError(path, None, "each question should be a mapping of fields")
    qid = str(require(item, "id", (str, int), path))
    where = f"question '{qid}'"
    qtype = require(item, "type", str, path, where)
    if qtype not in QUESTION_TYPES:
        known = ", ".join(sorted(QUESTION_TYPES))
        raise ContentError(
            path,
            item.line_of("type"),
            f"{where}: unknown type '{qtype}' (known: {known})",
        )
    prompt = require(item, "prompt", str, path, where)
    if qtype == "multiple":
        # The page gives this hint once, as the question's description; in the prompt too,
        # screen readers read it twice.
        prompt = CHOOSE_ALL.sub("", prompt).rstrip() or prompt
    topic = ""
    if qtype != "confidence":
        topic = require(item, "topic", str, path, where)
        if topic not in topics:
            raise ContentError(path, item.line_of("topic"), f"{where}: unknown topic '{topic}'")
    belief = item.get("belief", False)
    if belief not in (True, False) or (belief and qtype not in BELIEF_TYPES):
        raise ContentError(
            path, item.line_of("belief"),
            f"{where}: belief must be true or false, and only on {' or '.join(sorted(BELIEF_TYPES))} questions",
        )  # fmt: skip
    fields = {
        "id": qid,
        "type": qtype,
        "prompt": prompt,
        "topic": topic,
        "line": item.line,
        "belief": belief,
        "must_pass": _must_pass(item, qtype, belief, path, where),
        "review": _review(item, qtype, path, where),
        "review_line": item.line_of("review"),
    }
    if qtype == "confidence":
        key = require(item, "key", str, path, where)
        options = tuple(Option(id=str(value), text=label) for value, label in CONFIDENCE_SCALE)
        return Question(**fields, options=options, key=key)
    if qtype == "red_flags":
        character = require(item, "character", str, path, where)
        options = _options(item, "messages", path, where, _message)
        if not any(o.correct for o in options):
            raise ContentError(path, item.line, f"{where}: no message is marked red_flag: true")
        return Question(**fields, options=options, character=character)
    if qtype == "order":
        options = _options(item, "steps", path, where, _step)
        positions = sorted(o.position for o in options)
        if positions != list(range(1, len(options) + 1)):
            raise ContentError(
                path, item.line_of("steps"),
                f"{where}: step positions must be 1 to {len(options)}, each used once (found {positions})",
            )  # fmt: skip
        if sum(not o.anywhere for o in options) < 2:
            # With fewer than two steps in order, any answer would be right.
            raise ContentError(
                path, item.line_of("steps"), f"{where}: at least two steps need an order (without 'anywhere: true')"
            )
        return Question(**fields, options=options)
    options = _options(item, "options", path, where, _choice)
    correct = sum(o.correct for o in options)
    if qtype in SINGLE_CHOICE and correct != 1:
        raise ContentError(
            path,
            item.line,
            f"{where}: needs exactly one correct option (found {correct})",
        )
    if qtype == "multiple" and correct < 1:
        raise ContentError(path, item.line, f"{where}: needs at least one correct option")
    if qtype == "true_false" and sorted(o.id for o in options) != ["false", "true"]:
        raise ContentError(
            path,
            item.line_of("options"),
            f"{where}: true_false options must have the ids 'true' and 'false'",
        )
    scenario_html = ""
    if qtype == "next_step":
        scenario_html = render_markdown(require(item, "scenario", str, path, where))
    return Question(**fields, options=options, scenario_html=scenario_html)


def _must_pass(item, qtype, belief, path, where):
    must_pass = item.get("must_pass", False)
    if not isinstance(must_pass, bool) or (must_pass and (qtype == "confidence" or belief)):
        raise ContentError(
            path, item.line_of("must_pass"),
            f"{where}: must_pass must be true or false, and only on a marked question (not confidence or belief)",
        )  # fmt: skip
    return must_pass


def _review(item, qtype, path, where):
    """The step heading the question points back to; checked against the lessons in training.course."""
    review = item.get("review", "")
    if not isinstance(review, str) or ("review" in item and not review.strip()) or (review and qtype == "confidence"):
        raise ContentError(
            path, item.line_of("review"),
            f"{where}: review should be the text of a lesson step's '## ' heading, and not on a confidence question",
        )  # fmt: skip
    return review.strip()


def _options(item, key, path, where, build):
    raw = require(item, key, list, path, where)
    if len(raw) < 2:
        raise ContentError(path, item.line_of(key), f"{where}: needs at least two {key}")
    options = []
    for entry in raw:
        if not hasattr(entry, "line"):
            raise ContentError(path, item.line_of(key), f"{where}: each of {key} should be a mapping")
        option_id = str(require(entry, "id", (str, int, bool), path, where)).lower()
        if any(o.id == option_id for o in options):
            raise ContentError(path, entry.line, f"{where}: option id '{option_id}' is used twice")
        options.append(build(entry, option_id, path, f"{where}, option '{option_id}'"))
    return tuple(options)


def _feedback(entry, path, where):
    feedback = require(entry, "feedback", str, path, where)
    if not feedback.strip():
        raise ContentError(path, entry.line_of("feedback"), f"{where}: 'feedback' is empty")
    return feedback


def _no_anywhere(entry, path, where):
    if "anywhere" in entry:
        raise ContentError(
            path, entry.line_of("anywhere"), f"{where}: 'anywhere' is only for the steps of an order question"
        )


def _choice(entry, option_id, path, where):
    _no_anywhere(entry, path, where)
    default_text = {"true": "True", "false": "False"}.get(option_id)
    text = entry.get("text") or default_text
    if not isinstance(text, str):
        raise ContentError(path, entry.line, f"{where}: 'text' is missing")
    return Option(
        id=option_id,
        text=text,
        feedback=_feedback(entry, path, where),
        correct=entry.get("correct") is True,
    )


def _message(entry, option_id, path, where):
    _no_anywhere(entry, path, where)
    return Option(
        id=option_id,
        text=require(entry, "text", str, path, where),
        sender=require(entry, "from", str, path, where),
        feedback=_feedback(entry, path, where),
        correct=entry.get("red_flag") is True,
    )


def _step(entry, option_id, path, where):
    position = require(entry, "position", int, path, where)
    anywhere = entry.get("anywhere", False)
    if not isinstance(anywhere, bool):
        raise ContentError(path, entry.line_of("anywhere"), f"{where}: anywhere must be true or false")
    return Option(
        id=option_id,
        text=require(entry, "text", str, path, where),
        position=position,
        feedback=_feedback(entry, path, where),
        anywhere=anywhere,
    )
