"""A course in another language: loaded from files that mirror the English, held to parity, shown by language.

A made-up translation (the English words marked " [cy]", headings and reviews included) stands in for the Welsh
so each kind of difference can be planted and seen refused with its file and line."""

import re
import shutil
from pathlib import Path

import pytest

from app import create_app
from training.course import load_courses, load_translations
from training.files import ContentError
from training.translations import contacts, file_pairs, parity_problems, translated_files

from helpers import YOUNGER, copy_course, sign_in

ROOT = Path(__file__).parents[2]
MARK = " [cy]"


def make_translation(training, quizzes, language="cy"):
    """A translation of the copied course whose words are the English marked with MARK: every step heading, every
    title and every review, so a page shows which language it came from. Returns (training, quizzes) folders."""
    out_training, out_quizzes = training / language, quizzes / language
    (out_training / "lessons").mkdir(parents=True)
    out_quizzes.mkdir()
    for path in (training / "lessons").glob("*.md"):
        text = path.read_text(encoding="utf-8").replace("---\n", "---\nreviewed: false\n", 1)
        text = re.sub(r"^## (.*)$", lambda m: f"## {m[1]}{MARK}", text, flags=re.M)
        text = re.sub(r"^title: (.*)$", lambda m: f"title: {m[1]}{MARK}", text, count=1, flags=re.M)
        (out_training / "lessons" / path.name).write_text(text, encoding="utf-8")
    course = (training / "course.yaml").read_text(encoding="utf-8")
    (out_training / "course.yaml").write_text("reviewed: false\n" + course, encoding="utf-8")
    for path in quizzes.glob("*.yaml"):
        text = re.sub(
            r'^(\s*review: )"(.*)"$', lambda m: f'{m[1]}"{m[2]}{MARK}"', path.read_text(encoding="utf-8"), flags=re.M
        )
        (out_quizzes / path.name).write_text("reviewed: false\n" + text, encoding="utf-8")
    return out_training, out_quizzes


@pytest.fixture
def content(tmp_path):
    """The younger route copied, with a made-up translation: (training, quizzes, cy training, cy quizzes)."""
    training, quizzes = copy_course(ROOT, tmp_path / "training", tmp_path / "quizzes")
    return (training, quizzes, *make_translation(training, quizzes))


def load(tmp_path):
    return load_translations(tmp_path / "training", tmp_path / "quizzes", ["cy"])["cy"][YOUNGER]


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, text):
    return next(n for n, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in row)


def test_a_translation_in_parity_is_the_same_course_in_other_words(content, tmp_path):
    english = load_courses(tmp_path / "training", tmp_path / "quizzes")[YOUNGER]
    welsh = load(tmp_path)
    assert (english.language, welsh.language) == ("en", "cy")
    assert welsh.lessons[0].steps[0].title == english.lessons[0].steps[0].title + MARK
    assert welsh.lessons[0].title == english.lessons[0].title + MARK
    # The same ids and answers, and the same quiz versions: an attempt begun in one language is sent in the other.
    for mine, theirs in zip(english.quizzes(), welsh.quizzes(), strict=True):
        assert mine.version == theirs.version
        assert [q.id for q in mine.questions] == [q.id for q in theirs.questions]
        assert answers(mine) == answers(theirs)
    assert all(not f.is_reviewed for f in translated_files(english, "cy"))
    assert len(translated_files(english, "cy")) == len(file_pairs(english, "cy")) == 2 * len(english.lessons) + 2


def answers(quiz):
    """What marks a quiz: each question's options' ids, right answers and places."""
    return [[(o.id, o.correct, o.position, o.anywhere) for o in q.options] for q in quiz.questions]


def test_a_course_with_no_translation_is_shown_in_english(tmp_path):
    copy_course(ROOT, tmp_path / "training", tmp_path / "quizzes")
    assert load(tmp_path).language == "en"


@pytest.mark.parametrize(
    ("where", "old", "new", "problem"),
    [
        ("quiz", "    must_pass: true\n", "", "'must_pass' is missing"),
        ("quiz", "        correct: true\n", "        correct: false\n", "must be as in English (True)"),
        ("quiz", "  - id: l4-2\n", "  - id: l4-2b\n", "must be as in English ('l4-2')"),
        ("quiz", "        position: 4\n", "        position: 3\n", "must be as in English (4)"),
        ("quiz", "      - id: f\n", "      - id: f\n        extra: 1\n", "'extra' is not in the English"),
        ("lesson", "## Keep the evidence safely", "Keep the evidence safely", "steps; the English has"),
        ("lesson", "0800 1111", "0800 1112", "lost 08001111"),
        ("lesson", "reviewed: false\n", "", "needs 'reviewed: false'"),
    ],
)
def test_a_translation_out_of_parity_is_refused_with_file_and_line(content, tmp_path, where, old, new, problem):
    _, _, cy_training, cy_quizzes = content
    path = cy_quizzes / "what-to-do.yaml" if where == "quiz" else cy_training / "lessons" / "04-what-to-do.md"
    edit(path, old, new)
    with pytest.raises(ContentError) as caught:
        load(tmp_path)
    assert caught.value.path == path and problem in caught.value.problem
    if where == "quiz":  # a line an editor can go to
        assert caught.value.line and caught.value.line > 1


def test_a_dropped_option_names_the_question(content, tmp_path):
    _, _, _, cy_quizzes = content
    path = cy_quizzes / "what-to-do.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      - id: f\n")
    end = text.index("  - id: l4-7")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load(tmp_path)
    assert "'l4-2'" in caught.value.problem and "has 5 items; the English has 6" in caught.value.problem
    assert caught.value.path == path and caught.value.line == line_of(path, "    options:")


def test_a_missing_file_is_refused(content, tmp_path):
    _, _, _, cy_quizzes = content
    (cy_quizzes / "what-to-do.yaml").unlink()
    with pytest.raises(ContentError, match="no translation of .*what-to-do.yaml"):
        load(tmp_path)


def test_a_review_that_names_another_step_is_refused(content, tmp_path):
    _, _, cy_training, cy_quizzes = content
    lesson = cy_training / "lessons" / "04-what-to-do.md"
    headings = re.findall(r"^## (.*)$", lesson.read_text(encoding="utf-8"), flags=re.M)
    path = cy_quizzes / "what-to-do.yaml"
    text = path.read_text(encoding="utf-8")
    first = re.search(r'review: "(.*)"', text).group(1)
    other = next(h for h in headings if h != first)
    path.write_text(text.replace(f'review: "{first}"', f'review: "{other}"', 1), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load(tmp_path)
    assert caught.value.path == path and "the English names step" in caught.value.problem


def test_contacts_are_the_numbers_and_addresses_a_pupil_would_use():
    text = "Childline 0800 1111 or childline.org.uk/remove; police 101 or 999; Samaritans 116 123; 153 cases in 2024."
    assert contacts(text) == {"08001111", "childline.org.uk/remove", "101", "999", "116123"}


def test_parity_problems_lists_every_difference_at_once(content):
    training, quizzes, cy_training, cy_quizzes = content
    path = cy_quizzes / "what-to-do.yaml"
    edit(path, "        position: 4\n", "        position: 3\n")
    edit(path, "    must_pass: true\n", "")
    problems = parity_problems(quizzes / "what-to-do.yaml", path)
    assert len(problems) == 2


def test_a_broken_translation_stops_start_up_with_file_and_line(content, tmp_path):
    _, _, _, cy_quizzes = content
    path = cy_quizzes / "what-to-do.yaml"
    edit(path, "        position: 4\n", "        position: 3\n")
    with pytest.raises(SystemExit) as stopped:
        create_app(
            {
                "TESTING": True,
                "DATABASE": str(tmp_path / "x.sqlite"),
                "TRAINING_CONTENT": str(tmp_path / "training"),
                "QUIZ_CONTENT": str(tmp_path / "quizzes"),
            }
        )
    assert f"{path}, line {line_of(path, 'position: 3')}" in str(stopped.value)


@pytest.mark.parametrize("kind", ["courses_in", "staff_courses_in"])
def test_every_course_is_in_welsh_and_in_parity(app, kind):
    """Nothing left in English: each pupils' route and the staff course has every file in Welsh, in parity."""
    welsh = app.extensions[kind]["cy"]
    assert welsh and all(course.language == "cy" for course in welsh.values())
    for course in app.extensions[kind]["en"].values():
        for english, translated in file_pairs(course, "cy"):
            assert parity_problems(english, translated) == [], translated


def test_the_real_welsh_course_refuses_a_planted_missing_option(tmp_path):
    for parent in ("training", "quizzes"):
        shutil.copytree(ROOT / parent / "content" / YOUNGER, tmp_path / parent / YOUNGER)
    path = tmp_path / "quizzes" / YOUNGER / "cy" / "what-to-do.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      - id: f\n")
    path.write_text(text[:start] + text[text.index("  - id: l4-7") :], encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load(tmp_path)
    assert caught.value.path == path and "'l4-2'" in caught.value.problem


def test_staff_see_which_welsh_files_are_reviewed(client, make_school, make_staff):
    school = make_school()
    make_staff(school, "tara@hill.test")
    assert sign_in(client, "tara@hill.test").status_code == 303
    page = client.get("/staff/translations").text
    assert "Cymraeg: Online blackmail: spot it, stop it, get help" in page
    assert "<strong>0 of 14</strong> files reviewed" in page and "<strong>0 of 16</strong> files reviewed" in page
    assert "training/content/online-blackmail-11-13/cy/lessons/04-what-to-do.md" in page
    assert page.count("<td>Not yet reviewed</td>") == 14 + 16 + 12


def test_the_content_check_reports_each_translation_and_its_give_aways(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert "== Translations ==" in result.output
    assert "online-blackmail-11-13 in Cymraeg: in parity; 0 of 14 files reviewed; give-aways: OK" in result.output
    assert "responding-to-disclosures in Cymraeg: in parity; 0 of 12 files reviewed; give-aways: OK" in result.output
    assert result.exit_code == 0, result.output
