"""The staff course's content: loaded with the pupils' loader from its own folders, checked by `flask content
check` at its own reading level, and a planted blaming line flagged with its file and line."""

import shutil
from pathlib import Path

import pytest

from app import create_app
from training.course import load_course
from training.files import ContentError

from helpers import TEST_CONFIG, WITHOUT_TRANSLATIONS, staff_course_of

ROOT = Path(__file__).parents[2]


@pytest.fixture
def staff_content(tmp_path):
    """A copy of the staff course's folders: (training parent, quiz parent)."""
    training, quizzes = tmp_path / "staff-training", tmp_path / "staff-quizzes"
    shutil.copytree(ROOT / "training" / "staff-content", training, ignore=WITHOUT_TRANSLATIONS)
    shutil.copytree(ROOT / "quizzes" / "staff-content", quizzes, ignore=WITHOUT_TRANSLATIONS)
    return training, quizzes


def app_on(staff_content, tmp_path):
    """The app with the (edited) copy as its staff course."""
    folders = {"STAFF_TRAINING_CONTENT": str(staff_content[0]), "STAFF_QUIZ_CONTENT": str(staff_content[1])}
    return create_app({**TEST_CONFIG, "DATABASE": str(tmp_path / "x.sqlite"), **folders})


def course_section(output, course_id):
    """The content check's output for one course."""
    start = output.index(f"== Course {course_id} ")
    end = output.find("\n== ", start + 1)
    return output[start:end]


def test_the_content_check_passes_on_the_staff_course_at_its_own_reading_level(app, runner):
    course = staff_course_of(app)
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    section = course_section(result.output, course.id)
    assert f"the most allowed is {course.max_reading_grade}" in section
    assert f"{course.id}: all checks passed." in section
    for lesson in course.lessons:
        assert lesson.id in section


def test_a_planted_blaming_line_in_the_staff_course_is_flagged_with_file_and_line(app, staff_content, tmp_path):
    course = staff_course_of(app)
    lesson = next((staff_content[0] / course.id / "lessons").glob("*.md"))
    text = lesson.read_text(encoding="utf-8").rstrip("\n")
    lesson.write_text(text + "\n\nThe pupil should have known better than to reply.\n", encoding="utf-8")
    line = len(text.splitlines()) + 2
    result = app_on(staff_content, tmp_path).test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    section = course_section(result.output, course.id)
    assert f"{lesson}, line {line}" in section and "should have known" in section


def test_the_staff_course_is_read_at_its_own_grade_not_the_pupils(app, staff_content, tmp_path):
    course = staff_course_of(app)
    path = staff_content[0] / course.id / "course.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"max_reading_grade: {course.max_reading_grade}", "max_reading_grade: 1.0"))
    output = app_on(staff_content, tmp_path).test_cli_runner().invoke(args=["content", "check"]).output
    assert "too hard" in course_section(output, course.id)
    for pupils in app.extensions["courses"]:
        assert "too hard" not in course_section(output, pupils)


def test_the_staff_course_has_no_year_groups_and_a_pupils_course_must_have_some(app, staff_content):
    course = staff_course_of(app)
    folder = staff_content[0] / course.id
    path = folder / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("year_groups: []", "year_groups: [7]"))
    with pytest.raises(ContentError, match="year_groups: \\[\\]"):
        load_course(folder, staff_content[1] / course.id, for_staff=True)
    path.write_text(path.read_text(encoding="utf-8").replace("year_groups: [7]", "year_groups: []"))
    with pytest.raises(ContentError, match="'year_groups' is missing"):
        load_course(folder, staff_content[1] / course.id)  # as a pupils' course


def test_an_id_the_staff_course_shares_with_a_pupils_course_stops_start_up(app, staff_content, tmp_path):
    course = staff_course_of(app)
    pupils_question = next(iter(app.extensions["courses"].values())).lessons[0].quiz.questions[0].id
    quiz = course.lessons[0].quiz
    path = staff_content[1] / course.id / quiz.path.name
    path.write_text(path.read_text(encoding="utf-8").replace(f"id: {quiz.questions[0].id}", f"id: {pupils_question}"))
    with pytest.raises(SystemExit, match=f"question id '{pupils_question}' is also used"):
        app_on(staff_content, tmp_path)
