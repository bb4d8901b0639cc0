"""A real OpenID Provider on loopback for the tests. No mock anywhere.

One node process per test session runs panva's certified `oidc-provider` (tests/oidc/provider.mjs,
installed by `make test` with `npm ci`) on a free port of 127.0.0.1, as:

* a Google-shaped issuer `http://127.0.0.1:<port>/google` (metadata: `oidc.google_metadata_url`):
  ID tokens carry sub, email, email_verified, name, given_name, family_name, and hd when the
  account has one;
* one Microsoft-shaped issuer per tenant, `http://127.0.0.1:<port>/<tid>/v2.0`
  (`oidc.microsoft_issuer(tid)`): ID tokens carry sub, tid, oid, email (never email_verified),
  preferred_username, name, given_name, family_name;
* Microsoft's multi-tenant endpoints (metadata: `oidc.microsoft_metadata_url`, `.../organizations/v2.0/
  .well-known/openid-configuration`), whose issuer is the template `http://127.0.0.1:<port>/{tenantid}/v2.0`.
  Routing to the home tenant: the organizations authorize endpoint asks for the account first
  (home-realm discovery, like login.microsoftonline.com; skipped when login_hint names an account),
  then 303s to that account's tenant's own authorize endpoint with the same query. So the code, and
  the ID token's iss and tid, come from the home tenant. The organizations token and userinfo
  endpoints forward the request to the tenant whose store holds the code / access token. Every issuer
  signs with one RSA key (`oidc.signing_key`, a joserfc RSAKey made here), published at each jwks_uri.

The provider requires PKCE (S256) from every client, uses its own sign-in page (Email, Password,
"Sign in") and consent page ("Continue"); Microsoft's home-realm page has Email and "Next".
It keeps a session cookie (per issuer), so a second sign-in in the same browser context (or the same
`requests.Session` passed to sign_in_without_browser) goes straight back to the app, as Google does;
`prompt=select_account` (which oidc-provider does not know) is read as prompt=login. The redirect back
carries `iss` (RFC 9207; a tenant's real issuer for Microsoft, which Entra itself does not send).

Fixtures (tests/conftest.py, so tests/browser gets them too):
  `oidc` (session scope): an `OidcProvider`. After each test any tamper it left armed is disarmed.

`OidcProvider` API:
  base_url, google_issuer, google_metadata_url, microsoft_metadata_url, microsoft_issuer(tid),
  microsoft_tenant_metadata_url(tid), jwks (public JWKS dict), signing_key, foreign_key;
  add_client(client_id, client_secret, redirect_uris, providers=("google", "microsoft"),
             token_endpoint_auth_method="client_secret_basic") -> None
      Registers (or replaces) an app registration at the Google issuer and/or every Microsoft tenant.
  add_google_account(email, *, hd=None, email_verified=True, given_name=..., family_name=..., sub=None,
                     password=PROVIDER_PASSWORD, **extra_claims) -> Account
  add_microsoft_account(email, *, tid, given_name=..., family_name=..., sub=None, username=None,
                        password=PROVIDER_PASSWORD, **extra_claims) -> Account
      given_name=None / family_name=None leave that claim out (Entra without optional claims).
      The login typed on the provider's page is the e-mail (Microsoft: `username`, default the
      e-mail, i.e. preferred_username). Re-adding the same login replaces the account, with a new
      random sub unless `sub` is given: to sign the same person in twice, reuse the Account.
  tamper_next_id_token(signed_with="provider"|"forged"|"none", remove=(), **claims) -> None
      The NEXT token response (any issuer) carries its ID token with `claims` overridden and `remove`
      deleted, re-signed with the provider's own key, with a foreign key under the provider's kid
      ("forged"), or unsigned (alg none). Claims are JSON values (exp/iat as epoch seconds).
  tamper_pending() -> bool: disarms a tamper that no token response used, saying whether one was armed.
  last_id_token() -> str | None: the ID token the last token response carried (after any tamper).
  sign_in_without_browser(authorize_url, login, password=PROVIDER_PASSWORD, session=None) -> str
      Follows the provider's own pages with `requests` (home-realm, sign-in, consent) and returns the
      URL the provider redirects back to (the app's redirect URI with code and state, or an error).
"""

import json
import os
import secrets
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests
from joserfc.jwk import RSAKey

OIDC_DIR = Path(__file__).parent / "oidc"
PROVIDER_PASSWORD = "provider-password"
STARTUP_SECONDS = 20


@dataclass
class Account:
    """An account at the test provider; `claims` are what its ID tokens carry besides iss/aud/exp/..."""

    provider: str
    login: str
    sub: str
    password: str
    claims: dict = field(default_factory=dict)
    tid: str | None = None


class OidcProvider:
    """The node process serving the Google- and Microsoft-shaped issuers, and the harness's controls."""

    def __init__(self):
        node = shutil.which("node")
        if node is None or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("the test OpenID Provider needs node and tests/oidc/node_modules: run `make test`")
        self.signing_key = _rsa_key("provider-key-1")
        # A foreign key under the provider's kid: what a forger without the provider's key signs with.
        self.foreign_key = _rsa_key("provider-key-1")
        self._token = secrets.token_urlsafe(24)
        environment = dict(os.environ)
        environment["OIDC_HARNESS"] = json.dumps(
            {
                "token": self._token,
                "signing_jwk": self.signing_key.as_dict(private=True),
                "foreign_jwk": self.foreign_key.as_dict(private=True),
            }
        )
        self._process = subprocess.Popen(
            [node, "provider.mjs"],
            cwd=OIDC_DIR,
            env=environment,
            stdin=subprocess.PIPE,  # closing it stops node even if this process dies
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._stderr = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        port = self._read_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.google_issuer = f"{self.base_url}/google"
        self.google_metadata_url = f"{self.google_issuer}/.well-known/openid-configuration"
        self.microsoft_metadata_url = f"{self.base_url}/organizations/v2.0/.well-known/openid-configuration"
        self.jwks = {"keys": [self.signing_key.as_dict(private=False)]}
        self._http = requests.Session()
        self._http.headers["Authorization"] = f"Bearer {self._token}"

    def _read_port(self):
        timer = threading.Timer(STARTUP_SECONDS, self._process.kill)
        timer.start()
        try:
            line = self._process.stdout.readline()
        finally:
            timer.cancel()
        if not line:
            self._process.wait(5)
            raise RuntimeError("the test OpenID Provider did not start:\n" + "".join(self._stderr))
        return json.loads(line)["port"]

    def _drain_stderr(self):
        for line in self._process.stderr:
            self._stderr.append(line)

    def stop(self):
        """Stop the node process."""
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)

    def _call(self, method, path, payload=None):
        response = self._http.request(method, f"{self.base_url}/__harness/{path}", json=payload, timeout=10)
        response.raise_for_status()
        return response.json()

    def microsoft_issuer(self, tid):
        """The issuer of the Microsoft-shaped tenant `tid` (started if it was not running yet)."""
        return self._call("POST", "tenants", {"tid": tid})["issuer"]

    def microsoft_tenant_metadata_url(self, tid):
        """The tenant-specific metadata document of tenant `tid`."""
        return f"{self.microsoft_issuer(tid)}/.well-known/openid-configuration"

    def add_client(self, client_id, client_secret, redirect_uris, providers=("google", "microsoft"),
                   token_endpoint_auth_method="client_secret_basic"):  # fmt: skip
        """Register (or replace) the app at the Google issuer and/or every Microsoft tenant."""
        metadata = {
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uris": list(redirect_uris),
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": token_endpoint_auth_method,
        }
        self._call("POST", "clients", {"providers": list(providers), "metadata": metadata})

    def _add_account(self, account):
        payload = {"provider": account.provider, "login": account.login, "sub": account.sub,
                   "password": account.password, "claims": account.claims, "tid": account.tid}  # fmt: skip
        self._call("POST", "accounts", payload)
        return account

    def add_google_account(self, email, *, hd=None, email_verified=True, given_name="Alex", family_name="Pupil",
                           sub=None, password=PROVIDER_PASSWORD, **extra_claims):  # fmt: skip
        """A Google account; `hd` is its Workspace domain (None: a consumer account, no hd claim)."""
        claims = {"email": email, "email_verified": email_verified, "given_name": given_name,
                  "family_name": family_name, "name": f"{given_name} {family_name}", **extra_claims}  # fmt: skip
        if hd is not None:
            claims["hd"] = hd
        sub = sub or str(10**20 + secrets.randbelow(9 * 10**20))  # Google's subs are 21 digits
        return self._add_account(Account("google", email.lower(), sub, password, claims))

    def add_microsoft_account(self, email, *, tid, given_name="Alex", family_name="Pupil", sub=None, username=None,
                              password=PROVIDER_PASSWORD, **extra_claims):  # fmt: skip
        """An Entra ID account in tenant `tid`; like Entra, its ID tokens carry no email_verified.

        given_name=None and family_name=None leave those claims out, as Entra does unless the tenant adds
        them as optional claims; `name=` sets the display name (by default the two names)."""
        username = username or email
        names = {"given_name": given_name, "family_name": family_name}
        claims = {"email": email, "preferred_username": username, "name": " ".join(n for n in names.values() if n),
                  **{key: value for key, value in names.items() if value is not None}, "tid": tid,
                  "oid": _guid(), **extra_claims}  # fmt: skip
        sub = sub or secrets.token_urlsafe(32)  # Entra's subs are opaque, per app
        return self._add_account(Account("microsoft", username.lower(), sub, password, claims, tid))

    def tamper_next_id_token(self, signed_with="provider", remove=(), **claims):
        """Make the NEXT token response carry a tampered ID token (see the module docstring)."""
        if signed_with not in ("provider", "forged", "none"):
            raise ValueError(f"signed_with must be provider, forged or none, not {signed_with!r}")
        self._call("POST", "tamper", {"signed_with": signed_with, "remove": list(remove), "claims": claims})

    def tamper_pending(self):
        """Disarm a tamper no token response used; True if one was still armed."""
        return self._call("DELETE", "tamper")["pending"]

    def last_id_token(self):
        """The ID token of the last token response (after any tamper), or None."""
        return self._call("GET", "last-token").get("id_token")

    def sign_in_without_browser(self, authorize_url, login, password=PROVIDER_PASSWORD, session=None):
        """Drive the provider's pages from `authorize_url`; return the URL it sends the browser back to."""
        browser = session or requests.Session()
        response = browser.get(authorize_url, allow_redirects=False, timeout=10)
        for _step in range(12):
            if response.is_redirect:
                location = urljoin(response.url, response.headers["Location"])
                if not location.startswith(self.base_url + "/"):
                    return location
                response = browser.get(location, allow_redirects=False, timeout=10)
                continue
            response.raise_for_status()
            form = _only_form(response.text)
            if form is None:
                raise AssertionError(f"the provider showed a page with no form:\n{response.text}")
            values = dict(form["fields"])
            for name in ("login", "login_hint"):
                if name in values:
                    values[name] = login
            if "password" in values:
                values["password"] = password
            action = urljoin(response.url, form["action"])
            if form["method"] == "get":
                response = browser.get(action, params=values, allow_redirects=False, timeout=10)
            else:
                response = browser.post(action, data=values, allow_redirects=False, timeout=10)
            if response.status_code == 200 and 'role="alert"' in response.text:
                raise AssertionError(f"the provider refused the sign-in:\n{response.text}")
        raise AssertionError("the provider never redirected back to the app")


def _rsa_key(kid):
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


def _guid():
    value = secrets.token_hex(16)
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attributes.get("action") or "",
                               "method": (attributes.get("method") or "get").lower(), "fields": []})  # fmt: skip
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1]["fields"].append((attributes["name"], attributes.get("value") or ""))


def _only_form(html):
    parser = _FormParser()
    parser.feed(html)
    return parser.forms[0] if len(parser.forms) == 1 else None
