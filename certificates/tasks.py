"""A certificate issued again after a revoke, rendered by the job worker (a PDF takes a second or more).

The teacher's click saves a report_jobs row of kind 'reissue' (class, pupil, route) and queues it; progress's
report job (progress/tasks.py) runs it here, claimed, with its heartbeat, and its sweep retries it once if a
crash cut it off. The new certificate, its audit entry and the finished job are stored in one transaction.
"""

from flask import current_app

from accounts.queries import school_by_id
from accounts.users import User
from audit import audit
from certificates.issuing import eligibility_for, new_certificate, store
from certificates.queries import certificate_for_pupil, certificate_pdf_for_pupil
from classroom.access import pupil_in_class
from db import write_transaction
from languages import person_language
from progress import job_queries
from training.courses import courses

# What the teacher reads on the job page.
PUPIL_GONE = "The pupil is no longer in this class, so no certificate was issued."
NOT_EARNED = "This pupil has not finished the course, so no certificate was issued."
COULD_NOT_MAKE = ("Sorry, the certificate could not be made. Please try again; if it keeps failing, tell the "
                  "school's admin.")  # fmt: skip


def download_name(certificate):
    """The certificate PDF's file name, as the pupil's own download names it."""
    return f"online-safety-certificate-{certificate['code']}.pdf"


def reissue_in_job(db, job):
    """Issue the job's pupil a new certificate unless they hold one; the PDF is the job's file. Returns the status."""
    try:
        pupil = pupil_in_class(db, job["class_id"], job["pupil_id"], job["school_id"])
        course = courses().get(job["course_id"])
        if pupil is None or course is None:
            job_queries.fail(db, job["id"], PUPIL_GONE)
            return "failed"
        held = certificate_for_pupil(db, pupil["id"], course.id)
        if held is None:
            eligibility = eligibility_for(db, pupil["id"], course)
            if not eligibility.eligible:  # an attempt erased since the click
                job_queries.fail(db, job["id"], NOT_EARNED)
                return "failed"
            job_queries.set_progress(db, job["id"], 10)
            with current_app.test_request_context():  # url_for needs one; the address is PUBLIC_BASE_URL
                language = person_language(pupil, school_by_id(db, job["school_id"]))
                values = new_certificate(db, User(pupil), course, eligibility.score, language)
        with write_transaction(db):
            # Held already (a second click's job, or one issued meanwhile): that one is the file, no new code.
            held = held or certificate_for_pupil(db, pupil["id"], course.id)
            if held is None:
                held = store(db, values)
                audit(db, job["school_id"], job["requested_by"], "certificate-reissue", "certificate", held["id"])
                pdf = held["pdf"]
            else:  # certificate rows are read without their PDF; the job's file is the stored bytes
                pdf = certificate_pdf_for_pupil(db, pupil["id"], course.id)[1]
            job_queries.finish(db, job["id"], download_name(held), pdf)
        return "done"
    except Exception:  # noqa: BLE001 (the job page must say it failed)
        current_app.logger.exception("Certificate reissue job %s failed.", job["id"])
        job_queries.fail(db, job["id"], COULD_NOT_MAKE)
        return "failed"
