"""The ID-token checks and matching decisions, on tokens these tests sign themselves with joserfc."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from joserfc import jwk, jwt

from accounts import oidc_rules as rules

CLIENT = "school-site"
GOOGLE = "https://accounts.google.com"
MS_TEMPLATE = "https://login.microsoftonline.com/{tenantid}/v2.0"
TID = "0b6f2d3a-1111-4c5b-9e7a-3f1d2c4b5a69"
NONCE = "n-123"


@pytest.fixture(scope="module")
def key():
    return jwk.RSAKey.generate_key(2048, parameters={"kid": "k1"})


@pytest.fixture(scope="module")
def jwks(key):
    return {"keys": [key.as_dict(private=False)]}


def google_claims(**changes):
    now = int(time.time())
    claims = {
        "iss": GOOGLE, "aud": CLIENT, "sub": "g-1", "iat": now, "exp": now + 300, "nonce": NONCE,
        "email": "sam@hillside.sch.uk", "email_verified": True, "hd": "hillside.sch.uk",
    }  # fmt: skip
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def ms_claims(**changes):
    now = int(time.time())
    claims = {
        "iss": MS_TEMPLATE.replace("{tenantid}", TID), "aud": CLIENT, "sub": "m-1", "tid": TID,
        "iat": now, "exp": now + 300, "nonce": NONCE, "email": "sam@hillside.onmicrosoft.com",
    }  # fmt: skip
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def sign(claims, key, alg="RS256", kid="k1"):
    return jwt.encode({"alg": alg, "kid": kid}, claims, key)


def verify(provider, token, jwks, nonce=NONCE):
    issuer = GOOGLE if provider == "google" else MS_TEMPLATE
    return rules.verify(provider, token, jwks, issuer=issuer, client_id=CLIENT, nonce=nonce, now=time.time())


def failed(verdict):
    return [c.name for c in verdict.checks if not c.ok]


def test_a_good_google_token_passes_every_check(key, jwks):
    verdict = verify("google", sign(google_claims(), key), jwks)
    assert verdict.accepted, verdict.checks
    assert {c.name for c in verdict.checks} >= {"signature", "iss", "aud", "exp", "iat", "nonce", "email_verified"}


def test_a_good_microsoft_token_passes_with_the_templated_issuer(key, jwks):
    verdict = verify("microsoft", sign(ms_claims(), key), jwks)
    assert verdict.accepted, verdict.checks


def test_a_token_signed_with_another_key_is_refused(key, jwks):
    other = jwk.RSAKey.generate_key(2048, parameters={"kid": "k1"})
    verdict = verify("google", sign(google_claims(), other), jwks)
    assert failed(verdict) == ["signature"]
    assert "sam@hillside.sch.uk" in verdict.refusal


def part(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_an_unsigned_token_is_refused(jwks):
    # alg "none": joserfc will not even make one, so build it by hand.
    token = f"{part({'alg': 'none', 'kid': 'k1'})}.{part(google_claims())}."
    assert "signature" in failed(verify("google", token, jwks))


def test_an_hmac_token_keyed_with_the_public_key_is_refused(key, jwks):
    # The classic confusion: HS256 with the provider's public key as the secret (built by hand,
    # joserfc refuses to make one).
    signing_input = f"{part({'alg': 'HS256', 'kid': 'k1'})}.{part(google_claims())}"
    mac = hmac.new(key.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert "signature" in failed(verify("google", token, jwks))


def test_an_unknown_key_id_is_refused(key, jwks):
    assert "signature" in failed(verify("google", sign(google_claims(), key, kid="other"), jwks))


@pytest.mark.parametrize(
    ("changes", "check"),
    [
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, "exp"),
        ({"iat": int(time.time()) + 3600}, "iat"),
        ({"nbf": int(time.time()) + 3600}, "nbf"),
        ({"aud": "someone-else"}, "aud"),
        ({"aud": [CLIENT, "someone-else"], "azp": "someone-else"}, "azp"),
        ({"aud": [CLIENT, "someone-else"]}, "azp"),
        ({"iss": "https://evil.example"}, "iss"),
        ({"nonce": "another"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"exp": None}, "exp"),
        ({"email_verified": False}, "email_verified"),
        ({"email_verified": "true"}, "email_verified"),
        ({"sub": None}, "sub"),
        ({"sub": ""}, "sub"),
        ({"sub": 12345}, "sub"),
    ],
)
def test_google_claim_checks_refuse(key, jwks, changes, check):
    verdict = verify("google", sign(google_claims(**changes), key), jwks)
    assert check in failed(verdict)
    assert not verdict.accepted and verdict.refusal


def test_a_little_clock_skew_is_allowed(key, jwks):
    now = int(time.time())
    verdict = verify("google", sign(google_claims(exp=now - 30, iat=now + 30), key), jwks)
    assert verdict.accepted, failed(verdict)


def test_microsoft_issuer_must_match_the_tokens_own_tenant(key, jwks):
    other = "aaaaaaaa-1111-4c5b-9e7a-3f1d2c4b5a69"
    verdict = verify("microsoft", sign(ms_claims(iss=MS_TEMPLATE.replace("{tenantid}", other)), key), jwks)
    assert failed(verdict) == ["iss"]


def test_microsoft_tid_must_be_a_guid(key, jwks):
    # A tid that is not a GUID could make the template match a crafted issuer: refuse it.
    claims = ms_claims(tid="common", iss=MS_TEMPLATE.replace("{tenantid}", "common"))
    verdict = verify("microsoft", sign(claims, key), jwks)
    assert {"tid", "iss"} <= set(failed(verdict))


def test_the_nonce_must_be_known(key, jwks):
    assert "nonce" in failed(verify("google", sign(google_claims(nonce=""), key), jwks, nonce=""))


def test_only_a_verified_google_email_is_used():
    assert rules.verified_email("google", google_claims()) == "sam@hillside.sch.uk"
    assert rules.verified_email("google", google_claims(email_verified=False)) is None
    assert rules.verified_email("google", google_claims(email_verified=None)) is None
    # Microsoft sends no email_verified: its e-mail never matches anyone.
    assert rules.verified_email("microsoft", ms_claims(email_verified=True)) is None


def test_school_check_names_the_account():
    verdict = rules.Verdict("google", google_claims(hd=None, email="pat@gmail.com"))
    assert not rules.check_school(verdict, [])
    assert "You signed in as pat@gmail.com, which is not a Google Workspace account" in verdict.refusal
    verdict = rules.Verdict("google", google_claims(hd="elsewhere.org", email="pat@elsewhere.org"))
    assert not rules.check_school(verdict, [])
    assert "pat@elsewhere.org" in verdict.refusal and "elsewhere.org" in verdict.refusal
    verdict = rules.Verdict("microsoft", ms_claims(tid=rules.MICROSOFT_PERSONAL_TENANT, email="pat@outlook.com"))
    assert not rules.check_school(verdict, [])
    assert "personal Microsoft account" in verdict.refusal
    verdict = rules.Verdict("google", google_claims(hd="Hillside.SCH.uk"))
    assert rules.check_school(verdict, [7]) and verdict.refusal is None
    assert rules.school_key("google", verdict.claims) == "hillside.sch.uk"


def test_try_it_counts_only_the_admins_own_school():
    verdict = rules.Verdict("google", google_claims())
    assert not rules.check_school(verdict, [7], mine=8)
    assert verdict.checks[-1].why == "hillside.sch.uk is listed by another school, not yours."


def person(pid, school_id=1, archived_at=None):
    return {"id": pid, "school_id": school_id, "archived_at": archived_at}


def test_matching_order_identity_then_staff_then_pupil():
    assert rules.match([1], "x", identity_person=person(1), staff=person(2), pupil=person(3)).person["id"] == 1
    assert rules.match([1], "x", identity_person=None, staff=person(2), pupil=person(3)).how == "staff"
    assert rules.match([1], "x", identity_person=None, staff=None, pupil=person(3)).how == "pupil"
    assert rules.match([1], "x", identity_person=None, staff=None, pupil=None).how == "pending"


def test_matching_refuses_archived_people_and_other_schools():
    archived = rules.match([1], "x@y", identity_person=person(1, archived_at="2026-01-01"), staff=None, pupil=None)
    assert archived.how == "refused" and "left the school" in archived.message and "x@y" in archived.message
    elsewhere = rules.match([1], "x@y", identity_person=person(1, school_id=2), staff=None, pupil=None)
    assert elsewhere.how == "refused"


def test_domain_entries_are_cleaned_and_checked():
    assert rules.clean_domain_entry("google", " @Hillside.SCH.uk ") == ("hillside.sch.uk", None)
    assert rules.clean_domain_entry("google", "gmail.com")[1].startswith("gmail.com is Google's address")
    assert rules.clean_domain_entry("google", "not a domain")[0] is None
    assert rules.clean_domain_entry("microsoft", TID.upper()) == (TID, None)
    assert "tenant ID looks like" in rules.clean_domain_entry("microsoft", "hillside.onmicrosoft.com")[1]
    assert rules.clean_domain_entry("microsoft", rules.MICROSOFT_PERSONAL_TENANT)[0] is None


def test_a_pending_sign_in_lasts_15_minutes():
    from datetime import UTC, datetime, timedelta

    started = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert rules.pending_is_fresh(started, started + timedelta(minutes=15))
    assert not rules.pending_is_fresh(started, started + timedelta(minutes=15, seconds=1))
    assert not rules.pending_is_fresh(started, started - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("claims", "names"),
    [
        ({"given_name": "Zo\u00eb", "family_name": "Okafor", "name": "Zo Okafor"}, ("Zo\u00eb", "Okafor")),
        ({"given_name": "Kim", "name": "Kim Lee"}, ("Kim", "")),  # one of the two sent: no guessing
        ({"name": "Zo\u00eb Okafor"}, ("Zo\u00eb", "Okafor")),  # Entra without its optional claims
        ({"name": "  Ana  de la Cruz "}, ("Ana", "de la Cruz")),
        ({"name": "Okafor, Zo\u00eb"}, ("Zo\u00eb", "Okafor")),  # "Family, Given", as many schools' tenants
        ({"name": "Zo\u00eb"}, ("Zo\u00eb", "")),
        ({"given_name": "", "family_name": None, "name": "Zo\u00eb Okafor"}, ("Zo\u00eb", "Okafor")),
        ({"name": ["not", "text"]}, ("", "")),
        ({}, ("", "")),
    ],
)
def test_names_come_from_given_and_family_name_else_from_name(claims, names):
    assert rules.names_from_claims(claims) == names
