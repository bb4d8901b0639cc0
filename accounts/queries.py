"""SQL for schools and people."""

from datetime import UTC, datetime, timedelta

from accounts.passwords import hash_password
from accounts.sessions import new_session_id, session_key
from accounts.throttle import Counts
from db import now, prepared, write_transaction

STAFF_ROLES = ("teacher", "dsl", "admin")

PERSON_BY_ID = "SELECT * FROM people WHERE id = ? AND archived_at IS NULL"
PERSON_BY_USERNAME = "SELECT * FROM people WHERE username = ? AND archived_at IS NULL"
PERSON_BY_EMAIL = "SELECT * FROM people WHERE email = ? COLLATE NOCASE AND archived_at IS NULL"
SCHOOL_BY_ID = "SELECT * FROM schools WHERE id = ?"
TOUCH_PERSON = "UPDATE people SET last_active_at = ? WHERE id = ?"

# The one query per request: the person, through a live session (not ended, not idle too long).
SESSION_USER = prepared("""
SELECT p.*, s.last_seen_at AS session_seen_at,
       o.settings_version AS school_settings_version, o.kind AS school_kind,
       o.language AS school_language, o.nation AS school_nation
FROM sessions s JOIN people p ON p.id = s.person_id JOIN schools o ON o.id = p.school_id
WHERE s.id = ? AND s.ended_at IS NULL AND s.last_seen_at > ? AND p.archived_at IS NULL
  AND o.suspended_at IS NULL AND o.offboarded_at IS NULL
""")
TOUCH_SESSION = prepared("UPDATE sessions SET last_seen_at = ? WHERE id = ?")
# Sign-in tidies the person's own old rows: bounded by one person's sessions, on the index.
PRUNE_SESSIONS = "DELETE FROM sessions WHERE person_id = ? AND (ended_at IS NOT NULL OR last_seen_at <= ?)"
END_SESSION = "UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL"
END_SESSIONS = "UPDATE sessions SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL AND id IS DISTINCT FROM ?"
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


# Sign-in with Google or Microsoft ---------------------------------------------------------------
# Identities and people are looked up whatever their archived state: the rules refuse archived
# people with a message, rather than treating them as unknown and offering to join a class.
PERSON_BY_IDENTITY = """
SELECT p.*, i.id AS identity_id FROM identities i JOIN people p ON p.id = i.person_id
WHERE i.issuer = ? AND i.subject = ?
"""
ANYONE_BY_EMAIL = "SELECT * FROM people WHERE email = ? COLLATE NOCASE"
# Two first sign-ins at once by the same person: the second finds the link already made.
LINK_IDENTITY = """
INSERT INTO identities (person_id, provider, issuer, subject, email, linked_at, last_used_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (issuer, subject) DO NOTHING
"""
TOUCH_IDENTITY = "UPDATE identities SET last_used_at = ?, email = coalesce(?, email) WHERE id = ?"
SCHOOL_FOR_DOMAIN = "SELECT school_id FROM school_sign_in_domains WHERE provider = ? AND value = ?"
SCHOOL_DOMAINS = "SELECT * FROM school_sign_in_domains WHERE school_id = ? ORDER BY provider, value"
REMOVE_DOMAIN = "DELETE FROM school_sign_in_domains WHERE id = ? AND school_id = ? RETURNING provider, value"
SCHOOLS_FOR_SHARED = """
SELECT d.school_id FROM school_shared_sign_in d JOIN schools s ON s.id = d.school_id
WHERE d.provider = ? AND d.value = ? AND s.suspended_at IS NULL AND s.offboarded_at IS NULL ORDER BY d.school_id
"""
SHARED_OF_SCHOOL = "SELECT * FROM school_shared_sign_in WHERE school_id = ? ORDER BY provider, value"
HAS_SHARED = "SELECT 1 FROM school_shared_sign_in WHERE school_id = ? AND provider = ? AND value = ?"
REMOVE_SHARED = "DELETE FROM school_shared_sign_in WHERE id = ? AND school_id = ? RETURNING provider, value"
PRUNE_FLOWS = "DELETE FROM sign_in_flows WHERE created_at <= ?"
# Single use: only the first callback with this state gets the row; a replay updates nothing.
USE_FLOW = """
UPDATE sign_in_flows SET used_at = ? WHERE state_hash = ? AND used_at IS NULL AND created_at > ? RETURNING *
"""
# How long a started sign-in may take at the provider (typing a password, MFA, consent).
FLOW_LIFETIME = 30 * 60


def person_by_identity(db, issuer, subject):
    """The person (archived or not) linked to this provider identity, with `identity_id`, or None."""
    return next(db.query(PERSON_BY_IDENTITY, [issuer, subject]), None)


def anyone_by_email(db, email):
    """The person (any school, archived or not) with this e-mail, or None."""
    return next(db.query(ANYONE_BY_EMAIL, [email]), None) if email else None


def link_identity(db, person_id, provider, issuer, subject, email):
    """Link a provider identity (issuer and subject, and the verified e-mail if any) to a person."""
    stamp = now()
    with write_transaction(db):
        db.execute(LINK_IDENTITY, [person_id, provider, issuer, subject, email, stamp, stamp])


def touch_identity(db, identity_id, email):
    """Note that the identity was used now (and the e-mail it came with, when verified)."""
    with write_transaction(db):
        db.execute(TOUCH_IDENTITY, [now(), email, identity_id])


def school_for_domain(db, provider, value):
    """The id of the school that lists this Google domain or Microsoft tenant, or None."""
    row = next(db.query(SCHOOL_FOR_DOMAIN, [provider, value]), None) if value else None
    return row["school_id"] if row else None


def schools_for_shared(db, provider, value):
    """The ids of the schools (not suspended or offboarded) that list this shared domain or tenant."""
    return [row["school_id"] for row in db.query(SCHOOLS_FOR_SHARED, [provider, value])]


def shared_domains(db, school_id):
    """The shared domains and tenants (Hwb) the school lists."""
    return list(db.query(SHARED_OF_SCHOOL, [school_id]))


def add_shared_domain(db, school_id, provider, value):
    """List a shared domain or tenant for the school; False if it already does."""
    with write_transaction(db):
        if next(db.query(HAS_SHARED, [school_id, provider, value]), None):
            return False
        db["school_shared_sign_in"].insert(
            {"school_id": school_id, "provider": provider, "value": value, "added_at": now()}
        )
    return True


def remove_shared_domain(db, school_id, entry_id):
    """Remove one of the school's shared entries; returns the removed row (provider, value) or None."""
    with write_transaction(db):
        return next(iter(db.execute(REMOVE_SHARED, [entry_id, school_id]).fetchall()), None)


def school_domains(db, school_id):
    """The school's Google domains and Microsoft tenants."""
    return list(db.query(SCHOOL_DOMAINS, [school_id]))


def add_school_domain(db, school_id, provider, value):
    """List a domain or tenant for the school; False if any school (this one included) has it."""
    with write_transaction(db):
        if school_for_domain(db, provider, value) is not None:
            return False
        db["school_sign_in_domains"].insert(
            {"school_id": school_id, "provider": provider, "value": value, "added_at": now()}
        )
    return True


def remove_school_domain(db, school_id, domain_id):
    """Remove one of the school's entries; returns the removed row (provider, value) or None."""
    with write_transaction(db):
        return next(iter(db.execute(REMOVE_DOMAIN, [domain_id, school_id]).fetchall()), None)


def start_flow(db, state, provider, purpose, nonce, code_verifier, redirect_uri, next_path=None, person_id=None):
    """Record a started provider sign-in under a hash of its state; forget ones long finished."""
    with write_transaction(db):
        db.execute(PRUNE_FLOWS, [_ago(2 * FLOW_LIFETIME)])
        db["sign_in_flows"].insert(
            {
                "state_hash": session_key(state),
                "provider": provider,
                "purpose": purpose,
                "person_id": person_id,
                "nonce": nonce,
                "code_verifier": code_verifier,
                "redirect_uri": redirect_uri,
                "next_path": next_path,
                "created_at": now(),
            }
        )


def use_flow(db, state):
    """The started sign-in with this state, marked used; None if unknown, used before or too old."""
    with write_transaction(db):
        cursor = db.execute(USE_FLOW, [now(), session_key(state), _ago(FLOW_LIFETIME)])
        columns = [c[0] for c in cursor.description]
        row = cursor.fetchone()
    return dict(zip(columns, row, strict=True)) if row else None


IDENTITIES_OF = "SELECT * FROM identities WHERE person_id = ? ORDER BY provider, linked_at"
UNLINK_IDENTITY = "DELETE FROM identities WHERE id = ? AND person_id = ?"


def identities_of(db, person_id):
    """The Google and Microsoft accounts linked to a person."""
    return list(db.query(IDENTITIES_OF, [person_id]))


def unlink_identity(db, person_id, identity_id):
    """Unlink one of the person's own accounts; True if there was one."""
    with write_transaction(db):
        return db.execute(UNLINK_IDENTITY, [identity_id, person_id]).rowcount == 1


LINKED_PROVIDERS = (
    "SELECT DISTINCT identities.person_id, identities.provider FROM identities "
    "JOIN people ON people.id = identities.person_id WHERE people.school_id = ? ORDER BY identities.provider"
)


def linked_providers(db, school_id):
    """{person id: ('google', 'microsoft', ...)} for the school's people with a linked account."""
    linked = {}
    for row in db.query(LINKED_PROVIDERS, [school_id]):
        linked.setdefault(row["person_id"], []).append(row["provider"])
    return {person_id: tuple(providers) for person_id, providers in linked.items()}


STAFF_IN_SCHOOL = "SELECT * FROM people WHERE id = ? AND school_id = ? AND role IN ('teacher', 'dsl', 'admin')"


def staff_in_school(db, school_id, person_id):
    """A member of the school's staff by id, or None."""
    return next(db.query(STAFF_IN_SCHOOL, [person_id, school_id]), None)


# Languages (m034): a person's own choice, and their school's default (NULL: each person's browser decides).
SET_PERSON_LANGUAGE = "UPDATE people SET language = ? WHERE id = ? AND language IS DISTINCT FROM ?"
SCHOOL_LANGUAGE = "SELECT language FROM schools WHERE id = ?"
SET_SCHOOL_LANGUAGE = "UPDATE schools SET language = ? WHERE id = ?"


def set_person_language(db, person_id, language):
    """Keep the language a person chose on their account; writes only when it changed."""
    with write_transaction(db):
        db.execute(SET_PERSON_LANGUAGE, [language, person_id, language])


def school_language(db, school_id):
    """The school's default language code, or None when each person's browser decides."""
    row = next(db.query(SCHOOL_LANGUAGE, [school_id]), None)
    return row["language"] if row else None


def set_school_language(db, school_id, language):
    """Set the school's default language (None: each person's browser decides)."""
    with write_transaction(db):
        db.execute(SET_SCHOOL_LANGUAGE, [language, school_id])
