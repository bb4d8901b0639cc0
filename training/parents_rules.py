"""The parents' view's public address: a school's slug, made from its name. Plain functions."""

import re
import unicodedata

SLUG_LENGTH = 60  # long enough for any school's name to stay readable in a printed letter
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slug_from_name(name):
    """'St Mary's C of E High' -> 'st-marys-c-of-e-high': letters and digits, hyphens between words."""
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"['\u2019]", "", ascii_name)
    slug = re.sub(r"[^a-z0-9]+", "-", words).strip("-")[:SLUG_LENGTH].strip("-")
    return slug or "school"


def first_free(base, taken):
    """`base`, or the first of base-2, base-3... that no other school has."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def contact_or_office(contact):
    """Whom parents ask to see the materials: the school's contact, else a general phrase."""
    return contact.strip() if contact and contact.strip() else "the school office"
