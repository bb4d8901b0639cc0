"""Passwords and usernames people can read, type and say aloud."""

import functools
import re
import secrets
import unicodedata

from werkzeug.security import check_password_hash, generate_password_hash

# Short, common, unambiguous words: an 11-year-old can read and type them.
WORDS = (
    "apple", "banjo", "beach", "berry", "cloud", "comet", "coral", "daisy", "eagle", "ember",
    "fern", "flame", "forest", "frost", "garden", "grape", "honey", "island", "jelly", "kite",
    "lemon", "lilac", "maple", "melon", "mint", "moon", "ocean", "olive", "orbit", "otter",
    "panda", "peach", "pebble", "pepper", "piano", "planet", "pony", "rain", "river", "robin",
    "rocket", "salt", "shell", "sky", "snow", "spark", "storm", "sun", "tiger", "tulip",
    "violet", "wave", "whale", "willow", "wind", "zebra",
)  # fmt: skip


# scrypt costs about 0.1 s a password, on purpose. The test suite swaps in a cheap method for the
# people its factories make (tests/conftest.py); the tests of hashing itself keep this one.
HASH_METHOD = "scrypt"


def hash_password(password):
    """A werkzeug hash of `password` (scrypt)."""
    return generate_password_hash(password, method=HASH_METHOD)


def password_matches(password_hash, password):
    """Whether `password` matches the stored hash."""
    return check_password_hash(password_hash, password)


@functools.cache
def dummy_password_hash():
    """A hash of a random password, made once per process: checked when a name is unknown, so a
    wrong password takes as long for a name that does not exist as for one that does."""
    return hash_password(secrets.token_urlsafe(16))


def readable_password():
    """A one-time password such as 'otter-maple-47': about 21 bits, enough behind rate limits."""
    return f"{secrets.choice(WORDS)}-{secrets.choice(WORDS)}-{secrets.randbelow(90) + 10}"


def username_stem(first_name, last_name):
    """'Zoë', "O'Neill" -> 'zoe.o': ASCII, lower case, first name and last initial."""

    def ascii_letters(text):
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z]", "", plain.lower())

    first = ascii_letters(first_name)[:12] or "pupil"
    last = ascii_letters(last_name)[:1]
    return f"{first}.{last}" if last else first


def unique_username(stem, taken):
    """`stem`, or `stem` plus the smallest number that makes it unused in `taken`."""
    if stem not in taken:
        return stem
    number = 2
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"
