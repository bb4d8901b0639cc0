"""SQL for the resources for parents and carers: who the DSL is, and the stored PDFs."""

from db import now, write_transaction

SCHOOL = "SELECT name, dsl_name FROM schools WHERE id = ?"
# Deputies have the DSL role too: the first made is named first.
DSL_NAMES = """
SELECT first_name, last_name FROM people
WHERE school_id = ? AND role = 'dsl' AND archived_at IS NULL
ORDER BY id
"""
STORED_PDF = "SELECT pdf FROM resource_pdfs WHERE school_id = ? AND inputs_hash = ?"
# Two first downloads at once both render; the second insert keeps the first's bytes.
STORE_PDF = """
INSERT INTO resource_pdfs (school_id, resource, course_id, inputs_hash, pdf, created_at)
VALUES (:school_id, :resource, :course_id, :inputs_hash, :pdf, :now)
ON CONFLICT (school_id, inputs_hash) DO NOTHING
"""
# An older render for the same school, resource and route (a name or the text has changed since).
DROP_SUPERSEDED = """
DELETE FROM resource_pdfs
WHERE school_id = :school_id AND resource = :resource AND course_id = :course_id AND inputs_hash <> :inputs_hash
"""


def school_and_dsl_names(db, school_id):
    """(school name, [DSL names]): the school's staff with the DSL role, else the name on its help panel."""
    school = next(db.query(SCHOOL, [school_id]))
    names = [f"{row['first_name']} {row['last_name']}".strip() for row in db.query(DSL_NAMES, [school_id])]
    if not names and school["dsl_name"]:
        names = [school["dsl_name"]]
    return school["name"], names


def stored_pdf(db, school_id, inputs_hash):
    """The stored bytes for these inputs, or None."""
    row = next(db.query(STORED_PDF, [school_id, inputs_hash]), None)
    return bytes(row["pdf"]) if row else None


def store_pdf(db, school_id, resource, course_id, inputs_hash, pdf):
    """Keep a render's bytes and drop the school's older render of the same resource and route."""
    params = {"school_id": school_id, "resource": resource, "course_id": course_id, "inputs_hash": inputs_hash}
    with write_transaction(db):
        db.execute(STORE_PDF, dict(params, pdf=pdf, now=now()))
        db.execute(DROP_SUPERSEDED, params)
