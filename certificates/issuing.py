"""Issuing a certificate: check eligibility, make a code, render the PDF once, store it."""

import segno
from flask import render_template
from flask_babel import force_locale

from accounts.queries import school_by_id
from certificates.codes import initials, new_code
from certificates.eligibility import check_eligibility
from certificates.queries import certificate_for_pupil, code_exists, insert_certificate
from dates import uk_day, uk_today
from db import now
from languages import page_language
from pdf import html_to_pdf
from quizzes.queries import quiz_summaries
from training.courses import in_language
from training.staff_rules import renews
from urls import public_url


def eligibility_for(db, pupil_id, course):
    """Apply the eligibility rules to the pupil's stored results. A pupil's final check counts once done; the staff
    course's once passed (it is staff training, with a pass mark)."""
    summaries = quiz_summaries(db, pupil_id, course.id)
    lesson_ids = [lesson.id for lesson in course.lessons]
    best = {key: row["best_percent"] for key, row in summaries.items()}
    passed = {key for key, row in summaries.items() if row["passed"]}
    final_done = "final" in (passed if course.for_staff else summaries)
    return check_eligibility(lesson_ids, best, passed, final_done)


def issue_if_eligible(db, pupil, course, passed_final=False):
    """Issue the pupil's certificate if they have just earned it; returns it, or None.

    A member of staff whose staff course completion is due again (a year on) renews it by passing the final check
    again (`passed_final`): a new certificate, dated today; the earlier one stays genuine."""
    existing = certificate_for_pupil(db, pupil.id, course.id)
    if existing and not (course.for_staff and renews(uk_day(existing["issued_at"]), uk_today(), passed_final)):
        return existing
    eligibility = eligibility_for(db, pupil.id, course)
    if not eligibility.eligible:
        return None
    return issue(db, pupil, course, eligibility.score)


def issue(db, pupil, course, score):
    """Create, render and store a new certificate for the pupil."""
    return store(db, new_certificate(db, pupil, course, score))


def store(db, values):
    """Store a certificate made by new_certificate; returns it with its id."""
    return dict(values, id=insert_certificate(db, values))


def new_certificate(db, pupil, course, score, language=None):
    """A new certificate's values for the pupil, its PDF rendered (a second or so), not yet stored.

    In the pupil's language (`language`; by default the page's): its words, its date, its course title and the PDF's
    language tag."""
    language = language or page_language()
    course = in_language(course, language)
    code = new_code()
    while code_exists(db, code):  # about 1 in 10**17 per certificate; cheap to rule out
        code = new_code()
    school = school_by_id(db, pupil.school_id)
    values = {
        "code": code,
        "pupil_id": pupil.id,
        "school_id": pupil.school_id,
        "course_id": course.id,
        "course_title": course.certificate_title,
        "pupil_name": pupil.full_name,
        "pupil_initials": initials(pupil.first_name, pupil.last_name),
        "school_name": school["name"],
        "score": score,
        "issued_at": now(),
    }
    with force_locale(language):
        values["pdf"] = render_certificate(values)
    return values


def verify_url(code):
    """The public address of a certificate's verify page, for the QR code."""
    return public_url("certificates.verify_code", code=code)


def render_certificate(values):
    """The certificate PDF for these plain values (A4 landscape, neutral title)."""
    return html_to_pdf(certificate_html(values), "certificate.css")


def certificate_html(values):
    """The certificate's HTML for these plain values, with its QR code inline."""
    link = verify_url(values["code"])
    # In the language new_certificate forces (the pupil's): its words, its date and its `lang`.
    return render_template(
        "certificates/certificate.html",
        **values,
        verify_link=link,
        # A PNG of one pixel per module (drawn crisp by `image-rendering: pixelated`): WeasyPrint
        # parsed and drew the SVG's path on every render, a third of a certificate's time here.
        # A fixed mask (any is valid) spares scoring all eight, most of the encoding time.
        qr_svg=segno.make(link, error="m", mask=0).png_data_uri(dark="#1b1b3a", border=0, scale=1),
    )
