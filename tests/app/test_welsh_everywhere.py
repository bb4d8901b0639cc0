"""Nothing left in English: every page each kind of user can open, rendered for someone whose account says Welsh, and
its visible words searched for English.

A page's words are English when they hold common English words ("the", "your", "and", ...) outside what is meant to
stay as it is: names, the school's own help routes (its admin's words), and anything marked lang="en". Pages not yet
translated are listed in NOT_YET_WELSH with why; the test also fails when one of them no longer shows English, so
the list only ever shrinks."""

import html
import re

import pytest

from db import write_transaction

from helpers import sign_in

# Whole English words that Welsh text does not use (Welsh has "a", "i" and "yn" of its own, so those are not here).
ENGLISH_WORDS = re.compile(r"\b(the|your|you|and|with|this|that|what|when|will|have|from|are|for|not)\b", re.I)
# Pages still in English, by URL rule: each goes when its screen is translated.
NOT_YET_WELSH = {
    "/admin/parents-page": "the parents' page setting: not yet translated",
    "/evidence": "the evidence of teaching: not yet translated",
    "/classes/<int:class_id>/evidence": "the evidence of teaching: not yet translated",
    "/admin/sign-in": "names the README's English section, “Sign-in with Google or Microsoft”",
    "/staff/courses/<course_id>/before-you-teach": "cites English publications by their titles",
    "/staff/courses/<course_id>/lessons/<lesson_id>": "cites English publications by their titles",
}


def visible_words(page):
    """The page's text as read: no scripts or styles, no markup, nothing marked English, no school help routes, no
    e-mail subjects as they were sent."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<(\w+)\b[^>]*\blang="en(-GB)?"[^>]*>.*?</\1>', " ", page[page.index("<body") :], flags=re.S)
    page = re.sub(r'<(strong|span) class="help-route-(title|detail)">.*?</\1>', " ", page, flags=re.S)
    page = re.sub(r'<span class="sent-words">.*?</span>', " ", page, flags=re.S)  # e-mails as they were sent
    page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)  # file names and codes, not words
    page = re.sub(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"', r"> \1 <", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def english_in(page):
    """The English words found on the page, with a little of what surrounds each."""
    text = " ".join(visible_words(page).split())
    return [text[max(0, m.start() - 30) : m.end() + 30] for m in ENGLISH_WORDS.finditer(text)]


@pytest.fixture
def people(app, db, make_school, make_staff, make_pupil, make_class):
    """A school with Welsh as everyone's language: an admin, a DSL, a teacher with a class and a pupil in it."""
    school = make_school(dsl_name="Mr Jones", dsl_where="Ystafell 12")
    ids = {
        "admin": make_staff(school, "ada@hill.test", role="admin"),
        "dsl": make_staff(school, "dafydd@hill.test", role="dsl"),
        "teacher": make_staff(school, "tara@hill.test"),
        "pupil": make_pupil(school, "ryan.d"),
    }
    ids["class"] = make_class(school, "8B", ids["teacher"], [ids["pupil"]])
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE school_id = ?", [school])
    clients = {}
    for role, name in (("admin", "ada@hill.test"), ("dsl", "dafydd@hill.test"), ("teacher", "tara@hill.test"),
                       ("pupil", "ryan.d")):  # fmt: skip
        clients[role] = app.test_client()
        assert sign_in(clients[role], name).status_code == 303
    return clients, ids


def pages(app, values):
    """(URL rule, address) of every page reached by GET whose address needs no values or only `values` (a class, a
    pupil, the younger route, its first lesson, step 1, the quick check), but downloads, static files and leaving."""
    skip = (".pdf", ".csv", ".txt", "/exit", "/healthz")
    urls = app.url_map.bind("localhost")
    return sorted(
        (rule.rule, urls.build(rule.endpoint, {name: values[name] for name in rule.arguments}))
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.arguments <= set(values) and not rule.rule.startswith("/static")
        and not rule.rule.endswith(skip)
    )  # fmt: skip


def test_every_page_each_person_opens_is_in_welsh(app, people, course):
    clients, ids = people
    lesson = course.lessons[0]
    values = {"class_id": ids["class"], "pupil_id": ids["pupil"], "course_id": course.id, "lesson_id": lesson.id,
              "number": 1, "phase": "baseline"}  # fmt: skip
    english, seen = {}, set()
    for role, client in clients.items():
        for rule, path in pages(app, values):
            response = client.get(path)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            assert '<html lang="cy">' in response.text, (role, path)
            seen.add(rule)
            found = english_in(response.text)
            if found:
                english.setdefault(rule, (role, found[:3]))
    left = {rule: found for rule, found in english.items() if rule not in NOT_YET_WELSH}
    assert left == {}, "English on Welsh pages:\n" + "\n".join(f"{p}: {f}" for p, f in sorted(left.items()))
    translated = sorted(rule for rule in NOT_YET_WELSH if rule in seen and rule not in english)
    assert translated == [], f"Now in Welsh: take these out of NOT_YET_WELSH: {translated}"


def test_the_check_finds_english_and_not_welsh():
    assert english_in("<body><p>Your lessons and the quiz</p></body>")
    assert english_in('<body><button aria-label="Close the menu">x</button></body>')
    assert not english_in('<body><p>Eich gwersi a\'r cwis</p><span lang="en">English</span></body>')
    assert not english_in('<body><span class="help-route-detail">Free and private, any time.</span></body>')
