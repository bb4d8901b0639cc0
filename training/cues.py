"""Learning cues: patterns in the quizzes that let a test-wise pupil score without knowing.

Plain functions with no Flask, run by the content check beside the give-aways in quality.py.
Five cues, each reported per quiz and per course with the file and line to change:
absolute words in wrong options only, right answers that always tell or report, choose-all
items that nearly always have the same number right, practice chats where ticking every
message nearly works (or with no plain request for a picture), and check items that nearly
copy a lesson quiz item whose feedback the pupil has already seen.

Only marked questions count: belief and confidence items carry no score, so a cue in them
cannot inflate one.
"""

import difflib
import html
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from quizzes.questions import Question
from training.files import parse_yaml, read_text
from training.quality import POSITION_TYPES, Finding, course_line

# ---------------------------------------------------------------- thresholds

# 1. Absolute words. Per quiz: this many wrong options with one, and no right option with one.
ABSOLUTE_QUIZ_WRONG_MIN = 3
# Per course: the wrong options' share more than this many times the right options' share...
ABSOLUTE_COURSE_RATIO = 2
ABSOLUTE_COURSE_WRONG_MIN = 4  # ...with at least this many wrong options having one.

# 2. Help-seeking bias in single/next_step questions (per quiz with at least HELP_MIN of them,
# and per course): the right option names help in more than HELP_RIGHT_SHARE of the
# questions AND the right options' share is more than HELP_RATIO times the wrong options'.
HELP_MIN = 3
HELP_RIGHT_SHARE = 0.5
HELP_RATIO = 2

# 3. Choose-all (`multiple`) right counts, per course with at least this many such items:
CHOOSE_ALL_MIN = 4
CHOOSE_ALL_SAME_SHARE = 0.5  # one count may cover at most this share of the items

# 4. Practice chats: the share of the other people's messages marked red_flag, per chat.
FLAG_SHARE_RANGE = (0.35, 0.65)

# 5. Near-copies: a check item's prompt (with scenario) this similar to a lesson quiz item's...
NEAR_COPY_PROMPT = 0.6
# ...or this similar, with one of its right options this similar to one of that item's options.
NEAR_COPY_PROMPT_WITH_OPTION = 0.4
NEAR_COPY_OPTION = 0.7

# ---------------------------------------------------------------- words

# Whole words, any case.
ABSOLUTE_WORDS = ("only", "never", "always", "all", "none", "every", "nothing", "must", "anyone", "everyone")
ABSOLUTE = re.compile(r"\b(?:" + "|".join(ABSOLUTE_WORDS) + r")\b", re.IGNORECASE)

# The help words, with their plural and -s/-ed/-ing forms ("parents", "reported", "telling").
HELP_WORDS = ("tell", "told", "adult", "teacher", "parent", "carer", "report", "police", "CEOP", "Childline",
              "help", "DSL")  # fmt: skip
HELP = re.compile(
    r"\b(?:tell(?:s|ing)?|told|adults?|teachers?|parents?|carers?|report(?:s|ed|ing)?|police|ceop|childline"
    r"|help(?:s|ed|ing|lines?)?|dsl)\b",
    re.IGNORECASE,
)

# A plain (calm, non-graphic) request for a nude or sexual picture, or to undress on camera.
REQUEST_WORDS = ("nude", "nudes", "naked", "undress", "clothes off", "top off", "sexy", "sexual")
REQUEST = re.compile(r"\b(?:nudes?|naked|undress(?:ed|ing)?|clothes\s+off|top\s+off|sexy|sexual)\b", re.IGNORECASE)

CHOICE_TYPES = ("single", "next_step", "multiple", "true_false")


def cue_words(pattern, text):
    """The cue words `pattern` finds in `text`, lower-cased, in order, each once."""
    return tuple(dict.fromkeys(match.group(0).lower() for match in pattern.finditer(text)))


# ---------------------------------------------------------------- answers as a pupil sees them


@dataclass(frozen=True)
class Choice:
    """An answer a pupil can pick: its words, whether it is right, and its line in the file."""

    question: str  # the question's id
    option: str  # the option's id; "" for a true/false statement
    text: str
    right: bool
    line: int
    type: str  # the question's type

    @property
    def label(self):
        """'l1-2 option b' or 'l1-3 statement', for findings."""
        return f"{self.question} {'option ' + repr(self.option) if self.option else 'statement'}"


def quiz_choices(quiz):
    """Every marked answer in a quiz: single, next_step and choose-all options, true/false statements.

    A true/false statement counts as a right answer if it is true, a wrong one if it is false.
    """
    items = _yaml_items(quiz.path)
    choices = []
    for question in quiz.questions:
        if not question.marked or question.type not in CHOICE_TYPES:
            continue
        item = items.get(question.id)
        if question.type == "true_false":
            line = item.line_of("prompt") if item else question.line
            choices.append(Choice(question.id, "", question.prompt, question.option("true").correct, line,
                                  question.type))  # fmt: skip
            continue
        for option in question.options:
            line = _entry_line(item, "options", option.id) or question.line
            choices.append(Choice(question.id, option.id, option.text, option.correct, line, question.type))
    return choices


def _yaml_items(path):
    """The quiz file's questions as parsed YAML mappings (which know their lines), by id."""
    data = parse_yaml(read_text(path), path)
    return {str(item.get("id")): item for item in data.get("questions") or [] if hasattr(item, "line_of")}


def _entry_line(item, key, entry_id):
    """The line of the text of option (or message) `entry_id` in a question's mapping, or 0."""
    for entry in (item or {}).get(key) or []:
        if hasattr(entry, "line_of") and str(entry.get("id")).lower() == entry_id:
            return entry.line_of("text")
    return 0


@dataclass(frozen=True)
class Tally:
    """How many right and wrong answers have a cue word: the ones that do, and the totals."""

    right: tuple[Choice, ...]
    right_total: int
    wrong: tuple[Choice, ...]
    wrong_total: int

    @property
    def right_share(self):
        """The share of right answers with a cue word (0 when there are none)."""
        return len(self.right) / self.right_total if self.right_total else 0.0

    @property
    def wrong_share(self):
        """The share of wrong answers with a cue word (0 when there are none)."""
        return len(self.wrong) / self.wrong_total if self.wrong_total else 0.0

    def __add__(self, other):
        return Tally(self.right + other.right, self.right_total + other.right_total,
                     self.wrong + other.wrong, self.wrong_total + other.wrong_total)  # fmt: skip


EMPTY_TALLY = Tally((), 0, (), 0)


def tally(choices, pattern):
    """Which right and which wrong answers among `choices` have a word `pattern` finds."""
    right = [c for c in choices if c.right]
    wrong = [c for c in choices if not c.right]
    return Tally(tuple(c for c in right if pattern.search(c.text)), len(right),
                 tuple(c for c in wrong if pattern.search(c.text)), len(wrong))  # fmt: skip


def absolute_tally(choices):
    """Right and wrong answers with an absolute word (only, never, always...)."""
    return tally(choices, ABSOLUTE)


def help_tally(choices):
    """Right and wrong options of single/next_step questions with a help word (tell, adult, report...)."""
    return tally([c for c in choices if c.type in POSITION_TYPES], HELP)


# ---------------------------------------------------------------- 1. absolute words


def _absolute_quiz_findings(quiz, counted):
    if len(counted.wrong) < ABSOLUTE_QUIZ_WRONG_MIN or counted.right:
        return []
    listed = ", ".join(f"{c.label} (line {c.line}, '{'/'.join(cue_words(ABSOLUTE, c.text))}')" for c in counted.wrong)
    return [Finding(quiz.path, counted.wrong[0].line, "absolute words",
                    f"quiz '{quiz.id}': {len(counted.wrong)} wrong answers have an absolute word and no right "
                    f"answer has one, so a test-wise pupil can rule them out without knowing: {listed}. Reword "
                    "some of these without the absolute word, or give a right answer one where it is true "
                    "(\"It is never your fault\")")]  # fmt: skip


def _absolute_course_findings(course, counted, line):
    if (
        len(counted.wrong) < ABSOLUTE_COURSE_WRONG_MIN
        or counted.wrong_share <= ABSOLUTE_COURSE_RATIO * counted.right_share
    ):
        return []
    return [Finding(course.path, line, "absolute words",
                    f"across the course: {len(counted.wrong)} of {counted.wrong_total} wrong answers "
                    f"({_percent(counted.wrong_share)}) have an absolute word ({', '.join(ABSOLUTE_WORDS)}), against "
                    f"{len(counted.right)} of {counted.right_total} right answers ({_percent(counted.right_share)}). "
                    f"Keep the wrong answers' share no more than {ABSOLUTE_COURSE_RATIO} times the right answers': "
                    "reword some wrong answers, or use these words in right answers where they are true "
                    "(the Learning cues table shows each quiz)")]  # fmt: skip


# ---------------------------------------------------------------- 2. help-seeking bias


def help_bias(counted):
    """Whether right answers name help in more than half the questions and far more often than wrong ones."""
    return (
        counted.right_total >= HELP_MIN
        and counted.right_share > HELP_RIGHT_SHARE
        and counted.right_share > HELP_RATIO * counted.wrong_share
    )


_HELP_ADVICE = (
    "Make some right answers a step that is not telling or reporting (stop replying, block, save the words), "
    'and give some wrong options a plausible second-best that mentions help ("Tell a friend and ask them not '
    'to tell anyone", "Report it to the app and keep chatting until it\'s sorted")'
)


def _help_quiz_findings(quiz, counted):
    if not help_bias(counted):
        return []
    ids = ", ".join(f"{c.question} (line {c.line})" for c in counted.right)
    return [Finding(quiz.path, counted.right[0].line, "help words",
                    f"quiz '{quiz.id}': the right option names telling, reporting or help in {len(counted.right)} of "
                    f"{counted.right_total} single/next_step questions ({ids}), but only {len(counted.wrong)} of "
                    f"{counted.wrong_total} wrong options do, so 'pick the one that tells an adult' scores without "
                    f"knowing. {_HELP_ADVICE}")]  # fmt: skip


def _help_course_findings(course, counted, line):
    if not help_bias(counted):
        return []
    return [Finding(course.path, line, "help words",
                    f"across the course: the right option has a help word ({', '.join(HELP_WORDS)}) in "
                    f"{len(counted.right)} of "
                    f"{counted.right_total} single/next_step questions ({_percent(counted.right_share)}), the wrong "
                    f"options in {len(counted.wrong)} of {counted.wrong_total} ({_percent(counted.wrong_share)}). "
                    f"{_HELP_ADVICE}")]  # fmt: skip


# ---------------------------------------------------------------- 3. choose-all right counts


def choose_all_counts(questions):
    """The number of right options in each choose-all (`multiple`) question, in order."""
    return tuple(sum(o.correct for o in q.options) for q in questions if q.type == "multiple")


def choose_all_problems(items):
    """What is wrong with the spread of right counts over (right, options) pairs: a list of problems."""
    if len(items) < CHOOSE_ALL_MIN:
        return []
    problems = []
    count, same = Counter(right for right, _ in items).most_common(1)[0]
    if same / len(items) > CHOOSE_ALL_SAME_SHARE:
        problems.append(f"{same} of {len(items)} have {count} right")
    if not any(right == 1 for right, _ in items):
        problems.append("none has exactly one right option")
    if not any(right == size - 1 for right, size in items):
        problems.append("none has every option right but one")
    return problems


def _choose_all_findings(course, line):
    questions = [q for quiz in course.quizzes() for q in quiz.questions if q.type == "multiple"]
    items = [(sum(o.correct for o in q.options), len(q.options)) for q in questions]
    problems = choose_all_problems(items)
    if not problems:
        return []
    listed = ", ".join(f"{q.id} {right} of {size}" for q, (right, size) in zip(questions, items, strict=True))
    return [Finding(course.path, line, "choose-all",
                    f"across the course, choose-all questions ({listed}): {'; '.join(problems)}. Vary how many are "
                    "right, from one to all but one (at least one of each), so 'tick the usual number' does not "
                    "work")]  # fmt: skip


# ---------------------------------------------------------------- 4. practice chats


@dataclass(frozen=True)
class Chat:
    """A practice chat (a red_flags question) as the cue sees it."""

    question: Question
    flagged: int  # the other people's messages marked red_flag
    others: int  # messages from anyone but the pupil's character
    request: str  # the id of a flagged message from another person plainly asking for a picture, or ""
    unflagged_request: str  # the id of such a message not marked red_flag, or ""

    @property
    def share(self):
        """The share of the other people's messages that are flagged."""
        return self.flagged / self.others if self.others else 0.0

    @property
    def share_ok(self):
        """Whether the share is inside FLAG_SHARE_RANGE."""
        return FLAG_SHARE_RANGE[0] <= self.share <= FLAG_SHARE_RANGE[1]


def chats(questions):
    """Each red_flags question's flag share (the pupil's own messages left out) and plain request."""
    found = []
    for q in questions:
        if q.type != "red_flags":
            continue
        others = [m for m in q.options if m.sender != q.character]
        requests = [m for m in others if REQUEST.search(m.text)]
        flagged_request = next((m.id for m in requests if m.correct), "")
        unflagged = next((m.id for m in requests if not m.correct), "")
        found.append(Chat(q, sum(m.correct for m in others), len(others), flagged_request, unflagged))
    return found


def _chat_findings(quiz):
    findings = []
    low, high = (_percent(x) for x in FLAG_SHARE_RANGE)
    for chat in chats(quiz.questions):
        q = chat.question
        where = f"question '{q.id}'"
        if not chat.share_ok:
            change = (
                "add an ordinary message from them, or unmark one that is not really a warning sign"
                if chat.share > FLAG_SHARE_RANGE[1]
                else "add a warning sign from them, or mark one that is"
            )
            findings.append(Finding(quiz.path, q.line, "practice chats",
                                    f"{where}: {chat.flagged} of the {chat.others} messages from people other than "
                                    f"{q.character} are red flags ({_percent(chat.share)}); keep it between {low} and "
                                    f"{high}, so ticking every message does not work: {change}"))  # fmt: skip
        if not chat.request:
            hint = (
                f" (message '{chat.unflagged_request}' asks, but is not marked red_flag: true)"
                if chat.unflagged_request
                else ""
            )
            findings.append(Finding(quiz.path, q.line, "practice chats",
                                    f"{where}: no flagged message from someone other than {q.character} plainly asks "
                                    f"for a nude or sexual picture or to undress on camera, the clearest red flag"
                                    f"{hint}. Add one, calm and non-graphic, with one of the words "
                                    f"{', '.join(repr(w) for w in REQUEST_WORDS)} (\"Send me a nude pic of you\", "
                                    "\"Take your top off on camera for me\"), marked red_flag: true"))  # fmt: skip
    return findings


# ---------------------------------------------------------------- 5. near-copies


def words(text):
    """The lower-cased words of a text (curly apostrophes made straight)."""
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", re.sub(r"[\u2018\u2019\u02bc]", "'", text.lower()))


def similarity(first, second):
    """How alike two texts are, from 0 to 1: difflib's ratio on their lower-cased words."""
    return difflib.SequenceMatcher(None, words(first), words(second), autojunk=False).ratio()


def item_text(question):
    """A question's scenario (if any) and prompt as plain text."""
    scenario = html.unescape(re.sub(r"<[^>]+>", " ", question.scenario_html))
    return f"{scenario} {question.prompt}".strip()


def _option_texts(question):
    """The texts a pupil compares as options (a true/false item's are just 'True' and 'False')."""
    return [] if question.type in ("true_false", "confidence") else [o.text for o in question.options]


@dataclass(frozen=True)
class NearCopy:
    """A check item too like a lesson quiz item."""

    check: Question
    twin: Question  # the lesson quiz item
    twin_path: Path  # its file
    prompt: float  # how alike the prompts (with scenarios) are
    option: float  # how alike the closest right option is to one of the twin's options (0 if not counted)


def near_copy(check, item):
    """(prompt likeness, option likeness) if check item `check` near-copies quiz item `item`, else None."""
    prompt = similarity(item_text(check), item_text(item))
    if prompt < NEAR_COPY_PROMPT_WITH_OPTION:
        return None
    rights = [o.text for o in check.options if o.correct] if check.type not in ("true_false", "order") else []
    option = max((similarity(r, t) for r in rights for t in _option_texts(item)), default=0.0)
    if prompt >= NEAR_COPY_PROMPT or option >= NEAR_COPY_OPTION:
        return prompt, option
    return None


def near_copies(checks, lesson_quizzes):
    """Each marked check item that near-copies a lesson quiz item, with its closest twin."""
    found = []
    for check in checks.marked_questions:
        best = None
        for quiz in lesson_quizzes:
            for item in quiz.questions:
                if item.type == "confidence":
                    continue
                alike = near_copy(check, item)
                if alike and (best is None or alike > (best.prompt, best.option)):
                    best = NearCopy(check, item, quiz.path, *alike)
        if best:
            found.append(best)
    return found


def _near_copy_findings(course, copies):
    findings = []
    for copy in copies:
        option = (
            f" and a right option is {_percent(copy.option)} like one of its options"
            if copy.option >= NEAR_COPY_OPTION
            else ""
        )
        findings.append(Finding(course.checks.path, copy.check.line, "near-copies",
                                f"question '{copy.check.id}' is a near-copy of '{copy.twin.id}' in "
                                f"{copy.twin_path.name} (line {copy.twin.line}): the prompts are "
                                f"{_percent(copy.prompt)} alike{option}; pupils have already seen that item's "
                                "feedback. Write a parallel item: the same idea in a new scenario, with new names "
                                "and new wording"))  # fmt: skip
    return findings


# ---------------------------------------------------------------- findings and figures


def cue_findings(course):
    """Every learning cue finding for a course: per quiz, then across the course."""
    findings, absolute, helps = [], EMPTY_TALLY, EMPTY_TALLY
    for quiz in course.quizzes():
        choices = quiz_choices(quiz)
        quiz_absolute, quiz_help = absolute_tally(choices), help_tally(choices)
        absolute, helps = absolute + quiz_absolute, helps + quiz_help
        findings += _absolute_quiz_findings(quiz, quiz_absolute)
        findings += _help_quiz_findings(quiz, quiz_help)
        findings += _chat_findings(quiz)
    line = course_line(course)
    findings += _absolute_course_findings(course, absolute, line)
    findings += _help_course_findings(course, helps, line)
    findings += _choose_all_findings(course, line)
    findings += _near_copy_findings(course, near_copies(course.checks, [lesson.quiz for lesson in course.lessons]))
    return findings


@dataclass(frozen=True)
class CueFigures:
    """One row of the Learning cues table: a quiz, or the course total."""

    name: str
    absolute: Tally
    help: Tally
    choose_all: tuple[int, ...]
    chats: tuple[Chat, ...]
    near_copies: int  # lesson quiz: its items a check item near-copies; checks and total: check items that do


def cue_figures(course):
    """The Learning cues figures: a row per quiz, then a course total row."""
    copies = near_copies(course.checks, [lesson.quiz for lesson in course.lessons])
    rows = []
    for quiz in course.quizzes():
        choices = quiz_choices(quiz)
        # The checks' row counts its items that copy; a lesson quiz's row, its items copied.
        twins = {c.twin.id for c in copies if c.twin_path == quiz.path}
        copied = len(copies) if quiz is course.checks else len(twins)
        rows.append(CueFigures(quiz.id, absolute_tally(choices), help_tally(choices),
                               choose_all_counts(quiz.questions), tuple(chats(quiz.questions)), copied))  # fmt: skip
    total = CueFigures(
        "course total",
        sum((row.absolute for row in rows), EMPTY_TALLY),
        sum((row.help for row in rows), EMPTY_TALLY),
        tuple(count for row in rows for count in row.choose_all),
        tuple(chat for row in rows for chat in row.chats),
        len(copies),
    )
    return rows + [total]


def _percent(share):
    return f"{round(100 * share)}%"


def figure_cells(row):
    """A figures row as table cells: quiz, absolute right, absolute wrong, help right, help wrong,
    choose-all right counts, chat flag shares, plain requests, near-copies."""
    return (
        row.name,
        f"{len(row.absolute.right)}/{row.absolute.right_total}",
        f"{len(row.absolute.wrong)}/{row.absolute.wrong_total}",
        f"{len(row.help.right)}/{row.help.right_total}",
        f"{len(row.help.wrong)}/{row.help.wrong_total}",
        ",".join(str(n) for n in row.choose_all) or "-",
        ", ".join(_percent(chat.share) for chat in row.chats) or "-",
        ", ".join("yes" if chat.request else "no" for chat in row.chats) or "-",
        str(row.near_copies),
    )
