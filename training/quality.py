"""Quality checks on the course content: help routes, reading level, victim-blaming language.

Plain functions with no Flask. Each problem is a Finding that names the file and line, so a
writer can go straight to it. Structure (correct answers, feedback, ids) is checked by the
loader at start-up; these checks look at the words.
"""

import re
from dataclasses import dataclass, replace
from pathlib import Path

from textstat.textstat import textstatistics

from quizzes.questions import MULTIPLE_CHOICE
from safeguarding import routes_rules
from training.curriculum import untaught_key_statements
from training.files import parse_yaml, read_text, split_front_matter

BLAME_PHRASES_FILE = Path(__file__).parent / "blame_phrases.txt"

# Writers mark a quoted blackmailer's words that may legitimately contain blame:
# in YAML a comment on the line or the line above, in Markdown an invisible line before it
# (a link reference definition, which renders as nothing).
YAML_ALLOW = "# blame-ok"
MARKDOWN_ALLOW = re.compile(r"^\[//\]:\s*#\s*\(blame-ok\b.*\)\s*$")

# Reassurance that contains a listed phrase but says the opposite ("it is not your fault"):
# a negation up to two words before the phrase. "Don't be stupid" is still a put-down.
NEGATION = re.compile(
    r"\b(?:not|never|no one|no-one|nobody|none|isn't|wasn't|aren't|weren't|doesn't|didn't"
    r"|shouldn't|won't)\s+(?:[\w']+\s+){0,2}$"
)
COMMAND = re.compile(r"\b(?:don't|do not|never)\s+be\s+$")


@dataclass(frozen=True)
class Finding:
    """One problem in a content file."""

    path: Path
    line: int
    check: str  # "topics", "help routes", "reading level", "blame", "give-aways"
    problem: str

    def __str__(self):
        return f"{self.path}, line {self.line}: {self.problem}"


@dataclass(frozen=True)
class Block:
    """Pupil-facing text from a content file: consecutive lines, the first at `line`."""

    path: Path
    line: int
    lines: tuple[str, ...]
    where: str
    quoted: bool = False  # the blackmailer's own words, shown as an example of manipulation

    def locate(self, offset):
        """The file line of character `offset` in the block's text joined with spaces."""
        position = 0
        for index, text in enumerate(self.lines):
            position += len(text) + 1
            if offset < position:
                return self.line + index
        return self.line + len(self.lines) - 1

    @property
    def text(self):
        """The block as one line of text."""
        return " ".join(self.lines)


@dataclass(frozen=True)
class ReadingLevel:
    """A lesson's reading level, as the check's table shows it."""

    lesson_id: str
    path: Path
    line: int  # the hardest step's heading
    words: int
    grade: float
    ease: float
    ok: bool


# ---------------------------------------------------------------- help routes: phone and web

# Numbers starting with 0 have 10 or 11 digits, except a few well-known short freephone
# numbers (Childline's 0800 1111). The shared rules in safeguarding/routes_rules.py (the ones
# a school's own help routes are checked against) accept any 0-led number of 7 or more digits;
# in the course's own text we also check the length, so "0800 111" is caught.
SHORT_FREEPHONE = {"08001111"}
UK_NUMBER_LENGTHS = (10, 11)
# Numbers without a 0 are the UK's short numbers: 999, 112, 101, 111, 105, 119, the 116 xxx
# helplines (Samaritans' 116 123), and 5 or 6 digit text short codes (Shout's 85258).
UK_SHORT_NUMBER = re.compile(r"999|112|101|111|105|119|116\d{3}|[6-8]\d{4,5}")


def phone_problem(text):
    """What is wrong with a phone number or text short code in the content, or None."""
    problem = routes_rules.phone_problem(text)
    if problem:
        return f"'{text}': {problem}"
    digits, start = re.sub(r"\D", "", text), text.strip()[:1]
    if start == "0" and digits not in SHORT_FREEPHONE and len(digits) not in UK_NUMBER_LENGTHS:
        return f"'{text}' has {len(digits)} digits; a UK number starting with 0 has 10 or 11"
    if start not in ("0", "+") and not UK_SHORT_NUMBER.fullmatch(digits):
        return f"'{text}' is not a UK short number (like 999, 101, 116 123) or text short code (like 85258)"
    return None


def url_problem(text):
    """What is wrong with a web address in the content, or None if it is a well-formed https URL."""
    problem = routes_rules.url_problem(text)
    return f"'{text}': {problem}" if problem else None


# A phone number written in text: after call/ring/phone/text ... to, or any 0-led number.
_PHONE_IN_TEXT = re.compile(
    r"(?:\b(?:call|ring|phone|dial|text\s+\w+\s+to|text)\s+(?:\w+\s+){0,3}?(?:on\s+)?)"
    r"(\+?\d[\d ]*\d|\d)(?![\d,.]\d)|(?<![\d£,.])\b(0\d{2,}(?: \d+)*)\b",
    re.IGNORECASE,
)
_LINK = re.compile(r"\]\(\s*([^)\s]+)[^)]*\)")
_BARE_URL = re.compile(r"(?<!\()\bhttps?://[^\s)>\]]+", re.IGNORECASE)
# Emphasis marks become spaces (same length, so positions still map to lines): **101**.
_EMPHASIS = re.compile(r"[*_`]")


def route_findings(blocks, routes=(), routes_path=None):
    """Problems in the help routes list and in the numbers and links of pupil-facing text."""
    findings = []
    source = read_text(routes_path).splitlines() if routes_path else []
    for route in routes:
        for key, rule in (("phone", phone_problem), ("sms", phone_problem), ("url", url_problem)):
            if key in route:
                problem = rule(route[key])
                if problem:
                    line = _line_of_value(source, key, route[key])
                    findings.append(
                        Finding(Path(routes_path or "help routes"), line, "help routes",
                                f"help route '{route.get('title', '?')}': {problem}")
                    )  # fmt: skip
    for block in blocks:
        text = block.text
        for match in _LINK.finditer(text):
            href = match.group(1)
            if href.lower().startswith("tel:"):
                problem = phone_problem(href[4:].replace("-", " "))
            elif href.lower().startswith("mailto:"):
                problem = None
            else:
                problem = url_problem(href)
            if problem:
                findings.append(
                    Finding(block.path, block.locate(match.start()), "help routes",
                            f"{block.where}: link {problem}")
                )  # fmt: skip
        for match in _BARE_URL.finditer(text):
            problem = url_problem(match.group(0).rstrip(".,;:!?"))
            if problem:
                findings.append(
                    Finding(block.path, block.locate(match.start()), "help routes",
                            f"{block.where}: address {problem}")
                )  # fmt: skip
        for match in _PHONE_IN_TEXT.finditer(_EMPHASIS.sub(" ", text)):
            number = (match.group(1) or match.group(2)).strip()
            if len(number.replace(" ", "")) < 3 and not match.group(2):
                continue  # "call 2 friends": not a number
            problem = phone_problem(number)
            if problem:
                start = match.start(1) if match.group(1) else match.start(2)
                findings.append(
                    Finding(block.path, block.locate(start), "help routes",
                            f"{block.where}: phone number {problem}")
                )  # fmt: skip
    return findings


def _line_of_value(source_lines, key, value):
    needle = f'"{key}": "{value}"'
    for number, text in enumerate(source_lines, start=1):
        if needle in text:
            return number
    return 0


# ---------------------------------------------------------------- reading level

_readability = textstatistics()
# British English, with syllables counted by pyphen's hyphenation dictionary. (For "en_US"
# textstat wants NLTK's CMU dictionary, which it downloads at run time; school servers and CI
# here have no network, and pyphen ships with the package.)
_readability.set_lang("en-GB")

_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)")
_INLINE = re.compile(r"[*_`]|\[([^\]]*)\]\([^)]*\)")


def plain_text(markdown):
    """Markdown as plain sentences: each heading, list item and paragraph ends with a full stop."""
    sentences, paragraph = [], []
    for row in markdown.splitlines() + [""]:
        if MARKDOWN_ALLOW.match(row):
            continue
        is_item = bool(_MARKUP.match(row))
        text = _INLINE.sub(lambda m: m.group(1) or "", _MARKUP.sub("", row)).strip()
        if (not text or is_item) and paragraph:
            sentences.append(_full_stop(" ".join(paragraph)))
            paragraph = []
        if text:
            paragraph.append(text)
        if is_item and text:
            sentences.append(_full_stop(" ".join(paragraph)))
            paragraph = []
    return " ".join(sentences)


def _full_stop(text):
    return text if text[-1] in ".!?:" else text + "."


def reading_level(text):
    """(words, Flesch-Kincaid grade, Flesch reading ease) of plain text."""
    return (
        _readability.lexicon_count(text),
        round(_readability.flesch_kincaid_grade(text), 1),
        round(_readability.flesch_reading_ease(text), 1),
    )


def reading_levels(course, max_grade):
    """Each lesson's reading level; a lesson is too hard above `max_grade`."""
    levels = []
    for lesson in course.lessons:
        words, grade, ease = reading_level(" ".join(plain_text(step.text) for step in lesson.steps))
        hardest = max(lesson.steps, key=lambda s: reading_level(plain_text(s.text))[1])
        levels.append(
            ReadingLevel(lesson.id, lesson.path, hardest.line, words, grade, ease, grade <= max_grade)
        )  # fmt: skip
    return levels


def reading_findings(levels, max_grade):
    """A finding for each lesson above the threshold, at its hardest step."""
    return [
        Finding(level.path, level.line, "reading level",
                f"lesson '{level.lesson_id}' reads at grade {level.grade} (the most allowed is "
                f"{max_grade}): use shorter sentences and everyday words, starting with this step")
        for level in levels if not level.ok
    ]  # fmt: skip


# ---------------------------------------------------------------- victim-blaming language


def load_phrases(path=BLAME_PHRASES_FILE):
    """The maintained list of victim-blaming phrases: one a line, '#' starts a comment."""
    phrases = []
    for row in read_text(path).splitlines():
        phrase = row.split("#", 1)[0].strip().lower()
        if phrase:
            phrases.append(phrase)
    return phrases


def _normalise(text):
    return re.sub(r"[\u2018\u2019\u02bc]", "'", text).lower()


def _pattern(phrase):
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"\b" + r"\s+".join(words) + r"\b")


def blame_findings(blocks, phrases):
    """Each listed phrase in pupil-facing text, unless negated ("not your fault") or quoted."""
    # Longest first, so "you shouldn't have sent" is reported once, not also as "you shouldn't have".
    patterns = [(p, _pattern(p)) for p in sorted(set(phrases), key=len, reverse=True)]
    findings = []
    for block in blocks:
        if block.quoted:
            continue
        text, taken = _normalise(block.text), []
        for phrase, pattern in patterns:
            for match in pattern.finditer(text):
                if any(match.start() < end and start < match.end() for start, end in taken):
                    continue
                before = text[max(0, match.start() - 40) : match.start()]
                if NEGATION.search(before) and not COMMAND.search(before):
                    continue  # reassurance: "it is not your fault", "nobody should have to"
                taken.append(match.span())
                findings.append(
                    Finding(block.path, block.locate(match.start()), "blame",
                            f"{block.where}: \"{phrase}\" can sound as if the pupil is to blame; "
                            "put the blame on the blackmailer")
                )  # fmt: skip
    return sorted(findings, key=lambda f: (str(f.path), f.line))


# ---------------------------------------------------------------- pupil-facing text


def pupil_blocks(course):
    """Every piece of pupil-facing text in the course files, with its file and line.

    Teacher notes and the disclosure guidance are for staff and are left out. Chat messages
    in red-flag questions from anyone but the pupil character are the manipulator's words,
    quoted so that pupils learn to spot them: they are marked quoted (the blame check skips
    them; their feedback is still checked).
    """
    blocks = []
    data = parse_yaml(read_text(course.path), course.path)
    blocks += _yaml_blocks(course.path, data, ("title", "audience", "intro", "closing"), "course")
    for lesson in course.lessons:
        blocks += _lesson_blocks(lesson.path)
    for quiz in course.quizzes():
        blocks += _quiz_blocks(quiz.path)
    return blocks


def _lesson_blocks(path):
    front, body, first_line = split_front_matter(read_text(path), path)
    blocks = _yaml_blocks(path, front, ("title", "summary"), "lesson")
    allowed, paragraph, start = False, [], None
    for number, row in enumerate(body + [""], start=first_line):
        if MARKDOWN_ALLOW.match(row):
            allowed = True
            continue
        if row.strip() and not row.startswith("## "):
            if not paragraph:
                start = number
            paragraph.append(row.strip())
            continue
        if paragraph:
            blocks.append(Block(path, start, tuple(paragraph), "lesson text", quoted=allowed))
            paragraph, allowed = [], False
        if row.startswith("## "):
            blocks.append(Block(path, number, (row[3:].strip(),), "step heading"))
    return blocks


def _quiz_blocks(path):
    data = parse_yaml(read_text(path), path)
    source = read_text(path).splitlines()
    blocks = _yaml_blocks(path, data, ("title",), "quiz", source)
    for question in data.get("questions") or []:
        if not hasattr(question, "line_of"):
            continue
        where = f"question '{question.get('id')}'"
        blocks += _yaml_blocks(path, question, ("prompt", "scenario"), where, source)
        character = question.get("character")
        for key in ("options", "messages", "steps"):
            for entry in question.get(key) or []:
                if not hasattr(entry, "line_of"):
                    continue
                label = f"{where}, {key[:-1]} '{entry.get('id')}'"
                quoted = key == "messages" and entry.get("from") != character
                blocks += _yaml_blocks(path, entry, ("text",), label, source, quoted)
                blocks += _yaml_blocks(path, entry, ("feedback",), label + " feedback", source)
    return blocks


def _yaml_blocks(path, mapping, keys, where, source=(), quoted=False):
    blocks = []
    for key in keys:
        value = mapping.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        line = mapping.line_of(key)
        allowed = quoted or any(YAML_ALLOW in source[n - 1] for n in (line - 1, line) if 0 < n <= len(source))
        if "\n" in value.strip():
            # A block scalar: its text starts on the line after the key.
            rows = tuple(value.rstrip("\n").split("\n"))
            blocks.append(Block(path, line + 1, rows, f"{where} {key}", allowed))
        else:
            blocks.append(Block(path, line, (value,), f"{where} {key}", allowed))
    return blocks


def topic_findings(course):
    """A finding for each topic in course.yaml that no lesson quiz question tests."""
    data = parse_yaml(read_text(course.path), course.path)
    topics = data.get("topics") or {}
    tested = {q.topic for lesson in course.lessons for q in lesson.quiz.questions}
    return [
        Finding(course.path, topics.line_of(topic), "topics", f"topic '{topic}' is not tested by any lesson quiz")
        for topic in course.topics
        if topic not in tested
    ]


# ---------------------------------------------------------------- give-aways

# Where a pattern would let a pupil score without knowing: thresholds agreed for the content check.
POSITION_SHARE = 0.6  # the right option in one file position in more than this share...
POSITION_MIN = 4  # ...of at least this many single/next_step questions
LONGEST_SHARE = 0.4  # the right option the longest in more than this share...
LONGEST_MIN = 3  # ...of at least this many
TRUE_RANGE = (0.35, 0.65)  # true/false: the share answered True must stay inside this...
TRUE_MIN = 6  # ...across at least this many items in the course
RIGHT_SHARE = 0.6  # multiple/red_flags: at most this share of options (messages) right
POSITION_TYPES = ("single", "next_step")


def _ordinal(index):
    return ("first", "second", "third", "fourth", "fifth", "sixth")[index] if index < 6 else f"number {index + 1}"


def _position_findings(questions, path, line, where):
    if len(questions) < POSITION_MIN:
        return []
    positions = {}
    for q in questions:
        index = next(i for i, o in enumerate(q.options) if o.correct)
        positions.setdefault(index, []).append(q)
    index, same = max(positions.items(), key=lambda item: len(item[1]))
    if len(same) / len(questions) <= POSITION_SHARE:
        return []
    ids = ", ".join(q.id for q in same)
    return [Finding(path, line if line else same[0].line, "give-aways",
                    f"{where}: the right option is the {_ordinal(index)} in the file in {len(same)} of "
                    f"{len(questions)} single/next_step questions ({ids}); vary where it sits")]  # fmt: skip


def _longest_findings(questions, path, line, where):
    if len(questions) < LONGEST_MIN:
        return []
    longest = []
    for q in questions:
        right = next(o for o in q.options if o.correct)
        if all(len(right.text) > len(o.text) for o in q.options if o is not right):
            longest.append(q)
    if len(longest) / len(questions) <= LONGEST_SHARE:
        return []
    ids = ", ".join(q.id for q in longest)
    return [Finding(path, line if line else longest[0].line, "give-aways",
                    f"{where}: the right option is the longest in {len(longest)} of {len(questions)} "
                    f"single/next_step questions ({ids}); keep right and wrong options of similar length")]  # fmt: skip


def _right_share_findings(questions, path, line, where):
    options = [o for q in questions for o in q.options]
    if not options:
        return []
    right = sum(1 for o in options if o.correct)
    if right / len(options) <= RIGHT_SHARE:
        return []
    return [Finding(path, line if line else questions[0].line, "give-aways",
                    f"{where}: {right} of {len(options)} options in choose-all and warning-sign questions are "
                    f"right; mix in more wrong ones (at most {round(100 * RIGHT_SHARE)}% right)")]  # fmt: skip


def giveaway_findings(course):
    """Findings where the answers follow a pattern: position, length, true/false balance, choose-all."""
    findings = []
    everything = []
    for quiz in course.quizzes():
        questions = quiz.questions
        everything += questions
        choice = [q for q in questions if q.type in POSITION_TYPES]
        many = [q for q in questions if q.type in MULTIPLE_CHOICE]
        where = f"quiz '{quiz.id}'"
        findings += _position_findings(choice, quiz.path, None, where)
        findings += _longest_findings(choice, quiz.path, None, where)
        findings += _right_share_findings(many, quiz.path, None, where)
    # Across the course: a pattern spread thinly over many quizzes is still a pattern.
    line = course_line(course)
    choice = [q for q in everything if q.type in POSITION_TYPES]
    where = "across the course"
    findings += _position_findings(choice, course.path, line, where)
    findings += _longest_findings(choice, course.path, line, where)
    findings += _right_share_findings([q for q in everything if q.type in MULTIPLE_CHOICE], course.path, line, where)
    true_false = [q for q in everything if q.type == "true_false"]
    if len(true_false) >= TRUE_MIN:
        true = [q for q in true_false if q.option("true").correct]
        share = len(true) / len(true_false)
        if not TRUE_RANGE[0] <= share <= TRUE_RANGE[1]:
            low, high = (round(100 * x) for x in TRUE_RANGE)
            findings.append(Finding(course.path, line, "give-aways",
                                    f"{where}: {len(true)} of {len(true_false)} true/false answers are True; "
                                    f"keep between {low}% and {high}% True"))  # fmt: skip
    return findings


def course_line(course):
    """The line of `lessons:` in course.yaml, where findings across the whole course point."""
    data = parse_yaml(read_text(course.path), course.path)
    return data.line_of("lessons") or 1


# ---------------------------------------------------------------- the curriculum map


def curriculum_findings(course):
    """A finding for each RSHE statement of a key topic (sextortion, images, the law, AI, help) no lesson teaches."""
    if course.statements is None:
        return []
    line = course_line(course)
    return [
        Finding(course.path, line, "curriculum",
                f"RSHE statement '{statement.id}' ({statement.topic.label}) is taught by no lesson of this route: "
                f"name it in the 'rshe' list of the lessons that teach it ({course.statements.path.name}, "
                f"line {statement.line})")
        for statement in untaught_key_statements(course, course.statements)
    ]  # fmt: skip


def check_course(course, max_grade, routes=(), routes_path=None, phrases=None):
    """Run every quality check: (findings, reading levels)."""
    # Learning cues build on Finding, so their module imports this one; imported here, not at the top.
    from training.cues import cue_findings

    blocks = pupil_blocks(course)
    levels = reading_levels(course, max_grade)
    findings = (
        topic_findings(course)
        + route_findings(blocks, routes, routes_path)
        + reading_findings(levels, max_grade)
        + blame_findings(blocks, load_phrases() if phrases is None else phrases)
        + giveaway_findings(course)
        + cue_findings(course)
        + curriculum_findings(course)
    )
    return findings, levels


# ---------------------------------------------------------------- resources for parents and carers


def resource_findings(paths, phrases=None):
    """Help-route numbers and victim-blaming phrases in the parents' letter and sheet (training/content/letters)."""
    blocks = [
        replace(block, where=block.where.replace("lesson", "resource"))
        for path in paths
        for block in _lesson_blocks(path)
    ]
    return route_findings(blocks) + blame_findings(blocks, load_phrases() if phrases is None else phrases)
