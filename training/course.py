"""The course: loading and validating course.yaml, the lessons and their quizzes, once."""

from dataclasses import dataclass
from pathlib import Path

from quizzes.questions import Quiz, load_quiz
from training.files import (
    ContentError,
    parse_yaml,
    read_text,
    render_markdown,
    require,
    split_front_matter,
)


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


@dataclass(frozen=True)
class Course:
    """The whole course as loaded at start-up."""

    id: str
    title: str
    certificate_title: str
    audience: str
    intro_html: str
    intro_text: str
    topics: dict
    lessons: tuple[Lesson, ...]
    checks: Quiz
    disclosure_guidance_html: str
    path: Path

    def lesson(self, lesson_id):
        """The lesson with this id, or None."""
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def quizzes(self):
        """Every quiz in the course: the lessons' quizzes, then the checks."""
        return (*(lesson.quiz for lesson in self.lessons), self.checks)


def load_course(training_dir, quiz_dir, default_pass_mark=80):
    """Load and validate the whole course; the first problem raises ContentError."""
    training_dir, quiz_dir = Path(training_dir), Path(quiz_dir)
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
        lessons.append(load_lesson(lesson_path, number, quiz))
    checks_id = require(data, "checks", str, path)
    if not (quiz_dir / f"{checks_id}.yaml").exists():
        raise ContentError(path, data.line_of("checks"), f"no quiz file {quiz_dir / checks_id}.yaml for the checks")
    checks = load_quiz(quiz_dir / f"{checks_id}.yaml", topics, default_pass_mark)
    _check_unique_question_ids([lesson.quiz for lesson in lessons] + [checks])
    intro = require(data, "intro", str, path)
    return Course(
        id=require(data, "id", str, path),
        title=require(data, "title", str, path),
        certificate_title=require(data, "certificate_title", str, path),
        audience=require(data, "audience", str, path),
        intro_html=render_markdown(intro),
        intro_text=intro,
        topics=dict(topics),
        lessons=tuple(lessons),
        checks=checks,
        disclosure_guidance_html=render_markdown(require(data, "disclosure_guidance", str, path)),
        path=path,
    )


def load_lesson(path, number, quiz):
    """Read one lesson file: front matter, then a step for each '## ' heading."""
    front, body, first_line = split_front_matter(read_text(path), path)
    lesson_id = require(front, "id", str, path)
    if not path.stem.endswith(lesson_id):
        raise ContentError(path, front.line_of("id"), f"id '{lesson_id}' must match the file name")
    minutes = require(front, "minutes", int, path)
    notes = require(front, "teacher_notes", dict, path)
    for key in ("objectives", "timing", "discussion", "sources"):
        require(notes, key, list, path, "teacher_notes")
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
