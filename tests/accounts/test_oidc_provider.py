"""The loopback OpenID Provider harness itself: discovery, a code flow without a browser, the token
exchange with PKCE, the claims each provider shape sends, and the tamper control."""

import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.integrations.flask_client import OAuth
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import Flask, request
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

CALLBACK = "https://training.example.test/sign-in/{provider}/callback"
TENANT_A = "11111111-aaaa-4aaa-8aaa-111111111111"
TENANT_B = "22222222-bbbb-4bbb-8bbb-222222222222"


@pytest.fixture(scope="module")
def app_client(oidc):
    """The app's registration at both providers (one client id, as in the tests of the app)."""
    client = {"client_id": "training-app", "client_secret": secrets.token_urlsafe(16)}
    oidc.add_client(client["client_id"], client["client_secret"],
                    [CALLBACK.format(provider="google"), CALLBACK.format(provider="microsoft")])  # fmt: skip
    return client


def metadata(url):
    """The metadata document at `url`."""
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.json()


def start(meta, client, provider, **extra):
    """An authorization request with state, nonce and PKCE S256, as the app sends it."""
    request = {"state": secrets.token_urlsafe(16), "nonce": secrets.token_urlsafe(16),
               "verifier": secrets.token_urlsafe(48), "redirect_uri": CALLBACK.format(provider=provider)}  # fmt: skip
    query = {"response_type": "code", "client_id": client["client_id"], "redirect_uri": request["redirect_uri"],
             "scope": "openid email profile", "state": request["state"], "nonce": request["nonce"],
             "code_challenge": create_s256_code_challenge(request["verifier"]), "code_challenge_method": "S256",
             **extra}  # fmt: skip
    request["url"] = f"{meta['authorization_endpoint']}?{urlencode(query)}"
    return request


def exchange(meta, client, request, code, verifier=None):
    """The token request (client_secret_basic, as Authlib sends it)."""
    return requests.post(
        meta["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": request["redirect_uri"],
            "code_verifier": verifier or request["verifier"],
        },  # fmt: skip
        auth=(client["client_id"], client["client_secret"]),
        timeout=10,
    )


def code_from(callback_url, request):
    """The code in the redirect back to the app, after checking where it went and its state."""
    assert callback_url.startswith(request["redirect_uri"] + "?")
    query = parse_qs(urlsplit(callback_url).query)
    assert query["state"] == [request["state"]]
    return query["code"][0]


def id_token_claims(meta, id_token):
    """The ID token's claims, after verifying its signature against the issuer's published JWKS."""
    keys = KeySet.import_key_set(metadata(meta["jwks_uri"]))
    return jwt.decode(id_token, keys, algorithms=["RS256"]).claims


def google_sign_in(oidc, client, account):
    """A whole Google code flow; returns (metadata, the request, the token response)."""
    meta = metadata(oidc.google_metadata_url)
    # Google's hd request parameter is only a hint (the app must check the claim); oidc-provider ignores it.
    request = start(meta, client, "google", hd=account.claims.get("hd", "*"))
    code = code_from(oidc.sign_in_without_browser(request["url"], account.login), request)
    response = exchange(meta, client, request, code)
    assert response.status_code == 200, response.text
    return meta, request, response.json()


def test_google_discovery_document(oidc):
    meta = metadata(oidc.google_metadata_url)
    assert meta["issuer"] == oidc.google_issuer == f"{oidc.base_url}/google"
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        assert meta[endpoint].startswith(oidc.google_issuer + "/")
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert {"hd", "email_verified"} <= set(meta["claims_supported"])
    assert metadata(meta["jwks_uri"])["keys"][0]["kid"] == oidc.signing_key.kid


def test_microsoft_organizations_document_has_the_templated_issuer(oidc):
    meta = metadata(oidc.microsoft_metadata_url)
    assert meta["issuer"] == f"{oidc.base_url}/{{tenantid}}/v2.0"
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        assert meta[endpoint].startswith(f"{oidc.base_url}/organizations/")
    assert metadata(meta["jwks_uri"]) == oidc.jwks
    tenant = metadata(oidc.microsoft_tenant_metadata_url(TENANT_A))
    assert tenant["issuer"] == oidc.microsoft_issuer(TENANT_A) == f"{oidc.base_url}/{TENANT_A}/v2.0"


def test_google_workspace_code_flow_gives_the_configured_claims(oidc, app_client):
    account = oidc.add_google_account("amy.p@hillside.example", hd="hillside.example", given_name="Amy",
                                      family_name="Pearce")  # fmt: skip
    meta, request, tokens = google_sign_in(oidc, app_client, account)
    claims = id_token_claims(meta, tokens["id_token"])
    assert claims["iss"] == oidc.google_issuer
    assert claims["aud"] == app_client["client_id"]
    assert claims["nonce"] == request["nonce"]
    assert claims["sub"] == account.sub != account.login
    assert claims["exp"] > time.time() >= claims["iat"] - 5
    assert {k: claims[k] for k in ("email", "email_verified", "hd", "name", "given_name", "family_name")} == {
        "email": "amy.p@hillside.example", "email_verified": True, "hd": "hillside.example",
        "name": "Amy Pearce", "given_name": "Amy", "family_name": "Pearce",
    }  # fmt: skip
    assert oidc.last_id_token() == tokens["id_token"]


def test_google_consumer_account_has_no_hd_and_may_be_unverified(oidc, app_client):
    account = oidc.add_google_account("someone@gmail.example", email_verified=False)
    meta, _request, tokens = google_sign_in(oidc, app_client, account)
    claims = id_token_claims(meta, tokens["id_token"])
    assert "hd" not in claims
    assert claims["email_verified"] is False


def test_microsoft_multi_tenant_flow_routes_to_the_home_tenant(oidc, app_client):
    oidc.add_microsoft_account("other@a.example", tid=TENANT_A)
    account = oidc.add_microsoft_account("bo.k@b.example", tid=TENANT_B, given_name="Bo", family_name="King")
    meta = metadata(oidc.microsoft_metadata_url)
    request = start(meta, app_client, "microsoft")
    # No login_hint: the organizations endpoint asks who is signing in first (home-realm discovery).
    first_page = requests.get(request["url"], timeout=10)
    assert 'name="login_hint"' in first_page.text
    code = code_from(oidc.sign_in_without_browser(request["url"], account.login), request)
    response = exchange(meta, app_client, request, code)
    assert response.status_code == 200, response.text
    claims = id_token_claims(meta, response.json()["id_token"])
    assert claims["iss"] == meta["issuer"].replace("{tenantid}", TENANT_B) == oidc.microsoft_issuer(TENANT_B)
    assert claims["tid"] == TENANT_B
    assert claims["aud"] == app_client["client_id"]
    assert claims["nonce"] == request["nonce"]
    assert claims["sub"] == account.sub
    assert "email_verified" not in claims
    assert {k: claims[k] for k in ("email", "preferred_username", "name", "given_name", "family_name")} == {
        "email": "bo.k@b.example", "preferred_username": "bo.k@b.example", "name": "Bo King",
        "given_name": "Bo", "family_name": "King",
    }  # fmt: skip
    userinfo = requests.get(meta["userinfo_endpoint"], timeout=10,
                            headers={"Authorization": f"Bearer {response.json()['access_token']}"})  # fmt: skip
    assert userinfo.json()["sub"] == account.sub


def test_login_hint_skips_home_realm_discovery(oidc, app_client):
    account = oidc.add_microsoft_account("cy@a.example", tid=TENANT_A)
    meta = metadata(oidc.microsoft_metadata_url)
    request = start(meta, app_client, "microsoft", login_hint=account.login)
    first = requests.get(request["url"], allow_redirects=False, timeout=10)
    assert first.status_code == 303
    assert first.headers["Location"].startswith(f"/{TENANT_A}/v2.0/auth?")


def test_wrong_password_is_refused_by_the_provider(oidc, app_client):
    account = oidc.add_google_account("dee@hillside.example", hd="hillside.example")
    request = start(metadata(oidc.google_metadata_url), app_client, "google")
    with pytest.raises(AssertionError, match="Wrong e-mail or password"):
        oidc.sign_in_without_browser(request["url"], account.login, password="not-it")


def test_pkce_verifier_and_one_use_codes_are_enforced(oidc, app_client):
    account = oidc.add_google_account("eve@hillside.example", hd="hillside.example")
    meta = metadata(oidc.google_metadata_url)
    request = start(meta, app_client, "google")
    code = code_from(oidc.sign_in_without_browser(request["url"], account.login), request)
    wrong = exchange(meta, app_client, request, code, verifier=secrets.token_urlsafe(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert exchange(meta, app_client, request, code).status_code == 200
    replay = exchange(meta, app_client, request, code)  # a code is single-use
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_authorization_without_pkce_is_refused(oidc, app_client):
    meta = metadata(oidc.google_metadata_url)
    request = start(meta, app_client, "google")
    url = request["url"].replace("code_challenge_method=S256", "").replace("code_challenge=", "x=")
    back = requests.get(url, allow_redirects=False, timeout=10)
    query = parse_qs(urlsplit(back.headers["Location"]).query)
    assert query["error"] == ["invalid_request"]


def test_tamper_re_signed_with_the_provider_key_changes_exactly_the_next_response(oidc, app_client):
    account = oidc.add_google_account("fin@hillside.example", hd="hillside.example")
    oidc.tamper_next_id_token(hd="elsewhere.example", aud="someone-else", exp=int(time.time()) - 60,
                              remove=["email_verified"])  # fmt: skip
    meta, request, tokens = google_sign_in(oidc, app_client, account)
    claims = id_token_claims(meta, tokens["id_token"])  # still verifies: signed with the provider's key
    assert (claims["hd"], claims["aud"]) == ("elsewhere.example", "someone-else")
    assert claims["exp"] < time.time()
    assert "email_verified" not in claims
    assert claims["nonce"] == request["nonce"]  # everything not overridden is the real response's
    assert oidc.tamper_pending() is False
    _meta, _request, untouched = google_sign_in(oidc, app_client, account)
    claims = id_token_claims(meta, untouched["id_token"])
    assert (claims["hd"], claims["aud"], claims["email_verified"]) == ("hillside.example", "training-app", True)


def test_forged_id_token_claims_the_provider_key_but_does_not_verify(oidc, app_client):
    account = oidc.add_google_account("gus@hillside.example", hd="hillside.example")
    oidc.tamper_next_id_token(signed_with="forged", email="head@hillside.example")
    meta, _request, tokens = google_sign_in(oidc, app_client, account)
    forged = jwt.decode(tokens["id_token"], oidc.foreign_key, algorithms=["RS256"])
    assert forged.header["kid"] == oidc.signing_key.kid  # names the provider's key...
    assert forged.claims["email"] == "head@hillside.example"
    with pytest.raises(BadSignatureError):  # ...but is not signed by it
        id_token_claims(meta, tokens["id_token"])


def test_unsigned_id_token_does_not_verify(oidc, app_client):
    account = oidc.add_google_account("ida@hillside.example", hd="hillside.example")
    oidc.tamper_next_id_token(signed_with="none")
    meta, _request, tokens = google_sign_in(oidc, app_client, account)
    assert tokens["id_token"].endswith(".")
    with pytest.raises(JoseError):
        id_token_claims(meta, tokens["id_token"])


def test_tamper_also_reaches_microsoft_tenants(oidc, app_client):
    account = oidc.add_microsoft_account("hal@a.example", tid=TENANT_A)
    oidc.tamper_next_id_token(tid=TENANT_B, email_verified=True)
    meta = metadata(oidc.microsoft_metadata_url)
    request = start(meta, app_client, "microsoft")
    code = code_from(oidc.sign_in_without_browser(request["url"], account.login), request)
    claims = id_token_claims(meta, exchange(meta, app_client, request, code).json()["id_token"])
    assert claims["iss"] == oidc.microsoft_issuer(TENANT_A)
    assert (claims["tid"], claims["email_verified"]) == (TENANT_B, True)


def test_an_unused_tamper_can_be_disarmed(oidc):
    oidc.tamper_next_id_token(nonce="replayed")
    assert oidc.tamper_pending() is True
    assert oidc.tamper_pending() is False


def authlib_app(oidc, name, client, metadata_url):
    """A bare Flask app signing in with Authlib's Flask client, as the app does (PKCE S256, nonce)."""
    app = Flask(__name__)
    app.testing = True  # errors reach the test
    app.secret_key = secrets.token_hex(16)
    oauth = OAuth(app)
    remote = oauth.register(
        name,
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        server_metadata_url=metadata_url,
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )

    @app.route("/start")
    def start_sign_in():
        return remote.authorize_redirect(CALLBACK.format(provider=name))

    @app.route(f"/sign-in/{name}/callback")
    def callback():
        tid = request.args.get("expected_tid")
        options = {"iss": {"values": [oidc.microsoft_issuer(tid)]}} if tid else None
        return dict(remote.authorize_access_token(claims_options=options)["userinfo"])

    return app.test_client()


def authlib_sign_in(oidc, test_client, login, **callback_args):
    """Start at the bare app, sign in at the provider, come back; returns the callback response."""
    started = test_client.get("/start", base_url="https://training.example.test")
    back = urlsplit(oidc.sign_in_without_browser(started.headers["Location"], login))
    extra = f"&{urlencode(callback_args)}" if callback_args else ""
    return test_client.get(f"{back.path}?{back.query}{extra}", base_url="https://training.example.test")


def test_authlib_signs_in_with_the_google_issuer(oidc, app_client):
    account = oidc.add_google_account("jay@hillside.example", hd="hillside.example")
    response = authlib_sign_in(oidc, authlib_app(oidc, "google", app_client, oidc.google_metadata_url), account.login)
    assert response.status_code == 200, response.text
    assert (response.json["sub"], response.json["hd"]) == (account.sub, "hillside.example")


def test_authlib_signs_in_with_the_microsoft_organizations_endpoint(oidc, app_client):
    account = oidc.add_microsoft_account("kit@a.example", tid=TENANT_A)
    test_client = authlib_app(oidc, "microsoft", app_client, oidc.microsoft_metadata_url)
    # The metadata's issuer is a template, so the expected issuer comes from the tenant (the app's job).
    response = authlib_sign_in(oidc, test_client, account.login, expected_tid=TENANT_A)
    assert response.status_code == 200, response.text
    assert (response.json["sub"], response.json["tid"]) == (account.sub, TENANT_A)


def test_authlib_refuses_a_forged_id_token(oidc, app_client):
    account = oidc.add_google_account("lou@hillside.example", hd="hillside.example")
    oidc.tamper_next_id_token(signed_with="forged")
    test_client = authlib_app(oidc, "google", app_client, oidc.google_metadata_url)
    with pytest.raises(BadSignatureError):
        authlib_sign_in(oidc, test_client, account.login)


def test_prompt_select_account_shows_the_sign_in_page_again(oidc, app_client):
    account = oidc.add_google_account("max@hillside.example", hd="hillside.example")
    meta = metadata(oidc.google_metadata_url)
    browser = requests.Session()  # keeps the provider's session cookie, as a browser would
    first = start(meta, app_client, "google")
    code_from(oidc.sign_in_without_browser(first["url"], account.login, session=browser), first)
    again = start(meta, app_client, "google")
    assert code_from(oidc.sign_in_without_browser(again["url"], account.login, session=browser), again)
    with_prompt = start(meta, app_client, "google", prompt="select_account")
    shown = browser.get(with_prompt["url"], timeout=10)  # without the mapping: an invalid_request error page
    assert 'name="password"' in shown.text
