"""SQL for staff, classes, rosters, roster imports and sign-in card batches.

Callers check access first (classroom.access): these take ids that are already allowed,
and every person query also names the school, so a stray id cannot cross schools.
"""

import json
import secrets
from datetime import UTC, datetime, timedelta

from accounts.passwords import unique_username, username_stem
from accounts.queries import STAFF_ROLES
from accounts.stores import session_store
from db import now, write_transaction

# A preview waits this long for its confirm; the parsed names are then deleted.
IMPORT_KEPT = timedelta(hours=1)
# Sign-in cards hold plain one-time passwords: long enough to download and print, no longer.
CARDS_KEPT = timedelta(minutes=30)

CLASSES_FOR_STAFF = """
SELECT c.id, c.name, c.year_group, c.course_id,
       (SELECT count(*) FROM class_pupils cp JOIN people p ON p.id = cp.person_id
        WHERE cp.class_id = c.id AND p.archived_at IS NULL) AS pupils,
       (SELECT group_concat(t.first_name || ' ' || t.last_name, ', ') FROM class_teachers ct
        JOIN people t ON t.id = ct.person_id WHERE ct.class_id = c.id AND t.archived_at IS NULL) AS teachers
FROM classes c
WHERE c.school_id = :school_id AND c.archived_at IS NULL
  AND (:whole_school = 1 OR c.id IN (SELECT class_id FROM class_teachers WHERE person_id = :person_id))
ORDER BY c.year_group, c.name
"""
SET_CLASS_COURSE = "UPDATE classes SET course_id = ? WHERE id = ? AND school_id = ?"
# The day the class's delayed re-check opens (an ISO date), or NULL for none.
SET_CLASS_RECHECK = "UPDATE classes SET recheck_on = ? WHERE id = ? AND school_id = ?"
CLASS_NAME_TAKEN = "SELECT 1 FROM classes WHERE school_id = ? AND name = ? COLLATE NOCASE"
CLASS_ROSTER = """
SELECT p.id, p.first_name, p.last_name, p.username, p.email, p.year_group, p.last_active_at, p.archived_at
FROM people p JOIN class_pupils cp ON cp.person_id = p.id
WHERE cp.class_id = ? AND p.school_id = ? AND p.role = 'pupil'
ORDER BY p.archived_at IS NOT NULL, lower(p.last_name), lower(p.first_name)
"""
ACTIVE_PUPILS_IN_CLASS = """
SELECT p.first_name, p.last_name, p.year_group
FROM people p JOIN class_pupils cp ON cp.person_id = p.id
WHERE cp.class_id = ? AND p.role = 'pupil' AND p.archived_at IS NULL
"""
CLASS_TEACHERS = """
SELECT p.id, p.first_name, p.last_name, p.role FROM people p JOIN class_teachers ct ON ct.person_id = p.id
WHERE ct.class_id = ? AND p.school_id = ? AND p.archived_at IS NULL
ORDER BY lower(p.last_name), lower(p.first_name)
"""
SCHOOL_STAFF = """
SELECT id, first_name, last_name, email, role, dsl_deputy, created_at, last_active_at, archived_at FROM people
WHERE school_id = ? AND role IN ('teacher', 'dsl', 'admin')
ORDER BY archived_at IS NOT NULL, lower(last_name), lower(first_name)
"""
EMAIL_TAKEN = "SELECT 1 FROM people WHERE email = ? COLLATE NOCASE"
USERNAMES_TAKEN = "SELECT username FROM people WHERE username IN (SELECT value FROM json_each(?))"
# people.email is COLLATE NOCASE, so the IN compares without case.
EMAILS_TAKEN = "SELECT email FROM people WHERE email IN (SELECT value FROM json_each(?))"
# Usernames that start with the stem, compared exactly (LIKE's case rules differ between the engines).
USERNAMES_WITH_STEM = "SELECT username FROM people WHERE substr(username, 1, length(:stem)) = :stem"
SET_PASSWORD = "UPDATE people SET password_hash = ? WHERE id = ? AND school_id = ?"
ARCHIVE_PERSON = "UPDATE people SET archived_at = ? WHERE id = ? AND school_id = ? AND archived_at IS NULL"
CLEAR_CLASS_TEACHERS = "DELETE FROM class_teachers WHERE class_id = ?"
IMPORT_FOR = """
SELECT * FROM roster_imports WHERE token = ? AND class_id = ? AND staff_id = ? AND school_id = ? AND created_at > ?
"""
DELETE_IMPORT = "DELETE FROM roster_imports WHERE token = ?"
PURGE_IMPORTS = "DELETE FROM roster_imports WHERE created_at <= ?"
CARD_BATCH_FOR = """
SELECT * FROM card_batches WHERE token = ? AND class_id = ? AND staff_id = ? AND school_id = ? AND expires_at > ?
"""
PURGE_CARD_BATCHES = "DELETE FROM card_batches WHERE expires_at <= ?"


def purge_expired(db):
    """Delete previews and sign-in cards past their time: they hold names and one-time passwords."""
    with write_transaction(db):
        db.execute(PURGE_IMPORTS, [_ago(IMPORT_KEPT)])
        db.execute(PURGE_CARD_BATCHES, [now()])


def _ago(delta):
    """The ISO time `delta` before now, comparable with now()."""
    return (datetime.now(UTC) - delta).isoformat(timespec="seconds")


def classes_for_staff(db, user, whole_school):
    """Active classes this person may see, with active pupil counts and teachers."""
    params = {"school_id": user.school_id, "person_id": user.id, "whole_school": whole_school}
    return list(db.query(CLASSES_FOR_STAFF, params))


def class_name_taken(db, school_id, name):
    """Whether the school already has a class of this name (any case)."""
    return bool(next(db.query(CLASS_NAME_TAKEN, [school_id, name]), None))


def create_class(db, school_id, name, year_group, teacher_id=None, course_id=None):
    """Create a class following `course_id` (its route), taught by `teacher_id` if given; returns its id."""
    row = {"school_id": school_id, "name": name, "year_group": year_group, "course_id": course_id, "created_at": now()}
    with write_transaction(db):
        class_id = db["classes"].insert(row).last_pk
        if teacher_id:
            db["class_teachers"].insert({"class_id": class_id, "person_id": teacher_id})
    return class_id


def set_class_course(db, class_id, school_id, course_id):
    """Change the route (course) a class follows."""
    with write_transaction(db):
        db.execute(SET_CLASS_COURSE, [course_id, class_id, school_id])


def set_class_recheck(db, class_id, school_id, day):
    """Set the day the class's re-check opens (a date), or clear it (None)."""
    with write_transaction(db):
        db.execute(SET_CLASS_RECHECK, [day.isoformat() if day else None, class_id, school_id])


def class_roster(db, class_id, school_id):
    """The class's pupils, active first, by last name."""
    return list(db.query(CLASS_ROSTER, [class_id, school_id]))


def class_teachers(db, class_id, school_id):
    """The active staff who teach the class."""
    return list(db.query(CLASS_TEACHERS, [class_id, school_id]))


def set_class_teachers(db, class_id, person_ids):
    """Replace who teaches the class (ids already checked to be the school's staff)."""
    with write_transaction(db):
        db.execute(CLEAR_CLASS_TEACHERS, [class_id])
        db["class_teachers"].insert_all({"class_id": class_id, "person_id": pid} for pid in person_ids)


def existing_pupil_keys(db, class_id, key):
    """The `key(first, last, year)` of every active pupil in the class."""
    return {key(r["first_name"], r["last_name"], r["year_group"]) for r in db.query(ACTIVE_PUPILS_IN_CLASS, [class_id])}


def taken_usernames(db, usernames):
    """Which of `usernames` anyone, in any school, already has (usernames are global)."""
    usernames = [u for u in usernames if u]
    if not usernames:
        return set()
    return {r["username"] for r in db.query(USERNAMES_TAKEN, [json.dumps(usernames)])}


def taken_emails(db, emails):
    """Which of `emails` anyone, staff or pupil in any school, already has; casefolded (e-mails are global)."""
    emails = [e for e in emails if e]
    if not emails:
        return set()
    return {r["email"].casefold() for r in db.query(EMAILS_TAKEN, [json.dumps(emails)])}


def usernames_like(db, stems):
    """Usernames anyone already has that start with one of `stems` (for making new ones)."""
    return {r["username"] for stem in stems for r in db.query(USERNAMES_WITH_STEM, {"stem": stem})}


def keep_import_rows(db, token, rows):
    """Keep a preview's rows again (their usernames were made anew because others took some)."""
    kept = json.loads(db.execute("SELECT rows FROM roster_imports WHERE token = ?", [token]).fetchone()[0])
    kept["rows"] = [r.as_dict() for r in rows]
    with write_transaction(db):
        db.execute("UPDATE roster_imports SET rows = ? WHERE token = ?", [json.dumps(kept), token])


def school_staff(db, school_id):
    """Everyone on the school's staff, active first."""
    return list(db.query(SCHOOL_STAFF, [school_id]))


def email_taken(db, email):
    """Whether any account already signs in with this e-mail."""
    return bool(next(db.query(EMAIL_TAKEN, [email]), None))


def add_staff(db, school_id, role, first_name, last_name, email, password_hash, dsl_deputy=False):
    """Create a staff account (a deputy DSL: role 'dsl' with dsl_deputy); returns its id."""
    row = {
        "school_id": school_id,
        "role": role,
        "dsl_deputy": int(bool(dsl_deputy and role == "dsl")),
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "password_hash": password_hash,
        "created_at": now(),
    }
    assert role in STAFF_ROLES
    with write_transaction(db):
        return db["people"].insert(row).last_pk


def username_for(db, pupil, taken):
    """The pupil's username: the one given, or one made from the name that no school uses and is
    not in `taken` (this batch's); adds it to `taken`."""
    username = pupil["username"]
    if not username:
        stem = username_stem(pupil["first_name"], pupil["last_name"])
        taken.update(r["username"] for r in db.query(USERNAMES_WITH_STEM, {"stem": stem}))
        username = unique_username(stem, taken)
    taken.add(username)
    return username


def create_pupils(db, school_id, class_id, pupils):
    """Create pupils in the class, all or none; returns them with their usernames.

    `pupils`: dicts of first_name, last_name, year_group, username ('' to generate),
    password_hash (hashed before, so the write lock is held only for the inserts) and
    optionally email (the school account e-mail: a provider sign-in finds the pupil by it).
    Generated usernames are unique against every school's, including this batch's.
    """
    created = []
    with write_transaction(db):
        taken = set()
        for pupil in pupils:
            username = username_for(db, pupil, taken)
            row = {
                "school_id": school_id,
                "role": "pupil",
                "username": username,
                "email": pupil.get("email") or None,
                "first_name": pupil["first_name"],
                "last_name": pupil["last_name"],
                "year_group": pupil["year_group"],
                "password_hash": pupil["password_hash"],
                "created_at": now(),
            }
            person_id = db["people"].insert(row).last_pk
            db["class_pupils"].insert({"class_id": class_id, "person_id": person_id})
            created.append(dict(row, id=person_id))
    return created


def set_password(db, school_id, person_id, password_hash):
    """Give a person a new password hash, and end every session they had (a reset means
    someone else may know the old password)."""
    with write_transaction(db):
        if db.execute(SET_PASSWORD, [password_hash, person_id, school_id]).rowcount:
            session_store(db).end_all(person_id)


def archive_person(db, school_id, person_id):
    """Mark someone as left: they can no longer sign in, and are signed out everywhere; their
    records stay for reports."""
    with write_transaction(db):
        if db.execute(ARCHIVE_PERSON, [now(), person_id, school_id]).rowcount:
            session_store(db).end_all(person_id)


def save_import(db, user, class_id, filename, roster):
    """Keep a parsed roster for its preview; returns the random token that names it."""
    token = secrets.token_urlsafe(24)
    rows = json.dumps(
        {
            "rows": [r.as_dict() for r in roster.rows],
            "problems": [[p.row, p.message] for p in roster.problems],
            "ignored": roster.ignored_columns,
        }
    )
    with write_transaction(db):
        db.execute(PURGE_IMPORTS, [_ago(IMPORT_KEPT)])
        db["roster_imports"].insert(
            {
                "token": token,
                "school_id": user.school_id,
                "class_id": class_id,
                "staff_id": user.id,
                "filename": filename,
                "encoding": roster.encoding,
                "rows": rows,
                "created_at": now(),
            }
        )
    return token


def import_for(db, user, class_id, token):
    """The kept preview if this person made it for this class within the hour, else None."""
    return next(db.query(IMPORT_FOR, [token, class_id, user.id, user.school_id, _ago(IMPORT_KEPT)]), None)


def claim_import(db, token):
    """Delete a preview as it is confirmed; False if it was already gone (a second click).

    Called first inside the confirm's write transaction: BEGIN IMMEDIATE lets only one
    confirm at a time get here, so a double submit cannot add the class twice.
    """
    with write_transaction(db):
        return db.execute(DELETE_IMPORT, [token]).rowcount == 1


def save_card_batch(db, user, class_id, pupils, pdf):
    """Keep a sign-in cards PDF for its maker for CARDS_KEPT; returns its token."""
    token = secrets.token_urlsafe(24)
    expires = (datetime.now(UTC) + CARDS_KEPT).isoformat(timespec="seconds")
    with write_transaction(db):
        db.execute(PURGE_CARD_BATCHES, [now()])
        db["card_batches"].insert(
            {
                "token": token,
                "school_id": user.school_id,
                "class_id": class_id,
                "staff_id": user.id,
                "pupils": pupils,
                "pdf": pdf,
                "created_at": now(),
                "expires_at": expires,
            }
        )
    return token


def card_batch_for(db, user, class_id, token):
    """A sign-in cards batch if this person made it for this class and it has not expired."""
    return next(db.query(CARD_BATCH_FOR, [token, class_id, user.id, user.school_id, now()]), None)
