"""Belief items: feedback like any question, never scored, never kept against the pupil; class totals only."""

import shutil
from pathlib import Path

import pytest
from markupsafe import escape

from db import write_transaction
from progress.reteach import MIN_CONFIDENCE_PUPILS, topic_gains
from quizzes.marking import mark_quiz
from quizzes.questions import load_quiz
from training.files import ContentError

from helpers import CHECK_URL, QUIZ_URL, WITHOUT_TRANSLATIONS, make_app, right_answers, sign_in, submit_quiz

ROOT = Path(__file__).parents[2]
LESSON_BELIEF = "l1-4"  # "Online blackmail is a crime." (True)
CHECK_BELIEF = "ck-3"


def make_belief(path, question_id):
    """Mark a question of a quiz file as a belief item."""
    text = path.read_text(encoding="utf-8")
    marker = f"  - id: {question_id}\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + "    belief: true\n"), encoding="utf-8")


@pytest.fixture
def content(tmp_path):
    """A copy of the content with one belief item in lesson 1's quiz and one in the checks."""
    training = tmp_path / "training" / "online-blackmail-11-13"
    quizzes = tmp_path / "quizzes" / "online-blackmail-11-13"
    shutil.copytree(ROOT / "training" / "content" / "online-blackmail-11-13", training, ignore=WITHOUT_TRANSLATIONS)
    shutil.copytree(ROOT / "quizzes" / "content" / "online-blackmail-11-13", quizzes, ignore=WITHOUT_TRANSLATIONS)
    make_belief(quizzes / "what-is-online-blackmail.yaml", LESSON_BELIEF)
    make_belief(quizzes / "checks.yaml", CHECK_BELIEF)
    return training, quizzes


@pytest.fixture
def app(tmp_path, content):
    """The app on the copy with belief items (overrides conftest's `app`)."""
    return make_app(
        tmp_path / "test.sqlite", TRAINING_CONTENT=str(content[0].parent), QUIZ_CONTENT=str(content[1].parent)
    )


# ---------------------------------------------------------------- loading and marking


def test_the_loader_reads_belief_and_scores_without_it(content):
    quiz = load_quiz(content[1] / "what-is-online-blackmail.yaml", _topics(content))
    belief = quiz.question(LESSON_BELIEF)
    assert belief.belief and not belief.marked and belief.topic == "what-it-is"
    assert belief not in quiz.marked_questions
    responses = {q.id: _right(q) for q in quiz.questions}
    responses[LESSON_BELIEF] = "false"  # disagreeing with the course costs nothing
    result = mark_quiz(quiz, responses)
    counted = [q for q in quiz.questions if q.type != "confidence" and q.id != LESSON_BELIEF]
    assert (result.score, result.max_score, result.percent) == (len(counted), len(counted), 100)
    assert next(r for r in result.questions if r.question_id == LESSON_BELIEF).correct is False


@pytest.mark.parametrize(
    ("question_id", "value"),
    [("l1-2", "true"), (LESSON_BELIEF, '"yes"')],  # l1-2 is a choose-all question
)
def test_belief_only_as_true_or_false_on_single_or_true_false(content, question_id, value):
    path = content[1] / "what-is-online-blackmail.yaml"
    text = path.read_text(encoding="utf-8").replace("    belief: true\n", "")
    marker = f"  - id: {question_id}\n"
    path.write_text(text.replace(marker, marker + f"    belief: {value}\n"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_quiz(path, _topics(content))
    assert caught.value.line == _line_of(path, f"belief: {value}") and "belief" in str(caught.value)


# ---------------------------------------------------------------- kept only as class totals


def test_belief_answers_are_kept_without_the_pupil_once_and_not_as_answers(
    client, course, db, make_school, make_pupil, make_class
):
    school_id = make_school()
    class_id = make_class(school_id, "9B")
    make_pupil(school_id, "ryan.d", class_id=class_id)
    sign_in(client, "ryan.d")
    lesson = course.lessons[0]
    answers = right_answers(lesson.quiz)
    for _ in range(2):  # a retake does not count twice
        response = submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, answers)
    assert response.status_code == 303
    assert db["answers"].count_where("question_id = ?", [LESSON_BELIEF]) == 0
    rows = list(db["belief_responses"].rows)
    assert [(r["question_id"], r["option_id"], r["phase"]) for r in rows] == [(LESSON_BELIEF, "true", "lesson")]
    assert "pupil_id" not in rows[0] and len(rows[0]["answered_on"]) == 10
    assert [r["class_id"] for r in db["belief_response_classes"].rows] == [class_id]
    page = client.get(response.location).text
    belief = lesson.quiz.question(LESSON_BELIEF)
    assert "your answer is not kept with your name" in page
    for option in belief.options:
        assert str(escape(option.feedback.split(".")[0])) in page


def test_the_re_teach_page_shows_belief_totals_only_for_enough_pupils(
    app, course, db, make_school, make_pupil, make_class, make_staff
):
    school_id = make_school()
    teacher_id = make_staff(school_id, "t@school.test")
    class_id = make_class(school_id, "9B", teacher_id)
    checks = course.checks
    for n in range(MIN_CONFIDENCE_PUPILS):
        make_pupil(school_id, f"pupil.{n}", class_id=class_id)
        pupil = app.test_client()
        sign_in(pupil, f"pupil.{n}")
        answers = right_answers(checks)
        if n == 0:
            answers[f"q_{CHECK_BELIEF.replace('-', '_')}"] = "false"
        submit_quiz(pupil, CHECK_URL.format("final"), checks, answers)
        teacher = app.test_client()
        sign_in(teacher, "t@school.test")
        page = teacher.get(f"/classes/{class_id}/reteach").text
        answered = n + 1
        if answered < MIN_CONFIDENCE_PUPILS:
            assert "data-hidden-belief" in page and " said True" not in page
    assert f"{MIN_CONFIDENCE_PUPILS - 1} of {MIN_CONFIDENCE_PUPILS} said True" in page
    assert f"1 of {MIN_CONFIDENCE_PUPILS} said False" in page
    assert "data-hidden-belief" not in page


def test_the_pupil_record_never_shows_a_belief_answer_even_one_kept_before(
    client, course, db, make_school, make_pupil, make_class, make_staff
):
    school_id = make_school()
    teacher_id = make_staff(school_id, "t@school.test")
    pupil_id = make_pupil(school_id, "ryan.d")
    class_id = make_class(school_id, "9B", teacher_id, [pupil_id])
    sign_in(client, "ryan.d")
    lesson = course.lessons[0]
    submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    attempt_id = next(db["attempts"].rows)["id"]
    with write_transaction(db):  # an answer saved before the question became a belief item
        db["answers"].insert({"attempt_id": attempt_id, "question_id": LESSON_BELIEF, "question_type": "true_false",
                              "topic": "what-it-is", "response": '"false"', "correct": 0})  # fmt: skip
    client.post("/sign-out")
    sign_in(client, "t@school.test")
    page = client.get(f"/classes/{class_id}/pupils/{pupil_id}").text
    assert lesson.quiz.question("l1-1").prompt in page
    assert lesson.quiz.question(LESSON_BELIEF).prompt not in page


def test_topic_gains_leave_out_answers_kept_before_a_question_became_a_belief(course):
    rows = [
        {"pupil_id": 1, "phase": phase, "question_id": qid, "topic": "who-it-happens-to", "correct": correct}
        for phase, qid, correct in [("baseline", CHECK_BELIEF, 0), ("final", CHECK_BELIEF, 1)]
    ]
    gains = {g.topic: g for g in topic_gains(course, rows)}
    topic = gains.get("who-it-happens-to")
    assert topic is None or (topic.baseline, topic.final) == (None, None)


def _topics(content):
    import yaml

    return yaml.safe_load((content[0] / "course.yaml").read_text(encoding="utf-8"))["topics"]


def _right(question):
    if question.type == "order":
        return {o.id: o.position for o in question.options}
    if question.type in ("multiple", "red_flags"):
        return {o.id for o in question.options if o.correct}
    if question.type == "confidence":
        return 4
    return next(o.id for o in question.options if o.correct)


def _line_of(path, text):
    return next(n for n, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in row)
