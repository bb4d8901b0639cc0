"""SQL for schools and people."""

from accounts.passwords import hash_password
from db import now, write_transaction

STAFF_ROLES = ("teacher", "dsl", "admin")

PERSON_BY_ID = "SELECT * FROM people WHERE id = ? AND archived_at IS NULL"
PERSON_BY_USERNAME = "SELECT * FROM people WHERE username = ? AND archived_at IS NULL"
PERSON_BY_EMAIL = "SELECT * FROM people WHERE email = ? COLLATE NOCASE AND archived_at IS NULL"
SCHOOL_BY_ID = "SELECT * FROM schools WHERE id = ?"
TOUCH_PERSON = "UPDATE people SET last_active_at = ? WHERE id = ?"
END_SESSIONS = "UPDATE people SET session_epoch = session_epoch + 1 WHERE id = ?"


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


def end_sessions(db, person_id):
    """Make every sign-in cookie this person holds stop working (see m007_session_ends)."""
    with write_transaction(db):
        db.execute(END_SESSIONS, [person_id])


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
