"""Everything a school holds: which rows of which tables, exported as one ZIP and erased in one transaction.

One list (SCHOOL_TABLES) says where each table's rows of a school are; both the export and the erase
read it, and tests/console/test_console_offboard.py iterates the schema so a new table with a person, school or
class column that is missing here fails the suite. Plain functions on a Database (no Flask).
"""

import csv
import io
import json
import zipfile

from certificates.codes import code_hash
from db import now, write_transaction
from safeguarding.records import export_pupil
from spreadsheet import safe_cell

PEOPLE = "SELECT id FROM people WHERE school_id = :school"
CLASSES = "SELECT id FROM classes WHERE school_id = :school"

# (table, which rows are the school's), children before parents: the erase deletes in this order, so no
# foreign key is left pointing at a deleted row, whatever each key's ON DELETE says.
SCHOOL_TABLES = (
    # Live lessons (m030): the class's totals (no pupil), attendance, then the sessions.
    ("live_answer_totals", "session_id IN (SELECT id FROM live_sessions WHERE school_id = :school)"),
    ("live_attendance",
     f"session_id IN (SELECT id FROM live_sessions WHERE school_id = :school) OR pupil_id IN ({PEOPLE})"),
    ("live_sessions", f"school_id = :school OR class_id IN ({CLASSES})"),
    ("answers", f"attempt_id IN (SELECT id FROM attempts WHERE pupil_id IN ({PEOPLE}))"),
    ("quiz_reviews", f"pupil_id IN ({PEOPLE})"),
    ("attempts", f"pupil_id IN ({PEOPLE})"),
    ("lesson_progress", f"pupil_id IN ({PEOPLE})"),
    ("confidence_response_classes",
     f"response_id IN (SELECT id FROM confidence_responses WHERE school_id = :school) OR class_id IN ({CLASSES})"),
    ("confidence_responses", "school_id = :school"),
    ("belief_response_classes",
     f"response_id IN (SELECT id FROM belief_responses WHERE school_id = :school) OR class_id IN ({CLASSES})"),
    ("belief_responses", "school_id = :school"),
    ("talk_request_actions", "request_id IN (SELECT id FROM talk_requests WHERE school_id = :school)"),
    ("talk_requests", f"school_id = :school OR pupil_id IN ({PEOPLE})"),
    ("class_code_joins", f"class_id IN ({CLASSES}) OR person_id IN ({PEOPLE})"),
    ("class_codes", f"school_id = :school OR class_id IN ({CLASSES})"),
    ("class_pupils", f"class_id IN ({CLASSES}) OR person_id IN ({PEOPLE})"),
    ("class_teachers", f"class_id IN ({CLASSES}) OR person_id IN ({PEOPLE})"),
    ("roster_imports", "school_id = :school"),
    ("card_batches", "school_id = :school"),
    ("report_jobs", "school_id = :school"),
    ("certificates", "school_id = :school"),
    ("sessions", f"person_id IN ({PEOPLE})"),
    ("identities", f"person_id IN ({PEOPLE})"),
    ("mfa_recovery_codes", f"person_id IN ({PEOPLE})"),
    ("mfa_pending", f"person_id IN ({PEOPLE})"),
    ("sign_in_flows", f"person_id IN ({PEOPLE})"),
    ("invites", f"school_id = :school OR person_id IN ({PEOPLE})"),
    ("audit_log", "school_id = :school"),
    ("outbox", "school_id = :school"),
    ("help_routes", "school_id = :school"),
    ("school_sign_in_domains", "school_id = :school"),
    ("school_shared_sign_in", "school_id = :school"),
    ("school_exports", "school_id = :school"),
    # The parents' letter and sheet, filled in with the school's name and its DSL's (m026): made again on request.
    ("resource_pdfs", "school_id = :school"),
    # A trust's stored figures (m023) count the school's pupils: its trust's go too, worked out afresh without it.
    ("trust_figures", "trust_id = :school OR trust_id IN (SELECT trust_id FROM schools WHERE id = :school)"),
    # The school's evidence pack (m032): counts and a PDF made again from the records; its trust's pack counts the
    # school's pupils too and is worked out afresh without it.
    ("evidence_packs", "school_id = :school OR school_id IN (SELECT trust_id FROM schools WHERE id = :school)"),
    ("classes", "school_id = :school"),
    ("people", "school_id = :school"),
)  # fmt: skip
# What stays after an erase, and why: the schools row itself (its name, for /verify) and the code hashes.
KEPT = {
    "schools": "the row stays, with offboarded_at, so the school's name can answer /verify",
    "offboarded_certificates": "only hashes of certificate codes, the school id and when one was revoked: no names",
}
# Not in the export: sign-in machinery of the moment (keys, half-finished steps), the export itself, the
# trust's figures (counts worked out from the records exported, and other schools' too) and the parents'
# letter and sheet (filled in from the school's name and staff, both exported), and the evidence packs (counts
# worked out from the records exported).
NOT_EXPORTED = {"sessions", "mfa_pending", "sign_in_flows", "school_exports", "trust_figures", "resource_pdfs",
                "evidence_packs"}  # fmt: skip
# Secrets never leave in an export, even as hashes.
SECRET_COLUMNS = {"password_hash", "totp_secret", "totp_last_step", "code_hash", "token_hash"}
# Files kept as bytes (BLOB columns) are not cells of the tables: certificates' PDFs go in as files of their own;
# the rest are not the school's records: a report (made again from the records), and sign-in cards, which carry
# one-time passwords.
CERTIFICATE_PDFS = "SELECT code, pdf FROM certificates WHERE school_id = :school AND pdf IS NOT NULL ORDER BY id"
PUPILS = "SELECT id FROM people WHERE school_id = :school AND role = 'pupil' ORDER BY id"
# A revoked certificate must still verify as revoked: the day it was revoked is kept with its hash.
KEEP_CODES = """
INSERT INTO offboarded_certificates (code_hash, school_id, revoked_at) VALUES (?, ?, ?)
ON CONFLICT (code_hash) DO NOTHING
"""
CODES = "SELECT code, revoked_at FROM certificates WHERE school_id = :school"
# The row stays; what named a person on it goes (the DSL's name and where to find them).
MARK_OFFBOARDED = """
UPDATE schools SET offboarded_at = :now, suspended_at = COALESCE(suspended_at, :now), dsl_name = NULL,
       dsl_where = NULL
WHERE id = :school AND offboarded_at IS NULL
"""


def exported_columns(db, table):
    """The columns a table is exported with, read from its schema: all but secrets and files (BLOB columns).

    Not from the first row: rows of one table differ in which columns hold a file or are empty.
    """
    return [c.name for c in db[table].columns if c.name not in SECRET_COLUMNS and c.type.upper() != "BLOB"]


def rows_of(db, table, where, school_id, columns):
    """The school's rows of `table`, as dicts of `columns`."""
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {where}"  # noqa: S608 (constants and the schema's names)
    return list(db.query(sql, {"school": school_id}))


def _csv(columns, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()


def export_zip(db, school_id, progress=None):
    """One ZIP of everything the school holds: each table's rows as CSV and JSON, and issued certificate PDFs.

    `progress(percent)` is called as tables are done (the job's heartbeat). Returns the ZIP's bytes.
    """
    buffer = io.BytesIO()
    tables = [("schools", "id = :school"), *((t, w) for t, w in SCHOOL_TABLES if t not in NOT_EXPORTED)]
    counts = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (table, where) in enumerate(tables, start=1):
            columns = exported_columns(db, table)
            rows = rows_of(db, table, where, school_id, columns)
            counts[table] = len(rows)
            archive.writestr(f"tables/{table}.csv", _csv(columns, rows))
            archive.writestr(f"tables/{table}.json", json.dumps(rows, indent=1, ensure_ascii=False))
            if progress:
                progress(int(90 * number / len(tables)))
        for row in db.query(CERTIFICATE_PDFS, {"school": school_id}):
            archive.writestr(f"certificates/{row['code']}.pdf", row["pdf"])
        # Each pupil's records as the school's own "export a pupil's records" gives them (requests to talk
        # included): ready for a subject access request after the school has left.
        for row in list(db.query(PUPILS, {"school": school_id})):
            data = export_pupil(db, row["id"])
            archive.writestr(f"pupils/{row['id']}.json", json.dumps(data, indent=1, ensure_ascii=False))
        archive.writestr("README.txt", _readme(counts))
    return buffer.getvalue()


def _readme(counts):
    lines = [
        f"Everything the school held on this service, exported {now()}.",
        "tables/: each table's rows for the school, as CSV and as JSON (the same rows).",
        "certificates/: the PDF of each certificate issued, named by its code.",
        "pupils/: each pupil's records in one file, as the school's own pupil export gives them (named by id).",
        "Passwords, authenticator secrets and sign-in keys are not included: they are stored only in forms",
        "that cannot be turned back, and they are of no use elsewhere.",
        "",
        "Rows per table:",
    ]
    return "\n".join(lines + [f"  {table}: {count}" for table, count in counts.items()]) + "\n"


def erase_school(db, school_id):
    """Delete every row the school holds, in one write transaction; keep the schools row (offboarded) and
    hashes of its certificate codes for /verify. Returns {table: rows deleted}, or None if already offboarded.
    """
    params = {"school": school_id}
    counts = {}
    with write_transaction(db):
        if db.execute(MARK_OFFBOARDED, {"school": school_id, "now": now()}).rowcount != 1:
            return None
        for row in list(db.query(CODES, params)):
            db.execute(KEEP_CODES, [code_hash(row["code"]), school_id, row["revoked_at"]])
        for table, where in SCHOOL_TABLES:
            counts[table] = db.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount  # noqa: S608
    return counts
