"""The parents' view (a school's course materials, public and read only), its setting, and the page for parents."""

import html
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from db import write_transaction
from training.parents_queries import parents_setting
from training.parents_rules import first_free, slug_from_name
from training.quality import resource_findings

from helpers import OLDER, QUIZ_URL, YOUNGER, right_answers, sign_in, submit_quiz, wrong_answers

ROOT = Path(__file__).parents[2]
FOR_PARENTS = ROOT / "training" / "content" / "letters" / "for-parents.md"


INLINE_TAGS = re.compile(r"</?(?:strong|em|a|span|code)\b[^>]*>")


def text_of(response):
    """A page's text as a reader sees it: no tags, entities decoded, whitespace squeezed."""
    text = INLINE_TAGS.sub("", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def squeeze(text):
    """Whitespace squeezed, to compare content with a page."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def school(make_school, db):
    """Hillside Academy, with its public slug made (as the admin's page or the letter first does)."""
    school_id = make_school("Hillside Academy")
    return {"id": school_id, "slug": parents_setting(db, school_id)["public_slug"]}


def view_url(school, course_id=None):
    return f"/parents/{school['slug']}/" + (f"{course_id}/" if course_id else "")


def turn_off(db, school_id, contact="the school office, office@hillside.test"):
    with write_transaction(db):
        db.execute("UPDATE schools SET parents_view = 0, parents_contact = ? WHERE id = ?", [contact, school_id])


# ---------------------------------------------------------------- the public address


def test_the_slug_comes_from_the_name_never_the_id(school):
    assert school["slug"] == "hillside-academy"


@pytest.mark.parametrize(
    ("name", "slug"),
    [("St Mary's C of E High", "st-marys-c-of-e-high"), ("Ysgol Gyfun Gŵyr", "ysgol-gyfun-gwyr"), ("!!!", "school")],
)
def test_slug_from_name(name, slug):
    assert slug_from_name(name) == slug


def test_first_free_adds_a_number_when_taken():
    assert first_free("hill", set()) == "hill"
    assert first_free("hill", {"hill", "hill-2"}) == "hill-3"


def test_two_schools_of_the_same_name_get_different_slugs_and_a_rename_keeps_the_slug(make_school, db):
    first, second = make_school("Hillside Academy"), make_school("Hillside Academy")
    assert parents_setting(db, first)["public_slug"] == "hillside-academy"
    assert parents_setting(db, second)["public_slug"] == "hillside-academy-2"
    db["schools"].update(first, {"name": "Hillside Academy Trust School"})
    assert parents_setting(db, first)["public_slug"] == "hillside-academy"  # printed letters carry it


def test_an_unknown_slug_an_internal_id_a_trust_or_a_paused_school_is_404(client, school, db):
    assert client.get("/parents/no-such-school/").status_code == 404
    assert client.get(f"/parents/{school['id']}/").status_code == 404
    db["schools"].insert({"name": "Hill Trust", "kind": "trust", "created_at": "x", "public_slug": "hill-trust"})
    assert client.get("/parents/hill-trust/").status_code == 404
    db["schools"].update(school["id"], {"suspended_at": "2026-01-01"})
    assert client.get(view_url(school)).status_code == 404


def test_an_unknown_route_is_404(client, school):
    assert client.get(view_url(school, "no-such-course")).status_code == 404


# ---------------------------------------------------------------- signed out, both routes, every lesson and question


def test_the_school_page_links_both_routes_signed_out(client, school, app):
    page = client.get(view_url(school))
    assert page.status_code == 200
    for course in app.extensions["courses"].values():
        assert f'href="{view_url(school, course.id)}"' in page.text
        assert course.route_label in page.text
    assert 'href="/for-parents"' in page.text
    assert "paragraph 56" in page.text


@pytest.mark.parametrize("course_id", [YOUNGER, OLDER])
def test_every_lesson_step_question_option_feedback_and_teacher_note_is_there_in_order(client, school, app, course_id):
    course = app.extensions["courses"][course_id]
    response = client.get(view_url(school, course_id))
    assert response.status_code == 200
    page, raw = text_of(response), response.get_data(as_text=True)
    positions = []
    for lesson in course.lessons:
        heading = f"Lesson {lesson.number}: {lesson.title}"
        assert heading in page
        positions.append(page.index(heading))
        for step in lesson.steps:
            assert step.html in raw, f"{lesson.id}: step '{step.title}'"
        for question in lesson.quiz.questions:
            assert squeeze(question.prompt) in page, question.id
            if question.type == "confidence":  # a 1-5 scale, shown as the scale (the teacher notes' preview)
                assert "Confidence scale, 1 (not sure at all) to 5 (very sure)" in page
                continue
            for option in question.options:
                assert squeeze(option.text) in page and squeeze(option.feedback) in page, (question.id, option.id)
        for objective in lesson.teacher_notes["objectives"]:
            assert squeeze(objective) in page
        for prompt in lesson.teacher_notes["discussion"]:
            assert squeeze(prompt) in page
    assert positions == sorted(positions), "lessons are shown in the order taught"
    for question in course.checks.questions:
        assert squeeze(question.prompt) in page, question.id
    assert "Who wrote these materials:" in page and squeeze(course.written_by) in page
    assert "Hillside Academy chose this course to teach; it did not write it." in page


def test_the_route_body_is_rendered_once_and_is_the_same_for_every_school(client, school, make_school, db, app):
    other = make_school("Riverside High")
    other_slug = parents_setting(db, other)["public_slug"]
    first = client.get(view_url(school, YOUNGER)).text
    kept = app.extensions["parents_view_body"][YOUNGER]
    second = client.get(f"/parents/{other_slug}/{YOUNGER}/").text
    assert app.extensions["parents_view_body"][YOUNGER] is kept
    assert kept[1] in first and kept[1] in second
    assert "Riverside High" in second and "Riverside High" not in first


def test_a_route_page_reads_nothing_but_the_school_row(client, school, statements):
    assert client.get(view_url(school, OLDER)).status_code == 200
    assert [re.sub(r"\s+", " ", sql).strip() for sql in statements if "schools" in sql]
    read = " ".join(statements).lower()
    for table in ("people", "attempts", "answers", "lesson_progress", "talk_requests", "classes", "certificates"):
        assert f" {table}" not in read, table


# ---------------------------------------------------------------- not for search engines


@pytest.mark.parametrize("path", ["", YOUNGER, OLDER])
def test_every_page_of_the_view_says_noindex_in_header_and_meta(client, school, path):
    response = client.get(view_url(school, path or None))
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.text


def test_the_not_published_page_says_noindex_too(client, school, db):
    turn_off(db, school["id"])
    response = client.get(view_url(school))
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.text


def test_robots_txt_keeps_crawlers_off_the_parents_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "User-agent: *" in response.text and "Disallow: /parents/" in response.text


# ---------------------------------------------------------------- turned off


@pytest.mark.parametrize("course_id", [None, YOUNGER, OLDER])
def test_turned_off_the_view_says_so_plainly_and_whom_to_ask(client, school, db, app, course_id):
    turn_off(db, school["id"])
    response = client.get(view_url(school, course_id))
    page = text_of(response)
    assert response.status_code == 200
    assert "Hillside Academy has not published its course materials here" in page
    assert "To see them, ask: the school office, office@hillside.test." in page
    assert "paragraph 56" in page
    for course in app.extensions["courses"].values():
        assert course.lessons[0].title not in page
        assert squeeze(course.lessons[0].quiz.questions[0].prompt) not in page


def test_another_schools_setting_does_not_leak(client, school, make_school, db):
    other = make_school("Riverside High")
    other_slug = parents_setting(db, other)["public_slug"]
    turn_off(db, other, "Riverside's office on 01632 960 111")
    ours = text_of(client.get(view_url(school, YOUNGER)))
    assert "has not published" not in ours and "Riverside" not in ours and "Lesson 1:" in ours
    theirs = text_of(client.get(f"/parents/{other_slug}/{YOUNGER}/"))
    assert "Riverside High has not published" in theirs and "Riverside's office on 01632 960 111" in theirs
    assert "Hillside" not in theirs and "Lesson 1:" not in theirs


# ---------------------------------------------------------------- the admin's setting


@pytest.fixture
def admin(client, school, make_staff):
    make_staff(school["id"], "admin@hillside.test", role="admin")
    assert sign_in(client, "admin@hillside.test").status_code == 303


def test_the_setting_explains_paragraph_56_and_shows_the_address(client, admin):
    page = text_of(client.get("/admin/parents-page"))
    assert "paragraph 56" in page
    assert "https://training.example.test/parents/hillside-academy/" in page
    assert "Now: published." in page


def test_turning_it_off_needs_a_contact_and_keeps_what_was_typed(client, admin, school, db):
    response = client.post("/admin/parents-page", data={"published": "no", "contact": "  "})
    assert response.status_code == 400
    assert "Say whom parents can ask" in response.text
    assert db["schools"].get(school["id"])["parents_view"] == 1


def test_turning_it_off_and_on_again(client, admin, school, db):
    response = client.post("/admin/parents-page", data={"published": "no", "contact": "office@hillside.test"})
    assert response.status_code == 303
    row = db["schools"].get(school["id"])
    assert (row["parents_view"], row["parents_contact"]) == (0, "office@hillside.test")
    assert "To see them, ask: office@hillside.test." in text_of(client.get(view_url(school)))
    actions = [r["action"] for r in db.query("SELECT action FROM audit_log WHERE school_id = ?", [school["id"]])]
    assert "parents-view-setting" in actions
    assert client.post("/admin/parents-page", data={"published": "yes", "contact": ""}).status_code == 303
    assert "Lesson 1:" in text_of(client.get(view_url(school, YOUNGER)))


def test_only_an_admin_changes_it(client, school, make_staff):
    assert client.get("/admin/parents-page").status_code == 302  # signed out: to sign in
    make_staff(school["id"], "teacher@hillside.test")
    sign_in(client, "teacher@hillside.test")
    assert client.get("/admin/parents-page").status_code == 403
    assert client.post("/admin/parents-page", data={"published": "no", "contact": "x"}).status_code == 403


def test_staff_see_the_address_on_the_course_overview(client, school, make_staff):
    make_staff(school["id"], "teacher@hillside.test")
    sign_in(client, "teacher@hillside.test")
    page = client.get(f"/staff/courses/{YOUNGER}/").text
    assert "https://training.example.test/parents/hillside-academy/" in page
    assert "/admin/parents-page" not in page  # the setting is the admin's


# ---------------------------------------------------------------- no pupil data on any parents' page

PLANTED = ("Zephyrine", "Quattlebaum", "Bartholomew", "Xanthippe-Okonkwo", "zephyrine.q", "barty.x")


def test_planted_pupil_names_appear_on_no_parents_page(app, client, school, make_pupil, make_class, db):
    class_id = make_class(school["id"], "8Q")
    make_pupil(school["id"], "zephyrine.q", first_name="Zephyrine", last_name="Quattlebaum", class_id=class_id)
    make_pupil(school["id"], "barty.x", first_name="Bartholomew", last_name="Xanthippe-Okonkwo", class_id=class_id)
    course = app.extensions["courses"][YOUNGER]
    lesson = course.lessons[0]
    for username, answers in (("zephyrine.q", right_answers), ("barty.x", wrong_answers)):
        sign_in(client, username)
        client.get(f"/courses/{YOUNGER}/lessons/{lesson.id}/steps/2")  # lesson progress
        submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, answers(lesson.quiz))  # an attempt, answers
        talk = {"who": "dsl", "urgency": "soon", "message": f"Please help, {username} Quattlebaum here"}
        assert client.post("/talk", data=talk).status_code == 303
        client.post("/sign-out")
    assert db.execute("SELECT count(*) FROM talk_requests").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM attempts").fetchone()[0] == 2
    pages = [view_url(school), view_url(school, YOUNGER), view_url(school, OLDER), "/for-parents"]
    for path in pages:
        page = client.get(path).get_data(as_text=True)
        for name in PLANTED:
            assert name.lower() not in page.lower(), (path, name)
    turn_off(db, school["id"])
    page = client.get(view_url(school)).get_data(as_text=True)
    assert not any(name.lower() in page.lower() for name in PLANTED)


# ---------------------------------------------------------------- the page for parents and carers


def test_the_page_for_parents_is_public_and_says_what_to_do(client):
    response = client.get("/for-parents")
    assert response.status_code == 200
    page = text_of(response)
    assert "<h2>Stay calm. Don't pay.</h2>" in html.unescape(response.get_data(as_text=True))
    for words in (
        "Don't punish them, and don't take their phone away, as a first reaction.",
        "Keep the evidence: the words and the account, never a picture.",
        "Report Remove", "Take It Down", "call 101", "999", "0800 1111", "116 123", "85258",
        "Signs that something may be wrong", "A child who is blackmailed is never to blame.",
    ):  # fmt: skip
        assert words in page, words
    assert 'href="https://www.childline.org.uk/remove"' in response.text
    assert 'href="https://takeitdown.ncmec.org"' in response.text


def test_the_content_check_reads_the_page_for_parents(tmp_path):
    path = tmp_path / "for-parents.md"
    text = FOR_PARENTS.read_text(encoding="utf-8")
    path.write_text(text.replace("Stay close,", "Why did you send it? Stay close,"), encoding="utf-8")
    findings = resource_findings([path])
    assert [f.check for f in findings] == ["blame"]
    assert findings[0].line == next(n for n, row in enumerate(path.read_text().splitlines(), 1) if "Why did you" in row)
    path.write_text(text.replace("call **0800 1111**", "call **0800 111**"), encoding="utf-8")
    assert [f.check for f in resource_findings([path])] == ["help routes"]


def test_flask_content_check_runs_over_the_page_for_parents(runner, app):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert app.extensions["for_parents"].path == FOR_PARENTS


# ---------------------------------------------------------------- the letter and the sheet carry the links


def pdf_text(data):
    """A PDF's text, whitespace squeezed."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.mark.parametrize("name", ["letter-to-parents", "if-your-child-tells-you"])
def test_the_letter_and_sheet_link_the_parents_view_and_the_page_for_parents(client, admin, school, db, name):
    text = pdf_text(client.get(f"/staff/courses/{YOUNGER}/parents/{name}.pdf").data)
    assert "https://training.example.test/parents/hillside-academy/" in text
    assert "https://training.example.test/for-parents" in text
    turn_off(db, school["id"], "Mrs Patel in the school office")
    text = pdf_text(client.get(f"/staff/courses/{YOUNGER}/parents/{name}.pdf").data)
    assert "/parents/hillside-academy/" not in text
    assert "ask Mrs Patel in the school office" in text
    assert "https://training.example.test/for-parents" in text
