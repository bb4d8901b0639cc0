"""The rules for a Google or Microsoft sign-in: checking the ID token and deciding who it is.

No Flask here: the views fetch the token and the provider's keys, these functions judge them.
Each check is kept with its verdict and reason, so the admin's "Try it" screen can show them all.
"""

import json
import re
from dataclasses import dataclass, field

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# The words a person reads when their sign-in is refused are lazy: made here without a request, translated into
# the page's language when the page shows them.
from languages import lazy_gettext as _l

PROVIDERS = ("google", "microsoft")
PROVIDER_NAMES = {"google": "Google", "microsoft": "Microsoft"}
# Clocks differ a little between us and the provider; more than this and the token is refused.
LEEWAY_SECONDS = 60
# Entra's tenant ids (the tid claim) are GUIDs; anything else is not a tenant.
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# The tenant Microsoft uses for personal accounts (outlook.com, hotmail.com): never a school's.
MICROSOFT_PERSONAL_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
# Google's consumer addresses: an account there is never a school's Workspace account.
GOOGLE_CONSUMER_DOMAINS = ("gmail.com", "googlemail.com")
DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# The key type decides the algorithm when the provider's key does not name one. Never "none",
# never an HMAC: a public key must not double as a shared secret.
ALGORITHM_FOR_KEY = {("RSA", None): "RS256", ("EC", "P-256"): "ES256", ("EC", "P-384"): "ES384"}
ASYMMETRIC_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}


@dataclass
class Check:
    """One test of the token: its name, whether it passed, and why (plain words)."""

    name: str
    ok: bool
    why: str


@dataclass
class Verdict:
    """What a token said and what we made of it. `claims` are untrusted unless `accepted`."""

    provider: str
    claims: dict
    checks: list = field(default_factory=list)
    refusal: str | None = None  # the message for the person when a check failed

    @property
    def accepted(self):
        """Every check passed."""
        return all(check.ok for check in self.checks) and self.refusal is None

    def add(self, name, ok, why):
        """Record one check."""
        self.checks.append(Check(name, bool(ok), why))
        return ok


def account_name(claims):
    """How to name the account to its owner: the e-mail the provider sent, else a fallback."""
    for key in ("email", "preferred_username", "upn"):
        value = claims.get(key)
        if isinstance(value, str) and value:
            return value
    return _l("an account we could not name")


def names_from_claims(claims):
    """(given, family) names from ID token claims: given_name and family_name, else read from `name`.

    Entra sends `name` (the display name) but given_name and family_name only when the tenant adds
    them as optional claims. A display name with a comma is "Family, Given" (a common school format);
    otherwise the first word is the given name and the rest the family name ("Zoë Okafor", "Ana de la Cruz").
    """
    given, family = _text(claims.get("given_name")), _text(claims.get("family_name"))
    if given or family:
        return given, family
    name = _text(claims.get("name"))
    if "," in name:
        family, _, given = name.partition(",")
        return " ".join(given.split()), " ".join(family.split())
    given, _, family = name.partition(" ")
    return given, family


def _text(value):
    """A claim as one line of text, spaces collapsed: "" when it is missing or not text."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def unverified_claims(id_token):
    """The token's payload without checking anything, for display only (never trusted)."""
    try:
        claims = json.loads(jws.extract_compact(id_token.encode()).payload)
    except (JoseError, ValueError, TypeError, AttributeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def unverified_header(id_token):
    """The token's header without checking anything (to pick the key), or {}."""
    try:
        return dict(jws.extract_compact(id_token.encode()).headers())
    except (JoseError, ValueError, TypeError, AttributeError):
        return {}


def algorithm_for(key):
    """The one algorithm this key may sign with: the key's own `alg`, else its type's."""
    alg = key.alg
    if alg:
        return alg if alg in ASYMMETRIC_ALGORITHMS else None
    crv = key.get("crv") if key.key_type == "EC" else None
    return ALGORITHM_FOR_KEY.get((key.key_type, crv))


def check_signature(verdict, id_token, jwks):
    """Verify the signature with the provider's published key named by the token's `kid`."""
    try:
        header = jws.extract_compact(id_token.encode()).headers()
        key = KeySet.import_key_set(jwks).get_by_kid(header.get("kid"))
    except (JoseError, ValueError, TypeError, KeyError, AttributeError):
        return verdict.add("signature", False, "The token is not signed with any of the provider's published keys.")
    alg = algorithm_for(key)
    if not alg or header.get("alg") != alg:
        said = header.get("alg")
        return verdict.add("signature", False, f"The token says it is signed with {said!r}; the key uses {alg!r}.")
    try:
        jwt.decode(id_token, key, algorithms=[alg])
    except JoseError:
        return verdict.add("signature", False, "The signature does not match the provider's key: it was changed.")
    return verdict.add("signature", True, f"Signed by the provider's key {header.get('kid')!r} ({alg}).")


def expected_issuer(provider, issuer, claims):
    """The issuer the token must carry: Google's exactly; Microsoft's template filled with its tid."""
    if provider == "microsoft" and "{tenantid}" in issuer:
        tid = claims.get("tid")
        if not isinstance(tid, str) or not GUID.match(tid):
            return None
        return issuer.replace("{tenantid}", tid)
    return issuer


def check_claims(verdict, *, issuer, client_id, nonce, now, leeway=LEEWAY_SECONDS):
    """Issuer, audience, authorised party, times and nonce, each recorded on `verdict`."""
    claims, provider = verdict.claims, verdict.provider
    if provider == "microsoft":
        tid = claims.get("tid")
        verdict.add(
            "tid",
            isinstance(tid, str) and GUID.match(tid),
            f"The tenant id {tid!r} is a tenant id." if isinstance(tid, str) and GUID.match(tid)
            else f"The tenant id {tid!r} is not shaped like a tenant id (a GUID).",
        )  # fmt: skip
    wanted = expected_issuer(provider, issuer, claims)
    verdict.add(
        "iss",
        wanted is not None and claims.get("iss") == wanted,
        f"Issued by {claims.get('iss')!r}, as expected." if wanted and claims.get("iss") == wanted
        else f"Issued by {claims.get('iss')!r}; expected {wanted!r}.",
    )  # fmt: skip
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    verdict.add(
        "aud",
        client_id in audiences,
        f"Meant for this site ({client_id!r})." if client_id in audiences
        else f"Meant for {audience!r}, not for this site ({client_id!r}).",
    )  # fmt: skip
    azp = claims.get("azp")
    if azp is not None or len(audiences) > 1:
        verdict.add(
            "azp",
            azp == client_id,
            "Requested by this site." if azp == client_id else f"Requested by {azp!r}, not by this site.",
        )
    subject = claims.get("sub")
    verdict.add(
        "sub",
        isinstance(subject, str) and 0 < len(subject) <= 255,
        "Names the account (its subject)." if isinstance(subject, str) and 0 < len(subject) <= 255
        else "Has no usable subject, so the account cannot be told apart.",
    )  # fmt: skip
    _check_times(verdict, claims, now, leeway)
    verdict.add(
        "nonce",
        bool(nonce) and claims.get("nonce") == nonce,
        "Answers the sign-in this browser started." if nonce and claims.get("nonce") == nonce
        else "Does not answer the sign-in this browser started (the nonce differs).",
    )  # fmt: skip


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _check_times(verdict, claims, now, leeway):
    exp, iat, nbf = _number(claims.get("exp")), _number(claims.get("iat")), _number(claims.get("nbf"))
    verdict.add(
        "exp",
        exp is not None and now <= exp + leeway,
        "Not expired." if exp is not None and now <= exp + leeway
        else "Expired." if exp is not None else "Has no expiry time.",
    )  # fmt: skip
    verdict.add(
        "iat",
        iat is not None and iat <= now + leeway,
        "Issued just now." if iat is not None and iat <= now + leeway
        else "Says it was issued in the future." if iat is not None else "Has no issue time.",
    )  # fmt: skip
    if "nbf" in claims:
        verdict.add(
            "nbf",
            nbf is not None and nbf <= now + leeway,
            "Already valid." if nbf is not None and nbf <= now + leeway else "Not valid yet.",
        )


def verified_email(provider, claims):
    """The e-mail we may match on, or None. Google: only with email_verified true. Microsoft sends
    no email_verified (its e-mail is whatever the tenant typed), so it is never used to match."""
    email = claims.get("email")
    if provider != "google" or claims.get("email_verified") is not True or not isinstance(email, str):
        return None
    return email.strip().lower() or None


def school_key(provider, claims):
    """What finds the school: Google's `hd` (Workspace domain) or Microsoft's `tid`, lower case."""
    value = claims.get("hd" if provider == "google" else "tid")
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def check_email(verdict):
    """Google: the e-mail must be verified before any use of it. Microsoft: say it is never used."""
    claims = verdict.claims
    if verdict.provider == "google":
        ok = claims.get("email_verified") is True
        why = "Google says the e-mail is verified." if ok else "Google does not say the e-mail is verified."
        return verdict.add("email_verified", ok, why)
    why = "Microsoft does not say whether e-mails are verified: its e-mail is never used to match."
    return verdict.add("email_verified", True, why)


def is_shared(provider, key, shared):
    """Whether `key` (an hd or tid) is one many schools share (Hwb): it never identifies a school by itself."""
    return key is not None and key in shared.get(provider, ())


def check_school(verdict, schools, *, mine=None):
    """The hd or tid must be one a school listed (`schools`: the ids of those that list it; several for a shared
    one). `mine`: only that school counts (Try it, linking an account)."""
    provider, claims = verdict.provider, verdict.claims
    key, name = school_key(provider, claims), account_name(claims)
    label = "hd" if provider == "google" else "tid"
    listed = bool(schools) and (mine is None or mine in schools)
    if key is None:
        why = f"The token has no {label}: not a school account."
    elif listed:
        why = f"{key} is listed by {'your' if mine else 'a'} school."
    elif schools:
        why = f"{key} is listed by another school, not yours."
    else:
        why = f"{key} is not listed by any school."
    if verdict.add(label, listed, why):
        return True
    verdict.refusal = refusal_for_school(provider, claims, key, name)
    return False


def refusal_for_school(provider, claims, key, name):
    """The words for someone whose account belongs to no school here, naming the account."""
    if provider == "google":
        if key is None:
            return _l(
                "You signed in as %(name)s, which is not a Google Workspace account of a school that uses this "
                "site. Sign in with your school Google account, or with your username and password.",
                name=name,
            )
        return _l(
            "You signed in as %(name)s, a Google account of %(domain)s, which is not set up for this site. "
            "Sign in with the account your school gave you, or ask your teacher.",
            name=name,
            domain=key,
        )
    if key == MICROSOFT_PERSONAL_TENANT:
        return _l(
            "You signed in as %(name)s, which is a personal Microsoft account, not a school one. "
            "Sign in with the account your school gave you, or with your username and password.",
            name=name,
        )
    return _l(
        "You signed in as %(name)s, a Microsoft account of an organisation that is not set up for this site. "
        "Sign in with the account your school gave you, or ask your teacher.",
        name=name,
    )


def refusal_for_checks(provider, claims):
    """The words when the token itself failed a check (tampered, expired, for another site)."""
    return _l(
        "Signing in as %(name)s with %(provider)s did not pass our checks, "
        "so it was refused. Nothing was signed in. Start again from the sign-in page; if it happens "
        "again, tell your school's IT team.",
        name=account_name(claims),
        provider=PROVIDER_NAMES[provider],
    )


def verify(provider, id_token, jwks, *, issuer, client_id, nonce, now, leeway=LEEWAY_SECONDS):
    """Every check of the ID token (signature first); the school is checked separately."""
    verdict = Verdict(provider, unverified_claims(id_token))
    check_signature(verdict, id_token, jwks)
    check_claims(verdict, issuer=issuer, client_id=client_id, nonce=nonce, now=now, leeway=leeway)
    check_email(verdict)
    if not verdict.accepted:
        verdict.refusal = refusal_for_checks(provider, verdict.claims)
    return verdict


# Matching ---------------------------------------------------------------------------------------
def archived_refusal(name):
    """The words for someone whose matching account here is archived (they left the school)."""
    return _l(
        "You signed in as %(name)s. That account belongs to someone who has left the school here, so it "
        "cannot be used. If this is wrong, ask the school office.",
        name=name,
    )


def other_school_refusal(name):
    """The words for someone whose matching account here is at another school than the one listing their tenant."""
    return _l(
        "You signed in as %(name)s. That account belongs to someone at a different school on this site, so "
        "it was refused here. Ask your school's IT team.",
        name=name,
    )


@dataclass
class Match:
    """Who a checked sign-in is: `how` is identity, staff, pupil, pending or refused."""

    how: str
    person: dict | None = None
    message: str | None = None


def match(schools, name, *, identity_person, staff, pupil):
    """Contract B: a linked identity first, then staff by verified e-mail, then a pupil by roster
    e-mail; otherwise pending (join a class with a code). The person must be at one of `schools` (the one that
    lists the tenant, or each that lists a shared one). Rows may be archived: they refuse."""
    for how, person in (("identity", identity_person), ("staff", staff), ("pupil", pupil)):
        if person is None:
            continue
        if person["archived_at"]:
            return Match("refused", person, archived_refusal(name))
        if person["school_id"] not in schools:
            return Match("refused", person, other_school_refusal(name))
        return Match(how, person)
    return Match("pending")


def pending_is_fresh(started_at, now, minutes=15):
    """A pending provider sign-in lasts 15 minutes. `started_at`, `now`: datetimes."""
    return 0 <= (now - started_at).total_seconds() <= minutes * 60


# The admin's list -------------------------------------------------------------------------------
def clean_domain_entry(provider, value):
    """(normalised value, None) or (None, message) for a Google domain or Microsoft tenant id."""
    value = (value or "").strip().lower()
    if provider == "google":
        value = value.removeprefix("@")
        if not value:
            return None, "Type your school's Google Workspace domain, for example hillside.sch.uk."
        if value in GOOGLE_CONSUMER_DOMAINS:
            return None, f"{value} is Google's address for personal accounts, not a school's Workspace domain."
        if not DOMAIN.match(value):
            return None, "That is not a domain. Type only the part after the @, for example hillside.sch.uk."
        return value, None
    if not value:
        return None, "Type your school's Microsoft tenant ID."
    if value == MICROSOFT_PERSONAL_TENANT:
        return None, "That is the tenant of personal Microsoft accounts, not a school's."
    if not GUID.match(value):
        return None, (
            "A tenant ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47 (Entra admin centre, Overview, "
            "Tenant ID); a domain name will not work."
        )
    return value, None
