"""The admin's sign-in settings screen: the school's Google domains and Microsoft tenants."""

import pytest

from helpers import sign_in

TENANT = "3c5a1f0e-7b2d-4e8f-9a6b-1d2c3e4f5a6b"


@pytest.fixture
def admin(client, make_school, make_staff):
    """An admin of Hillside, signed in; returns the school id."""
    school_id = make_school()
    make_staff(school_id, "ada@hillside.example", role="admin")
    assert sign_in(client, "ada@hillside.example").status_code == 303
    return school_id


def entries(db):
    return [(r["school_id"], r["provider"], r["value"]) for r in db.query("SELECT * FROM school_sign_in_domains")]


def audit_actions(db):
    return [r["action"] for r in db.query("SELECT action FROM audit_log ORDER BY id")]


def test_admin_adds_a_domain_and_a_tenant(client, db, admin):
    response = client.post("/admin/sign-in", data={"provider": "google", "value": " @Hillside.Example "})
    assert response.status_code == 303
    client.post("/admin/sign-in", data={"provider": "microsoft", "value": TENANT.upper()})
    assert entries(db) == [(admin, "google", "hillside.example"), (admin, "microsoft", TENANT)]
    page = client.get("/admin/sign-in").text
    assert "<code>hillside.example</code>" in page and f"<code>{TENANT}</code>" in page
    assert audit_actions(db) == ["sign-in-domain-add", "sign-in-domain-add"]
    assert 'href="/admin/sign-in"' in page  # linked from the admin's navigation


@pytest.mark.parametrize(
    ("provider", "value", "message"),
    [
        ("google", "", "Type your school&#39;s Google Workspace domain"),
        ("google", "gmail.com", "gmail.com is Google&#39;s address for personal accounts"),
        ("google", "not a domain", "That is not a domain."),
        ("microsoft", "hillside.onmicrosoft.com", "A tenant ID looks like"),
        ("microsoft", "9188040d-6c67-4c5b-b112-36a304b66dad", "the tenant of personal Microsoft accounts"),
    ],
)
def test_invalid_entries_are_refused_with_a_clear_message(client, db, admin, provider, value, message):
    response = client.post("/admin/sign-in", data={"provider": provider, "value": value})
    assert response.status_code == 400
    assert message in response.text and "There is a problem" in response.text
    assert f'value="{value}"' in response.text  # what they typed is kept
    assert entries(db) == []


def test_a_domain_of_another_school_is_refused_without_naming_it(client, db, admin, make_school):
    other = make_school("Riverside Academy")
    db["school_sign_in_domains"].insert({"school_id": other, "provider": "google", "value": "shared.example",
                                         "added_at": "2026-01-01"})  # fmt: skip
    response = client.post("/admin/sign-in", data={"provider": "google", "value": "SHARED.example"})
    assert response.status_code == 400
    assert "already used by another school" in response.text and "Riverside" not in response.text
    again = client.post("/admin/sign-in", data={"provider": "google", "value": "mine.example"})
    assert again.status_code == 303
    twice = client.post("/admin/sign-in", data={"provider": "google", "value": "mine.example"})
    assert "mine.example is already in your list." in twice.text


def test_admin_removes_only_their_own_schools_entries(client, db, admin, make_school):
    other = make_school("Riverside Academy")
    theirs = db["school_sign_in_domains"].insert({"school_id": other, "provider": "google", "value": "river.example",
                                                  "added_at": "2026-01-01"}).last_pk  # fmt: skip
    client.post("/admin/sign-in", data={"provider": "google", "value": "hillside.example"})
    [mine] = [r["id"] for r in db.query("SELECT id FROM school_sign_in_domains WHERE school_id = ?", [admin])]
    assert client.post(f"/admin/sign-in/{theirs}/remove").status_code == 404
    assert client.post(f"/admin/sign-in/{mine}/remove").status_code == 303
    assert entries(db) == [(other, "google", "river.example")]
    assert audit_actions(db) == ["sign-in-domain-add", "sign-in-domain-remove"]


def test_only_admins_see_the_screen(client, make_school, make_staff):
    school_id = make_school()
    make_staff(school_id, "ted@hillside.example")
    sign_in(client, "ted@hillside.example")
    assert client.get("/admin/sign-in").status_code == 403
    assert client.post("/admin/sign-in", data={"provider": "google", "value": "x.example"}).status_code == 403
    assert 'href="/admin/sign-in"' not in client.get("/classes").text


def test_without_providers_the_screen_says_so_and_offers_no_try(client, admin):
    page = client.get("/admin/sign-in").text
    assert "Signing in with Google is not switched on for this site yet" in page
    assert "Try signing in with" not in page


def test_the_staff_page_says_how_each_member_of_staff_signs_in(client, db, admin, make_staff):
    from accounts.queries import link_identity

    teacher = make_staff(admin, "tom@hillside.example", first_name="Tom", last_name="Reed")
    dsl = make_staff(admin, "dee@hillside.example", role="dsl", first_name="Dee", last_name="Lane")
    link_identity(db, teacher, "google", "https://accounts.google.com", "1001", "tom@hillside.example")
    link_identity(db, teacher, "microsoft", f"https://login.microsoftonline.com/{TENANT}/v2.0", "m-1", None)
    db.execute("UPDATE people SET totp_secret = 'x', totp_set_up_at = '2026-11-21' WHERE id = ?", [dsl])
    db.conn.commit()
    page = client.get("/staff").text
    assert '<th scope="col">Signs in with</th>' in page
    rows = {
        name: row for name, row in ((n, page.split(n, 1)[1].split("</tr>", 1)[0]) for n in ("Tom Reed", "Dee Lane"))
    }
    assert "<td>Password, Google, Microsoft</td>" in rows["Tom Reed"]
    assert "<td>Password and authenticator app</td>" in rows["Dee Lane"]
