"""SQL for certificates."""

from certificates.codes import code_hash
from db import now, prepared, write_transaction

# Every column but the PDF: the course page, the quiz (has one been issued?) and the certificate page read
# this, and only the download needs the bytes (tens of kilobytes read for nothing on every other page).
CURRENT_FOR_PUPIL = prepared("""
SELECT id, code, pupil_id, school_id, course_id, course_title, pupil_name, pupil_initials, school_name, score,
       issued_at, revoked_at, revoked_reason, revoked_by, erased_at
FROM certificates
WHERE pupil_id = ? AND course_id = ? AND revoked_at IS NULL AND erased_at IS NULL
ORDER BY id DESC LIMIT 1
""")
CURRENT_PDF_FOR_PUPIL = prepared("""
SELECT code, pdf FROM certificates
WHERE pupil_id = ? AND course_id = ? AND revoked_at IS NULL AND erased_at IS NULL
ORDER BY id DESC LIMIT 1
""")
BY_CODE = "SELECT * FROM certificates WHERE code = ?"
# A code of a school that was offboarded: only its hash, the school (m022) and when it was revoked (m028) are kept.
OFFBOARDED = """
SELECT s.name AS school_name, s.offboarded_at, o.revoked_at
FROM offboarded_certificates o JOIN schools s ON s.id = o.school_id
WHERE o.code_hash = ?
"""


def certificate_for_pupil(db, pupil_id, course_id):
    """The pupil's current (not revoked) certificate for the course, without its PDF, or None."""
    return next(db.query(CURRENT_FOR_PUPIL, [pupil_id, course_id]), None)


def certificate_pdf_for_pupil(db, pupil_id, course_id):
    """(code, PDF bytes) of the pupil's current certificate for the course, or None."""
    return db.execute(CURRENT_PDF_FOR_PUPIL, [pupil_id, course_id]).fetchone()


def certificate_by_code(db, code):
    """The certificate with this code, revoked or erased ones included, or None."""
    return next(db.query(BY_CODE, [code]), None)


def offboarded_certificate(db, code):
    """{school_name, offboarded_at, revoked_at} if the code was issued by a school since offboarded; else None."""
    return next(db.query(OFFBOARDED, [code_hash(code)]), None)


def code_exists(db, code):
    """Whether any certificate, ever, has used this code (an offboarded school's included)."""
    return certificate_by_code(db, code) is not None or offboarded_certificate(db, code) is not None


def insert_certificate(db, row):
    """Store an issued certificate (with its PDF) and return its id."""
    with write_transaction(db):
        return db["certificates"].insert(row).last_pk


REVOKE = """
UPDATE certificates SET revoked_at = :now, revoked_reason = :reason, revoked_by = :staff_id
WHERE id = :id AND pupil_id = :pupil_id AND school_id = :school_id AND revoked_at IS NULL
"""


def revoke_certificate(db, certificate_id, pupil_id, school_id, staff_id, reason):
    """Withdraw a current certificate, keeping who did it and why; False if nothing changed."""
    params = {
        "id": certificate_id,
        "pupil_id": pupil_id,
        "school_id": school_id,
        "staff_id": staff_id,
        "reason": reason,
        "now": now(),
    }
    with write_transaction(db):
        return db.execute(REVOKE, params).rowcount == 1
