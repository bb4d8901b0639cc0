"""Google and Microsoft sign-in, the Flask side: Authlib's clients, starting and finishing a flow.

Authlib builds the authorisation request (PKCE S256, state, nonce) and fetches the token. The ID
token is then checked here with accounts.oidc_rules (joserfc, against the provider's JWKS), not
with Authlib's parse_id_token: Microsoft's multi-tenant metadata has a templated issuer that must be
filled from each token's tid. Only the issuer, subject and verified e-mail are kept; never tokens.
"""

import time

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, session
from flask_babel import gettext
from requests import RequestException

from accounts import oidc_rules as rules
from accounts import queries
from db import get_db, now
from languages import lazy_gettext as _l
from urls import public_url

SCOPES = "openid email profile"
# How long we wait for the provider's token endpoint, metadata or keys.
PROVIDER_TIMEOUT = 10
# Started flows a browser may have open at once (two tabs); older ones are forgotten.
OPEN_FLOWS = 3
SESSION_FLOWS = "oidc_states"


def init_app(app):
    """One Authlib registry per app, with a client for each provider whose client id is set."""
    oauth = OAuth(app)
    for provider in rules.PROVIDERS:
        prefix = provider.upper()
        if not app.config.get(f"{prefix}_CLIENT_ID"):
            continue
        oauth.register(
            provider,
            client_id=app.config[f"{prefix}_CLIENT_ID"],
            client_secret=app.config[f"{prefix}_CLIENT_SECRET"],
            server_metadata_url=app.config[f"{prefix}_METADATA_URL"],
            client_kwargs={"scope": SCOPES, "code_challenge_method": "S256", "default_timeout": PROVIDER_TIMEOUT},
        )
    app.extensions["oidc"] = oauth


def configured_providers():
    """The providers whose client id is set, in button order."""
    return [p for p in rules.PROVIDERS if current_app.config.get(f"{p.upper()}_CLIENT_ID")]


def client_for(provider):
    """Authlib's client for `provider`, or None when it is not configured."""
    if provider not in configured_providers():
        return None
    return current_app.extensions["oidc"].create_client(provider)


class FlowError(Exception):
    """A sign-in that cannot start or finish; `message` says why in plain words."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


UNREACHABLE = _l(
    "%(name)s could not be reached just now, so signing in with it did not start. Try again in a "
    "minute, or sign in with your username or e-mail and password."
)


def authorize_url(provider, purpose="sign-in", next_path=None, person_id=None):
    """Start a flow: record its nonce and PKCE verifier, bind its state to this browser, and return
    the provider's authorisation URL."""
    client = client_for(provider)
    redirect_uri = public_url("providers.provider_callback", provider=provider)
    # hd=* asks Google's account chooser for Workspace accounts only; the token's hd is still checked.
    extra = {"hd": "*"} if provider == "google" else {}
    try:
        started = client.create_authorization_url(redirect_uri, **extra)  # fetches the metadata once
    except (RequestException, ValueError) as error:
        name = rules.PROVIDER_NAMES[provider]
        raise FlowError(UNREACHABLE % {"name": name}, 502) from error
    queries.start_flow(
        get_db(), started["state"], provider, purpose, started["nonce"], started["code_verifier"],
        redirect_uri, next_path, person_id,
    )  # fmt: skip
    session[SESSION_FLOWS] = [*session.get(SESSION_FLOWS, [])[-(OPEN_FLOWS - 1) :], started["state"]]
    return started["url"]


STARTED_ELSEWHERE = _l(
    "This sign-in has already been used, or it was started in another browser. Nothing was signed "
    "in. Start again from the sign-in page."
)
# `reason`: the provider's own words (in its language), or ours below.
NOT_FINISHED = _l(
    "%(name)s did not finish the sign-in (%(reason)s). Nothing was signed in. Start again from the sign-in page."
)


def use_callback(provider, args):
    """The flow this callback finishes, used up: its state must be one this browser started and
    never used before. Raises FlowError."""
    state = args.get("state")
    states = session.get(SESSION_FLOWS, [])
    if not state or state not in states:
        raise FlowError(STARTED_ELSEWHERE)
    session[SESSION_FLOWS] = [s for s in states if s != state]
    flow = queries.use_flow(get_db(), state)
    if flow is None or flow["provider"] != provider:
        raise FlowError(STARTED_ELSEWHERE)
    if args.get("error") or not args.get("code"):
        reason = args.get("error_description") or args.get("error") or gettext("no code came back")
        raise FlowError(NOT_FINISHED % {"name": rules.PROVIDER_NAMES[provider], "reason": reason})
    return flow


def check_callback(provider, flow, code):
    """Fetch the token with the code (and PKCE verifier), then check its ID token: a Verdict.
    The tokens are dropped here: only the verdict's claims leave this function."""
    client = client_for(provider)
    name = rules.PROVIDER_NAMES[provider]
    try:
        token = client.fetch_access_token(
            redirect_uri=flow["redirect_uri"], code=code, code_verifier=flow["code_verifier"]
        )
        id_token = token.get("id_token")
        if not id_token:
            raise FlowError(NOT_FINISHED % {"name": name, "reason": gettext("no ID token came back")})
        jwks = client.fetch_jwk_set()
        kid = rules.unverified_header(id_token).get("kid")
        if kid and kid not in {k.get("kid") for k in jwks.get("keys", [])}:
            jwks = client.fetch_jwk_set(force=True)  # the provider may have rotated its keys
        metadata = client.load_server_metadata()
    except OAuthError as error:
        raise FlowError(NOT_FINISHED % {"name": name, "reason": error.description or error.error}) from error
    except (RequestException, ValueError) as error:
        unreachable = gettext("%(name)s could not be reached", name=name)
        raise FlowError(NOT_FINISHED % {"name": name, "reason": unreachable}, 502) from error
    return rules.verify(
        provider, id_token, jwks, issuer=metadata["issuer"], client_id=client.client_id,
        nonce=flow["nonce"], now=time.time(),
    )  # fmt: skip


def shared_sign_in():
    """{provider: lower-case domains or tenants many schools share}: SHARED_SIGN_IN, with Hwb's Microsoft tenant."""
    config = current_app.config
    shared = {
        provider: {value.lower() for value in config["SHARED_SIGN_IN"].get(provider, ())}
        for provider in rules.PROVIDERS
    }
    if config.get("HWB_MICROSOFT_TENANT"):
        shared["microsoft"].add(config["HWB_MICROSOFT_TENANT"].strip().lower())
    return shared


def check_schools(verdict, mine=None):
    """The ids of the schools this sign-in may be at (checked on the verdict): the one school that lists the token's
    hd or tid; for a shared one (Hwb), every school that lists it, since the tenant alone names no school."""
    db, provider = get_db(), verdict.provider
    key = rules.school_key(provider, verdict.claims)
    if rules.is_shared(provider, key, shared_sign_in()):
        schools = queries.schools_for_shared(db, provider, key)
    else:
        school_id = queries.school_for_domain(db, provider, key)
        schools = [] if school_id is None else [school_id]
    if not rules.check_school(verdict, schools, mine=mine):
        return []
    return [mine] if mine is not None else schools


def match(verdict, schools):
    """Who this checked sign-in is , without changing anything: a rules.Match."""
    db, claims = get_db(), verdict.claims
    email = rules.verified_email(verdict.provider, claims)
    identity_person = queries.person_by_identity(db, claims["iss"], claims["sub"])
    by_email = queries.anyone_by_email(db, email) if identity_person is None else None
    staff = by_email if by_email and by_email["role"] in queries.STAFF_ROLES else None
    pupil = by_email if by_email and by_email["role"] == "pupil" else None
    return rules.match(schools, rules.account_name(claims), identity_person=identity_person, staff=staff, pupil=pupil)


def record(verdict, found):
    """Link the identity (a first sign-in by e-mail) or note its use (issuer, subject, e-mail only)."""
    db, claims = get_db(), verdict.claims
    email = rules.verified_email(verdict.provider, claims)
    if found.how == "identity":
        queries.touch_identity(db, found.person["identity_id"], email)
    else:  # matched by e-mail, or a signed-in member of staff linking their own account ("link")
        queries.link_identity(db, found.person["id"], verdict.provider, claims["iss"], claims["sub"], email)


def pending(verdict, schools):
    """What /join needs to create or link this person (a class code at one of `schools`); valid for 15 minutes."""
    claims = verdict.claims
    given_name, family_name = rules.names_from_claims(claims)
    return {
        "provider": verdict.provider,
        "issuer": claims["iss"],
        "subject": claims["sub"],
        "email": rules.verified_email(verdict.provider, claims),
        "given_name": given_name,
        "family_name": family_name,
        "started_at": now(),
        # The school that lists the tenant; for a shared tenant (Hwb), every school that lists it, and the class code
        # decides which (classroom/join.py).
        **(
            {"schools": list(schools)}
            if rules.is_shared(verdict.provider, rules.school_key(verdict.provider, claims), shared_sign_in())
            else {"school_id": schools[0]}
        ),
    }
