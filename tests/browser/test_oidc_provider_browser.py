"""The loopback OpenID Provider's own pages in a real Chromium: plain-http cookies on 127.0.0.1 carry
the sign-in through the Google issuer, and through Microsoft's home-realm page to the home tenant."""

import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Nothing listens here: Chromium's request to it is answered by page.route, like an app's callback.
APP = "http://127.0.0.1:9"
TENANT = "33333333-cccc-4ccc-8ccc-333333333333"


@pytest.fixture
def provider_page(browser):
    """A fresh Chromium context whose requests to APP are caught and recorded."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.arrived = []

    def arrive(route):
        page.arrived.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Back</title><h1>Back</h1>")

    page.route(f"{APP}/**", arrive)
    yield page
    context.close()


def authorize_url(oidc, metadata_url, client_id, redirect_uri, state, verifier):
    """The authorization request an app sends (state, nonce, PKCE S256)."""
    meta = requests.get(metadata_url, timeout=10).json()
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
             "scope": "openid email profile", "state": state, "nonce": secrets.token_urlsafe(8),
             "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}  # fmt: skip
    return meta, f"{meta['authorization_endpoint']}?{urlencode(query)}"


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_chromium_signs_in_through_the_providers_own_pages(oidc, provider_page, provider):
    page = provider_page
    redirect_uri = f"{APP}/sign-in/{provider}/callback"
    secret = secrets.token_urlsafe(16)
    oidc.add_client(f"browser-{provider}", secret, [redirect_uri], providers=[provider])
    if provider == "google":
        account = oidc.add_google_account("jo.b@hillside.example", hd="hillside.example")
        metadata_url = oidc.google_metadata_url
    else:
        account = oidc.add_microsoft_account("jo.b@tenant.example", tid=TENANT)
        metadata_url = oidc.microsoft_metadata_url
    state, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(48)
    meta, url = authorize_url(oidc, metadata_url, f"browser-{provider}", redirect_uri, state, verifier)

    page.goto(url)
    if provider == "microsoft":  # home-realm discovery first, then the tenant's own sign-in page
        page.get_by_label("Email").fill(account.login)
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("heading")).to_have_text(f"Microsoft (test tenant {TENANT})")
        expect(page.get_by_label("Email")).to_have_value(account.login)
    else:
        page.get_by_label("Email").fill(account.login)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Back")).to_be_visible()

    callback = page.arrived[-1]
    assert re.match(re.escape(redirect_uri) + r"\?", callback)
    query = parse_qs(urlsplit(callback).query)
    assert query["state"] == [state]
    tokens = requests.post(
        meta["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },  # fmt: skip
        auth=(f"browser-{provider}", secret),
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    assert "id_token" in tokens.json()
