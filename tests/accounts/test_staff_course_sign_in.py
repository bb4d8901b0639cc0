"""Staff who sign in with Google or Microsoft take the staff course as any member of staff does: signed in through
the loopback OpenID Provider (tests/oidc_provider.py), they open it, pass it and get its certificate."""

import pytest

from db import write_transaction

from helpers import complete_staff_course, make_app, staff_course_of

BASE = "https://training.example.test"
CLIENT_ID, CLIENT_SECRET = "training-app", "app-secret-for-tests"
DOMAIN = "hillside.example"
TENANT = "3c5a1f0e-7b2d-4e8f-9a6b-1d2c3e4f5a6b"


@pytest.fixture
def app(tmp_path, oidc):
    """The app with both providers configured at the loopback provider."""
    oidc.add_client(CLIENT_ID, CLIENT_SECRET, [f"{BASE}/sign-in/google/callback", f"{BASE}/sign-in/microsoft/callback"])
    return make_app(
        tmp_path / "test.sqlite",
        GOOGLE_CLIENT_ID=CLIENT_ID, GOOGLE_CLIENT_SECRET=CLIENT_SECRET, GOOGLE_METADATA_URL=oidc.google_metadata_url,
        MICROSOFT_CLIENT_ID=CLIENT_ID, MICROSOFT_CLIENT_SECRET=CLIENT_SECRET,
        MICROSOFT_METADATA_URL=oidc.microsoft_metadata_url,
    )  # fmt: skip


@pytest.fixture
def school(db, make_school):
    """Hillside, which lists the Google domain and the Microsoft tenant."""
    school_id = make_school()
    with write_transaction(db):
        for provider, value in (("google", DOMAIN), ("microsoft", TENANT)):
            db["school_sign_in_domains"].insert(
                {"school_id": school_id, "provider": provider, "value": value, "added_at": "2026-01-01"}
            )
    return school_id


def provider_sign_in(client, oidc, provider, login):
    """A whole sign-in through the provider's own pages; returns the app's callback response."""
    start = client.get(f"/sign-in/{provider}")
    assert start.status_code == 303, start.status_code
    back = oidc.sign_in_without_browser(start.headers["Location"], login)
    assert back.startswith(BASE + "/sign-in/"), back
    return client.get(back.removeprefix(BASE))


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_staff_signed_in_with_a_provider_take_the_staff_course(app, client, db, oidc, school, make_staff, provider):
    email = f"sam.{provider}@{DOMAIN}"
    staff_id = make_staff(school, email)
    if provider == "google":
        account = oidc.add_google_account(email, hd=DOMAIN)
    else:
        account = oidc.add_microsoft_account(email, tid=TENANT)
        with write_transaction(db):  # Microsoft staff are matched by a linked account
            db["identities"].insert({"person_id": staff_id, "provider": "microsoft", "subject": account.sub,
                                     "issuer": oidc.microsoft_issuer(TENANT), "linked_at": "2026-01-01"})  # fmt: skip
    assert provider_sign_in(client, oidc, provider, account.login).headers["Location"] == "/classes"
    course = staff_course_of(app)
    page = client.get("/staff/training/")
    assert page.status_code == 200 and course.title in page.text
    assert complete_staff_course(client, course).status_code == 303
    [certificate] = db.query("SELECT course_id FROM certificates WHERE pupil_id = ?", [staff_id])
    assert certificate["course_id"] == course.id
    assert client.get("/staff/training/certificate.pdf").mimetype == "application/pdf"
