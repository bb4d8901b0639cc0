"""The audit log answers any page number, records a view once per visit, links and filters."""

import re
from datetime import UTC, datetime, timedelta

import pytest

import audit as audit_words
from audit import audit
from db import write_transaction

from helpers import sign_in


@pytest.fixture
def school(app, make_school, make_staff, make_pupil, make_class):
    """Hillside: a DSL, an admin, a teacher with 9B and a pupil; one request to the DSL."""
    school_id = make_school("Hillside School")
    ids = {
        "school": school_id,
        "dsl": make_staff(school_id, "dsl@hill.test", role="dsl", first_name="Dana", last_name="Lead"),
        "admin": make_staff(school_id, "admin@hill.test", role="admin", first_name="Ada", last_name="Min"),
        "teacher": make_staff(school_id, "teach@hill.test", first_name="Tess", last_name="Teach"),
    }
    ids["class"] = make_class(school_id, "9B", ids["teacher"])
    ids["pupil"] = make_pupil(school_id, "zara.q", first_name="Zara", last_name="Quinn", class_id=ids["class"])
    pupil = app.test_client()
    sign_in(pupil, "zara.q")
    assert pupil.post("/talk", data={"who": "dsl", "urgency": "today", "message": "hi"}).status_code == 303
    return ids


def client_for(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client


def log_rows(db, school_id, action=None):
    rows = db.query("SELECT * FROM audit_log WHERE school_id = ? ORDER BY id", [school_id])
    return [r for r in rows if action is None or r["action"] == action]


# ---------------------------------------------------------------- page numbers


@pytest.mark.parametrize("page", [str(10**30), "-1", "0", "abc", "1.5", "²", "2"])
def test_a_page_that_does_not_exist_is_404_not_500(app, school, page):
    dsl = client_for(app, "dsl@hill.test")
    assert dsl.get("/safeguarding/audit-log", query_string={"page": page}).status_code == 404


def test_the_last_page_is_there_and_the_one_after_is_not(app, db, school):
    with write_transaction(db):
        for _ in range(audit_words_page_size() + 5):
            audit(db, school["school"], school["admin"], "help-routes", "school", school["school"])
    dsl = client_for(app, "dsl@hill.test")
    assert dsl.get("/safeguarding/audit-log?page=1").status_code == 200
    last = dsl.get("/safeguarding/audit-log?page=2")
    assert last.status_code == 200 and "Page 2 of 2" in last.text and "Older entries" not in last.text
    assert dsl.get("/safeguarding/audit-log?page=3").status_code == 404


def audit_words_page_size():
    from safeguarding.views import AUDIT_PAGE_SIZE

    return AUDIT_PAGE_SIZE


def test_page_number_rule():
    assert audit_words.page_number(None, 3) == 1
    assert audit_words.page_number("3", 3) == 3
    for text in ("4", "0", "-1", "", "abc", str(10**30), "٣"):
        assert audit_words.page_number(text, 3) is None


# ---------------------------------------------------------------- once per visit


def test_saving_a_note_and_coming_back_is_one_visit(app, db, school):
    dsl = client_for(app, "dsl@hill.test")
    assert dsl.get("/safeguarding/requests/1").status_code == 200
    saved = dsl.post("/safeguarding/requests/1", data={"status": "in-progress", "note": "Meeting at break"})
    assert saved.status_code == 303
    assert dsl.get(saved.headers["Location"]).status_code == 200
    dsl.post("/safeguarding/requests/1", data={"status": "in-progress", "note": "Spoke to form tutor"}).close()
    dsl.get("/safeguarding/requests/1")
    actions = [r["action"] for r in log_rows(db, school["school"]) if r["subject_type"] == "talk_request"]
    assert actions == ["view", "update", "update"]


def test_a_later_visit_is_logged_again(app, db, school):
    dsl = client_for(app, "dsl@hill.test")
    dsl.get("/safeguarding/requests/1")
    dsl.get(f"/safeguarding/pupils/{school['pupil']}")
    earlier = (datetime.now(UTC) - audit_words.VISIT - timedelta(minutes=1)).isoformat(timespec="seconds")
    with write_transaction(db):
        db.execute("UPDATE audit_log SET created_at = ?", [earlier])
    dsl.get("/safeguarding/requests/1")
    dsl.get(f"/safeguarding/pupils/{school['pupil']}")
    dsl.get(f"/safeguarding/pupils/{school['pupil']}")
    assert len(log_rows(db, school["school"], "view")) == 2
    assert len(log_rows(db, school["school"], "view-pupil")) == 2


def test_another_persons_view_is_their_own_entry(app, db, school):
    client_for(app, "dsl@hill.test").get(f"/safeguarding/pupils/{school['pupil']}")
    client_for(app, "admin@hill.test").get(f"/safeguarding/pupils/{school['pupil']}")
    staff = [r["staff_id"] for r in log_rows(db, school["school"], "view-pupil")]
    assert staff == [school["dsl"], school["admin"]]


# ---------------------------------------------------------------- links


def test_entries_link_to_what_they_name_while_it_is_held(app, db, school):
    with write_transaction(db):
        certificate_id = (
            db["certificates"]
            .insert(
                {
                    "code": "ABCD-EFGH-JKMN",
                    "pupil_id": school["pupil"],
                    "school_id": school["school"],
                    "course_id": "c",
                    "course_title": "t",
                    "school_name": "Hillside School",
                    "issued_at": "2026-01-01T00:00:00+00:00",
                }  # fmt: skip
            )
            .last_pk
        )
        audit(db, school["school"], school["admin"], "pupil-add", "pupil", school["pupil"])
        audit(db, school["school"], school["admin"], "erase", "pupil", 9999)  # erased: no page to open
        audit(db, school["school"], school["admin"], "class-create", "class", school["class"])
        audit(db, school["school"], school["teacher"], "certificate-revoke", "certificate", certificate_id)
        audit(db, school["school"], school["admin"], "staff-add", "staff", school["teacher"])
    dsl = client_for(app, "dsl@hill.test")
    dsl.get("/safeguarding/requests/1")
    html = dsl.get("/safeguarding/audit-log").text
    assert f'href="/safeguarding/pupils/{school["pupil"]}">Pupil {school["pupil"]}</a>' in html
    assert "Pupil 9999</td>" in html and "/safeguarding/pupils/9999" not in html
    assert f'href="/classes/{school["class"]}">Class {school["class"]}</a>' in html
    assert f'href="/verify/ABCD-EFGH-JKMN">Certificate {certificate_id}</a>' in html
    assert 'href="/safeguarding/requests/1">Talk request 1</a>' in html
    assert f"Staff {school['teacher']}</td>" in html  # an admin page: named, not linked


def test_link_rule_respects_who_may_open_the_page():
    entry = {"subject_type": "talk_request", "subject_id": 4, "subject_held": 1, "certificate_code": None}
    assert audit_words.link(entry, "dsl") == ("safeguarding.talk_request", {"request_id": 4})
    assert audit_words.link(entry, "admin") is None
    assert audit_words.link(dict(entry, subject_held=0), "dsl") is None
    assert audit_words.link(dict(entry, subject_type="staff"), "dsl") is None


# ---------------------------------------------------------------- filters


def test_filter_by_person_and_action_and_pages_keep_the_filter(app, db, school):
    size = audit_words_page_size()
    with write_transaction(db):
        for _ in range(size + 1):
            audit(db, school["school"], school["admin"], "help-routes", "school", school["school"])
        audit(db, school["school"], school["teacher"], "help-routes", "school", school["school"])
        audit(db, school["school"], school["admin"], "pupil-add", "pupil", school["pupil"])
    dsl = client_for(app, "dsl@hill.test")
    page = dsl.get("/safeguarding/audit-log", query_string={"person": school["admin"], "action": "help-routes"})
    assert page.status_code == 200
    assert page.text.count("Changed the help routes</td>") == size
    assert "Tess Teach" not in re.sub(r"<form.*?</form>", "", page.text, flags=re.S)  # only in the filter's list
    assert "Added a pupil</td>" not in page.text
    assert f'<option selected value="{school["admin"]}">' in page.text or re.search(
        rf'<option[^>]*value="{school["admin"]}"[^>]*selected', page.text
    )
    older = re.search(r'href="([^"]*)">Older entries', page.text).group(1).replace("&amp;", "&")
    assert f"person={school['admin']}" in older and "action=help-routes" in older and "page=2" in older
    second = dsl.get(older)
    assert second.text.count("Changed the help routes</td>") == 1
    only_teacher = dsl.get("/safeguarding/audit-log", query_string={"person": school["teacher"]}).text
    assert only_teacher.count("Changed the help routes</td>") == 1
    assert dsl.get("/safeguarding/audit-log", query_string={"action": "pupil-add"}).text.count("Added a pupil") == 2


def test_a_person_or_action_not_in_the_list_is_404(app, school):
    dsl = client_for(app, "dsl@hill.test")
    assert dsl.get("/safeguarding/audit-log?person=99999").status_code == 404
    assert dsl.get("/safeguarding/audit-log?action=drop-tables").status_code == 404
