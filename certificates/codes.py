"""Certificate codes: unguessable, and easy to read aloud and type."""

import re
import secrets

# No look-alikes: no I, L or 1, no O or 0.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_SIZE = 3, 4  # 31**12, about 7.9e17 codes


def new_code():
    """A random code such as 'K7QM-3XHA-PWN9'."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    return "-".join(chars[i : i + GROUP_SIZE] for i in range(0, len(chars), GROUP_SIZE))


def normalise_code(typed):
    """A typed code in its stored form ('k7qm 3xha pwn9' -> 'K7QM-3XHA-PWN9'), or None if it cannot be one."""
    chars = re.sub(r"[\s\-]", "", typed or "").upper()
    if len(chars) != GROUPS * GROUP_SIZE or any(c not in ALPHABET for c in chars):
        return None
    return "-".join(chars[i : i + GROUP_SIZE] for i in range(0, len(chars), GROUP_SIZE))


def initials(first_name, last_name):
    """'Ryan', 'Davies' -> 'R. D.'; the verify page shows no more than this."""
    return " ".join(f"{part[0].upper()}." for part in (first_name, last_name) if part)
