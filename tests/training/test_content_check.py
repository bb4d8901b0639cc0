"""The content check: plant each kind of problem in a copy of the content and show it is caught."""

import re
from pathlib import Path

import pytest

import safeguarding.help_routes
from app import create_app
from safeguarding.help_routes import DEFAULT_HELP_ROUTES
from training.course import load_course, load_courses
from training.files import ContentError
from training.quality import (
    Block,
    blame_findings,
    check_course,
    load_phrases,
    phone_problem,
    plain_text,
    reading_level,
    route_findings,
    url_problem,
)

from helpers import OLDER, YOUNGER, copy_course, make_older_route

ROOT = Path(__file__).parents[2]
MAX_GRADE = 7.0


@pytest.fixture
def content(tmp_path):
    """A copy of the younger route's content: (training dir, quiz dir), each in a parent folder."""
    return copy_course(ROOT, tmp_path / "training", tmp_path / "quizzes")


def append(path, text):
    """Add a paragraph at the end of a lesson (its last step)."""
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")


def edit(path, old, new, count=1):
    """Replace `old` with `new` in a content file, checking `old` is there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path, text, after=1):
    """The number of the first line at or after `after` that contains `text`."""
    for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if number >= after and text in row:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def drop_reviews(quizzes):
    """Remove every quiz's `review:` links to lesson steps (for a test that rewrites a lesson's steps)."""
    for quiz in quizzes.glob("*.yaml"):
        text = quiz.read_text(encoding="utf-8")
        quiz.write_text(re.sub(r"^ +review: .*\n", "", text, flags=re.M), encoding="utf-8")


def load(content):
    """Load the (edited) copy of the course."""
    return load_course(*content)


def broken(content):
    """The ContentError the loader raises for the edited copy."""
    with pytest.raises(ContentError) as caught:
        load(content)
    return caught.value


def quality(content, **kwargs):
    """Quality findings on the edited copy, with the default help routes."""
    findings, _ = check_course(
        load(content), MAX_GRADE, DEFAULT_HELP_ROUTES, safeguarding.help_routes.__file__, **kwargs
    )
    return findings


# ---------------------------------------------------------------- structure


def real_course_findings():
    """(findings, reading levels) for the real younger-route course."""
    return check_course(
        load(
            (
                ROOT / "training" / "content" / "online-blackmail-11-13",
                ROOT / "quizzes" / "content" / "online-blackmail-11-13",
            )
        ),
        MAX_GRADE,
        DEFAULT_HELP_ROUTES,
        safeguarding.help_routes.__file__,
    )


def test_the_real_course_loads_and_passes_every_quality_check_but_give_aways():
    findings, levels = real_course_findings()
    assert [f for f in findings if f.check != "give-aways"] == []
    assert len(levels) == 6 and all(level.ok and level.words > 300 for level in levels)


def test_the_real_course_has_no_give_aways():
    findings, _ = real_course_findings()
    assert [str(f) for f in findings if f.check == "give-aways"] == []


def test_a_question_with_no_correct_option_names_file_and_line(content):
    path = content[1] / "what-is-online-blackmail.yaml"
    edit(path, "        correct: true\n", "")
    error = broken(content)
    assert error.path == path
    assert error.line == line_of(path, "- id: l1-1")
    assert "needs exactly one correct option (found 0)" in error.problem


def test_red_flags_with_no_red_flag_are_refused(content):
    path = content[1] / "spotting-the-signs.yaml"
    text = path.read_text()
    start, end = text.index("id: l3-1"), text.index("id: l3-2")
    path.write_text(text[:start] + text[start:end].replace("red_flag: true", "red_flag: false") + text[end:])
    error = broken(content)
    assert (error.path, error.line) == (path, line_of(path, "- id: l3-1"))
    assert "no message is marked red_flag" in error.problem


def test_an_option_without_feedback_names_the_option_and_line(content):
    path = content[1] / "who-is-behind-it.yaml"
    lines = path.read_text().splitlines(keepends=True)
    number = line_of(path, "feedback:")
    option_line = max(n for n in range(1, number) if "- id:" in lines[n - 1])
    del lines[number - 1]
    path.write_text("".join(lines))
    error = broken(content)
    assert (error.path, error.line) == (path, option_line)
    assert "'feedback' is missing" in error.problem


def test_empty_feedback_is_refused(content):
    path = content[1] / "what-to-do.yaml"
    number = line_of(path, "feedback:")
    text = path.read_text().splitlines(keepends=True)
    text[number - 1] = text[number - 1].split("feedback:")[0] + 'feedback: "   "\n'
    path.write_text("".join(text))
    error = broken(content)
    assert (error.path, error.line) == (path, number)
    assert "'feedback' is empty" in error.problem


def test_a_question_id_used_twice_in_one_quiz(content):
    path = content[1] / "what-is-online-blackmail.yaml"
    edit(path, "- id: l1-2", "- id: l1-1")
    error = broken(content)
    assert (error.path, error.line) == (path, line_of(path, "- id: l1-1", after=line_of(path, "- id: l1-1") + 1))
    assert "used twice" in error.problem


def test_a_question_id_used_in_two_quizzes(content):
    path = content[1] / "who-is-behind-it.yaml"
    edit(path, "- id: l2-3", "- id: l1-3")
    error = broken(content)
    assert (error.path, error.line) == (path, line_of(path, "- id: l1-3"))
    assert "also used in what-is-online-blackmail.yaml" in error.problem


def test_a_lesson_without_a_quiz_names_the_lesson(content):
    (content[1] / "what-to-do.yaml").unlink()
    error = broken(content)
    assert (error.path.name, error.line) == ("04-what-to-do.md", 1)
    assert "has no quiz file" in error.problem


def test_a_lesson_listed_twice_is_refused(content):
    path = content[0] / "course.yaml"
    edit(path, "  - what-to-do\n", "  - what-to-do\n  - what-to-do\n")
    error = broken(content)
    assert (error.path, error.line) == (path, line_of(path, "lessons:"))
    assert "'what-to-do' is listed twice" in error.problem


def test_a_missing_checks_file_is_a_content_error_not_a_crash(content):
    (content[1] / "checks.yaml").unlink()
    error = broken(content)
    assert (error.path.name, error.line) == ("course.yaml", line_of(content[0] / "course.yaml", "checks: checks"))


def test_an_order_question_with_duplicate_positions(content):
    path = content[1] / "what-to-do.yaml"
    first = line_of(path, "position: 1")
    lines = path.read_text().splitlines(keepends=True)
    lines[first - 1] = lines[first - 1].replace("position: 1", "position: 2")
    path.write_text("".join(lines))
    error = broken(content)
    steps_line = max(n for n in range(1, first) if "steps:" in lines[n - 1])
    assert (error.path, error.line) == (path, steps_line)
    assert "each used once" in error.problem and "2, 2" in error.problem


def test_create_app_with_broken_content_stops_with_file_and_line(content, tmp_path):
    path = content[1] / "what-is-online-blackmail.yaml"
    edit(path, "        correct: true\n", "")
    with pytest.raises(SystemExit) as stopped:
        create_app(
            {
                "TESTING": True,
                "DATABASE": str(tmp_path / "x.sqlite"),
                "TRAINING_CONTENT": str(content[0].parent),
                "QUIZ_CONTENT": str(content[1].parent),
            }
        )
    message = str(stopped.value)
    assert f"{path}, line {line_of(path, '- id: l1-1')}" in message
    assert "correct option" in message


def test_a_topic_no_quiz_tests_is_reported_at_its_line(content):
    path = content[0] / "course.yaml"
    edit(
        path, "  helping-a-friend: Helping a friend\n", "  helping-a-friend: Helping a friend\n  money: Money worries\n"
    )
    findings = [f for f in quality(content) if f.check == "topics"]
    assert [(f.path, f.line) for f in findings] == [(path, line_of(path, "money: Money worries"))]


# ---------------------------------------------------------------- help routes


@pytest.mark.parametrize(
    "number", ["999", "101", "116 123", "0800 1111", "0800 068 4141", "85258", "020 7946 0000", "+44 20 7946 0000"]
)
def test_well_formed_numbers_pass(number):
    assert phone_problem(number) is None


@pytest.mark.parametrize(
    "number",
    ["0800 111", "0800 11111 1111", "08OO 1111", "0800-1111", "99", "12345678", "(0800) 1111", ""],
)
def test_malformed_numbers_are_caught(number):
    assert phone_problem(number)


@pytest.mark.parametrize(
    "url", ["https://www.childline.org.uk", "https://www.childline.org.uk/remove", "https://takeitdown.ncmec.org"]
)
def test_https_addresses_pass(url):
    assert url_problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://www.childline.org.uk",
        "www.childline.org.uk",
        "https://childline",
        "https://child line.org.uk",
        "https://a:b@x.org",
    ],
)
def test_bad_addresses_are_caught(url):
    assert url_problem(url)


def test_a_malformed_phone_number_in_a_lesson_names_file_and_line(content):
    path = content[0] / "lessons" / "01-what-is-online-blackmail.md"
    edit(path, "Childline free on 0800 1111", "Childline free on 0800 111")
    findings = [f for f in quality(content) if f.check == "help routes"]
    assert [(f.path, f.line) for f in findings] == [(path, line_of(path, "0800 111*"))]
    assert "'0800 111' has 7 digits" in findings[0].problem


def test_a_malformed_number_in_quiz_feedback_and_an_http_link_are_caught(content):
    quiz = content[1] / "feelings-and-friends.yaml"
    edit(quiz, "text SHOUT to 85258", "text SHOUT to 8525")
    lesson = content[0] / "lessons" / "04-what-to-do.md"
    edit(lesson, "at ceop.police.uk", "at [CEOP](http://www.ceop.police.uk)")
    found = {(f.path, f.line) for f in quality(content) if f.check == "help routes"}
    assert found == {(quiz, line_of(quiz, "8525")), (lesson, line_of(lesson, "http://"))}


def test_a_malformed_help_route_names_the_routes_file_and_line():
    routes = [dict(route) for route in DEFAULT_HELP_ROUTES]
    routes[1]["phone"] = "0800 1111"  # fine
    routes.append({"title": "Broken", "phone": "0800 11", "url": "http://example.org"})
    findings = route_findings([], routes, safeguarding.help_routes.__file__)
    assert [f.problem.split(":")[0] for f in findings] == ["help route 'Broken'"] * 2
    # The defaults are all well-formed, and a finding in the file names its line.
    assert route_findings([], DEFAULT_HELP_ROUTES, safeguarding.help_routes.__file__) == []


def test_the_line_of_a_default_route_is_found_in_its_file(tmp_path):
    source = tmp_path / "routes.py"
    source.write_text('ROUTES = (\n    {"title": "X", "phone": "0800 11"},\n)\n')
    findings = route_findings([], [{"title": "X", "phone": "0800 11"}], source)
    assert [(f.path, f.line) for f in findings] == [(source, 2)]


# ---------------------------------------------------------------- reading level


def test_plain_text_ends_each_list_item_and_heading_as_a_sentence():
    text = plain_text("### Two kinds\n\n- money\n- more images\n\nA **bold** [link](https://x.org) here")
    assert text == "Two kinds. money. more images. A bold link here."


HARD = (
    "Notwithstanding considerable jurisprudential complexity, institutional safeguarding responsibilities "
    "necessitate comprehensive, multidisciplinary organisational documentation and interdepartmental "
    "communication, particularly regarding confidentiality, proportionality and accountability considerations "
    "within educational establishments."
)


def replace_body(path, body):
    """Keep a lesson's front matter and give it a new body."""
    text = path.read_text()
    end = text.index("\n---\n", 4) + 5
    path.write_text(text[:end] + "\n" + body)


def test_a_too_hard_lesson_is_reported_at_its_hardest_step(content):
    path = content[0] / "lessons" / "05-the-law-and-you.md"
    replace_body(path, f"## The law\n\nThe law protects you. It is on your side.\n\n## Responsibilities\n\n{HARD}\n")
    drop_reviews(content[1])  # they name the lesson's old steps
    findings, levels = check_course(load(content), MAX_GRADE)
    hard = [f for f in findings if f.check == "reading level"]
    assert [(f.path, f.line) for f in hard] == [(path, line_of(path, "## Responsibilities"))]
    assert "lesson 'the-law-and-you' reads at grade" in hard[0].problem
    verdicts = {level.lesson_id: level.ok for level in levels}
    assert verdicts["the-law-and-you"] is False
    assert sum(verdicts.values()) == 5


def test_reading_level_gives_words_grade_and_ease():
    words, grade, ease = reading_level("Sam got a message. It was from a new friend. She felt fine.")
    assert words == 13 and grade < 3 and ease > 90
    _, hard_grade, hard_ease = reading_level(
        "Institutional safeguarding responsibilities necessitate comprehensive documentation."
    )
    assert hard_grade > 15 and hard_ease < 0


# ---------------------------------------------------------------- victim-blaming language

PHRASES = load_phrases()


def test_the_phrase_list_has_its_source_and_the_brief_s_phrases():
    header = (ROOT / "training" / "blame_phrases.txt").read_text()
    assert "UKCIS" in header
    for phrase in ("you should have", "why did you", "you shouldn't have sent", "should have known", "your own fault",
                   "asking for it", "careless", "stupid", "naive", "if only you had", "you put yourself"):  # fmt: skip
        assert phrase in PHRASES


@pytest.mark.parametrize("phrase", PHRASES)
def test_each_blame_phrase_is_caught_in_quiz_feedback(content, phrase):
    path = content[1] / "what-is-online-blackmail.yaml"
    edit(path, 'feedback: "Annoying, but not blackmail.', f'feedback: "Annoying. {phrase.capitalize()} said so.')
    findings = [f for f in quality(content) if f.check == "blame"]
    assert [(f.path, f.line) for f in findings] == [(path, line_of(path, "Annoying."))]
    assert f'"{phrase}"' in findings[0].problem
    assert "question 'l1-1', option 'c' feedback" in findings[0].problem


@pytest.mark.parametrize(
    ("file", "old", "new", "line_text"),
    [
        ("lessons/02-who-is-behind-it.md", "## ", "## Why did you reply?\n\nText.\n\n## ", "## Why did you reply?"),
        # A phrase split over two lines is reported on the line where it starts.
        (
            "lessons/03-spotting-the-signs.md",
            "\nNext: the quiz",
            "\nIf Josh replied, it was your\nown fault.\n\nNext: the quiz",
            "it was your",
        ),
        (
            "course.yaml",
            "  You can pause or stop",
            "  You shouldn\u2019t have sent it.\n\n  You can pause or stop",
            "have sent it",
        ),
        (
            "quizzes:spotting-the-signs.yaml",
            'prompt: "Josh, 13,',
            'prompt: "You should have known. Josh, 13,',
            "You should",
        ),
        (
            "quizzes:what-to-do.yaml",
            "    scenario: |\n",
            "    scenario: |\n      That was naive of Sam.\n",
            "naive of Sam",
        ),
    ],
)
def test_blame_is_caught_in_every_kind_of_pupil_text(content, file, old, new, line_text):
    folder = content[1] if file.startswith("quizzes:") else content[0]
    path = folder / file.removeprefix("quizzes:")
    edit(path, old, new)
    findings = [f for f in quality(content) if f.check == "blame"]
    assert [(f.path, f.line) for f in findings] == [(path, line_of(path, line_text))]


@pytest.mark.parametrize(
    "sentence",
    [
        "It is not your fault.",
        "It's not your fault, whatever happened.",
        "It\u2019s not your fault.",
        "This isn't your fault.",
        "It was never your fault.",
        "You are not to blame.",
        "Nobody should have to deal with this alone.",
        "No one should have to pay.",
        "Being tricked does not make you stupid.",
        "Being fooled doesn't make anyone naive.",
    ],
)
def test_reassurance_is_not_flagged(content, sentence):
    append(content[0] / "lessons" / "06-feelings-and-friends.md", sentence)
    assert [f for f in quality(content) if f.check == "blame"] == []


def test_a_put_down_with_a_negative_command_is_still_flagged():
    block = Block(Path("x.md"), 3, ("Don't be stupid.",), "lesson text")
    assert [f.line for f in blame_findings([block], PHRASES)] == [3]


def test_the_blackmailer_s_chat_messages_are_quoted_not_flagged(content):
    path = content[1] / "spotting-the-signs.yaml"
    # The blackmailer (not the pupil character) says it: an example of manipulation.
    edit(
        path,
        "text: \"wait don't go!! if you liked me you'd stay\"",
        "text: \"wait don't go!! it's your fault if I'm sad\"",
    )
    assert [f for f in quality(content) if f.check == "blame"] == []
    # The same words in the feedback pupils read are flagged.
    edit(path, 'feedback: "Red flag. This is guilt and pressure.', "feedback: \"Red flag. It's your fault.")
    findings = [f for f in quality(content) if f.check == "blame"]
    assert [(f.path, f.line) for f in findings] == [(path, line_of(path, "Red flag. It's your fault."))]


def test_the_pupil_character_s_own_messages_are_checked(content):
    path = content[1] / "spotting-the-signs.yaml"
    edit(path, 'text: "haha thanks, you too"', 'text: "why did you say that"')
    assert [f.line for f in quality(content) if f.check == "blame"] == [line_of(path, "why did you say that")]


def test_allow_markers_let_a_writer_quote_the_blackmailer(content):
    quiz = content[1] / "what-to-do.yaml"
    edit(quiz, "    scenario: |\n", "    scenario: |  # blame-ok\n      The blackmailer says: this is your fault.\n")
    lesson = content[0] / "lessons" / "02-who-is-behind-it.md"
    append(lesson, '[//]: # (blame-ok: the blackmailer\'s words)\n"You should have known," the blackmailer says.')
    assert [f for f in quality(content) if f.check == "blame"] == []
    # The marker is invisible to pupils.
    step = next(s for s in load(content).lesson("who-is-behind-it").steps if "You should have known" in s.text)
    assert "blame-ok" not in step.html


def test_teacher_notes_are_not_pupil_text(content):
    path = content[0] / "lessons" / "01-what-is-online-blackmail.md"
    edit(
        path,
        "  discussion:\n",
        '  discussion:\n    - "Pupils may hear adults say: you should have known. Why is that unfair?"\n',
    )
    assert [f for f in quality(content) if f.check == "blame"] == []


# ---------------------------------------------------------------- flask content check


def test_flask_content_check_passes_on_the_real_course(runner, course):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "All checks passed." in result.output
    assert "Structure: OK" in result.output
    for lesson in course.lessons:
        assert lesson.id in result.output
    assert "Lesson" in result.output and "Grade" in result.output and "Ease" in result.output
    assert "too hard" not in result.output


def test_flask_content_check_fails_with_file_and_line(content, tmp_path):
    lesson = content[0] / "lessons" / "04-what-to-do.md"
    edit(lesson, "**Report to the police.**", "**Report to the police.** Why did you wait?")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "x.sqlite"),
            "TRAINING_CONTENT": str(content[0].parent),
            "QUIZ_CONTENT": str(content[1].parent),
        }
    )
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert f"{lesson}, line {line_of(lesson, 'Why did you wait?')}" in result.output
    assert '"why did you"' in result.output


def test_the_reading_threshold_comes_from_each_course(content, tmp_path):
    edit(content[0] / "course.yaml", "max_reading_grade: 7.0", "max_reading_grade: 1.0")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "x.sqlite"),
            "TRAINING_CONTENT": str(content[0].parent),
            "QUIZ_CONTENT": str(content[1].parent),
        }
    )
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "too hard" in result.output and "the most allowed is 1.0" in result.output


# ---------------------------------------------------------------- two courses


@pytest.fixture
def two_courses(tmp_path):
    """The younger route and a stand-in older route, in content parent folders."""
    younger = copy_course(ROOT, tmp_path / "training", tmp_path / "quizzes")
    older = make_older_route(ROOT, tmp_path / "training", tmp_path / "quizzes")
    return younger, older


def test_every_course_folder_loads_in_order_with_its_route(two_courses, tmp_path):
    courses = load_courses(tmp_path / "training", tmp_path / "quizzes")
    assert list(courses) == [YOUNGER, OLDER]
    older = courses[OLDER]
    assert (older.route, older.year_groups, older.route_label) == ("14-18", (9, 10, 11, 12, 13), "Years 9 to 13")
    assert courses[YOUNGER].max_reading_grade == 7.0 and "worth your life" in courses[YOUNGER].closing_html
    assert "designated safeguarding lead" in courses[YOUNGER].before_you_teach_html
    assert older.lessons[0].id == "o-what-is-online-blackmail" and older.checks.id == "o-checks"


def test_a_lesson_id_used_by_two_courses_is_refused_with_file_and_line(two_courses, tmp_path):
    _, (training, quizzes) = two_courses
    edit(training / "course.yaml", "  - o-what-to-do\n", "  - what-to-do\n")
    lesson = training / "lessons" / "04-o-what-to-do.md"
    lesson.rename(training / "lessons" / "04-what-to-do.md")
    lesson = training / "lessons" / "04-what-to-do.md"
    edit(lesson, "id: o-what-to-do", "id: what-to-do")
    (quizzes / "o-what-to-do.yaml").rename(quizzes / "what-to-do.yaml")
    edit(quizzes / "what-to-do.yaml", "quiz: o-what-to-do", "quiz: what-to-do")
    checks = quizzes / "o-checks.yaml"  # its review: links name the lesson by id
    checks.write_text(checks.read_text(encoding="utf-8").replace('"o-what-to-do: ', '"what-to-do: '), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_courses(tmp_path / "training", tmp_path / "quizzes")
    assert (caught.value.path, caught.value.line) == (lesson, line_of(lesson, "id: what-to-do"))
    assert "lesson id 'what-to-do' is also used in" in caught.value.problem


def test_a_question_id_used_by_two_courses_is_refused_with_file_and_line(two_courses, tmp_path):
    _, (_, quizzes) = two_courses
    path = quizzes / "o-who-is-behind-it.yaml"
    edit(path, "  - id: o-l2-1\n", "  - id: l2-1\n")
    with pytest.raises(ContentError) as caught:
        load_courses(tmp_path / "training", tmp_path / "quizzes")
    assert (caught.value.path, caught.value.line) == (path, line_of(path, "- id: l2-1"))
    assert "question id 'l2-1' is also used in" in caught.value.problem


def test_a_course_id_must_match_its_folder(content):
    edit(content[0] / "course.yaml", f"id: {YOUNGER}", "id: online-blackmail")
    error = broken(content)
    assert (error.path.name, error.line) == ("course.yaml", 1) and "must match the folder name" in error.problem


def test_a_course_without_closing_text_is_refused(content):
    path = content[0] / "course.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("closing: |")
    path.write_text(text[:start] + text[text.index("before_you_teach: |") :], encoding="utf-8")
    assert "'closing' is missing" in broken(content).problem


def test_flask_content_check_runs_on_every_course_and_names_it(two_courses, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "x.sqlite"),
            "TRAINING_CONTENT": str(tmp_path / "training"),
            "QUIZ_CONTENT": str(tmp_path / "quizzes"),
        }
    )
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert f"== Course {YOUNGER} (route Years 7 and 8) ==" in result.output
    assert f"== Course {OLDER} (route Years 9 to 13) ==" in result.output
    assert f"{OLDER}: all checks passed." in result.output
