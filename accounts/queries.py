"""SQL for schools and people."""

from datetime import UTC, datetime, timedelta

from accounts.passwords import hash_password
from accounts.sessions import new_session_id, session_key
from accounts.throttle import Counts
from db import now, write_transaction

STAFF_ROLES = ("teacher", "dsl", "admin")

PERSON_BY_ID = "SELECT * FROM people WHERE id = ? AND archived_at IS NULL"
PERSON_BY_USERNAME = "SELECT * FROM people WHERE username = ? AND archived_at IS NULL"
PERSON_BY_EMAIL = "SELECT * FROM people WHERE email = ? COLLATE NOCASE AND archived_at IS NULL"
SCHOOL_BY_ID = "SELECT * FROM schools WHERE id = ?"
TOUCH_PERSON = "UPDATE people SET last_active_at = ? WHERE id = ?"

# The one query per request: the person, through a live session (not ended, not idle too long).
SESSION_USER = """
SELECT p.*, s.last_seen_at AS session_seen_at,
       (SELECT settings_version FROM schools WHERE id = p.school_id) AS school_settings_version
FROM sessions s JOIN people p ON p.id = s.person_id
WHERE s.id = ? AND s.ended_at IS NULL AND s.last_seen_at > ? AND p.archived_at IS NULL
"""
TOUCH_SESSION = "UPDATE sessions SET last_seen_at = ? WHERE id = ?"
# Sign-in tidies the person's own old rows: bounded by one person's sessions, on the index.
PRUNE_SESSIONS = "DELETE FROM sessions WHERE person_id = ? AND (ended_at IS NOT NULL OR last_seen_at <= ?)"
END_SESSION = "UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL"
END_SESSIONS = "UPDATE sessions SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL AND id IS NOT ?"
LIVE_SESSIONS = """
SELECT * FROM sessions WHERE person_id = ? AND ended_at IS NULL AND last_seen_at > ?
ORDER BY last_seen_at DESC
"""

RECORD_FAILURE = "INSERT INTO sign_in_failures (name_key, address, device, failed_at) VALUES (?, ?, ?, ?)"
PRUNE_FAILURES = "DELETE FROM sign_in_failures WHERE failed_at <= ?"
# One round trip for every count the throttle needs, each on its own index.
FAILURE_COUNTS = """
SELECT
  (SELECT count(*) FROM sign_in_failures
   WHERE name_key = :name_key AND device IS NULL AND failed_at > :since) AS name,
  (SELECT count(*) FROM sign_in_failures WHERE device = :device AND failed_at > :since) AS device,
  (SELECT count(*) FROM sign_in_failures WHERE address = :address AND failed_at > :since) AS address,
  (SELECT count(DISTINCT name_key) FROM sign_in_failures
   WHERE address = :address AND failed_at > :since) AS address_names
"""


def person_by_id(db, person_id):
    """The active person with this id, or None."""
    return next(db.query(PERSON_BY_ID, [person_id]), None)


def person_by_login(db, name):
    """The active person who signs in as `name` (a pupil's username or a staff e-mail)."""
    name = name.strip()
    if "@" in name:
        return next(db.query(PERSON_BY_EMAIL, [name]), None)
    return next(db.query(PERSON_BY_USERNAME, [name.lower()]), None)


def school_by_id(db, school_id):
    """The school with this id, or None."""
    return next(db.query(SCHOOL_BY_ID, [school_id]), None)


def touch_person(db, person_id):
    """Record that the person was active now."""
    with write_transaction(db):
        db.execute(TOUCH_PERSON, [now(), person_id])


def create_school(db, name):
    """Create a school and return its id."""
    with write_transaction(db):
        return db["schools"].insert({"name": name, "created_at": now()}).last_pk


def create_person(db, school_id, role, first_name, password, *, last_name="", username=None,
                  email=None, year_group=None):  # fmt: skip
    """Create a person (a pupil has a username, staff an e-mail) and return their id."""
    if (role == "pupil") != (username is not None) or (role in STAFF_ROLES) != (email is not None):
        raise ValueError("pupils have a username and no e-mail; staff have an e-mail")
    row = {
        "school_id": school_id,
        "role": role,
        "username": username.lower() if username else None,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "year_group": year_group,
        "password_hash": hash_password(password),
        "created_at": now(),
    }
    with write_transaction(db):
        return db["people"].insert(row).last_pk


def _ago(seconds):
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="seconds")


def start_session(db, person_id, user_agent, idle_limit):
    """Record a new sign-in; returns the session id for the cookie (only its hash is stored)."""
    session_id = new_session_id()
    stamp = now()
    with write_transaction(db):
        db.execute(PRUNE_SESSIONS, [person_id, _ago(idle_limit)])
        db["sessions"].insert(
            {
                "id": session_key(session_id),
                "person_id": person_id,
                "created_at": stamp,
                "last_seen_at": stamp,
                "user_agent": user_agent,
            }
        )
        db.execute(TOUCH_PERSON, [stamp, person_id])
    return session_id


def session_user(db, session_id, idle_limit):
    """The active person signed in with this session id (plus `session_seen_at`), or None."""
    return next(db.query(SESSION_USER, [session_key(session_id), _ago(idle_limit)]), None)


def touch_session(db, session_id, person_id):
    """Note that the session (and so its person) was used now."""
    stamp = now()
    with write_transaction(db):
        db.execute(TOUCH_SESSION, [stamp, session_key(session_id)])
        db.execute(TOUCH_PERSON, [stamp, person_id])


def end_session(db, session_id):
    """End one session: its cookie (and a remember cookie carrying it) stops working."""
    with write_transaction(db):
        db.execute(END_SESSION, [now(), session_key(session_id)])


def end_sessions(db, person_id, except_session=None):
    """End every session of a person, but `except_session` (a session id); returns how many."""
    keep = session_key(except_session) if except_session else None
    with write_transaction(db):
        return db.execute(END_SESSIONS, [now(), person_id, keep]).rowcount


def live_sessions(db, person_id, idle_limit):
    """The person's sessions that still work, most recently used first."""
    return list(db.query(LIVE_SESSIONS, [person_id, _ago(idle_limit)]))


class DatabaseFailureStore:
    """Failed sign-ins counted in the database, so every worker shares them (throttle.FailureStore)."""

    def __init__(self, db, window):
        self.db = db
        self.window = window

    def record(self, name_key, address, device):
        """Count one failure, and forget failures older than the window."""
        with write_transaction(self.db):
            self.db.execute(PRUNE_FAILURES, [_ago(self.window)])
            self.db.execute(RECORD_FAILURE, [name_key, address, device, now()])

    def counts(self, name_key, address, device):
        """Failures within the window, as throttle.Counts."""
        params = {"name_key": name_key, "address": address, "device": device, "since": _ago(self.window)}
        return Counts(**next(self.db.query(FAILURE_COUNTS, params)))
