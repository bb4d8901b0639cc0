"""The pupil's certificate page and download, and the public verify pages."""

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from accounts.users import pupil_required
from app import current_course
from certificates.codes import normalise_code
from certificates.forms import VerifyForm
from certificates.issuing import eligibility_for
from certificates.queries import certificate_by_code, certificate_for_pupil
from db import get_db

bp = Blueprint("certificates", __name__)


@bp.route("/certificate")
@pupil_required
def mine():
    """The pupil's certificate, or what is left to earn it."""
    course = current_course()
    db = get_db()
    certificate = certificate_for_pupil(db, current_user.id, course.id)
    eligibility = None if certificate else eligibility_for(db, current_user.id, course)
    return render_template(
        "certificates/mine.html",
        course=course,
        certificate=certificate,
        eligibility=eligibility,
    )


@bp.route("/certificate.pdf")
@pupil_required
def download():
    """The stored PDF, exactly as issued."""
    certificate = certificate_for_pupil(
        get_db(), current_user.id, current_course().id
    ) or abort(404)
    return send_file(
        BytesIO(certificate["pdf"]),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"online-safety-certificate-{certificate['code']}.pdf",
    )


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    """A form to type a certificate code."""
    form = VerifyForm()
    if form.validate_on_submit():
        code = normalise_code(form.code.data)
        if code:
            return redirect(url_for("certificates.verify_code", code=code), 303)
        form.code.errors.append(
            "That doesn't look like a certificate code. It is 12 letters and numbers, like ABCD-EFGH-JKMN."
        )
    return render_template(
        "certificates/verify.html", form=form
    ), 400 if request.method == "POST" else 200


@bp.route("/verify/<code>")
def verify_code(code):
    """Public: is this certificate genuine? Initials only, never the full name."""
    normal = normalise_code(code)
    certificate = certificate_by_code(get_db(), normal) if normal else None
    if certificate is None:
        return render_template("certificates/unknown.html", code=code), 404
    if normal != code:
        return redirect(url_for("certificates.verify_code", code=normal), 301)
    return render_template("certificates/verified.html", certificate=certificate)
