"""Class codes: what a pupil reads off the projector and types on a phone to join a class.

Plain Python, no Flask. A code is 8 characters from an alphabet with no look-alikes (no 0/O,
1/I/L) and no vowels (so no code spells a word in front of a class of teenagers): shown as
"KXR7-PMQ4", accepted with or without the dash, in any case, with spaces anywhere.
28 ** 8 is about 3.8 * 10**11 codes; with 10 wrong tries per account per 15 minutes, guessing
a live code is out of reach.
"""

import secrets
from datetime import datetime, timedelta

ALPHABET = "BCDFGHJKMNPQRSTVWXYZ23456789"
LENGTH = 8
# Characters a pupil may type around the code: the dash we print, spaces, and a dot or slash by mistake.
SEPARATORS = str.maketrans("", "", " -\u2010\u2011\u2012\u2013\u2014\u2212._/\t")

# What a code is now, for the teacher's screen and the join page.
ON, OFF, EXPIRED, REPLACED = "on", "off", "expired", "replaced"


def new_code():
    """A random code, as stored (8 characters, no dash)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed):
    """The stored form of a typed code ('kxr7 pmq4', 'KXR7-PMQ4' -> 'KXR7PMQ4'), or None if it can't be one."""
    if typed is None:
        return None
    code = typed.translate(SEPARATORS).strip().upper()
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def display(code):
    """'KXR7PMQ4' -> 'KXR7-PMQ4': two groups of four are easier to read off a projector and to type."""
    half = LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def state(row, now):
    """ON, OFF, EXPIRED or REPLACED for a class_codes row at `now` (an aware datetime)."""
    if row["replaced_at"]:
        return REPLACED
    if row["switched_off_at"]:
        return OFF
    if datetime.fromisoformat(row["expires_at"]) <= now:
        return EXPIRED
    return ON


def expires_at(now, days):
    """When a code made or switched on at `now` stops working by itself."""
    return (now + timedelta(days=days)).isoformat(timespec="seconds")
