"""The content check's give-aways: plant each pattern in a balanced quiz and see it flagged at its line."""

from types import SimpleNamespace

import yaml

from quizzes.questions import load_quiz
from training.quality import giveaway_findings

TOPICS = {"t": "A topic"}


def single(qid, right_at, texts=("Wait and see", "Tell an adult", "Pay them", "Reply")):
    """A single-answer question with the right option at file position `right_at`."""
    return {
        "id": qid,
        "type": "single",
        "topic": "t",
        "prompt": f"Question {qid}?",
        "options": [
            {"id": f"o{i}", "text": text, "feedback": "Because.", **({"correct": True} if i == right_at else {})}
            for i, text in enumerate(texts)
        ],
    }


def true_false(qid, answer):
    """A true/false question whose right answer is `answer`."""
    return {
        "id": qid,
        "type": "true_false",
        "topic": "t",
        "prompt": f"Statement {qid}.",
        "options": [
            {"id": "true", "feedback": "Because.", **({"correct": True} if answer else {})},
            {"id": "false", "feedback": "Because.", **({} if answer else {"correct": True})},
        ],
    }


def multiple(qid, rights):
    """A choose-all question with one option per entry of `rights` (True: a right option)."""
    return {
        "id": qid,
        "type": "multiple",
        "topic": "t",
        "prompt": f"Which {qid}?",
        "options": [
            {"id": f"o{i}", "text": f"Option {i}", "feedback": "Because.", **({"correct": True} if r else {})}
            for i, r in enumerate(rights)
        ],
    }


def balanced():
    """Questions with no pattern: positions varied, similar lengths, half True, half the options right."""
    return [
        single("s1", 0),
        single("s2", 1),
        single("s3", 2),
        single("s4", 3),
        true_false("tf1", True),
        true_false("tf2", False),
        true_false("tf3", True),
        multiple("m1", [True, False, True, False]),
    ]


def course_of(tmp_path, *quizzes):
    """A course holding the given quizzes (lists of questions), written as real files."""
    course_path = tmp_path / "course.yaml"
    course_path.write_text("id: c\ntitle: A course\nlessons:\n  - one\n", encoding="utf-8")
    loaded = []
    for number, questions in enumerate(quizzes, start=1):
        path = tmp_path / f"quiz{number}.yaml"
        path.write_text(yaml.safe_dump({"quiz": path.stem, "title": "Quiz", "questions": questions}), encoding="utf-8")
        loaded.append(load_quiz(path, TOPICS))
    return SimpleNamespace(path=course_path, quizzes=lambda: tuple(loaded))


def line_of_question(path, qid):
    """The line of `- id: qid` in a quiz file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, row in enumerate(lines, start=1) if row.strip() in (f"- id: {qid}", f"id: {qid}"))


def test_a_balanced_quiz_has_no_give_aways(tmp_path):
    assert giveaway_findings(course_of(tmp_path, balanced())) == []


def test_the_right_option_always_in_one_place_is_flagged_at_the_first_question(tmp_path):
    questions = balanced()
    questions[1:4] = [single("s2", 0), single("s3", 0), single("s4", 1)]  # 3 of 4 first: 75%
    course = course_of(tmp_path, questions)
    found = [f for f in giveaway_findings(course) if "first in the file" in f.problem]
    quiz_path = tmp_path / "quiz1.yaml"
    assert [(f.path, f.line) for f in found][0] == (quiz_path, line_of_question(quiz_path, "s1"))
    assert "3 of 4" in found[0].problem and "s1, s2, s3" in found[0].problem
    assert all(f.check == "give-aways" for f in found)


def test_three_of_five_in_one_place_is_not_a_give_away(tmp_path):
    questions = balanced()[:4] + [single("s5", 0)]  # first in 2 of 5
    assert giveaway_findings(course_of(tmp_path, questions)) == []


def test_the_right_option_longest_is_flagged(tmp_path):
    long = ("Wait and see", "Tell a trusted adult you know straight away, today", "Pay them", "Reply")
    questions = balanced()
    questions[0:2] = [single("s1", 1, long), single("s2", 1, long)]
    questions[2] = single("s3", 2, ("A", "B", "The longest one of them all", "D"))
    found = [f for f in giveaway_findings(course_of(tmp_path, questions)) if "longest" in f.problem]
    assert found and "3 of 4" in found[0].problem and found[0].path == tmp_path / "quiz1.yaml"


def test_unbalanced_true_false_across_the_course_is_flagged_at_the_course_file(tmp_path):
    # Two quizzes, each too small to judge alone: 5 of 6 True across the course.
    first = [true_false("a1", True), true_false("a2", True), true_false("a3", False)]
    second = [true_false("b1", True), true_false("b2", True), true_false("b3", True)]
    found = giveaway_findings(course_of(tmp_path, first, second))
    assert len(found) == 1
    assert (found[0].path, found[0].line) == (tmp_path / "course.yaml", 3)  # the `lessons:` line
    assert "5 of 6 true/false answers are True" in found[0].problem


def test_balanced_true_false_is_not_flagged(tmp_path):
    items = [true_false(f"t{i}", i % 2 == 0) for i in range(6)]
    assert giveaway_findings(course_of(tmp_path, items)) == []


def test_choose_all_questions_mostly_right_are_flagged(tmp_path):
    questions = balanced()
    questions[-1] = multiple("m1", [True, True, True, False])  # 3 of 4 right: 75%
    found = giveaway_findings(course_of(tmp_path, questions))
    quiz_path = tmp_path / "quiz1.yaml"
    assert any(
        f.path == quiz_path and f.line == line_of_question(quiz_path, "m1") and "3 of 4" in f.problem for f in found
    )


def test_a_pattern_spread_over_quizzes_is_flagged_across_the_course(tmp_path):
    # Two questions per quiz (too few to judge a quiz), the right option first in all four.
    found = giveaway_findings(course_of(tmp_path, [single("a", 0), single("b", 0)], [single("c", 0), single("d", 0)]))
    assert [f.path.name for f in found] == ["course.yaml"] and "4 of 4" in found[0].problem
