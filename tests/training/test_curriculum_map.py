"""The curriculum map: the RSHE statements file, each lesson's `rshe:` list, and the content check on both."""

import shutil
from pathlib import Path

import pytest

from app import create_app
from training.course import load_course, load_courses
from training.curriculum import load_statements, untaught_key_statements
from training.files import ContentError
from training.quality import curriculum_findings

from helpers import OLDER, TEST_CONFIG, YOUNGER, copy_course

ROOT = Path(__file__).parents[2]
STATEMENTS = ROOT / "training" / "content" / "rshe-2025.yaml"


@pytest.fixture
def content(tmp_path):
    """A copy of the younger route's content: (training dir, quiz dir), each in a parent folder."""
    return copy_course(ROOT, tmp_path / "training", tmp_path / "quizzes")


@pytest.fixture
def statements_copy(tmp_path):
    """A copy of the statements file to edit."""
    path = tmp_path / "rshe.yaml"
    shutil.copy(STATEMENTS, path)
    return path


def edit(path, old, new):
    """Replace `old` with `new` once in a file, checking `old` is there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, text):
    """The number of the first line that contains `text`."""
    for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in row:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def app_on(tmp_path, content_parent, quiz_parent, statements=None):
    """An app on copied content (and, if given, a copied statements file)."""
    config = dict(TEST_CONFIG, DATABASE=str(tmp_path / "x.sqlite"), TRAINING_CONTENT=str(content_parent),
                  QUIZ_CONTENT=str(quiz_parent))  # fmt: skip
    if statements:
        config["RSHE_STATEMENTS"] = str(statements)
    return create_app(config)


PLANTED_KEY_STATEMENT = """
  - id: planted-key-statement
    topic: the-law
    wording: "A planted statement no lesson teaches."
    paragraph: 99
    source: "a test"
"""


# ---------------------------------------------------------------- the real content


def test_every_lesson_of_both_routes_names_the_statements_it_teaches(app):
    statements = load_statements()
    for course in app.extensions["courses"].values():
        for lesson in course.lessons:
            assert lesson.rshe, f"{lesson.path} names no RSHE statement"
            assert all(statement_id in statements for statement_id in lesson.rshe)
        assert untaught_key_statements(course, statements) == [], course.id


def test_the_key_topics_are_the_ones_the_guidance_asks_for():
    statements = load_statements()
    key_topics = {topic_id for topic_id, topic in statements.topics.items() if topic.key}
    assert key_topics == {"sextortion", "image-sharing", "the-law", "ai-images", "getting-help"}
    for topic_id in key_topics:
        assert any(statement.topic.id == topic_id for statement in statements), topic_id


def test_no_paragraph_number_is_missing_without_saying_what_to_check():
    for statement in load_statements():
        assert statement.paragraph is not None or statement.to_check, statement.id


# ---------------------------------------------------------------- an unknown statement


def test_an_unknown_statement_is_refused_with_file_and_line(content):
    lesson = content[0] / "lessons" / "04-what-to-do.md"
    edit(lesson, "  - seek-help-concern\n", "  - seek-help-concerns\n")
    with pytest.raises(ContentError) as caught:
        load_course(*content)
    assert (caught.value.path, caught.value.line) == (lesson, line_of(lesson, "  - seek-help-concerns"))
    assert "unknown RSHE statement 'seek-help-concerns'" in caught.value.problem


def test_flask_content_check_fails_on_an_unknown_statement_with_file_and_line(content, tmp_path):
    lesson = content[0] / "lessons" / "02-who-is-behind-it.md"
    edit(lesson, "  - signs-of-grooming-exploitation\n", "  - signs-of-grooming\n")
    # The structure is checked when the app loads the content (the command's app): start-up stops.
    with pytest.raises(SystemExit) as stopped:
        app_on(tmp_path, content[0].parent, content[1].parent)
    message = str(stopped.value)
    assert f"{lesson}, line {line_of(lesson, '  - signs-of-grooming')}" in message
    assert "unknown RSHE statement 'signs-of-grooming'" in message


def test_a_statement_listed_twice_in_a_lesson_is_refused(content):
    lesson = content[0] / "lessons" / "03-spotting-the-signs.md"
    edit(lesson, "  - signs-of-grooming-exploitation\n", "  - signs-of-grooming-exploitation\n" * 2)
    with pytest.raises(ContentError, match="listed twice"):
        load_course(*content)


def test_a_statement_without_a_paragraph_must_say_what_to_check(statements_copy):
    edit(statements_copy, "    to_check: \"wording and paragraph: taken from the Department's summary of the 2025 "
         "guidance, not the guidance itself\"\n", "")  # fmt: skip
    with pytest.raises(ContentError) as caught:
        load_statements(statements_copy)
    assert caught.value.line == line_of(statements_copy, "- id: signs-of-grooming-exploitation")
    assert "no paragraph number" in caught.value.problem


# ---------------------------------------------------------------- key statements no lesson teaches


def test_a_planted_key_statement_no_lesson_teaches_is_reported(content, statements_copy, tmp_path):
    statements_copy.write_text(statements_copy.read_text(encoding="utf-8") + PLANTED_KEY_STATEMENT, encoding="utf-8")
    courses = load_courses(content[0].parent, content[1].parent, statements_path=statements_copy)
    findings = curriculum_findings(courses[YOUNGER])
    assert [f.check for f in findings] == ["curriculum"]
    assert "'planted-key-statement' (The law) is taught by no lesson" in findings[0].problem
    assert f"line {line_of(statements_copy, '- id: planted-key-statement')}" in findings[0].problem

    result = (
        app_on(tmp_path, content[0].parent, content[1].parent, statements_copy)
        .test_cli_runner()
        .invoke(args=["content", "check"])
    )
    assert result.exit_code == 1
    assert f"{content[0] / 'course.yaml'}, line" in result.output
    assert "'planted-key-statement' (The law) is taught by no lesson of this route" in result.output


def test_a_statement_outside_the_key_topics_may_go_untaught(content, statements_copy):
    planted = PLANTED_KEY_STATEMENT.replace("topic: the-law", "topic: wellbeing")
    statements_copy.write_text(statements_copy.read_text(encoding="utf-8") + planted, encoding="utf-8")
    courses = load_courses(content[0].parent, content[1].parent, statements_path=statements_copy)
    assert curriculum_findings(courses[YOUNGER]) == []


def test_a_route_whose_lessons_drop_a_key_statement_is_reported(content):
    for lesson in (content[0] / "lessons").glob("*.md"):
        text = lesson.read_text(encoding="utf-8")
        lesson.write_text(text.replace("  - ai-sexual-imagery-deepfakes\n", ""), encoding="utf-8")
    findings = curriculum_findings(load_course(*content))
    assert len(findings) == 1 and "'ai-sexual-imagery-deepfakes'" in findings[0].problem


def test_the_content_check_lists_statements_still_to_check(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "RSHE statements: every key statement taught by a lesson of this route: OK" in result.output
    assert "still to check against the published guidance" in result.output


def test_the_older_route_is_checked_too(app):
    assert app.extensions["courses"][OLDER].lessons[0].rshe
