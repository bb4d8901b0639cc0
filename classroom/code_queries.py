"""SQL for class codes: the class's current code, making and switching it, joining with it, who joined.

Callers check who may change a class's code first (classroom.access.code_class_or_404). Joining
re-reads the code inside its write transaction, so a code replaced or switched off a moment ago
never lets anyone in.
"""

from datetime import UTC, datetime

from accounts.stores import failure_store
from classroom import class_codes
from classroom.queries import username_for
from db import IntegrityError, now, write_transaction

CURRENT_CODE = "SELECT * FROM class_codes WHERE class_id = ? AND replaced_at IS NULL"
# The code as typed, with its class: a code of an archived class is not in use.
CODE_WITH_CLASS = """
SELECT cc.*, c.name AS class_name, c.year_group AS class_year_group, c.archived_at AS class_archived_at
FROM class_codes cc JOIN classes c ON c.id = cc.class_id
WHERE cc.code = ?
"""
REPLACE_CURRENT = "UPDATE class_codes SET replaced_at = ? WHERE class_id = ? AND replaced_at IS NULL"
SWITCH_OFF = """
UPDATE class_codes SET switched_off_at = ? WHERE class_id = ? AND replaced_at IS NULL AND switched_off_at IS NULL
"""
# Switching on starts the code's days again (a teacher switches it on for the next lesson).
SWITCH_ON = "UPDATE class_codes SET switched_off_at = NULL, expires_at = ? WHERE class_id = ? AND replaced_at IS NULL"
IN_CLASS = "SELECT 1 FROM class_pupils WHERE class_id = ? AND person_id = ?"
IDENTITY_LINKED = "SELECT person_id FROM identities WHERE issuer = ? AND subject = ?"
PERSON = "SELECT * FROM people WHERE id = ?"
# Who joined the class with any of its codes, newest first; the e-mail of the account they joined
# with (or their roster e-mail), whether they are still in the class, and whether another pupil in
# it has the same name (a pupil on the roster without an e-mail who joined with a code as well:
# names are never used to link accounts, so the teacher is shown it instead).
JOINS = """
SELECT j.joined_at, j.new_account, p.id, p.first_name, p.last_name, p.username, p.archived_at,
       COALESCE((SELECT i.email FROM identities i WHERE i.person_id = p.id
                 ORDER BY i.linked_at DESC LIMIT 1), p.email) AS email,
       EXISTS (SELECT 1 FROM class_pupils cp WHERE cp.class_id = j.class_id AND cp.person_id = p.id) AS in_class,
       EXISTS (SELECT 1 FROM class_pupils cp JOIN people o ON o.id = cp.person_id
               WHERE cp.class_id = j.class_id AND o.id != p.id AND o.archived_at IS NULL
                 AND lower(o.first_name) = lower(p.first_name) AND lower(o.last_name) = lower(p.last_name)) AS same_name
FROM class_code_joins j JOIN people p ON p.id = j.person_id
WHERE j.class_id = ? AND p.school_id = ?
ORDER BY j.joined_at DESC, j.id DESC
"""

# Wrong codes are counted in sign_in_failures (the store sign-in uses) under this in place of an
# address: a whole school often shares one address, so wrong codes must never count towards an
# address's sign-in limit. Their name keys start "code:" and cannot meet a sign-in's.
WRONG_CODE_ADDRESS = "class-code"
# A new code is drawn again if it is taken (about one chance in 10**9 per live code): a few tries are plenty.
DRAWS = 8


def current_code(db, class_id):
    """The class's current code row (on, off or expired), or None if it never had one."""
    return next(db.query(CURRENT_CODE, [class_id]), None)


def code_with_class(db, code):
    """The class_codes row for a normalised code, with class_name, class_year_group and class_archived_at; or None."""
    return next(db.query(CODE_WITH_CLASS, [code]), None)


def make_code(db, class_id, school_id, staff_id, days):
    """Give the class a new code (its old one stops working); returns the new row."""
    stamp = now()
    expires = class_codes.expires_at(datetime.now(UTC), days)
    with write_transaction(db):
        db.execute(REPLACE_CURRENT, [stamp, class_id])
        for _ in range(DRAWS):
            row = {"class_id": class_id, "school_id": school_id, "code": class_codes.new_code(), "made_by": staff_id,
                   "created_at": stamp, "expires_at": expires}  # fmt: skip
            try:
                with db.atomic():  # a savepoint: on PostgreSQL a failed insert otherwise ends the transaction
                    db["class_codes"].insert(row)
            except IntegrityError:  # the code is someone's (live or retired): draw again
                continue
            return current_code(db, class_id)
        raise RuntimeError("could not draw an unused class code")


def switch_off(db, class_id):
    """Switch the class's current code off; False if there was none switched on."""
    with write_transaction(db):
        return db.execute(SWITCH_OFF, [now(), class_id]).rowcount == 1


def switch_on(db, class_id, days):
    """Switch the class's current code on for `days` more days; False if the class has no code."""
    expires = class_codes.expires_at(datetime.now(UTC), days)
    with write_transaction(db):
        return db.execute(SWITCH_ON, [expires, class_id]).rowcount == 1


def joins(db, class_id, school_id):
    """Everyone who joined the class with a code, newest first."""
    return list(db.query(JOINS, [class_id, school_id]))


def _live(db, code):
    """The code's row with its class if it lets people join right now, else None (inside a transaction)."""
    row = code_with_class(db, code)
    if row is None or row["class_archived_at"] or class_codes.state(row, datetime.now(UTC)) != class_codes.ON:
        return None
    return row


def _record_join(db, row, person_id, new_account):
    db["class_pupils"].insert({"class_id": row["class_id"], "person_id": person_id})
    db["class_code_joins"].insert({"class_id": row["class_id"], "code_id": row["id"], "person_id": person_id,
                                   "new_account": int(new_account), "joined_at": now()})  # fmt: skip


def join_class(db, code, person_id, school_id):
    """Add an existing pupil to the code's class: 'joined', 'already' (in it) or 'not-live' (code
    replaced, off or out of date, or another school's, since the caller looked)."""
    with write_transaction(db):
        row = _live(db, code)
        if row is None or row["school_id"] != school_id:
            return "not-live"
        if next(db.query(IN_CLASS, [row["class_id"], person_id]), None):
            return "already"
        _record_join(db, row, person_id, new_account=False)
    return "joined"


def create_joined_pupil(db, code, pending, schools, first_name, last_name, password_hash):
    """Make a pupil from a provider sign-in and put them in the code's class, in one transaction.

    `pending` is session["oidc_pending"]; `schools` the ids of the schools it may join at. Returns ('joined',
    people row), ('not-live', None) if the code stopped working or is for a school not among them, or ('linked',
    None) if the identity was linked to someone meanwhile (a second tab).
    """
    with write_transaction(db):
        row = _live(db, code)
        if row is None or row["school_id"] not in schools:
            return "not-live", None
        if next(db.query(IDENTITY_LINKED, [pending["issuer"], pending["subject"]]), None):
            return "linked", None
        pupil = {"first_name": first_name, "last_name": last_name, "username": ""}
        stamp = now()
        person_id = (
            db["people"]
            .insert(
                {
                    "school_id": row["school_id"],
                    "role": "pupil",
                    "username": username_for(db, pupil, set()),
                    "first_name": first_name,
                    "last_name": last_name,
                    "year_group": row["class_year_group"],
                    "password_hash": password_hash,
                    "created_at": stamp,
                }
            )
            .last_pk
        )
        db["identities"].insert(
            {
                "person_id": person_id,
                "provider": pending["provider"],
                "issuer": pending["issuer"],
                "subject": pending["subject"],
                "email": pending.get("email"),
                "linked_at": stamp,
                "last_used_at": stamp,
            }
        )
        _record_join(db, row, person_id, new_account=True)
        return "joined", next(db.query(PERSON, [person_id]))


def wrong_code_store(db, window):
    """The failure store that counts wrong codes (the sign-in one: Redis if REDIS_URL is set, else the database)."""
    return failure_store(db, window)


def wrong_codes(db, key, window):
    """How many wrong codes `key` (a pending identity or a pupil) typed within the window."""
    return wrong_code_store(db, window).counts(key, WRONG_CODE_ADDRESS, None).name


def record_wrong_code(db, key, window):
    """Count one wrong code for `key`."""
    wrong_code_store(db, window).record(key, WRONG_CODE_ADDRESS, None)
