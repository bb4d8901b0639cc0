"""Options in a new order for every attempt, kept with the attempt; marking works on ids alone."""

import json
import re

from markupsafe import escape

from quizzes.forms import field_name
from quizzes.questions import Option, Question
from quizzes.shuffle import display_order, ordered_options

from helpers import QUIZ_URL, form_token, right_answers, sign_in, wrong_answers

TOKENS = [f"token-{n}" for n in range(60)]


def question(qtype="single", n=4):
    """A question of `qtype` with `n` options, the first one right (the pattern to break)."""
    options = tuple(Option(id=f"o{i}", text=f"Option {i}", correct=i == 0, position=i + 1) for i in range(n))
    return Question(id="q1", type=qtype, prompt="?", options=options)


def test_the_same_token_gives_the_same_order():
    q = question()
    assert display_order(q, "secret", "abc") == display_order(q, "secret", "abc")


def test_orders_vary_and_the_right_option_lands_everywhere():
    q = question()
    orders = [display_order(q, "secret", t) for t in TOKENS]
    assert len({tuple(o) for o in orders}) > 10
    assert {o.index("o0") for o in orders} == {0, 1, 2, 3}
    assert all(sorted(o) == ["o0", "o1", "o2", "o3"] for o in orders)


def test_the_secret_changes_the_order_so_a_token_does_not_reveal_it():
    q = question()
    assert [display_order(q, "one", t) for t in TOKENS] != [display_order(q, "two", t) for t in TOKENS]


def test_each_question_of_one_form_gets_its_own_order():
    a, b = question(), Question(id="q2", type="single", prompt="?", options=question().options)
    assert any(display_order(a, "s", t) != display_order(b, "s", t) for t in TOKENS)


def test_true_false_is_always_true_then_false():
    q = Question(id="tf", type="true_false", prompt="?", options=(Option("false", "False"), Option("true", "True")))
    assert {tuple(display_order(q, "s", t)) for t in TOKENS} == {("true", "false")}
    assert [o.id for o in ordered_options(q)] == ["true", "false"]


def test_a_chat_keeps_its_message_order():
    q = question("red_flags")
    assert {tuple(display_order(q, "s", t)) for t in TOKENS} == {("o0", "o1", "o2", "o3")}


def test_order_steps_are_shuffled_but_never_shown_in_the_right_order():
    for n in (2, 3, 4):
        q = question("order", n)
        right = [f"o{i}" for i in range(n)]
        orders = [display_order(q, "s", t) for t in TOKENS]
        assert right not in orders
        assert len({tuple(o) for o in orders}) > 1 or n == 2


def test_order_steps_with_an_anywhere_step_are_never_shown_in_any_right_order():
    steps = tuple(Option(id=f"o{i}", text=f"Step {i}", position=i + 1, anywhere=i == 1) for i in range(3))
    q = Question(id="q1", type="order", prompt="?", options=steps)
    orders = {tuple(display_order(q, "s", t)) for t in TOKENS}
    # o1 can go anywhere: o0 before o2 is right wherever o1 is, so only o2 before o0 may be shown.
    assert orders == {("o2", "o0", "o1"), ("o2", "o1", "o0"), ("o1", "o2", "o0")}


def test_an_out_of_date_order_falls_back_to_the_file_order():
    q = question()
    assert [o.id for o in ordered_options(q, ["o3", "o2", "o1", "o0"])] == ["o3", "o2", "o1", "o0"]
    assert [o.id for o in ordered_options(q, ["o3", "gone"])] == ["o0", "o1", "o2", "o3"]
    assert [o.id for o in ordered_options(q, None)] == ["o0", "o1", "o2", "o3"]


# ---------------------------------------------------------------- through the app


def shown_order(html, q):
    """The option ids of `q` in the order the page shows them."""
    if q.type == "order":
        names = re.findall(rf'name="({re.escape(field_name(q))}__[^"]+)"', html)
        by_name = {field_name(q, o): o.id for o in q.options}
        return [by_name[n] for n in names]
    return re.findall(rf'name="{re.escape(field_name(q))}" id="[^"]+" value="([^"]+)"', html)


def test_the_page_shows_the_form_s_order_and_keeps_it_after_an_error(app, client, signed_in_pupil, course):
    lesson = course.lessons[0]
    url = QUIZ_URL.format(lesson.id)
    page = client.get(url).text
    token = form_token(page)
    shuffled = [q for q in lesson.quiz.questions if q.type in ("single", "multiple", "next_step", "order")]
    assert shuffled
    for q in lesson.quiz.questions:
        assert shown_order(page, q) == display_order(q, app.secret_key, token)
    answers = right_answers(lesson.quiz)
    del answers[field_name(lesson.quiz.questions[-1])]
    again = client.post(url, data=dict(answers, token=token, version=lesson.quiz.version))
    assert again.status_code == 400
    assert all(shown_order(again.text, q) == shown_order(page, q) for q in lesson.quiz.questions)


def test_two_pupils_see_different_orders(app, client, signed_in_pupil, course, make_pupil):
    make_pupil(signed_in_pupil["school_id"], "amir.k")
    other = app.test_client()
    sign_in(other, "amir.k")
    url = QUIZ_URL.format(course.lessons[0].id)
    mine, theirs = client.get(url).text, other.get(url).text
    assert form_token(mine) != form_token(theirs)
    quizzes = [lesson.quiz for lesson in course.lessons]
    pages = [
        (client.get(QUIZ_URL.format(lesson.id)).text, other.get(QUIZ_URL.format(lesson.id)).text)
        for lesson in course.lessons
    ]
    differ = [
        q.id
        for quiz, (a, b) in zip(quizzes, pages, strict=True)
        for q in quiz.questions
        if q.type in ("single", "multiple", "next_step") and shown_order(a, q) != shown_order(b, q)
    ]
    assert differ


def test_the_order_seen_is_stored_with_each_answer_and_marking_ignores_it(client, signed_in_pupil, course, db):
    lesson = course.lessons[0]
    url = QUIZ_URL.format(lesson.id)
    page = client.get(url).text
    response = client.post(
        url, data=dict(right_answers(lesson.quiz), token=form_token(page), version=lesson.quiz.version)
    )
    assert response.status_code == 303
    attempt = next(db["attempts"].rows)
    assert attempt["percent"] == 100
    for answer in db["answers"].rows_where("attempt_id = ?", [attempt["id"]]):
        q = lesson.quiz.question(answer["question_id"])
        assert json.loads(answer["option_order"]) == shown_order(page, q)


def test_feedback_lists_options_in_the_order_the_pupil_saw(client, signed_in_pupil, course):
    lesson = course.lessons[0]
    quiz = lesson.quiz
    url = QUIZ_URL.format(lesson.id)
    page = client.get(url).text
    client.post(url, data=dict(right_answers(quiz), token=form_token(page), version=quiz.version))
    page = client.get(url).text  # a retake: a new order
    response = client.post(url, data=dict(wrong_answers(quiz), token=form_token(page), version=quiz.version))
    feedback = client.get(response.location).text  # passed before, so every option is listed
    checked = 0
    for q in quiz.questions:
        if q.type in ("single", "multiple", "next_step"):
            expected = [q.option(i).text for i in shown_order(page, q)]
            assert _order_in(feedback, q) == expected
            checked += 1
    assert checked


def _order_in(html, q):
    """The option texts of `q` in the order its feedback item lists them."""
    part = html[html.index(f'data-question="{q.id}"') :]  # each text is found first in its own item
    found = [(part.find(f"<strong>{escape(o.text)}</strong>"), o.text) for o in q.options]
    return [text for index, text in sorted(found) if index >= 0]


def test_the_pupil_record_lists_chosen_options_in_the_order_the_pupil_saw():
    from progress.dashboard import response_text

    q = question("multiple")
    assert response_text(q, ["o1", "o3"], ["o3", "o0", "o1", "o2"]) == "Option 3; Option 1"
    assert response_text(q, ["o3", "o1"], None) == "Option 1; Option 3"  # saved before orders were kept
