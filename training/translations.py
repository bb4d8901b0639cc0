"""Courses in other languages: each translated file mirrors its English file, keyed by the same ids.

No Flask. A course's translation into a language lives in a folder named for the language inside the course's own
folders (`training/content/<course>/cy/`, `quizzes/content/<course>/cy/`), file for file. It is read by the same
loader and held to parity with the English: the same keys, ids, order, right answers, numbers and flags, the same
phone numbers and web addresses in every text, the same number of lesson steps, and each `review` naming the same
step. Only the words differ, so progress, attempts and marking never depend on the language. A broken or unequal
file stops start-up with its file and line, as an English one does.

Each translated file says whether a fluent safeguarding professional has reviewed it (`reviewed: false`, or
`reviewed: {by: ..., on: YYYY-MM-DD}`); the admin's language page lists them.
"""

import dataclasses
import re
from pathlib import Path

from quizzes.review import split_checks_review
from training.files import ContentError, parse_yaml, read_text, split_front_matter

# Keys whose values are the same in every language: ids, the answers and the numbers the engine reads. Everything
# else that is text is words, translated; anything that is not text (flags, numbers) must be equal too.
STRUCTURAL_KEYS = frozenset({
    "id", "quiz", "type", "topic", "route", "year_groups", "max_reading_grade", "lessons", "checks", "rshe",
    "correct", "position", "red_flag", "must_pass", "anywhere", "belief", "key", "pass_mark", "minutes",
    "from", "character",
})  # fmt: skip
# Keys only a translation has.
TRANSLATION_KEYS = frozenset({"reviewed"})
# `review` names a step by its heading, which is translated: compared by the step it names, not by its words.
REVIEW_KEY = "review"

# What must survive translation character for character: web addresses and help-line numbers (a changed digit sends
# a frightened pupil to the wrong place).
_ADDRESS = re.compile(r"\b(?:[a-z0-9-]+\.)+(?:uk|org|com|net|gov|police)(?:/[\w./#?=-]*[\w/])?", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\d-])(?:0\d{3,5}[ ]?\d{3,5}(?:[ ]?\d{3,5})?|116[ ]?\d{3}|999|101|111)(?![\d-])")


def contacts(text):
    """The web addresses and help-line numbers in `text`, normalised (no spaces, lower case)."""
    found = {match.lower().rstrip("/") for match in _ADDRESS.findall(text)}
    found |= {re.sub(r"\s", "", match) for match in _PHONE.findall(text)}
    return found


def is_reviewed(value):
    """Whether a `reviewed` field records a review (who did it)."""
    return isinstance(value, dict) and bool(value.get("by"))


@dataclasses.dataclass(frozen=True)
class TranslatedFile:
    """One translated content file and whether it has been reviewed."""

    path: Path
    reviewed: object

    @property
    def is_reviewed(self):
        """Whether a fluent safeguarding professional has reviewed it."""
        return is_reviewed(self.reviewed)


def translation_folders(course, language):
    """(training folder, quiz folder) of `course`'s translation into `language`."""
    training_dir = Path(course.path).parent
    quiz_dir = Path(course.checks.path).parent
    return training_dir / language, quiz_dir / language


def file_pairs(course, language):
    """(English file, its translation's path) for every content file of `course`, in reading order."""
    training_dir, quiz_dir = translation_folders(course, language)
    pairs = [(Path(course.path), training_dir / "course.yaml")]
    for lesson in course.lessons:
        pairs.append((Path(lesson.path), training_dir / "lessons" / Path(lesson.path).name))
        pairs.append((Path(lesson.quiz.path), quiz_dir / Path(lesson.quiz.path).name))
    pairs.append((Path(course.checks.path), quiz_dir / Path(course.checks.path).name))
    return pairs


def parity_problems(english_path, translated_path):
    """Every way `translated_path` differs from `english_path` but in its words, as ContentErrors (empty: in
    parity). `review` fields are compared by load_translation, which knows the lessons."""
    english_path, translated_path = Path(english_path), Path(translated_path)
    if not translated_path.exists():
        return [ContentError(translated_path, None, f"no translation of {english_path}")]
    try:
        english, english_steps = _read(english_path)
        translated, translated_steps = _read(translated_path)
    except ContentError as error:
        return [error]
    problems = []
    if "reviewed" not in translated:
        problems.append(
            ContentError(translated_path, translated.line, "needs 'reviewed: false' (or who reviewed it, and when)")
        )
    _compare(english, translated, "", translated_path, translated, problems)
    if english_steps is not None:
        _compare_steps(english_steps, translated_steps, translated_path, problems)
    return problems


def load_translation(course, language, load_course, **options):
    """`course` in `language` (a Course with the same ids, its quizzes keeping the English versions), or None if
    it has no folder for the language. Any file missing or out of parity raises ContentError (the first)."""
    training_dir, quiz_dir = translation_folders(course, language)
    if not training_dir.is_dir():
        return None
    for english_path, translated_path in file_pairs(course, language):
        problems = parity_problems(english_path, translated_path)
        if problems:
            raise problems[0]
    translated = load_course(training_dir, quiz_dir, folder_id=course.id, **options)
    _check_reviews_match(course, translated)
    # The same quiz in another language: an attempt started in one language can be sent in the other.
    lessons = tuple(
        dataclasses.replace(mine, quiz=dataclasses.replace(mine.quiz, version=theirs.quiz.version))
        for mine, theirs in zip(translated.lessons, course.lessons, strict=True)
    )
    checks = dataclasses.replace(translated.checks, version=course.checks.version)
    return dataclasses.replace(translated, lessons=lessons, checks=checks, language=language)


def translated_files(course, language):
    """Each of `course`'s translated files into `language` with its `reviewed` field (for the admin's page)."""
    files = []
    for _, translated_path in file_pairs(course, language):
        if translated_path.exists():
            data, _ = _read(translated_path)
            files.append(TranslatedFile(translated_path, data.get("reviewed", False)))
    return files


def _read(path):
    """A content file's data, and for a lesson its steps as [(heading, text, line)]."""
    text = read_text(path)
    if path.suffix != ".md":
        return parse_yaml(text, path), None
    front, body, first_line = split_front_matter(text, path)
    steps, current = [], None
    for number, row in enumerate(body, start=first_line):
        if row.startswith("## "):
            current = [row[3:].strip(), [], number]
            steps.append(current)
        elif current is not None:
            current[1].append(row)
    return front, [(heading, "\n".join(lines), line) for heading, lines, line in steps]


def _line(node, key=None):
    if hasattr(node, "line_of"):
        return node.line_of(key) if key is not None else node.line
    return None


def _compare(english, translated, where, path, parent, problems, key=None):
    """Walk both trees side by side, adding a ContentError for each difference that is more than words."""
    line = _line(parent, key)
    label = where or "the file"
    if isinstance(english, dict):
        if not isinstance(translated, dict):
            problems.append(ContentError(path, line, f"{label} should be a mapping, as in English"))
            return
        for missing in [k for k in english if k not in translated]:
            problems.append(
                ContentError(path, translated.line, f"{label}: '{missing}' is missing (the English has it)")
            )
        for extra in [k for k in translated if k not in english and k not in TRANSLATION_KEYS]:
            problem = f"{label}: '{extra}' is not in the English"
            problems.append(ContentError(path, translated.line_of(extra), problem))
        for name, value in english.items():
            if name not in translated or name == REVIEW_KEY:
                continue
            inner = f"{where}.{name}" if where else str(name)
            if name in STRUCTURAL_KEYS:
                if value != translated[name]:
                    problems.append(
                        ContentError(
                            path,
                            translated.line_of(name),
                            f"{inner} is {translated[name]!r}; it must be as in English ({value!r})",
                        )
                    )
            else:
                _compare(value, translated[name], _where(inner, value), path, translated, problems, name)
    elif isinstance(english, list):
        if not isinstance(translated, list) or len(english) != len(translated):
            count = len(translated) if isinstance(translated, list) else "not a list"
            problems.append(
                ContentError(path, line, f"{label} has {count} items; the English has {len(english)}, in that order")
            )
            return
        for number, (mine, theirs) in enumerate(zip(english, translated, strict=True), start=1):
            _compare(mine, theirs, _where(f"{label} item {number}", mine), path, theirs, problems)
    elif isinstance(english, str):
        if not isinstance(translated, str) or not translated.strip():
            problems.append(ContentError(path, line, f"{label} is not translated (empty or not text)"))
            return
        lost = contacts(english) - contacts(translated)
        if lost:
            problems.append(
                ContentError(path, line, f"{label} lost {', '.join(sorted(lost))}: numbers and addresses stay exact")
            )
    elif english != translated:
        problems.append(ContentError(path, line, f"{label} is {translated!r}; it must be as in English ({english!r})"))


def _where(label, node):
    """A label naming a question, option or step by its id, so a problem says which one."""
    if isinstance(node, dict) and "id" in node:
        return f"{label} '{node['id']}'"
    return label


def _compare_steps(english_steps, translated_steps, path, problems):
    if len(english_steps) != len(translated_steps):
        problems.append(
            ContentError(
                path,
                None,
                f"has {len(translated_steps)} '## ' steps; the English has {len(english_steps)}, in that order",
            )
        )
        return
    for number, ((heading, text, _), (their_heading, their_text, line)) in enumerate(
        zip(english_steps, translated_steps, strict=True), start=1
    ):
        lost = contacts(heading + "\n" + text) - contacts(their_heading + "\n" + their_text)
        if lost:
            problems.append(
                ContentError(
                    path, line, f"step {number} lost {', '.join(sorted(lost))}: numbers and addresses stay exact"
                )
            )


def _check_reviews_match(course, translated):
    """Each translated question's `review` names the same step (by number) as the English one."""
    for english_quiz, quiz in zip(course.quizzes(), translated.quizzes(), strict=True):
        lesson = course.lesson(english_quiz.id)
        for english_question, question in zip(english_quiz.questions, quiz.questions, strict=True):
            theirs = _review_target(question.review, translated, translated.lesson(quiz.id))
            mine = _review_target(english_question.review, course, lesson)
            if mine != theirs:
                raise ContentError(
                    quiz.path,
                    question.review_line or question.line,
                    f"question '{question.id}': review names {_describe(theirs)}; the English names {_describe(mine)}",
                )


def _review_target(review, course, lesson):
    """(lesson id, step number) a `review` names, or None without one."""
    if not review:
        return None
    if lesson is None:
        lesson_id, heading = split_checks_review(review)
        lesson = course.lesson(lesson_id)
    else:
        heading = review
    numbers = [number for number, step in enumerate(lesson.steps, start=1) if step.title == heading]
    return (lesson.id, numbers[0] if numbers else None)


def _describe(target):
    return "no step" if target is None else f"step {target[1]} of '{target[0]}'"
