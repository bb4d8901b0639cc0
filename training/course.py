"""The course: loading and validating course.yaml, the lessons and their quizzes, once."""

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from quizzes.questions import Quiz, load_quiz
from quizzes.review import review_problem
from training.curriculum import STATEMENTS_FILE, lesson_statements, load_statements
from training.files import (
    ContentError,
    parse_yaml,
    read_text,
    render_markdown,
    require,
    split_front_matter,
)
from training.translations import load_translation


@dataclass(frozen=True)
class Step:
    """One screen of a lesson."""

    title: str
    html: str
    text: str  # the Markdown source, for the content check and read-aloud
    line: int


@dataclass(frozen=True)
class Lesson:
    """A lesson: its steps, its quiz and the notes for staff."""

    id: str
    number: int
    title: str
    minutes: int
    summary: str
    steps: tuple[Step, ...]
    quiz: Quiz
    teacher_notes: dict
    path: Path
    line: int = 1  # the line of the lesson's `id`, for errors that name it
    rshe: tuple[str, ...] = ()  # the ids of the RSHE statements it teaches (training/content/rshe-2025.yaml)


@dataclass(frozen=True)
class Course:
    """The whole course as loaded at start-up."""

    id: str
    route: str  # "11-13" or "14-18": the age route this course is
    year_groups: tuple[int, ...]  # classes in these year groups get this course by default
    title: str
    certificate_title: str
    audience: str
    max_reading_grade: float
    intro_html: str
    intro_text: str
    topics: dict
    lessons: tuple[Lesson, ...]
    checks: Quiz
    closing_html: str  # the wellbeing moment, shown after the final check
    closing_text: str
    before_you_teach_html: str  # staff only
    before_you_teach_text: str
    disclosure_guidance_html: str
    path: Path
    statements: object = None  # the RSHE statements its lessons were checked against (curriculum.Statements)
    written_by: str = ""  # who wrote the materials, for the parents' view
    for_staff: bool = False  # the staff course (STAFF_TRAINING_CONTENT): taken by staff, never set to a class
    language: str = "en"  # the language of its words (training/translations.py: the same course in another)

    @property
    def route_label(self):
        """'Years 9 to 13', for class pages, reports and headings; a course with no year groups (the staff
        course) is named by its audience.

        By year group, not age: teachers set classes by year, and the older route starts in
        Year 9, where most pupils are 13 ("ages 14 to 18" told them it was not yet for them).
        """
        if not self.year_groups:
            return self.audience
        first, last = min(self.year_groups), max(self.year_groups)
        if first == last:
            return f"Year {first}"
        return f"Years {first} and {last}" if last == first + 1 else f"Years {first} to {last}"

    def lesson(self, lesson_id):
        """The lesson with this id, or None."""
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def quizzes(self):
        """Every quiz in the course: the lessons' quizzes, then the checks."""
        return (*(lesson.quiz for lesson in self.lessons), self.checks)


# A translation's folder inside a course's own: named for its language ("cy"), beside "lessons".
LANGUAGE_FOLDER = re.compile(r"[a-z]{2,3}")

# Parsed courses by the content's fingerprint. A web server parses once anyway; a process that
# builds many apps on the same files (the test suite: about 4 s an app here) parses them once too.
# A few entries only: tests that write their own content each make a new one.
_PARSED = OrderedDict()
_PARSED_KEPT = 4


def load_courses(training_parent, quiz_parent, default_pass_mark=80, statements_path=STATEMENTS_FILE, for_staff=False):
    """Load every course folder under `training_parent`, in folder-name order, as id -> Course.

    Ids of courses, lessons, quizzes and questions must be unique across all courses: attempts,
    progress and answers are stored by these ids. Each lesson's RSHE statements are checked against
    the statements file (`for_staff`: the staff course's folders, which name none and have no year groups).
    Courses are immutable, so the same files give the same (shared) Course objects, in a new dict each call.
    """
    return dict(_parsed(training_parent, quiz_parent, default_pass_mark, statements_path, for_staff)[0])


def load_translations(
    training_parent, quiz_parent, languages, default_pass_mark=80, statements_path=STATEMENTS_FILE, for_staff=False
):
    """{language: {id: Course}} for each of `languages`: every course in that language where it has a translation
    (training/translations.py), else in English. A translation out of parity raises ContentError."""
    courses, translated = _parsed(training_parent, quiz_parent, default_pass_mark, statements_path, for_staff)
    return {
        language: {course_id: translated.get((course_id, language)) or course for course_id, course in courses.items()}
        for language in languages
    }


def _parsed(training_parent, quiz_parent, default_pass_mark, statements_path, for_staff):
    """(id -> Course, (id, language) -> translated Course), parsed once per content fingerprint."""
    key = (content_fingerprint(training_parent, quiz_parent, statements_path), default_pass_mark, for_staff)
    if key in _PARSED:
        _PARSED.move_to_end(key)  # the least recently used goes first
    else:
        statements = None if for_staff else load_statements(statements_path)
        courses = _parse_courses(training_parent, quiz_parent, default_pass_mark, statements, for_staff)
        _PARSED[key] = (courses, _parse_translations(courses, default_pass_mark, statements, for_staff))
        while len(_PARSED) > _PARSED_KEPT:
            _PARSED.popitem(last=False)
    return _PARSED[key]


def _parse_translations(courses, default_pass_mark, statements, for_staff):
    translated = {}
    for course in courses.values():
        for folder in sorted(Path(course.path).parent.iterdir()):
            if folder.is_dir() and LANGUAGE_FOLDER.fullmatch(folder.name):
                options = dict(default_pass_mark=default_pass_mark, statements=statements, for_staff=for_staff)
                translated[(course.id, folder.name)] = load_translation(course, folder.name, load_course, **options)
    return translated


def content_fingerprint(*folders):
    """A hash of every file's path and bytes under `folders` (or of a file named): equal exactly when the content is."""
    digest = hashlib.sha256()
    for folder in map(Path, folders):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if path.is_file():
                digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _parse_courses(training_parent, quiz_parent, default_pass_mark, statements, for_staff=False):
    training_parent, quiz_parent = Path(training_parent), Path(quiz_parent)
    folders = (
        sorted(p for p in training_parent.iterdir() if (p / "course.yaml").exists()) if training_parent.is_dir() else []
    )
    if not folders:
        raise ContentError(training_parent, None, "no course folder (<course-id>/course.yaml) here")
    courses = {}
    for folder in folders:
        course = load_course(folder, quiz_parent / folder.name, default_pass_mark, statements, for_staff=for_staff)
        if course.id in courses:
            raise ContentError(course.path, None, f"course id '{course.id}' is also used by {courses[course.id].path}")
        courses[course.id] = course
    check_unique_across(courses.values())
    return courses


def check_unique_across(courses):
    """Course, lesson, quiz and question ids are unique across `courses` (the pupils' and the staff course's
    together: attempts and progress are stored by these ids); the first repeat raises ContentError."""
    seen = {}
    for course in courses:
        if course.id in seen:
            raise ContentError(course.path, None, f"course id '{course.id}' is also used by {seen[course.id]}")
        seen[course.id] = course.path
    lessons, quizzes, questions = {}, {}, {}
    for course in courses:
        for lesson in course.lessons:
            if lesson.id in lessons:
                raise ContentError(
                    lesson.path, lesson.line, f"lesson id '{lesson.id}' is also used in {lessons[lesson.id]}"
                )
            lessons[lesson.id] = lesson.path
        for quiz in course.quizzes():
            if quiz.id in quizzes:
                raise ContentError(quiz.path, 1, f"quiz id '{quiz.id}' is also used in {quizzes[quiz.id]}")
            quizzes[quiz.id] = quiz.path
            for question in quiz.questions:
                if question.id in questions:
                    raise ContentError(
                        quiz.path,
                        question.line,
                        f"question id '{question.id}' is also used in {questions[question.id]}",
                    )
                questions[question.id] = quiz.path


def load_course(training_dir, quiz_dir, default_pass_mark=80, statements=None, for_staff=False, folder_id=None):
    """Load and validate the whole course; the first problem raises ContentError.

    Lessons' RSHE statements are checked against `statements` (by default, the statements file). The staff
    course (`for_staff`) names no RSHE statements and has no year groups (`year_groups: []`). A translation's
    folder is named for its language, so `folder_id` says which course id it must carry."""
    training_dir, quiz_dir = Path(training_dir), Path(quiz_dir)
    if for_staff:
        statements = None
    elif statements is None:
        statements = load_statements()
    path = training_dir / "course.yaml"
    if not path.exists():
        raise ContentError(path, None, "the course file is missing")
    data = parse_yaml(read_text(path), path)
    topics = require(data, "topics", dict, path)
    lesson_files = {}
    for lesson_path in sorted((training_dir / "lessons").glob("*.md")):
        lesson_files[lesson_path.stem.split("-", 1)[-1]] = lesson_path
    lessons = []
    lesson_ids = require(data, "lessons", list, path)
    for lesson_id in {i for i in lesson_ids if lesson_ids.count(i) > 1}:
        raise ContentError(path, data.line_of("lessons"), f"lesson '{lesson_id}' is listed twice")
    for number, lesson_id in enumerate(lesson_ids, start=1):
        lesson_path = lesson_files.get(lesson_id)
        if lesson_path is None:
            raise ContentError(
                path,
                data.line_of("lessons"),
                f"lesson '{lesson_id}' has no file lessons/NN-{lesson_id}.md",
            )
        quiz_path = quiz_dir / f"{lesson_id}.yaml"
        if not quiz_path.exists():
            raise ContentError(lesson_path, 1, f"lesson '{lesson_id}' has no quiz file {quiz_path}")
        quiz = load_quiz(quiz_path, topics, default_pass_mark)
        lessons.append(load_lesson(lesson_path, number, quiz, statements))
    checks_id = require(data, "checks", str, path)
    if not (quiz_dir / f"{checks_id}.yaml").exists():
        raise ContentError(path, data.line_of("checks"), f"no quiz file {quiz_dir / checks_id}.yaml for the checks")
    checks = load_quiz(quiz_dir / f"{checks_id}.yaml", topics, default_pass_mark)
    _check_unique_question_ids([lesson.quiz for lesson in lessons] + [checks])
    for lesson in lessons:
        _check_reviews(lesson.quiz, lesson=lesson)
    _check_reviews(checks, lessons=lessons)
    intro = require(data, "intro", str, path)
    course_id = require(data, "id", str, path)
    if course_id != (folder_id or training_dir.name):
        # The folder names the course in both content trees, so the two must agree.
        raise ContentError(
            path, data.line_of("id"), f"id '{course_id}' must match the folder name '{folder_id or training_dir.name}'"
        )
    route = str(require(data, "route", (str, int), path))
    year_groups = _year_groups(data, path, for_staff)
    grade = require(data, "max_reading_grade", (int, float), path)
    closing = require(data, "closing", str, path)
    before = require(data, "before_you_teach", str, path)
    written_by = data.get("written_by", "")
    if not isinstance(written_by, str):
        raise ContentError(path, data.line_of("written_by"), "'written_by' should be text")
    return Course(
        id=course_id,
        route=route,
        year_groups=tuple(year_groups),
        title=require(data, "title", str, path),
        certificate_title=require(data, "certificate_title", str, path),
        audience=require(data, "audience", str, path),
        max_reading_grade=float(grade),
        intro_html=render_markdown(intro),
        intro_text=intro,
        topics=dict(topics),
        lessons=tuple(lessons),
        checks=checks,
        closing_html=render_markdown(closing),
        closing_text=closing,
        before_you_teach_html=render_markdown(before),
        before_you_teach_text=before,
        disclosure_guidance_html=render_markdown(require(data, "disclosure_guidance", str, path)),
        path=path,
        statements=statements,
        written_by=written_by.strip(),
        for_staff=for_staff,
    )


def _year_groups(data, path, for_staff):
    """The course's year groups: a list of numbers; the staff course's is empty (`[]`: no class follows it)."""
    if for_staff:
        year_groups = data.get("year_groups")
        if year_groups != []:
            raise ContentError(path, data.line_of("year_groups"), "the staff course needs 'year_groups: []'")
        return year_groups
    year_groups = require(data, "year_groups", list, path)
    if not all(isinstance(year, int) and not isinstance(year, bool) for year in year_groups):
        raise ContentError(path, data.line_of("year_groups"), "'year_groups' should be a list of numbers, like [7, 8]")
    return year_groups


def load_lesson(path, number, quiz, statements=None):
    """Read one lesson file: front matter, then a step for each '## ' heading.

    Its optional `rshe:` list names the RSHE statements it teaches; an id not in `statements` is refused."""
    front, body, first_line = split_front_matter(read_text(path), path)
    lesson_id = require(front, "id", str, path)
    if not path.stem.endswith(lesson_id):
        raise ContentError(path, front.line_of("id"), f"id '{lesson_id}' must match the file name")
    minutes = require(front, "minutes", int, path)
    notes = require(front, "teacher_notes", dict, path)
    for key in ("objectives", "timing", "discussion", "sources"):
        require(notes, key, list, path, "teacher_notes")
    for key in ("objectives", "discussion", "sources"):
        _check_text_items(notes, key, path)
    _check_pupil_questions(notes, path)
    _check_inclusion(notes, path)
    steps = _steps(body, first_line, path)
    return Lesson(
        id=lesson_id,
        number=number,
        title=require(front, "title", str, path),
        minutes=minutes,
        summary=require(front, "summary", str, path),
        steps=steps,
        quiz=quiz,
        teacher_notes=dict(notes),
        path=path,
        line=front.line_of("id"),
        rshe=lesson_statements(front, path, statements),
    )


def _check_pupil_questions(notes, path):
    """Optional `pupil_questions`: a list of {question, answer} mappings, both text."""
    if "pupil_questions" not in notes:
        return
    items = require(notes, "pupil_questions", list, path, "teacher_notes")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ContentError(
                path,
                notes.line_of("pupil_questions"),
                f"teacher_notes: pupil_questions item {number} should be a mapping with 'question' and 'answer'",
            )
        unknown = sorted(set(item) - {"question", "answer"})
        if unknown:
            raise ContentError(
                path, item.line_of(unknown[0]), f"teacher_notes: pupil_questions item {number} has '{unknown[0]}'"
            )
        for key in ("question", "answer"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ContentError(
                    path,
                    item.line_of(key),
                    f"teacher_notes: pupil_questions item {number} needs '{key}' as text",
                )


def _check_text_items(notes, key, path):
    """Each item of a teacher notes list is text: an unquoted 'Pupils know: ...' is read by YAML as a mapping."""
    for number, item in enumerate(notes[key], start=1):
        if not isinstance(item, str) or not item.strip():
            raise ContentError(
                path, notes.line_of(key),
                f"teacher_notes: {key} item {number} should be text (put it in quotes if it has ': ' in it)",
            )  # fmt: skip


def _check_inclusion(notes, path):
    """Optional `inclusion`: a list of notes, each text."""
    if "inclusion" not in notes:
        return
    items = require(notes, "inclusion", list, path, "teacher_notes")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, str) or not item.strip():
            raise ContentError(
                path, notes.line_of("inclusion"), f"teacher_notes: inclusion item {number} should be text"
            )


def _steps(body, first_line, path):
    steps, title, line, lines = [], None, first_line, []

    def close():
        text = "\n".join(lines).strip()
        if not text:
            raise ContentError(path, line, f"step '{title}' has no text")
        steps.append(Step(title=title, html=render_markdown(text), text=text, line=line))

    for number, row in enumerate(body, start=first_line):
        if row.startswith("## "):
            if title is not None:
                close()
            title, line, lines = row[3:].strip(), number, []
        elif title is None and row.strip():
            raise ContentError(path, number, "text before the first '## ' step heading")
        else:
            lines.append(row)
    if title is None:
        raise ContentError(path, first_line, "a lesson needs at least one '## ' step")
    close()
    return tuple(steps)


def _check_reviews(quiz, lesson=None, lessons=()):
    """Every `review` names a step that exists: of the quiz's own lesson, or '<lesson id>: <heading>' in the checks."""
    for question in quiz.questions:
        problem = question.review and review_problem(question.review, lesson, lessons)
        if problem:
            raise ContentError(quiz.path, question.review_line, f"question '{question.id}': {problem}")


def _check_unique_question_ids(quizzes):
    seen = {}
    for quiz in quizzes:
        for question in quiz.questions:
            if question.id in seen:
                raise ContentError(
                    quiz.path,
                    question.line,
                    f"question id '{question.id}' is also used in {seen[question.id]}",
                )
            seen[question.id] = quiz.path.name
