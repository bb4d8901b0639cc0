"""Signing in with Google or Microsoft, end to end against the real loopback OpenID Provider
(tests/oidc_provider.py): matching a person, every refusal, single-use state, and "Try it"."""

import time

import pytest
from markupsafe import escape

from accounts import oidc_rules as rules
from classroom import code_queries
from db import write_transaction

from helpers import complete_staff_course, make_app, sign_in, staff_course_of

BASE = "https://training.example.test"
CLIENT_ID, CLIENT_SECRET = "training-app", "app-secret-for-tests"
DOMAIN = "hillside.example"
TENANT = "3c5a1f0e-7b2d-4e8f-9a6b-1d2c3e4f5a6b"
OTHER_TENANT = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"


@pytest.fixture
def app(tmp_path, oidc):
    """The app with both providers configured at the loopback provider (overrides conftest's app)."""
    oidc.add_client(CLIENT_ID, CLIENT_SECRET, [f"{BASE}/sign-in/google/callback", f"{BASE}/sign-in/microsoft/callback"])
    return make_app(
        tmp_path / "test.sqlite",
        GOOGLE_CLIENT_ID=CLIENT_ID,
        GOOGLE_CLIENT_SECRET=CLIENT_SECRET,
        GOOGLE_METADATA_URL=oidc.google_metadata_url,
        MICROSOFT_CLIENT_ID=CLIENT_ID,
        MICROSOFT_CLIENT_SECRET=CLIENT_SECRET,
        MICROSOFT_METADATA_URL=oidc.microsoft_metadata_url,
    )


@pytest.fixture
def school(db, make_school):
    """Hillside, which lists the Google domain hillside.example and one Microsoft tenant."""
    school_id = make_school()
    with write_transaction(db):
        for provider, value in (("google", DOMAIN), ("microsoft", TENANT)):
            db["school_sign_in_domains"].insert(
                {"school_id": school_id, "provider": provider, "value": value, "added_at": "2026-01-01"}
            )
    return school_id


def to_provider(client, provider, path=None):
    """Start a sign-in on the app; returns the provider's authorisation URL it redirects to."""
    start = client.get(path or f"/sign-in/{provider}")
    assert start.status_code == 303, start.status_code
    return start.headers["Location"]


def callback_path(oidc, authorize_url, login):
    """Sign in on the provider's own pages; the app's callback path (with code and state)."""
    back = oidc.sign_in_without_browser(authorize_url, login)
    assert back.startswith(BASE + "/sign-in/"), back
    return back.removeprefix(BASE)


def provider_sign_in(client, oidc, provider, login):
    """A whole sign-in; returns (the callback's response, the callback path)."""
    path = callback_path(oidc, to_provider(client, provider), login)
    return client.get(path), path


def signed_in_as(db, person_id):
    """How many live sessions the person has."""
    live = "SELECT count(*) FROM sessions WHERE person_id = ? AND ended_at IS NULL"
    return db.execute(live, [person_id]).fetchone()[0]


def link(db, oidc, person_id, account, tid=TENANT):
    """An identity already linked (as a class code or an earlier sign-in would have made it)."""
    with write_transaction(db):
        db["identities"].insert({"person_id": person_id, "provider": "microsoft", "subject": account.sub,
                                 "issuer": oidc.microsoft_issuer(tid), "linked_at": "2026-01-01"})  # fmt: skip


def identities(db):
    return list(db.query("SELECT * FROM identities"))


# Matching ------------------------------------------------------------------------------------------
def test_google_pupil_with_a_roster_email_signs_in_and_is_linked(client, db, oidc, school, make_pupil):
    pupil_id = make_pupil(school, "amy.p")
    db["people"].update(pupil_id, {"email": "amy.p@hillside.example"})
    account = oidc.add_google_account("Amy.P@hillside.example", hd=DOMAIN)
    response, _ = provider_sign_in(client, oidc, "google", account.login)
    assert response.status_code == 303
    assert response.headers["Location"] == "/course"
    assert signed_in_as(db, pupil_id) == 1
    [identity] = identities(db)
    assert (identity["person_id"], identity["provider"]) == (pupil_id, "google")
    assert (identity["issuer"], identity["subject"]) == (oidc.google_issuer, account.sub)
    assert identity["email"] == "amy.p@hillside.example" and identity["last_used_at"]
    # Only issuer, subject and e-mail are kept: no column holds a token.
    assert set(identity) == {"id", "person_id", "provider", "issuer", "subject", "email", "linked_at", "last_used_at"}
    assert client.get("/course").status_code == 200


def test_google_staff_match_by_verified_email_then_by_identity(client, db, oidc, school, make_staff):
    staff_id = make_staff(school, "sam.staff@hillside.example")
    account = oidc.add_google_account("sam.staff@hillside.example", hd=DOMAIN)
    response, _ = provider_sign_in(client, oidc, "google", account.login)
    assert response.headers["Location"] == "/classes"
    assert signed_in_as(db, staff_id) == 1
    [identity] = identities(db)
    db["identities"].update(identity["id"], {"last_used_at": "2026-01-01T00:00:00+00:00"})
    # Next time the identity signs in, even after the school changed the staff member's e-mail.
    db["people"].update(staff_id, {"email": "s.staff@hillside.example"})
    client.post("/sign-out")
    response, _ = provider_sign_in(client, oidc, "google", account.login)
    assert response.headers["Location"] == "/classes"
    assert signed_in_as(db, staff_id) == 1
    [again] = identities(db)
    assert again["last_used_at"] > "2026-01-01T00:00:00+00:00"


def test_microsoft_staff_with_a_linked_identity_signs_in(client, db, oidc, school, make_staff):
    staff_id = make_staff(school, "jo.head@hillside.example", role="dsl")
    account = oidc.add_microsoft_account("jo@hillside.onmicrosoft.example", tid=TENANT)
    link(db, oidc, staff_id, account)
    response, _ = provider_sign_in(client, oidc, "microsoft", account.login)
    assert response.status_code == 303 and response.headers["Location"] == "/classes"
    assert signed_in_as(db, staff_id) == 1
    assert identities(db)[0]["last_used_at"] is not None


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_staff_signed_in_with_a_provider_take_the_staff_course(app, client, db, oidc, school, make_staff, provider):
    # Ordinary staff: the staff course, its final check and its certificate, as for staff with a password.
    email = f"sam.{provider}@{DOMAIN}"
    staff_id = make_staff(school, email)
    if provider == "google":
        account = oidc.add_google_account(email, hd=DOMAIN)
    else:
        account = oidc.add_microsoft_account(email, tid=TENANT)
        link(db, oidc, staff_id, account)
    assert provider_sign_in(client, oidc, provider, account.login)[0].headers["Location"] == "/classes"
    course = staff_course_of(app)
    page = client.get("/staff/training/")
    assert page.status_code == 200 and str(escape(course.title)) in page.text
    assert complete_staff_course(client, course).status_code == 303
    [certificate] = db.query("SELECT course_id FROM certificates WHERE pupil_id = ?", [staff_id])
    assert certificate["course_id"] == course.id
    assert client.get("/staff/training/certificate.pdf").mimetype == "application/pdf"


def test_microsoft_user_with_no_match_is_pending_and_goes_to_join(client, db, oidc, school, make_staff):
    # A staff member has this e-mail, but Microsoft sends no email_verified: it must not match.
    staff_id = make_staff(school, "kim@hillside.example")
    account = oidc.add_microsoft_account("kim@hillside.example", tid=TENANT, given_name="Kim", family_name="Lee")
    response, _ = provider_sign_in(client, oidc, "microsoft", account.login)
    assert response.status_code == 303
    assert response.headers["Location"].split("?")[0] == "/join"
    assert signed_in_as(db, staff_id) == 0 and identities(db) == []
    with client.session_transaction() as session:
        pending = session["oidc_pending"]
    assert {k: v for k, v in pending.items() if k != "started_at"} == {
        "provider": "microsoft", "issuer": oidc.microsoft_issuer(TENANT), "subject": account.sub, "email": None,
        "given_name": "Kim", "family_name": "Lee", "school_id": school,
    }  # fmt: skip
    assert pending["started_at"].startswith("20")


@pytest.mark.parametrize(
    ("display_name", "first", "last"),
    [
        ("Zo\u00eb Okafor", "Zo\u00eb", "Okafor"),
        ("Okafor, Zo\u00eb", "Zo\u00eb", "Okafor"),  # "Family, Given", as many schools' tenants have it
        ("Zo\u00eb", "Zo\u00eb", ""),
    ],
)
def test_a_microsoft_pupil_with_only_a_display_name_joins_with_it(client, db, oidc, school, make_class,
                                                                   display_name, first, last):  # fmt: skip
    """Entra sends `name` but not given_name or family_name unless the tenant adds them as optional claims."""
    account = oidc.add_microsoft_account("zoe@hillside.example", tid=TENANT, given_name=None, family_name=None,
                                         name=display_name)  # fmt: skip
    response, _ = provider_sign_in(client, oidc, "microsoft", account.login)
    assert response.status_code == 303 and response.headers["Location"].split("?")[0] == "/join"
    assert "given_name" not in rules.unverified_claims(oidc.last_id_token())
    code = code_queries.make_code(db, make_class(school, "8B"), school, None, 14)["code"]
    assert client.post("/join", data={"code": code}).status_code == 303
    person = db.execute("SELECT first_name, last_name, role FROM people WHERE role = 'pupil'").fetchone()
    assert tuple(person) == (first, last, "pupil")


def test_an_archived_person_is_refused(client, db, oidc, school, make_staff):
    staff_id = make_staff(school, "left@hillside.example")
    db["people"].update(staff_id, {"archived_at": "2026-01-01"})
    account = oidc.add_google_account("left@hillside.example", hd=DOMAIN)
    response, _ = provider_sign_in(client, oidc, "google", account.login)
    assert response.status_code == 403
    assert "You signed in as left@hillside.example" in response.text and "left the school" in response.text
    assert signed_in_as(db, staff_id) == 0 and identities(db) == []


def test_a_suspended_schools_staff_are_told_it_is_paused(client, db, oidc, school, make_staff):
    staff_id = make_staff(school, "sus@hillside.example")
    db["schools"].update(school, {"suspended_at": "2026-11-01T09:00:00+00:00"})
    account = oidc.add_google_account("sus@hillside.example", hd=DOMAIN)
    response, _ = provider_sign_in(client, oidc, "google", account.login)
    assert response.status_code == 403 and "Your school&#39;s account is paused" in response.text
    assert signed_in_as(db, staff_id) == 0


# Refusals ------------------------------------------------------------------------------------------
def refused_google(client, db, oidc, school, make_staff, email="ria@hillside.example", hd=DOMAIN, **account):
    """A Google sign-in of a staff member who would otherwise match; asserts nothing was signed in."""
    staff_id = make_staff(school, email)
    login = oidc.add_google_account(email, hd=hd, **account).login
    response, _ = provider_sign_in(client, oidc, "google", login)
    assert response.status_code == 403, response.status_code
    assert signed_in_as(db, staff_id) == 0 and identities(db) == []
    assert "Start again" in response.text
    return response.text


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"signed_with": "forged"}, id="forged-signature"),
        pytest.param({"signed_with": "none"}, id="unsigned"),
        pytest.param({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, id="expired"),
        pytest.param({"aud": "another-app"}, id="wrong-audience"),
        pytest.param({"iss": "https://accounts.evil.example"}, id="wrong-issuer"),
        pytest.param({"nonce": "a-nonce-from-another-sign-in"}, id="nonce-mismatch"),
    ],
)
def test_tampered_google_tokens_are_refused(client, db, oidc, school, make_staff, tamper):
    oidc.tamper_next_id_token(**tamper)
    text = refused_google(client, db, oidc, school, make_staff)
    assert "Signing in as ria@hillside.example with Google did not pass our checks" in text
    assert oidc.tamper_pending() is False  # the tampered response was the one the app received


def test_a_google_account_of_another_domain_is_refused(client, db, oidc, school, make_staff):
    text = refused_google(client, db, oidc, school, make_staff, email="ria@elsewhere.example", hd="elsewhere.example")
    assert "You signed in as ria@elsewhere.example, a Google account of elsewhere.example" in text


def test_an_hd_claim_changed_in_the_token_is_refused(client, db, oidc, school, make_staff):
    # The account is in the school's domain; the token was re-signed saying another: the token's hd counts.
    oidc.tamper_next_id_token(hd="elsewhere.example")
    assert "a Google account of elsewhere.example" in refused_google(client, db, oidc, school, make_staff)


def test_a_gmail_account_without_hd_is_refused(client, db, oidc, school, make_staff):
    text = refused_google(client, db, oidc, school, make_staff, email="ria@gmail.example", hd=None)
    assert "You signed in as ria@gmail.example, which is not a Google Workspace account of a school" in text


def test_an_unverified_google_email_does_not_link(client, db, oidc, school, make_staff):
    text = refused_google(client, db, oidc, school, make_staff, email_verified=False)
    assert "ria@hillside.example" in text


def test_a_microsoft_account_of_another_tenant_is_refused(client, db, oidc, school):
    account = oidc.add_microsoft_account("max@other.example", tid=OTHER_TENANT)
    response, _ = provider_sign_in(client, oidc, "microsoft", account.login)
    assert response.status_code == 403
    assert "You signed in as max@other.example, a Microsoft account of an organisation that is not set up" in (
        response.text
    )
    assert identities(db) == []


def test_a_tid_that_does_not_match_the_issuer_is_refused(client, db, oidc, school, make_staff):
    # Issued by another tenant, claiming the school's tenant: the templated issuer catches it.
    staff_id = make_staff(school, "zed@hillside.example")
    account = oidc.add_microsoft_account("zed@other.example", tid=OTHER_TENANT)
    link(db, oidc, staff_id, account)
    oidc.tamper_next_id_token(tid=TENANT)
    response, _ = provider_sign_in(client, oidc, "microsoft", account.login)
    assert response.status_code == 403 and "did not pass our checks" in response.text
    assert signed_in_as(db, staff_id) == 0


def test_a_replayed_callback_is_refused(app, client, db, oidc, school, make_staff):
    staff_id = make_staff(school, "rex@hillside.example")
    account = oidc.add_google_account("rex@hillside.example", hd=DOMAIN)
    path = callback_path(oidc, to_provider(client, "google"), account.login)
    copied_cookie = client.get_cookie("session").value  # the cookie still carries the state
    assert client.get(path).status_code == 303
    again = client.get(path)
    assert again.status_code == 400 and "already been used" in again.text
    assert 'href="/sign-in"' in again.text
    # Even with the cookie as it was before the first use, the state is spent on the server.
    other = app.test_client()
    other.set_cookie("session", copied_cookie)
    replay = other.get(path)
    assert replay.status_code == 400 and "already been used" in replay.text
    assert signed_in_as(db, staff_id) == 1


def test_a_state_from_another_browser_is_refused(app, client, db, oidc, school, make_staff):
    # Login CSRF: someone's own finished sign-in, sent to another person's browser.
    staff_id = make_staff(school, "una@hillside.example")
    account = oidc.add_google_account("una@hillside.example", hd=DOMAIN)
    path = callback_path(oidc, to_provider(client, "google"), account.login)
    victim = app.test_client()
    response = victim.get(path)
    assert response.status_code == 400 and "started in another browser" in response.text
    assert signed_in_as(db, staff_id) == 0
    assert client.get(path).status_code == 303  # the browser that started it can still finish


def test_a_cancelled_sign_in_says_so(client, oidc, school):
    authorize = to_provider(client, "google")
    state = dict(p.split("=", 1) for p in authorize.split("?", 1)[1].split("&"))["state"]
    response = client.get(f"/sign-in/google/callback?error=access_denied&state={state}")
    assert response.status_code == 400 and "Google did not finish the sign-in (access_denied)" in response.text


# The sign-in page and the settings screen -----------------------------------------------------------
def test_sign_in_page_shows_the_configured_providers_only(client, tmp_path):
    page = client.get("/sign-in?next=/join%3Fcode%3DABC").text
    assert "Sign in with Google" in page and "Sign in with Microsoft" in page
    assert 'href="/sign-in/google?next=/join?code%3DABC"' in page or "/sign-in/google?next=" in page
    bare = make_app(tmp_path / "bare.sqlite").test_client()
    assert "Sign in with" not in bare.get("/sign-in").text
    assert bare.get("/sign-in/google").status_code == 404


def test_the_next_page_is_kept_through_the_provider(client, db, oidc, school, make_staff):
    make_staff(school, "val@hillside.example")
    account = oidc.add_google_account("val@hillside.example", hd=DOMAIN)
    path = callback_path(oidc, to_provider(client, "google", "/sign-in/google?next=/account"), account.login)
    assert client.get(path).headers["Location"] == "/account"


def admin_client(client, make_staff, school):
    make_staff(school, "ada@hillside.example", role="admin", first_name="Ada")
    assert sign_in(client, "ada@hillside.example").status_code == 303
    return client


def test_try_it_shows_the_claims_and_each_check_and_links_nobody(client, db, oidc, school, make_staff):
    admin_client(client, make_staff, school)
    staff_id = make_staff(school, "tia@hillside.example", first_name="Tia", last_name="Ng")
    account = oidc.add_google_account("tia@hillside.example", hd=DOMAIN)
    start = client.get("/admin/sign-in/try/google")
    assert start.status_code == 303
    report = client.get(callback_path(oidc, start.headers["Location"], account.login))
    assert report.status_code == 200
    text = report.text
    assert "Would be accepted." in text and "They would be linked to Tia Ng (teacher) by their verified e-mail" in text
    assert "<code>hd</code>" in text and '<code>"hillside.example"</code>' in text and account.sub in text
    assert text.count("check-refused") == 0 and text.count("check-ok") >= 8
    assert identities(db) == [] and signed_in_as(db, staff_id) == 0
    assert client.get("/admin/sign-in").status_code == 200  # still the admin


def test_try_it_shows_why_a_token_is_refused(client, db, oidc, school, make_staff):
    admin_client(client, make_staff, school)
    account = oidc.add_microsoft_account("pat@other.example", tid=OTHER_TENANT)
    oidc.tamper_next_id_token(aud="another-app")
    start = client.get("/admin/sign-in/try/microsoft")
    text = client.get(callback_path(oidc, start.headers["Location"], account.login)).text
    assert "Would be refused." in text
    assert "Meant for &#39;another-app&#39;, not for this site" in text
    assert f"{OTHER_TENANT} is not listed by any school." in text
    assert "<code>tid</code>" in text


def test_try_it_report_is_only_for_the_admin_who_started_it(app, client, oidc, school, make_staff):
    admin_client(client, make_staff, school)
    account = oidc.add_google_account("tim@hillside.example", hd=DOMAIN)
    start = client.get("/admin/sign-in/try/google")
    path = callback_path(oidc, start.headers["Location"], account.login)
    client.post("/sign-out")
    response = client.get(path)
    assert response.status_code == 400 and "tim@hillside.example" not in response.text


# Staff link their own account (Your account) ------------------------------------------------------
def test_staff_link_a_microsoft_account_then_sign_in_with_it(client, db, oidc, school, make_staff):
    staff_id = make_staff(school, "lou@hillside.example")
    assert sign_in(client, "lou@hillside.example").status_code == 303
    assert "Link your Microsoft account" in client.get("/account").text
    account = oidc.add_microsoft_account("lou.m@hillside.onmicrosoft.example", tid=TENANT)
    linked = client.get(callback_path(oidc, to_provider(client, "microsoft", "/account/link/microsoft"), account.login))
    assert linked.status_code == 303 and linked.headers["Location"] == "/account"
    [identity] = identities(db)
    assert (identity["person_id"], identity["subject"], identity["email"]) == (staff_id, account.sub, None)
    assert "Microsoft, linked" in client.get("/account").text
    client.post("/sign-out")
    response, _ = provider_sign_in(client, oidc, "microsoft", account.login)
    assert response.headers["Location"] == "/classes" and signed_in_as(db, staff_id) == 1
    # Unlinked, it is a stranger again: no e-mail match for Microsoft, so it would go to /join.
    assert client.post(f"/account/linked/{identity['id']}/remove").status_code == 303
    assert identities(db) == []


def test_linking_refuses_another_schools_tenant_and_someone_elses_account(client, db, oidc, school, make_staff):
    other_id = make_staff(school, "owner@hillside.example")
    make_staff(school, "lou@hillside.example")
    sign_in(client, "lou@hillside.example")
    foreign = oidc.add_microsoft_account("lou@other.example", tid=OTHER_TENANT)
    response = client.get(
        callback_path(oidc, to_provider(client, "microsoft", "/account/link/microsoft"), foreign.login)
    )
    assert response.status_code == 403 and "You signed in as lou@other.example" in response.text
    taken = oidc.add_microsoft_account("owner@hillside.onmicrosoft.example", tid=TENANT)
    link(db, oidc, other_id, taken)
    response = client.get(callback_path(oidc, to_provider(client, "microsoft", "/account/link/microsoft"), taken.login))
    assert response.status_code == 403 and "already linked to someone else" in response.text
    assert [i["person_id"] for i in identities(db)] == [other_id]


def test_a_provider_that_cannot_be_reached_gets_a_clear_page(tmp_path):
    # Nothing listens on port 9 of loopback: the metadata fetch fails at once.
    down = make_app(tmp_path / "down.sqlite", GOOGLE_CLIENT_ID="x", GOOGLE_METADATA_URL="http://127.0.0.1:9/x")
    response = down.test_client().get("/sign-in/google")
    assert response.status_code == 502
    assert "Google could not be reached just now" in response.text and 'href="/sign-in"' in response.text


def test_a_class_code_link_is_kept_for_someone_with_no_account(client, oidc, school):
    account = oidc.add_microsoft_account("new@hillside.onmicrosoft.example", tid=TENANT)
    start = to_provider(client, "microsoft", "/sign-in/microsoft?next=/join%3Fcode%3DKX7P2Q")
    response = client.get(callback_path(oidc, start, account.login))
    assert response.headers["Location"] == "/join?code=KX7P2Q"


# Hwb: one Google domain and one Microsoft tenant shared by every school in Wales -------------------------------
HWB_DOMAIN = "hwbcymru.net"
HWB_TENANT = "5b2f0c1d-8e3a-4f6b-9c7d-2e1f0a9b8c7d"


@pytest.fixture
def hwb(app, db, make_school, make_staff):
    """Two schools in Wales that list Hwb through their admins' sign-in settings, and one that does not; the app
    told Hwb's Microsoft tenant. Returns {name: school id}."""
    app.config["HWB_MICROSOFT_TENANT"] = HWB_TENANT
    schools = {name: make_school(name) for name in ("Ysgol Bryn", "Ysgol Afon", "Outside")}
    for name in ("Ysgol Bryn", "Ysgol Afon"):
        email = f"admin@{name.split()[1].lower()}.example"
        make_staff(schools[name], email, role="admin")
        admin = app.test_client()
        assert sign_in(admin, email).status_code == 303
        for provider, value in (("google", HWB_DOMAIN), ("microsoft", HWB_TENANT.upper())):
            added = admin.post("/admin/sign-in", data={"provider": provider, "value": value}, follow_redirects=True)
            assert added.status_code == 200 and "many schools share (Hwb)" in added.text
        assert (
            "is already in your list"
            in admin.post("/admin/sign-in", data={"provider": "google", "value": HWB_DOMAIN}).text
        )
    return schools


def test_several_schools_list_hwb_and_none_of_them_is_found_by_the_tenant_alone(client, db, oidc, hwb):
    listed = db.query("SELECT school_id, provider, value FROM school_shared_sign_in ORDER BY school_id, provider")
    assert [(r["school_id"], r["provider"]) for r in listed] == [
        (hwb["Ysgol Bryn"], "google"), (hwb["Ysgol Bryn"], "microsoft"),
        (hwb["Ysgol Afon"], "google"), (hwb["Ysgol Afon"], "microsoft"),
    ]  # fmt: skip
    # No person matches: the tenant names no school, so it is a class code, and only one of the two schools' codes.
    account = oidc.add_google_account("new.learner@hwbcymru.net", hd=HWB_DOMAIN, given_name="Osian", family_name="Rhys")
    response, _ = provider_sign_in(client, oidc, "google", account.login)
    assert response.headers["Location"].split("?")[0] == "/join"
    with client.session_transaction() as session:
        assert sorted(session["oidc_pending"]["schools"]) == sorted([hwb["Ysgol Bryn"], hwb["Ysgol Afon"]])
        assert "school_id" not in session["oidc_pending"]


def test_a_hwb_pupil_is_matched_by_the_email_on_their_schools_class_list(client, db, oidc, hwb, make_pupil):
    pupil_id = make_pupil(hwb["Ysgol Afon"], "cerys.j")
    db["people"].update(pupil_id, {"email": "cerys.j@hwbcymru.net"})
    account = oidc.add_google_account("cerys.j@hwbcymru.net", hd=HWB_DOMAIN)
    response, _ = provider_sign_in(client, oidc, "google", account.login)
    assert response.status_code == 303 and response.headers["Location"] == "/course"
    assert signed_in_as(db, pupil_id) == 1


def test_a_hwb_account_on_the_list_of_a_school_that_does_not_use_hwb_is_refused(client, db, oidc, hwb, make_pupil):
    pupil_id = make_pupil(hwb["Outside"], "dan.o")
    db["people"].update(pupil_id, {"email": "dan.o@hwbcymru.net"})
    account = oidc.add_google_account("dan.o@hwbcymru.net", hd=HWB_DOMAIN)
    response, _ = provider_sign_in(client, oidc, "google", account.login)
    assert response.status_code == 403 and "different school on this site" in response.text
    assert signed_in_as(db, pupil_id) == 0


def test_a_hwb_microsoft_learner_joins_only_a_listing_schools_class_by_its_code(client, db, oidc, hwb, make_class):
    account = oidc.add_microsoft_account("gwen@hwbcymru.net", tid=HWB_TENANT, given_name="Gwen", family_name="Hughes")
    response, _ = provider_sign_in(client, oidc, "microsoft", account.login)
    assert response.headers["Location"].split("?")[0] == "/join"  # never by e-mail, never by tenant
    outside = code_queries.make_code(db, make_class(hwb["Outside"], "8X"), hwb["Outside"], None, 14)["code"]
    refused = client.post("/join", data={"code": outside})
    assert refused.status_code == 400 and "different school from the account you signed in with" in refused.text
    afon = code_queries.make_code(db, make_class(hwb["Ysgol Afon"], "8A"), hwb["Ysgol Afon"], None, 14)["code"]
    assert client.post("/join", data={"code": afon}).status_code == 303
    person = db.execute("SELECT school_id, first_name FROM people WHERE role = 'pupil'").fetchone()
    assert tuple(person) == (hwb["Ysgol Afon"], "Gwen")


def test_hwb_signs_nobody_in_while_no_school_lists_it(client, db, oidc, make_school, app):
    app.config["HWB_MICROSOFT_TENANT"] = HWB_TENANT
    make_school()
    account = oidc.add_google_account("someone@hwbcymru.net", hd=HWB_DOMAIN)
    response, _ = provider_sign_in(client, oidc, "google", account.login)
    assert response.status_code == 403 and "not set up for this site" in response.text


def test_a_school_stops_using_hwb_and_its_learners_can_no_longer_join_through_it(app, client, db, oidc, hwb):
    admin = app.test_client()
    assert sign_in(admin, "admin@bryn.example").status_code == 303
    entries = db.query("SELECT id FROM school_shared_sign_in WHERE school_id = ?", [hwb["Ysgol Bryn"]])
    for entry in [row["id"] for row in entries]:
        assert admin.post(f"/admin/sign-in/shared/{entry}/remove").status_code == 303
    account = oidc.add_google_account("x@hwbcymru.net", hd=HWB_DOMAIN)
    provider_sign_in(client, oidc, "google", account.login)
    with client.session_transaction() as session:
        assert session["oidc_pending"]["schools"] == [hwb["Ysgol Afon"]]
    # Another school's entry is not this admin's to remove.
    theirs = db.execute("SELECT id FROM school_shared_sign_in WHERE school_id = ?", [hwb["Ysgol Afon"]]).fetchone()[0]
    assert admin.post(f"/admin/sign-in/shared/{theirs}/remove").status_code == 404
