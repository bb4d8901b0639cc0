"""Choosing a language: the switch on every page (kept on the account, or in a cookie), the order in which a
request's language is chosen, the `lang` attribute, and a school's default language (its admin's setting)."""

import re

from db import write_transaction
from languages import COOKIE

from helpers import sign_in

STEP = "/courses/online-blackmail-11-13/lessons/{}/steps/2"


def lang_of(response):
    return re.search(r'<html lang="([^"]+)">', response.text).group(1)


def test_every_page_says_its_language_and_english_pages_are_as_before(client):
    page = client.get("/sign-in")
    assert lang_of(page) == "en-GB"
    assert "<h1>Sign in</h1>" in page.text
    # The switch names Welsh in Welsh, marked as Welsh for screen readers, and comes back to this page.
    assert (
        '<button type="submit" class="link-button" name="language" value="cy" lang="cy">Cymraeg</button>' in page.text
    )
    assert '<input type="hidden" name="next" value="/sign-in">' in page.text


def test_a_visitor_switches_and_the_cookie_keeps_it(client):
    response = client.post("/language", data={"language": "cy", "next": "/sign-in"})
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in"
    cookie = client.get_cookie(COOKIE)
    assert cookie.value == "cy" and cookie.http_only and cookie.same_site == "Lax"
    page = client.get("/sign-in")
    assert lang_of(page) == "cy" and "<h1>Mewngofnodi</h1>" in page.text
    # Back to English, named in English.
    assert 'value="en" lang="en">English</button>' in page.text
    client.post("/language", data={"language": "en", "next": "/sign-in"})
    assert lang_of(client.get("/sign-in")) == "en-GB"


def test_a_visitor_needs_no_session_cookie_for_the_switch(client):
    """A visitor's page shows the switch without a CSRF token, so reading the help page sets no session cookie."""
    page = client.get("/help")
    assert 'name="csrf_token"' not in page.text.split('class="inline-form language-switch"')[1].split("</form>")[0]
    assert client.get_cookie("session") is None


def test_an_unknown_language_is_refused(client):
    assert client.post("/language", data={"language": "fr", "next": "/sign-in"}).status_code == 400
    assert client.post("/language", data={"next": "/sign-in"}).status_code == 400
    assert client.get_cookie(COOKIE) is None


def test_the_switch_never_sends_anyone_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post("/language", data={"language": "cy", "next": target})
        assert response.status_code == 303 and response.headers["Location"] == "/", target


def test_a_pupil_switches_on_a_lesson_step_stays_there_and_the_choice_is_kept_on_their_account(
    client, signed_in_pupil, course, db
):
    step = STEP.format(course.lessons[0].id)
    page = client.get(step)
    assert f'<input type="hidden" name="next" value="{step}">' in page.text
    response = client.post("/language", data={"language": "cy", "next": step})
    assert response.status_code == 303 and response.headers["Location"] == step
    assert db["people"].get(signed_in_pupil["id"])["language"] == "cy"
    welsh = client.get(step)
    assert lang_of(welsh) == "cy" and f"Cam 2 o {len(course.lessons[0].steps)}" in welsh.text
    # Kept on the account: another device (no cookie) signs in to Welsh.
    other = client.application.test_client()
    assert sign_in(other, signed_in_pupil["username"]).status_code == 303
    assert lang_of(other.get(step)) == "cy"


def test_a_signed_in_switch_needs_its_csrf_token_and_a_visitors_does_not(app, client, signed_in_pupil, db):
    app.config["WTF_CSRF_ENABLED"] = True  # as deployed
    # Another site's form cannot change a signed-in pupil's account.
    assert client.post("/language", data={"language": "cy", "next": "/course"}).status_code == 400
    assert db["people"].get(signed_in_pupil["id"])["language"] is None
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/course").text).group(1)
    response = client.post("/language", data={"language": "cy", "next": "/course", "csrf_token": token})
    assert response.status_code == 303 and db["people"].get(signed_in_pupil["id"])["language"] == "cy"
    # A visitor's switch only sets the cookie that names a language: no token, no session needed.
    visitor = app.test_client()
    assert visitor.post("/language", data={"language": "cy", "next": "/sign-in"}).status_code == 303


def test_the_school_default_applies_until_the_person_chooses(client, signed_in_pupil, db):
    assert lang_of(client.get("/course")) == "en-GB"  # every school's default is English, as before
    with write_transaction(db):
        db.execute("UPDATE schools SET language = 'cy' WHERE id = ?", [signed_in_pupil["school_id"]])
    assert lang_of(client.get("/course")) == "cy"
    client.post("/language", data={"language": "en", "next": "/course"})
    assert lang_of(client.get("/course")) == "en-GB"  # their own choice comes first


def test_the_browser_decides_only_when_no_one_has_chosen(client, signed_in_pupil, db):
    welsh_browser = {"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}
    # The school's default (English) comes before the browser.
    assert lang_of(client.get("/course", headers=welsh_browser)) == "en-GB"
    with write_transaction(db):
        db.execute("UPDATE schools SET language = NULL WHERE id = ?", [signed_in_pupil["school_id"]])
    assert lang_of(client.get("/course", headers=welsh_browser)) == "cy"
    assert lang_of(client.get("/course", headers={"Accept-Language": "fr-FR,de;q=0.8"})) == "en-GB"
    assert lang_of(client.get("/course")) == "en-GB"


def test_a_visitors_browser_decides_until_they_choose(app):
    client = app.test_client()
    assert lang_of(client.get("/sign-in", headers={"Accept-Language": "cy"})) == "cy"
    client.post("/language", data={"language": "en", "next": "/sign-in"})
    assert lang_of(client.get("/sign-in", headers={"Accept-Language": "cy"})) == "en-GB"


def test_a_choice_made_before_signing_in_is_kept_on_an_account_that_has_none(client, pupil, db):
    client.post("/language", data={"language": "cy", "next": "/sign-in"})
    assert sign_in(client, pupil["username"]).status_code == 303
    assert db["people"].get(pupil["id"])["language"] == "cy"
    assert lang_of(client.get("/course")) == "cy"


def test_a_cookie_never_overrides_a_choice_already_on_the_account(client, pupil, db):
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'en' WHERE id = ?", [pupil["id"]])
    client.post("/language", data={"language": "cy", "next": "/sign-in"})
    assert sign_in(client, pupil["username"]).status_code == 303
    assert db["people"].get(pupil["id"])["language"] == "en"
    assert lang_of(client.get("/course")) == "en-GB"


def test_the_admin_sets_the_default_language_and_the_change_is_audited(app, db, make_school, make_staff, make_pupil):
    school_id = make_school()
    admin_id = make_staff(school_id, "ada@hill.test", role="admin")
    make_staff(school_id, "tara@hill.test")
    make_pupil(school_id, "ryan.d")
    admin = app.test_client()
    assert sign_in(admin, "ada@hill.test").status_code == 303
    page = admin.get("/admin/language")
    assert "Now: <strong>English until each person chooses</strong>" in page.text
    assert "fluent safeguarding professional" in page.text
    assert admin.post("/admin/language", data={}).status_code == 400  # a choice is needed
    assert admin.post("/admin/language", data={"language": "fr"}).status_code == 400
    assert admin.post("/admin/language", data={"language": "cy"}).status_code == 303
    assert db["schools"].get(school_id)["language"] == "cy"
    [entry] = db.query("SELECT * FROM audit_log WHERE action = 'school-language-setting'")
    assert entry["staff_id"] == admin_id and entry["school_id"] == school_id
    pupil = app.test_client()
    assert sign_in(pupil, "ryan.d").status_code == 303
    assert lang_of(pupil.get("/course")) == "cy"
    assert admin.post("/admin/language", data={"language": "browser"}).status_code == 303
    assert db["schools"].get(school_id)["language"] is None
    assert "each person&#39;s browser decides" in admin.get("/admin/language").text
    # Only a school's admin.
    teacher = app.test_client()
    assert sign_in(teacher, "tara@hill.test").status_code == 303
    assert teacher.get("/admin/language").status_code == 403
    assert pupil.get("/admin/language").status_code == 403


def test_another_schools_default_does_not_leak(app, db, make_school, make_staff, make_pupil):
    hill, dale = make_school(), make_school("Dale School")
    make_staff(hill, "ada@hill.test", role="admin")
    make_pupil(dale, "dee.p")
    admin = app.test_client()
    assert sign_in(admin, "ada@hill.test").status_code == 303
    admin.post("/admin/language", data={"language": "cy"})
    assert db["schools"].get(dale)["language"] == "en"
    pupil = app.test_client()
    assert sign_in(pupil, "dee.p").status_code == 303
    assert lang_of(pupil.get("/course")) == "en-GB"
