"""A school's nation: it names the safeguarding lead's role on pupils' pages, in English and Welsh, and a school in
Wales gets Meic among its help routes."""

import pytest

from db import write_transaction
from nations import NATIONS, capitalised, nation
from safeguarding.help_routes import MEIC, default_help_routes

from helpers import sign_in


@pytest.fixture
def school(app, db, make_school, make_staff, make_pupil):
    """A school with an admin (signed in on `admin`) and a pupil (signed in on `pupil`): (school id, admin, pupil)."""
    school_id = make_school()
    make_staff(school_id, "ada@hill.test", role="admin")
    make_pupil(school_id, "ryan.d")
    admin, pupil = app.test_client(), app.test_client()
    assert sign_in(admin, "ada@hill.test").status_code == 303
    assert sign_in(pupil, "ryan.d").status_code == 303
    return school_id, admin, pupil


def meic_routes(db, school_id):
    return list(db.query("SELECT * FROM help_routes WHERE school_id = ? AND url = ?", [school_id, MEIC["url"]]))


def test_every_school_starts_in_england_with_the_designated_safeguarding_lead(db, school):
    school_id, admin, pupil = school
    assert db["schools"].get(school_id)["nation"] == "england"
    assert "Our designated safeguarding lead (the member of staff" in pupil.get("/talk").text
    assert "designated safeguarding lead (DSL)" in admin.get("/safeguarding/nation").text
    assert meic_routes(db, school_id) == []


def test_a_school_in_wales_calls_the_role_the_designated_senior_person_and_gets_meic_once(app, db, school):
    school_id, admin, pupil = school
    with write_transaction(db):
        db.execute("UPDATE schools SET dsl_name = 'Mr Jones', dsl_where = 'Room 12' WHERE id = ?", [school_id])
    pupil.get("/course")  # the help panel is kept per worker: the change must reach it
    assert admin.post("/safeguarding/nation", data={"nation": "wales"}).status_code == 303
    page = admin.get("/safeguarding/help-routes").text
    assert "“Meic” is added at the end of your help routes." in page
    assert "Your designated senior person" in page
    [meic] = meic_routes(db, school_id)
    assert meic["phone"] == "080880 23456"
    # Pupils' pages use the nation's title: the talk page's choice and the help panel.
    talk = pupil.get("/talk").text
    assert "Mr Jones, our designated senior person" in talk
    assert "Our designated senior person: Room 12." in pupil.get("/course").text
    assert "designated safeguarding lead" not in pupil.get("/course").text
    # In Welsh, the whole phrase is Welsh (ein + person: no h-).
    with write_transaction(db):
        db.execute("UPDATE people SET language = 'cy' WHERE username = 'ryan.d'")
    assert "Ein person diogelu dynodedig: Room 12." in pupil.get("/course").text
    # Saved again: Meic is not added twice, and a school that removed it keeps it removed unless it chooses again.
    assert admin.post("/safeguarding/nation", data={"nation": "wales"}).status_code == 303
    assert len(meic_routes(db, school_id)) == 1
    entries = list(db.query("SELECT * FROM audit_log WHERE action = 'school-nation-setting'"))
    assert len(entries) == 2 and entries[0]["school_id"] == school_id


def test_the_setting_needs_a_known_nation_keeps_the_page_and_is_the_admins_alone(app, db, school, make_staff):
    school_id, admin, pupil = school
    for data in ({}, {"nation": "mars"}):
        page = admin.post("/safeguarding/nation", data=data)
        assert page.status_code == 400 and "There is a problem" in page.text
    assert db["schools"].get(school_id)["nation"] == "england"
    make_staff(school_id, "tara@hill.test")
    teacher = app.test_client()
    assert sign_in(teacher, "tara@hill.test").status_code == 303
    assert teacher.post("/safeguarding/nation", data={"nation": "wales"}).status_code == 403
    assert pupil.get("/safeguarding/nation").status_code == 403


@pytest.mark.parametrize("code", list(NATIONS))
def test_each_nation_has_its_title_in_welsh_as_a_whole_phrase(app, code):
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        chosen = nation(code)
        assert str(chosen.our_lead).startswith("ein ")
        assert capitalised(chosen.our_lead).startswith("Ein ")
    with app.test_request_context():
        assert str(nation(code).our_lead) == f"our {nation(code).lead}"


def test_an_unknown_nation_reads_as_england_and_new_schools_in_wales_start_with_meic():
    assert nation(None).code == nation("atlantis").code == "england"
    assert MEIC in default_help_routes("wales") and MEIC not in default_help_routes("england")
