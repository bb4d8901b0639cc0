"""SQL for the operator's console. Counts only: no query here returns a pupil's name, username or record."""

from datetime import UTC, datetime

from accounts.passwords import hash_password
from console import rules
from db import now, write_transaction
from safeguarding.help_routes import add_default_help_routes

OPERATOR_ORG = "SELECT * FROM schools WHERE kind = 'operator' ORDER BY id LIMIT 1"
OPERATOR_ORG_NAME = "Service operators"
# Every school with its usage, in one statement: each aggregate is one GROUP BY over its table, joined
# to the schools (40 schools, 40,000 pupils: never a query per school).
# Pupils' certificates only: staff hold the staff course's certificates in the same table (m033).
PUPILS_ONLY = "NOT EXISTS (SELECT 1 FROM people sp WHERE sp.id = certificates.pupil_id AND sp.role <> 'pupil')"
SCHOOLS = f"""
SELECT s.id, s.name, s.created_at, s.suspended_at, s.offboarded_at, t.name AS trust_name,
       COALESCE(p.pupils, 0) AS pupils, COALESCE(p.staff, 0) AS staff, p.last_active_at,
       COALESCE(c.certificates, 0) AS certificates, COALESCE(f.finished, 0) AS finished
FROM schools s
LEFT JOIN schools t ON t.id = s.trust_id
LEFT JOIN (
    SELECT school_id,
           SUM(CASE WHEN role = 'pupil' AND archived_at IS NULL THEN 1 ELSE 0 END) AS pupils,
           SUM(CASE WHEN role <> 'pupil' AND archived_at IS NULL THEN 1 ELSE 0 END) AS staff,
           MAX(last_active_at) AS last_active_at
    FROM people GROUP BY school_id
) p ON p.school_id = s.id
LEFT JOIN (
    SELECT school_id, COUNT(*) AS certificates FROM certificates
    WHERE revoked_at IS NULL AND erased_at IS NULL AND {PUPILS_ONLY} GROUP BY school_id
) c ON c.school_id = s.id
LEFT JOIN (
    SELECT school_id, COUNT(DISTINCT pupil_id) AS finished FROM certificates
    WHERE revoked_at IS NULL AND erased_at IS NULL AND pupil_id IS NOT NULL AND {PUPILS_ONLY} GROUP BY school_id
) f ON f.school_id = s.id
WHERE s.kind = 'school'
ORDER BY s.name, s.id
"""
SCHOOL = "SELECT * FROM schools WHERE id = ? AND kind = 'school'"
# One school's counts (its own page): the same figures as the list, each on that school's rows only.
LIVE_CERTIFICATES = (
    f"FROM certificates WHERE school_id = :id AND revoked_at IS NULL AND erased_at IS NULL AND {PUPILS_ONLY}"
)
SCHOOL_USAGE = f"""
SELECT
  (SELECT COUNT(*) FROM people WHERE school_id = :id AND role = 'pupil' AND archived_at IS NULL) AS pupils,
  (SELECT COUNT(*) FROM people WHERE school_id = :id AND role <> 'pupil' AND archived_at IS NULL) AS staff,
  (SELECT MAX(last_active_at) FROM people WHERE school_id = :id) AS last_active_at,
  (SELECT COUNT(*) {LIVE_CERTIFICATES}) AS certificates,
  (SELECT COUNT(DISTINCT pupil_id) {LIVE_CERTIFICATES} AND pupil_id IS NOT NULL) AS finished
"""
# A school's (or the operators') admins: staff, never pupils.
ADMINS = """
SELECT p.id, p.first_name, p.last_name, p.email, p.last_active_at, p.created_at,
       (SELECT MAX(i.created_at) FROM invites i WHERE i.person_id = p.id) AS invited_at,
       (SELECT COUNT(*) FROM invites i WHERE i.person_id = p.id AND i.used_at IS NOT NULL) AS accepted
FROM people p WHERE p.school_id = ? AND p.role = 'admin' AND p.archived_at IS NULL
ORDER BY p.last_name, p.first_name
"""
# lower() on both sides rather than COLLATE NOCASE: the same SQL on PostgreSQL. A rare write: no index needed.
EMAIL_TAKEN = "SELECT 1 FROM people WHERE lower(email) = lower(?)"
INVITE_BY_HASH = """
SELECT i.*, p.email, p.first_name, p.last_name, p.role, p.archived_at, s.name AS school_name, s.kind AS school_kind,
       s.suspended_at, s.offboarded_at
FROM invites i JOIN people p ON p.id = i.person_id JOIN schools s ON s.id = i.school_id
WHERE i.token_hash = ?
"""
# Single use: only the first of two submissions gets the row.
USE_INVITE = """
UPDATE invites SET used_at = :now
WHERE token_hash = :hash AND used_at IS NULL AND withdrawn_at IS NULL AND expires_at > :now
RETURNING person_id
"""
WITHDRAW_INVITES = (
    "UPDATE invites SET withdrawn_at = ? WHERE person_id = ? AND used_at IS NULL AND withdrawn_at IS NULL"
)
SET_PASSWORD = "UPDATE people SET password_hash = ? WHERE id = ?"
# An admin who has not used an invite yet: a new link is no way to reset a working account's password.
PENDING_PERSON = """
SELECT p.* FROM people p
WHERE p.id = ? AND p.school_id = ? AND p.role = 'admin' AND p.archived_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM invites i WHERE i.person_id = p.id AND i.used_at IS NOT NULL)
"""
SUSPEND = """
UPDATE schools SET suspended_at = ? WHERE id = ? AND kind = 'school' AND suspended_at IS NULL AND offboarded_at IS NULL
"""
RESTORE = "UPDATE schools SET suspended_at = NULL WHERE id = ? AND kind = 'school' AND offboarded_at IS NULL"
END_SCHOOL_SESSIONS = """
UPDATE sessions SET ended_at = ? WHERE ended_at IS NULL AND person_id IN (SELECT id FROM people WHERE school_id = ?)
"""
LATEST_EXPORT = """
SELECT id, school_id, status, progress, error, filename, created_at, finished_at, expires_at
FROM school_exports WHERE school_id = ? ORDER BY id DESC LIMIT 1
"""
EXPORT_FILE = (
    "SELECT filename, content FROM school_exports WHERE id = ? AND school_id = ? AND status = 'done' AND expires_at > ?"
)
FINISH_EXPORT = """
UPDATE school_exports SET status = 'done', progress = 100, filename = :filename, content = :content,
       finished_at = :now, expires_at = :expires
WHERE id = :id AND status = 'running'
"""
PURGE_EXPORTS = "DELETE FROM school_exports WHERE expires_at <= ?"


def operator_org(db):
    """The operators' own row of `schools` (kind 'operator'), or None."""
    return next(db.query(OPERATOR_ORG), None)


def ensure_operator_org(db):
    """The operators' row's id, made if missing (there is one)."""
    with write_transaction(db):
        row = operator_org(db)
        if row:
            return row["id"]
        return db["schools"].insert({"name": OPERATOR_ORG_NAME, "kind": "operator", "created_at": now()}).last_pk


def schools(db):
    """Every school (kind 'school') with its usage counts, by name."""
    return list(db.query(SCHOOLS))


def totals(rows):
    """The schools list's totals: schools, pupils, staff, finished, certificates."""
    keys = ("pupils", "staff", "finished", "certificates")
    return {"schools": len(rows), **{key: sum(row[key] for row in rows) for key in keys}}


def school(db, school_id):
    """The school (kind 'school') with this id, or None."""
    return next(db.query(SCHOOL, [school_id]), None)


def usage(db, school_id):
    """One school's counts: pupils, staff, last_active_at, certificates, finished."""
    return next(db.query(SCHOOL_USAGE, {"id": school_id}))


def admins(db, school_id):
    """The admins of a school (or of the operators' row), with when they were last invited."""
    return list(db.query(ADMINS, [school_id]))


def email_taken(db, email):
    """Whether anyone, archived or not, has this e-mail."""
    return next(db.query(EMAIL_TAKEN, [email.strip()]), None) is not None


def _unusable_password():
    # A password nobody knows: the person cannot sign in until the invite sets one.
    return hash_password(rules.new_token())


def add_pending_admin(db, school_id, first_name, last_name, email, password_hash=None):
    """A `people` row for an admin who has not accepted their invite yet; returns the id."""
    row = {"school_id": school_id, "role": "admin", "first_name": first_name, "last_name": last_name,
           "email": email.strip(), "password_hash": password_hash or _unusable_password(),
           "created_at": now()}  # fmt: skip
    with write_transaction(db):
        return db["people"].insert(row).last_pk


def create_school(db, name, first_name, last_name, email):
    """A new school with its default help routes and a pending admin: (school id, admin id)."""
    password_hash = _unusable_password()  # hashed before the write lock is taken (scrypt takes ~0.1 s)
    with write_transaction(db):
        school_id = db["schools"].insert({"name": name, "kind": "school", "created_at": now()}).last_pk
        add_default_help_routes(db, school_id)
        person_id = add_pending_admin(db, school_id, first_name, last_name, email, password_hash)
    return school_id, person_id


def new_invite(db, person_id, school_id, sent_by, days):
    """Make an invite for the person (withdrawing any open one); returns the token for the link."""
    token = rules.new_token()
    stamp = datetime.now(UTC)
    row = {"token_hash": rules.token_hash(token), "person_id": person_id, "school_id": school_id, "sent_by": sent_by,
           "created_at": stamp.isoformat(timespec="seconds"), "expires_at": rules.expires_at(stamp, days)}  # fmt: skip
    with write_transaction(db):
        db.execute(WITHDRAW_INVITES, [row["created_at"], person_id])
        db["invites"].insert(row)
    return token


def invite_by_token(db, token):
    """The invite (with its person and school) for the token in a link, or None."""
    return next(db.query(INVITE_BY_HASH, [rules.token_hash(token)]), None)


def accept_invite(db, token, password_hash):
    """Use the invite once and set the person's password, in one transaction; returns the person id or None."""
    with write_transaction(db):
        used = next(iter(db.execute(USE_INVITE, {"now": now(), "hash": rules.token_hash(token)}).fetchall()), None)
        if used is None:
            return None
        db.execute(SET_PASSWORD, [password_hash, used[0]])
        return used[0]


def pending_person(db, person_id, school_id):
    """An admin of `school_id` who has not accepted an invite (one can be resent to them), or None."""
    return next(db.query(PENDING_PERSON, [person_id, school_id]), None)


def suspend(db, school_id):
    """Suspend a school and end its people's sessions at once; False if it was not active."""
    stamp = now()
    with write_transaction(db):
        if db.execute(SUSPEND, [stamp, school_id]).rowcount != 1:
            return False
        db.execute(END_SCHOOL_SESSIONS, [stamp, school_id])
    return True


def restore(db, school_id):
    """Let a suspended school's people sign in again; False if it was not suspended."""
    with write_transaction(db):
        return db.execute(RESTORE, [school_id]).rowcount == 1


def latest_export(db, school_id):
    """The school's most recent export job (without its bytes), or None."""
    return next(db.query(LATEST_EXPORT, [school_id]), None)


def create_export(db, school_id, requested_by):
    """A queued export job row; returns its id."""
    stamp = now()
    row = {"school_id": school_id, "requested_by": requested_by, "status": "queued", "created_at": stamp,
           "heartbeat_at": stamp}  # fmt: skip
    with write_transaction(db):
        return db["school_exports"].insert(row).last_pk


def finish_export(db, export_id, filename, content, expires):
    """Store the finished ZIP on its job row."""
    with write_transaction(db):
        db.execute(FINISH_EXPORT, {"id": export_id, "filename": filename, "content": content, "now": now(),
                                   "expires": expires})  # fmt: skip


def export_file(db, export_id, school_id):
    """(filename, bytes) of a finished, unexpired export, or None."""
    row = next(db.query(EXPORT_FILE, [export_id, school_id, now()]), None)
    return (row["filename"], row["content"]) if row else None


def purge_exports(db):
    """Delete exports past their time; returns how many."""
    with write_transaction(db):
        return db.execute(PURGE_EXPORTS, [now()]).rowcount
