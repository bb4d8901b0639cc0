"""The content check's learning cues: plant each cue in a small course and see it flagged at its line."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

import safeguarding.help_routes
from app import create_app
from quizzes.questions import load_quiz
from safeguarding.help_routes import DEFAULT_HELP_ROUTES
from training.check import CHECKS, CUE_HEADINGS
from training.course import load_course
from training.cues import (
    ABSOLUTE,
    HELP,
    absolute_tally,
    chats,
    choose_all_counts,
    choose_all_problems,
    cue_figures,
    cue_findings,
    cue_words,
    figure_cells,
    help_tally,
    near_copies,
    quiz_choices,
    similarity,
)
from training.quality import check_course

from helpers import copy_course

ROOT = Path(__file__).parents[2]
TOPICS = {"t": "A topic"}
CUES = ("absolute words", "help words", "choose-all", "practice chats", "near-copies")
PLAIN = ("Wait and see what happens", "Reply to ask why", "Pay them what they ask")


def option(oid, text, right=False):
    """One option with feedback; `right` marks it correct."""
    return {"id": oid, "text": text, "feedback": "Because.", **({"correct": True} if right else {})}


def single(qid, right, wrong=PLAIN, prompt=None, qtype="single", scenario=None):
    """A single (or next_step) question: the right option first, then the wrong ones."""
    item = {"id": qid, "type": qtype, "topic": "t", "prompt": prompt or f"What should Sam do in case {qid}?"}
    if qtype == "next_step":
        item["scenario"] = scenario or f"Sam, 13, gets a message in case {qid}."
    item["options"] = [option("a", right, True)] + [option(chr(98 + i), text) for i, text in enumerate(wrong)]
    return item


def true_false(qid, statement, answer):
    """A true/false question: `statement` is true when `answer` is True."""
    return {
        "id": qid,
        "type": "true_false",
        "topic": "t",
        "prompt": statement,
        "options": [
            {"id": "true", "feedback": "Because.", **({"correct": True} if answer else {})},
            {"id": "false", "feedback": "Because.", **({} if answer else {"correct": True})},
        ],
    }


def multiple(qid, right, size=5, prompt=None):
    """A choose-all question with `size` options, the first `right` of them right."""
    return {
        "id": qid,
        "type": "multiple",
        "topic": "t",
        "prompt": prompt or f"Which of these fit case {qid}?",
        "options": [option(f"o{i}", f"Choice {i} of {qid}", i < right) for i in range(size)],
    }


def chat(qid, messages, character="Sam"):
    """A red_flags question; `messages` are (from, text, red_flag) triples."""
    return {
        "id": qid,
        "type": "red_flags",
        "topic": "t",
        "prompt": "Pick the messages that are red flags.",
        "character": character,
        "messages": [
            {"id": f"m{i}", "from": sender, "text": text, "red_flag": flag, "feedback": "Because."}
            for i, (sender, text, flag) in enumerate(messages, start=1)
        ],
    }


def write_quiz(path, questions):
    """A quiz file of `questions`, loaded."""
    path.write_text(yaml.safe_dump({"quiz": path.stem, "title": "Quiz", "questions": questions}, sort_keys=False))
    return load_quiz(path, TOPICS)


def course_of(tmp_path, *lesson_quizzes, checks=()):
    """A course of the given lesson quizzes (lists of questions) and checks, written as real files."""
    course_path = tmp_path / "course.yaml"
    course_path.write_text("id: c\ntitle: A course\nlessons:\n  - one\n", encoding="utf-8")
    quizzes = [write_quiz(tmp_path / f"quiz{n}.yaml", qs) for n, qs in enumerate(lesson_quizzes, start=1)]
    checks_quiz = write_quiz(tmp_path / "checks.yaml", list(checks) or [true_false("ck-0", "A plain fact.", True)])
    return SimpleNamespace(
        path=course_path,
        lessons=[SimpleNamespace(quiz=quiz) for quiz in quizzes],
        checks=checks_quiz,
        quizzes=lambda: (*quizzes, checks_quiz),
    )


def line_of(path, text):
    """The number of the first line of a file that contains `text`."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return next(n for n, row in enumerate(lines, start=1) if text in row)


def found(course, check):
    """(file, line) of each finding of one cue."""
    return [(f.path, f.line) for f in cue_findings(course) if f.check == check]


def problems(course, check):
    """The text of each finding of one cue."""
    return [f.problem for f in cue_findings(course) if f.check == check]


COURSE_LINE = 3  # the `lessons:` line of course_of's course.yaml


def test_every_cue_prints_in_its_own_section():
    assert set(CUES) <= {check for check, _ in CHECKS}


# ---------------------------------------------------------------- 1. absolute words


def absolute_quiz(right_word=""):
    """Four questions with three wrong options holding an absolute word; a right one too if `right_word`."""
    return [
        single("a1", "Block the account", ("It only happens to girls", "Wait a bit", "Pay them")),
        single("a2", "Save the messages", ("You can never get help", "Wait a bit", "Pay them")),
        single("a3", f"Stop replying{right_word}", ("Wait a bit", "Reply once", "Pay them")),
        true_false("a4", "Blackmailers always stop when paid.", False),
    ]


def test_absolute_words_only_in_wrong_options_fail_the_quiz_at_the_first(tmp_path):
    course = course_of(tmp_path, absolute_quiz())
    quiz = tmp_path / "quiz1.yaml"
    assert found(course, "absolute words")[0] == (quiz, line_of(quiz, "It only happens"))
    [problem] = [p for p in problems(course, "absolute words") if p.startswith("quiz")]
    assert "3 wrong answers" in problem and "a2 option 'b'" in problem and "a4 statement" in problem
    assert f"line {line_of(quiz, 'always stop')}, 'always'" in problem


def test_an_absolute_word_in_a_right_option_too_passes_the_quiz(tmp_path):
    course = course_of(tmp_path, absolute_quiz(right_word=", every time"))
    assert [p for p in problems(course, "absolute words") if p.startswith("quiz")] == []


def test_a_true_statement_counts_as_a_right_answer(tmp_path):
    questions = absolute_quiz()
    questions.append(true_false("a5", "It is never your fault.", True))
    counted = absolute_tally(quiz_choices(write_quiz(tmp_path / "q.yaml", questions)))
    assert [c.question for c in counted.right] == ["a5"]
    assert (len(counted.wrong), counted.wrong_total, counted.right_total) == (3, 10, 4)


def two_absolute_wrong(prefix, right_word=""):
    """Four questions (4 right, 12 wrong options), two wrong options with an absolute word."""
    return [
        single(f"{prefix}1", f"Block them{right_word}", ("It is all a joke", "Wait a bit", "Pay them")),
        single(f"{prefix}2", "Save the messages", ("Nothing can be done", "Wait a bit", "Pay them")),
        single(f"{prefix}3", "Stop replying", ("Wait a bit", "Reply once", "Pay them")),
        single(f"{prefix}4", "Take a break", ("Wait a bit", "Reply once", "Pay them")),
    ]


def test_absolute_words_spread_over_the_course_fail_at_the_course_file(tmp_path):
    # Two wrong options in each quiz (too few to judge a quiz): 4 of 24 wrong, 0 of 8 right.
    course = course_of(tmp_path, two_absolute_wrong("x"), two_absolute_wrong("y"))
    assert found(course, "absolute words") == [(tmp_path / "course.yaml", COURSE_LINE)]
    assert "4 of 24 wrong answers (17%)" in problems(course, "absolute words")[0]


def test_absolute_words_in_right_options_at_half_the_wrong_share_pass_the_course(tmp_path):
    # 4 of 24 wrong (17%) against 1 of 8 right (13%): not more than twice.
    course = course_of(tmp_path, two_absolute_wrong("x", right_word=" every time"), two_absolute_wrong("y"))
    assert found(course, "absolute words") == []


def test_three_wrong_options_across_the_course_are_too_few_to_judge(tmp_path):
    third = two_absolute_wrong("y")
    third[1] = single("y2", "Save the messages", ("Wait a bit", "Reply once", "Pay them"))
    assert found(course_of(tmp_path, two_absolute_wrong("x"), third), "absolute words") == []


def test_absolute_words_are_whole_words_in_any_case():
    assert cue_words(ABSOLUTE, "NEVER pay. Only once. All of it, always.") == ("never", "only", "all", "always")
    assert cue_words(ABSOLUTE, "Totally lonely, usually nevertheless") == ()


# ---------------------------------------------------------------- 2. help-seeking bias


def help_quiz(help_in_wrong=False):
    """Three single/next_step questions, the right option naming help in two of them."""
    wrong = ("Tell a friend and ask them not to tell anyone", "Report it to the app and keep chatting", "Pay them")
    return [
        single("h1", "Block them and stop replying", wrong if help_in_wrong else PLAIN),
        single("h2", "Tell a trusted adult today", PLAIN),
        single("h3", "Report it to CEOP", wrong if help_in_wrong else PLAIN, qtype="next_step"),
        multiple("h4", 2, 4),  # choose-all questions are not counted
    ]


def test_right_answers_that_tell_or_report_fail_the_quiz_at_the_first(tmp_path):
    course = course_of(tmp_path, help_quiz())
    quiz = tmp_path / "quiz1.yaml"
    assert found(course, "help words")[0] == (quiz, line_of(quiz, "Tell a trusted adult"))
    assert "in 2 of 3 single/next_step questions" in problems(course, "help words")[0]
    assert "second-best" in problems(course, "help words")[0]


def test_plausible_help_words_in_wrong_options_pass_the_quiz(tmp_path):
    # Right 2 of 3 (67%); wrong 4 of 9 (44%): not more than twice.
    assert found(course_of(tmp_path, help_quiz(help_in_wrong=True)), "help words") == []


def test_right_answers_naming_help_in_half_the_questions_or_fewer_pass(tmp_path):
    questions = help_quiz()
    questions[1] = single("h2", "Keep the messages", PLAIN)
    assert found(course_of(tmp_path, questions), "help words") == []


def test_help_bias_spread_over_the_course_fails_at_the_course_file(tmp_path):
    first = [single("p1", "Tell a parent", PLAIN), single("p2", "Ask a teacher for help", PLAIN)]
    second = [single("p3", "Talk to your carer", PLAIN), single("p4", "Block them", PLAIN)]
    course = course_of(tmp_path, first, second)
    assert found(course, "help words") == [(tmp_path / "course.yaml", COURSE_LINE)]
    assert "in 3 of 4 single/next_step questions (75%)" in problems(course, "help words")[0]


def test_help_tally_counts_single_and_next_step_options_only(tmp_path):
    counted = help_tally(quiz_choices(write_quiz(tmp_path / "q.yaml", help_quiz())))
    assert [c.question for c in counted.right] == ["h2", "h3"]
    assert (counted.right_total, len(counted.wrong), counted.wrong_total) == (3, 0, 9)
    assert cue_words(HELP, "The police, your parents and Childline can help; tell the DSL") == (
        "police", "parents", "childline", "help", "tell", "dsl",
    )  # fmt: skip


# ---------------------------------------------------------------- 3. choose-all right counts


def test_choose_all_items_with_the_same_right_count_fail_at_the_course_file(tmp_path):
    course = course_of(tmp_path, [multiple("c1", 3), multiple("c2", 3)], [multiple("c3", 3), multiple("c4", 2)])
    assert found(course, "choose-all") == [(tmp_path / "course.yaml", COURSE_LINE)]
    problem = problems(course, "choose-all")[0]
    assert "3 of 4 have 3 right" in problem and "none has exactly one" in problem
    assert "none has every option right but one" in problem and "c4 2 of 5" in problem


def test_choose_all_counts_from_one_to_all_but_one_pass(tmp_path):
    course = course_of(tmp_path, [multiple("c1", 1), multiple("c2", 3)], [multiple("c3", 2), multiple("c4", 4)])
    assert found(course, "choose-all") == []


def test_choose_all_problems_each_rule():
    assert choose_all_problems([(3, 5)] * 3) == []  # fewer than 4 items: not judged
    assert choose_all_problems([(1, 5), (2, 5), (3, 5), (4, 5)]) == []
    assert choose_all_problems([(1, 5), (2, 5), (2, 5), (4, 5)]) == []  # 2 of 4 is not more than half
    assert choose_all_problems([(1, 5), (2, 5), (2, 5), (2, 5), (4, 5)]) == ["3 of 5 have 2 right"]
    assert choose_all_problems([(2, 5), (3, 5), (2, 4), (4, 5)]) == ["none has exactly one right option"]
    assert choose_all_problems([(1, 5), (2, 5), (3, 5), (2, 4)]) == ["none has every option right but one"]


def test_choose_all_counts_in_order(tmp_path):
    quiz = write_quiz(tmp_path / "q.yaml", [multiple("c1", 1), single("s", "Block"), multiple("c2", 4)])
    assert choose_all_counts(quiz.questions) == (1, 4)


# ---------------------------------------------------------------- 4. practice chats

REQUEST = ("Alex", "Send me a nude pic of you", True)


def sams_chat(*others):
    """A chat where Sam (the pupil) sends four ordinary messages and Alex the given ones."""
    own = [("Sam", f"ordinary reply {i}", False) for i in range(4)]
    return chat("r1", own + list(others))


def test_a_balanced_chat_with_a_plain_request_passes_and_the_pupil_s_own_messages_are_left_out(tmp_path):
    # Alex: 2 of 4 flagged (50%). Counting Sam's four replies it would be 2 of 8 (25%) and fail.
    course = course_of(tmp_path, [sams_chat(("Alex", "hey", False), ("Alex", "fun game", False),
                                            ("Alex", "keep it secret", True), REQUEST)])  # fmt: skip
    assert found(course, "practice chats") == []
    [figures] = chats(course.lessons[0].quiz.questions)
    assert (figures.flagged, figures.others, figures.share, figures.request) == (2, 4, 0.5, "m8")


def test_a_chat_with_too_many_flags_fails_at_the_question(tmp_path):
    course = course_of(tmp_path, [sams_chat(("Alex", "hey", False), ("Alex", "move apps?", True),
                                            ("Alex", "keep it secret", True), REQUEST)])  # fmt: skip
    quiz = tmp_path / "quiz1.yaml"
    assert found(course, "practice chats") == [(quiz, line_of(quiz, "- id: r1"))]
    assert "3 of the 4 messages from people other than Sam are red flags (75%)" in problems(course, "practice chats")[0]
    assert "add an ordinary message" in problems(course, "practice chats")[0]


def test_a_chat_with_too_few_flags_fails(tmp_path):
    messages = [("Alex", f"chat {i}", False) for i in range(4)] + [REQUEST]  # 1 of 5: 20%
    course = course_of(tmp_path, [chat("r1", messages)])
    assert "add a warning sign" in problems(course, "practice chats")[0]


def test_a_chat_without_a_plain_request_fails_at_the_question(tmp_path):
    course = course_of(tmp_path, [sams_chat(("Alex", "hey", False), ("Alex", "send a pic", True))])
    quiz = tmp_path / "quiz1.yaml"
    assert found(course, "practice chats") == [(quiz, line_of(quiz, "- id: r1"))]
    assert "plainly asks for a nude or sexual picture" in problems(course, "practice chats")[0]


@pytest.mark.parametrize(
    ("sender", "flag"),
    [("Sam", True), ("Alex", False)],  # the pupil's own words; the other person's, not flagged
)
def test_a_request_must_be_a_flagged_message_from_the_other_person(tmp_path, sender, flag):
    messages = [("Alex", "hey", False), ("Alex", "keep it secret", True), (sender, "take your top off on camera", flag)]
    course = course_of(tmp_path, [chat("r1", messages)])
    assert any("plainly asks" in p for p in problems(course, "practice chats"))


@pytest.mark.parametrize(
    "text", ["Send me a nude pic", "any nudes?", "pic of you naked", "undress for me", "take ur clothes  off",
             "top off on cam", "be sexy for me", "something sexual"],
)  # fmt: skip
def test_each_plain_request_word_counts(tmp_path, text):
    quiz = write_quiz(tmp_path / "q.yaml", [chat("r1", [("Alex", "hey", False), ("Alex", text, True)])])
    assert chats(quiz.questions)[0].request == "m2"


# ---------------------------------------------------------------- 5. near-copies

LESSON_ITEM = single(
    "l1", "Stop replying and block the account", ("Send the money", "Delete everything"),
    prompt="Jordan, 14, is told to pay £100 or a photo will be shared with his friends. What should he do?",
)  # fmt: skip


def test_a_check_item_with_a_near_copied_prompt_fails_at_its_line(tmp_path):
    check = single(
        "ck1", "Block them", ("Pay", "Wait"),
        prompt="Kai, 14, is told to pay £100 or a photo will be shared with his friends. What should he do?",
    )  # fmt: skip
    course = course_of(tmp_path, [LESSON_ITEM], checks=[check])
    checks = tmp_path / "checks.yaml"
    assert found(course, "near-copies") == [(checks, line_of(checks, "- id: ck1"))]
    problem = problems(course, "near-copies")[0]
    assert f"near-copy of 'l1' in quiz1.yaml (line {line_of(tmp_path / 'quiz1.yaml', '- id: l1')})" in problem
    assert "new scenario" in problem


def test_a_check_item_with_new_wording_passes(tmp_path):
    check = single(
        "ck1", "Block them", ("Pay", "Wait"),
        prompt="A stranger online says Mia must send gift cards by midnight. Which step comes first?",
    )  # fmt: skip
    assert found(course_of(tmp_path, [LESSON_ITEM], checks=[check]), "near-copies") == []


# Half alike: a near-copy only with a right option copied too.
HALF_ALIKE = "Jordan, 15, is told to pay £100 by tonight or it goes to his whole class. What now?"


@pytest.mark.parametrize(("right", "copied"), [("Stop replying and block the account", True), ("Tell a coach", False)])
def test_a_half_alike_prompt_is_a_near_copy_only_with_a_copied_right_option(tmp_path, right, copied):
    assert 0.4 <= similarity(HALF_ALIKE, LESSON_ITEM["prompt"]) < 0.6
    course = course_of(tmp_path, [LESSON_ITEM], checks=[single("ck1", right, ("Pay", "Wait"), prompt=HALF_ALIKE)])
    assert bool(found(course, "near-copies")) is copied


@pytest.mark.parametrize(
    ("check_scenario", "copied"),
    [
        ("Jordan, 13, is told to pay **£100** or a photo will be shared with his friends.", True),
        ("A girl in Year 8 gets a voice note from a boy she met in a game, asking to video call.", False),
    ],
)
def test_the_scenario_counts_with_the_prompt(tmp_path, check_scenario, copied):
    scenario = "Jordan, 14, is told to pay £100 or a photo will be shared with his friends."
    lesson = single("l1", "Block", PLAIN, prompt="What could he do next?", qtype="next_step", scenario=scenario)
    check = single("ck1", "Save", ("Pay", "Wait"), prompt="What could she do next?", qtype="next_step",
                   scenario=check_scenario)  # fmt: skip
    course = course_of(tmp_path, [lesson], checks=[check])
    assert [copy.twin.id for copy in near_copies(course.checks, [course.lessons[0].quiz])] == (["l1"] if copied else [])


@pytest.mark.parametrize(("belief", "copied"), [(True, False), (False, True)])
def test_belief_items_in_the_checks_are_not_compared(tmp_path, belief, copied):
    check = {**true_false("ck1", "It is never your fault if you are blackmailed.", True), "belief": belief}
    lesson = true_false("l1", "It is never your fault if you are blackmailed.", True)
    assert bool(found(course_of(tmp_path, [lesson], checks=[check]), "near-copies")) is copied


def test_similarity_is_on_lower_cased_words():
    assert similarity("Block THE account!", "block the account") == 1.0
    assert similarity("a b c d", "a b x y") == 0.5
    assert similarity("one", "") == 0.0


# ---------------------------------------------------------------- the figures


def test_cue_figures_give_a_row_per_quiz_and_a_course_total(tmp_path):
    checks = [
        single("ck1", "Tell a teacher", ("It never stops", "Wait"), prompt="Where can Lee go on Friday?"),
        multiple("ck2", 1, 3, prompt="Pick each sign of a scam."),
    ]
    course = course_of(
        tmp_path,
        [single("s1", "Only block them", ("Tell a friend only", "Wait")), multiple("m1", 3)],
        [sams_chat(("Alex", "hey", False), REQUEST), chat("r2", [("Jo", "hi", False), ("Jo", "secret", True)] * 2)],
        checks=checks,
    )
    rows = cue_figures(course)
    assert [row.name for row in rows] == ["quiz1", "quiz2", "checks", "course total"]
    cells = [figure_cells(row) for row in rows]
    assert cells[0] == ("quiz1", "1/4", "1/4", "0/1", "1/2", "3", "-", "-", "0")
    assert cells[1] == ("quiz2", "0/0", "0/0", "0/0", "0/0", "-", "50%, 50%", "yes, no", "0")
    assert cells[2] == ("checks", "0/2", "1/4", "1/1", "0/2", "1", "-", "-", "0")
    assert cells[3] == ("course total", "1/6", "2/8", "1/2", "1/4", "3,1", "50%, 50%", "yes, no", "0")


def test_near_copy_figures_count_the_check_items_and_the_lesson_items_they_copy(tmp_path):
    copy = single("ck1", "Block them", ("Pay", "Wait"), prompt=LESSON_ITEM["prompt"])
    course = course_of(tmp_path, [LESSON_ITEM], [single("other", "Block", PLAIN)], checks=[copy])
    assert [row.near_copies for row in cue_figures(course)] == [1, 0, 1, 1]


# ---------------------------------------------------------------- in the real check


def test_check_course_reports_a_near_copy_planted_in_the_real_checks(tmp_path):
    training, quizzes = copy_course(ROOT, tmp_path / "training", tmp_path / "quizzes")
    course = load_course(training, quizzes)
    twin = next(q for q in course.lessons[0].quiz.marked_questions if q.type == "single")
    lesson_data = yaml.safe_load(course.lessons[0].quiz.path.read_text(encoding="utf-8"))
    item = next(q for q in lesson_data["questions"] if str(q["id"]) == twin.id)
    checks_path = course.checks.path
    data = yaml.safe_load(checks_path.read_text(encoding="utf-8"))
    # Its `review` (the lesson step that teaches it) is in the lesson quiz's form, not the checks'.
    data["questions"].append({**{k: v for k, v in item.items() if k != "review"}, "id": "planted-copy"})
    checks_path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    findings, _ = check_course(
        load_course(training, quizzes), 7.0, DEFAULT_HELP_ROUTES, safeguarding.help_routes.__file__
    )
    planted = [f for f in findings if f.check == "near-copies" and "'planted-copy'" in f.problem]
    assert [(f.path, f.line) for f in planted] == [(checks_path, line_of(checks_path, "id: planted-copy"))]
    assert f"near-copy of '{twin.id}'" in planted[0].problem and "100% alike" in planted[0].problem


def test_flask_content_check_prints_the_learning_cues_table_and_sections(tmp_path):
    copy_course(ROOT, tmp_path / "training", tmp_path / "quizzes")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "x.sqlite"),
            "TRAINING_CONTENT": str(tmp_path / "training"),
            "QUIZ_CONTENT": str(tmp_path / "quizzes"),
        }
    )
    output = app.test_cli_runner().invoke(args=["content", "check"]).output
    assert "Learning cues (" in output
    header = next(row for row in output.splitlines() if row.strip().startswith("Quiz "))
    assert header.split() == " ".join(CUE_HEADINGS).split()
    assert "  course total " in output
    for check, title in CHECKS:
        if check in CUES:
            assert f"{title}: " in output
