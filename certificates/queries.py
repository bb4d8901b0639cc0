"""SQL for certificates."""

from db import write_transaction

CURRENT_FOR_PUPIL = """
SELECT * FROM certificates
WHERE pupil_id = ? AND course_id = ? AND revoked_at IS NULL AND erased_at IS NULL
ORDER BY id DESC LIMIT 1
"""
BY_CODE = "SELECT * FROM certificates WHERE code = ?"


def certificate_for_pupil(db, pupil_id, course_id):
    """The pupil's current (not revoked) certificate for the course, or None."""
    return next(db.query(CURRENT_FOR_PUPIL, [pupil_id, course_id]), None)


def certificate_by_code(db, code):
    """The certificate with this code, revoked or erased ones included, or None."""
    return next(db.query(BY_CODE, [code]), None)


def code_exists(db, code):
    """Whether any certificate, ever, has used this code."""
    return certificate_by_code(db, code) is not None


def insert_certificate(db, row):
    """Store an issued certificate (with its PDF) and return its id."""
    with write_transaction(db):
        return db["certificates"].insert(row).last_pk
