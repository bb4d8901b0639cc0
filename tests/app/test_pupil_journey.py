"""The pupil's journey through the test client: sign in, course, lessons, quizzes, progress."""

import json

from quizzes.forms import field_name

from helpers import CHECK_URL, QUIZ_URL, complete_course, right_answers, sign_in, submit_quiz, wrong_answers

STEP_URL = "/courses/online-blackmail-11-13/lessons/{}/steps/{}"


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/course")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_course_page_lists_every_lesson_with_status_and_one_next_step(client, signed_in_pupil, course):
    page = client.get("/course").text
    for lesson in course.lessons:
        assert lesson.title in page
    assert page.count("button button-large") == 1
    assert "Start with a quick check" in page
    assert page.count("Not started") == len(course.lessons)


def test_opening_a_step_saves_the_place_and_the_lesson_resumes_there(app, client, signed_in_pupil, course):
    lesson = course.lessons[0]
    assert client.get(STEP_URL.format(lesson.id, 3)).status_code == 200
    client.post("/sign-out")
    other_computer = app.test_client()
    sign_in(other_computer, signed_in_pupil["username"])
    assert other_computer.get(f"/courses/online-blackmail-11-13/lessons/{lesson.id}/").location.endswith(
        STEP_URL.format(lesson.id, 3)
    )
    page = other_computer.get("/course").text
    assert "In progress" in page and f"Continue: {lesson.title}" in page


def test_steps_outside_the_lesson_and_unknown_lessons_are_404(client, signed_in_pupil, course):
    lesson = course.lessons[0]
    assert client.get(STEP_URL.format(lesson.id, 0)).status_code == 404
    assert client.get(STEP_URL.format(lesson.id, len(lesson.steps) + 1)).status_code == 404
    assert client.get(STEP_URL.format("no-such-lesson", 1)).status_code == 404
    assert client.get("/courses/other-course/lessons/x/steps/1").status_code == 404


def test_last_step_leads_to_the_quiz(client, signed_in_pupil, course):
    lesson = course.lessons[0]
    page = client.get(STEP_URL.format(lesson.id, len(lesson.steps))).text
    assert f"/courses/online-blackmail-11-13/lessons/{lesson.id}/quiz" in page


def test_wrong_answers_get_teaching_feedback_without_the_key_and_a_retake(client, signed_in_pupil, course):
    lesson = course.lessons[0]
    quiz = lesson.quiz
    answers = wrong_answers(quiz)
    response = submit_quiz(client, QUIZ_URL.format(lesson.id), quiz, answers)
    assert response.status_code == 303
    page = client.get(response.location).text
    assert "Not quite yet" in page and "Try the quiz again" in page
    assert f"Look again at: <strong>{_escaped(lesson.title)}</strong>" in page
    assert "Right answer" not in page
    for question in quiz.marked_questions:
        chosen = answers.get(field_name(question))
        chosen = set(chosen) if isinstance(chosen, list) else {chosen}
        for option in question.options:
            if option.correct or question.type == "order":
                assert _escaped(option.feedback) not in page  # the key stays hidden
            elif option.id in chosen:
                assert _escaped(option.feedback) in page  # why the chosen option is wrong


def test_once_passed_every_answer_is_shown_even_on_the_failed_attempt(client, signed_in_pupil, course):
    lesson = course.lessons[0]
    failed = submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, wrong_answers(lesson.quiz))
    submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    page = client.get(failed.location).text
    assert "Feedback on every answer" in page and "Right answer" in page
    for question in lesson.quiz.marked_questions:
        for option in question.options:
            assert _escaped(option.feedback) in page


def test_passing_the_quiz_completes_the_lesson(client, signed_in_pupil, course):
    lesson = course.lessons[0]
    response = submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    assert "You passed" in client.get(response.location).text
    assert "Complete (100%)" in client.get("/course").text


def test_unanswered_question_gets_a_clear_message_and_keeps_other_answers(client, signed_in_pupil, course, db):
    lesson = course.lessons[0]
    quiz = lesson.quiz
    answers = right_answers(quiz)
    skipped = quiz.questions[0]
    del answers[field_name(skipped)]
    page = client.get(QUIZ_URL.format(lesson.id)).text
    token = _token(page)
    response = client.post(QUIZ_URL.format(lesson.id), data=dict(answers, token=token, version=quiz.version))
    assert response.status_code == 400
    assert "Some questions need an answer" in response.text and "Answer question 1." in response.text
    assert response.text.count("Answer question 1.") == 2  # once in the summary, once at the question
    assert "Please answer" not in response.text and "<title>Error: " in response.text
    kept = quiz.questions[1]
    chosen = answers[field_name(kept)]
    chosen = chosen if isinstance(chosen, list) else [chosen]
    for option_id in chosen:
        assert f'value="{option_id}" checked' in response.text or f'value="{option_id}"checked' in response.text
    assert db["attempts"].count == 0


def test_a_double_click_or_resubmitted_page_is_saved_once(client, signed_in_pupil, course, db):
    lesson = course.lessons[0]
    url = QUIZ_URL.format(lesson.id)
    data = dict(right_answers(lesson.quiz), token=_token(client.get(url).text), version=lesson.quiz.version)
    first = client.post(url, data=data)
    second = client.post(url, data=data)  # the same form again: double click, Back then submit
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert db["attempts"].count == 1
    assert "already saved" in client.get(second.location).text


def test_a_form_from_before_the_quiz_changed_keeps_answers_and_asks_again(client, signed_in_pupil, course, db):
    lesson = course.lessons[0]
    url = QUIZ_URL.format(lesson.id)
    data = dict(right_answers(lesson.quiz), token=_token(client.get(url).text), version="an-old-version")
    response = client.post(url, data=data)
    assert response.status_code == 400 and "updated while you had it open" in response.text
    assert db["attempts"].count == 0


def test_each_attempt_stores_its_answers_and_the_content_version(client, signed_in_pupil, course, db):
    lesson = course.lessons[0]
    submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, wrong_answers(lesson.quiz))
    attempt = next(db["attempts"].rows)
    assert attempt["content_version"] == lesson.quiz.version and attempt["passed"] == 0
    answers = list(db["answers"].rows_where("attempt_id = ?", [attempt["id"]]))
    assert {a["question_id"] for a in answers} == {q.id for q in lesson.quiz.marked_questions}
    assert all(json.loads(a["response"]) is not None for a in answers)


def test_confidence_answers_are_kept_without_the_pupil_once_per_phase(client, signed_in_pupil, course, db):
    submit_quiz(client, CHECK_URL.format("baseline"), course.checks, right_answers(course.checks))
    confidence_items = [q for q in course.checks.questions if q.type == "confidence"]
    rows = list(db["confidence_responses"].rows)
    assert len(rows) == len(confidence_items) and "pupil_id" not in rows[0]
    assert {r["value"] for r in rows} == {4}
    submit_quiz(client, CHECK_URL.format("baseline"), course.checks, right_answers(course.checks))
    assert db["confidence_responses"].count == len(confidence_items)


def test_baseline_check_shows_no_answers(client, signed_in_pupil, course):
    response = submit_quiz(client, CHECK_URL.format("baseline"), course.checks, wrong_answers(course.checks))
    page = client.get(response.location).text
    assert "We won't show the answers yet" in page
    first_option = course.checks.marked_questions[0].options[0]
    assert _escaped(first_option.feedback) not in page


def test_a_pupil_cannot_see_another_pupils_attempt(app, client, signed_in_pupil, course, make_pupil):
    lesson = course.lessons[0]
    response = submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    other = app.test_client()
    make_pupil(signed_in_pupil["school_id"], "amir.k")
    sign_in(other, "amir.k")
    assert other.get(response.location).status_code == 404
    assert other.get("/courses/online-blackmail-11-13/attempts/999").status_code == 404


def test_staff_cannot_take_quizzes(client, make_school, make_staff):
    school_id = make_school()
    make_staff(school_id, "t@school.test")
    sign_in(client, "t@school.test")
    assert client.get("/course").status_code == 403


def test_completing_everything_leads_to_the_certificate(client, signed_in_pupil, course):
    complete_course(client, course)
    page = client.get("/course").text
    assert "See your certificate" in page


def _token(html):
    from helpers import form_token

    return form_token(html)


def _escaped(text):
    from markupsafe import escape

    return str(escape(text))
