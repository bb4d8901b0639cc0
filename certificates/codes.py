"""Certificate codes: unguessable, and easy to read aloud and type."""

import hashlib
import re
import secrets

from flask_babel import gettext

# No look-alikes: no I, L or 1, no O or 0.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_SIZE = 3, 4  # 31**12, about 7.9e17 codes


def new_code():
    """A random code such as 'K7QM-3XHA-PWN9'."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    return "-".join(chars[i : i + GROUP_SIZE] for i in range(0, len(chars), GROUP_SIZE))


def typed_chars(typed):
    """The letters and numbers of a typed code: upper case, without spaces or any kind of dash."""
    # Copying from a PDF or a word processor can bring en or em dashes in place of hyphens.
    return re.sub(r"[\s\-\u2010-\u2015]", "", typed or "").upper()


def normalise_code(typed):
    """A typed code in its stored form ('k7qm 3xha pwn9' -> 'K7QM-3XHA-PWN9'), or None if it cannot be one."""
    chars = typed_chars(typed)
    if len(chars) != GROUPS * GROUP_SIZE or any(c not in ALPHABET for c in chars):
        return None
    return "-".join(chars[i : i + GROUP_SIZE] for i in range(0, len(chars), GROUP_SIZE))


EXAMPLE = "K7QM-3XHA-PWN9"


def code_problem(typed):
    """Why `typed` cannot be a certificate code, saying what a code looks like (in the page's language); None if it
    can be one."""
    looks_like = gettext(
        "A code is 12 letters and numbers, like %(example)s; dashes, spaces and small letters are fine.",
        example=EXAMPLE,
    )
    chars = typed_chars(typed)
    if not chars:
        return gettext("Type the code printed on the certificate.") + " " + looks_like
    strays = {c for c in chars if c not in ALPHABET}
    if not re.fullmatch(r"[A-Z0-9]+", chars):
        reason = gettext("Codes have only letters and numbers.")
    elif len(chars) != GROUPS * GROUP_SIZE:
        reason = gettext("That has %(count)s letters and numbers, not 12.", count=len(chars))
    elif strays:
        reason = gettext("Codes never use I, L, O, 0 or 1, because they look alike: check the certificate again.")
    else:
        return None
    return " ".join((gettext("That doesn't look like a certificate code."), reason, looks_like))


def initials(first_name, last_name):
    """'Ryan', 'Davies' -> 'R. D.'; the verify page shows no more than this."""
    return " ".join(f"{part[0].upper()}." for part in (first_name, last_name) if part)


def code_hash(code):
    """What an offboarded school keeps of a certificate code: its SHA-256, enough for /verify to match it."""
    return hashlib.sha256(code.encode()).hexdigest()
