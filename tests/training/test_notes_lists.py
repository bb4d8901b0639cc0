"""Teacher notes' optional lists: the questions pupils ask (with answers) and notes for pupils with SEND
and pupils new to English. Checked by the loader, shown on the lesson's notes page and in the notes PDF.

Every real lesson has both lists; these tests take them out of a copy of the content and put in their own."""

import html
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from training.course import load_course
from training.files import ContentError

from helpers import copy_course, make_app, sign_in

ROOT = Path(__file__).parents[2]
LESSON = "04-what-to-do.md"
LISTS = """  pupil_questions:
    - question: "Will I get a criminal record?"
      answer: "No. A young person who was tricked, pressured or threatened is treated as a victim, not a suspect."
    - question: "What if I forwarded it?"
      answer: "Stop, send it no further and tell a trusted adult, who will help delete it safely."
  inclusion:
    - "SEND: read the chat aloud and give pupils the red-flag cards to sort."
    - "New to English: pre-teach 'blackmail', 'evidence' and 'report' with the glossary."
"""


def with_lists(lesson_path, lists=LISTS):
    """Put `lists` into the lesson's teacher_notes, before its sources."""
    text = lesson_path.read_text(encoding="utf-8")
    assert "  sources:\n" in text
    lesson_path.write_text(text.replace("  sources:\n", lists + "  sources:\n", 1), encoding="utf-8")


def without_lists(lesson_path):
    """Take the lesson's own pupil_questions and inclusion lists out of its teacher_notes."""
    kept, skipping = [], False
    for row in lesson_path.read_text(encoding="utf-8").splitlines(keepends=True):
        if re.match(r"  (pupil_questions|inclusion):", row):
            skipping = True
        elif skipping and not row.startswith("    "):
            skipping = False
        if not skipping:
            kept.append(row)
    lesson_path.write_text("".join(kept), encoding="utf-8")


@pytest.fixture
def content(tmp_path):
    """A copy of the younger route's content without the lessons' own lists: (training dir, quiz dir)."""
    training, quizzes = copy_course(ROOT, tmp_path / "training", tmp_path / "quizzes")
    for lesson in (training / "lessons").glob("*.md"):
        without_lists(lesson)
    return training, quizzes


@pytest.fixture
def app(tmp_path, content):
    """The app on the copy, with the lists added to the 'what to do' lesson."""
    with_lists(content[0] / "lessons" / LESSON)
    return make_app(
        tmp_path / "test.sqlite", TRAINING_CONTENT=str(content[0].parent), QUIZ_CONTENT=str(content[1].parent)
    )


@pytest.fixture
def signed_in_teacher(client, make_school, make_staff):
    make_staff(make_school(), "teacher@hillside.test")
    assert sign_in(client, "teacher@hillside.test").status_code == 303


def text_of(page):
    """The page's text with tags removed and whitespace squeezed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_notes_page_shows_the_questions_pupils_ask_and_the_inclusion_notes(client, signed_in_teacher):
    response = client.get("/staff/courses/online-blackmail-11-13/lessons/what-to-do")
    page = text_of(response.text)
    assert "Questions pupils ask" in page
    assert "Will I get a criminal record? No. A young person who was tricked" in page
    assert "What if I forwarded it? Stop, send it no further" in page
    assert "Pupils with SEND and pupils new to English" in page
    assert "SEND: read the chat aloud" in page and "New to English: pre-teach 'blackmail'" in page
    # A description list: each question a term, its answer the description.
    assert "<dt>Will I get a criminal record?</dt>" in response.text


def test_a_lesson_without_the_lists_shows_neither_heading(client, signed_in_teacher):
    page = client.get("/staff/courses/online-blackmail-11-13/lessons/spotting-the-signs").text
    assert "Questions pupils ask" not in page
    assert "Pupils with SEND" not in page


def test_the_notes_pdf_has_the_lists_too(client, signed_in_teacher):
    response = client.get("/staff/courses/online-blackmail-11-13/notes.pdf")
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))
    assert "Questions pupils ask" in text and "Will I get a criminal record?" in text
    assert "Pupils with SEND and pupils new to English" in text


def test_the_loader_keeps_the_lists(content):
    with_lists(content[0] / "lessons" / LESSON)
    notes = load_course(*content).lesson("what-to-do").teacher_notes
    assert [item["question"] for item in notes["pupil_questions"]] == [
        "Will I get a criminal record?",
        "What if I forwarded it?",
    ]
    assert len(notes["inclusion"]) == 2


def line_of(path, text):
    """The number of the first line of `path` that contains `text`."""
    for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in row:
            return number
    raise AssertionError(f"{text!r} not in {path}")


@pytest.mark.parametrize(
    ("lists", "marker", "problem"),
    [
        ('  pupil_questions: "Will I get a criminal record?"\n', "pupil_questions:",
         "'pupil_questions' should be list"),
        ('  pupil_questions:\n    - "Will I get a criminal record?"\n', "pupil_questions:",
         "pupil_questions item 1 should be a mapping with 'question' and 'answer'"),
        ('  pupil_questions:\n    - question: "Will my parents be told?"\n', "question:",
         "pupil_questions item 1 needs 'answer' as text"),
        ('  pupil_questions:\n    - question: "Will my parents be told?"\n      answer: 3\n', "answer: 3",
         "pupil_questions item 1 needs 'answer' as text"),
        ('  pupil_questions:\n    - {question: "Q?", answer: "A."}\n    - qustion: "Typo?"\n      answer: "A."\n',
         "qustion:", "pupil_questions item 2 has 'qustion'"),
        ("  inclusion: Read the chat aloud.\n", "inclusion:", "'inclusion' should be list"),
        ('  inclusion:\n    - "Read the chat aloud."\n    - {send: "a mapping"}\n', "inclusion:",
         "inclusion item 2 should be text"),
    ],
)  # fmt: skip
def test_a_wrong_shape_stops_loading_with_file_and_line(content, lists, marker, problem):
    path = content[0] / "lessons" / LESSON
    with_lists(path, lists)
    with pytest.raises(ContentError) as error:
        load_course(*content)
    assert error.value.path == path
    assert error.value.line == line_of(path, marker)
    assert problem in error.value.problem


def test_a_wrong_shape_stops_start_up(tmp_path, content):
    path = content[0] / "lessons" / LESSON
    with_lists(path, "  inclusion: Read the chat aloud.\n")
    with pytest.raises(SystemExit) as stopped:
        make_app(tmp_path / "x.sqlite", TRAINING_CONTENT=str(content[0].parent), QUIZ_CONTENT=str(content[1].parent))
    assert f"{path}, line {line_of(path, 'inclusion:')}" in str(stopped.value)


def test_every_real_lesson_has_both_lists_and_each_route_answers_the_four_questions_pupils_ask():
    from training.course import load_courses

    asked = ("criminal record", "parents be told", "on my phone", "forwarded it")
    for course in load_courses(ROOT / "training" / "content", ROOT / "quizzes" / "content").values():
        questions = []
        for lesson in course.lessons:
            notes = lesson.teacher_notes
            assert len(notes.get("pupil_questions", ())) >= 2 and notes.get("inclusion"), (course.id, lesson.id)
            questions += [item["question"].lower() for item in notes["pupil_questions"]]
        for words in asked:
            assert any(words in question for question in questions), (course.id, words)


def test_a_teacher_notes_item_read_as_a_mapping_is_refused(content):
    # An unquoted "Pupils know what to do: ..." is a YAML mapping, which the notes showed as a Python dict.
    lesson = content[0] / "lessons" / "01-what-is-online-blackmail.md"
    text = lesson.read_text(encoding="utf-8")
    assert "    - Pupils can say in their own words" in text
    lesson.write_text(
        text.replace("    - Pupils can say in their own words", "    - Pupils can say: in their own words")
    )
    with pytest.raises(ContentError, match="objectives item 1 should be text"):
        load_course(*content)
