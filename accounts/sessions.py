"""Server-side sessions: the random id a cookie carries, and what is stored about it."""

import hashlib
import re
import secrets

# Checked in this order: Edge and Opera also say "Chrome", Chrome also says "Safari".
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("CriOS/", "Chrome"), ("Safari/", "Safari"))  # fmt: skip
SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "Chromebook"),
           ("Windows", "Windows"), ("Mac OS X", "Mac"), ("Linux", "Linux"))  # fmt: skip


def new_session_id():
    """A new random session id (256 bits): what the cookie carries, never stored as it is."""
    return secrets.token_urlsafe(32)


def session_key(session_id):
    """The stored form of a session id: its SHA-256 (a fast hash is enough for 256 random bits)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def device_summary(user_agent):
    """'Chrome on Windows': enough for a person to recognise their own sign-ins, no more."""
    user_agent = user_agent or ""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "A browser")
    system = next((name for mark, name in SYSTEMS if re.search(re.escape(mark), user_agent)), "")
    return f"{browser} on {system}" if system else browser
