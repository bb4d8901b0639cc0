"""The pupil's certificate page and download, and the public verify pages."""

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from accounts.users import pupil_required, staff_required
from audit import audit_by
from certificates.codes import code_problem, normalise_code
from certificates.forms import ReissueForm, RevokeForm, VerifyForm
from certificates.issuing import eligibility_for
from certificates.queries import (
    certificate_by_code,
    certificate_for_pupil,
    certificate_pdf_for_pupil,
    offboarded_certificate,
    revoke_certificate,
)
from classroom.access import pupil_or_404, sees_whole_school
from db import get_db
from extensions import limit_failures
from progress import report_jobs
from progress.queries import Period, Scope, create_job, job_for_staff
from progress.tasks import queue_report
from training.courses import course_for_class, course_for_pupil, staff_courses

bp = Blueprint("certificates", __name__)


@bp.route("/certificate")
@pupil_required
def mine():
    """The pupil's certificate, or what is left to earn it."""
    db = get_db()
    course = course_for_pupil(db, current_user)
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
    db = get_db()
    code, pdf = certificate_pdf_for_pupil(db, current_user.id, course_for_pupil(db, current_user).id) or abort(404)
    return send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"online-safety-certificate-{code}.pdf",
    )


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    """A form to type a certificate code."""
    form = VerifyForm()
    if form.validate_on_submit():
        problem = code_problem(form.code.data)
        if problem is None:
            return redirect(url_for("certificates.verify_code", code=normalise_code(form.code.data)), 303)
        form.code.errors.append(problem)
    return render_template("certificates/verify.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/verify/<code>")
# Only unknown codes count, and only they are slowed: guessing is, checking a real certificate never is.
@limit_failures(lambda: current_app.config["VERIFY_UNKNOWN_LIMIT"], lambda response: response.status_code == 404)
def verify_code(code):
    """Public: is this certificate genuine? Initials only, never the full name."""
    normal = normalise_code(code)
    certificate = certificate_by_code(get_db(), normal) if normal else None
    if certificate is None:
        gone = offboarded_certificate(get_db(), normal) if normal else None
        if gone is None:
            return render_template("certificates/unknown.html", code=code, problem=code_problem(code)), 404
        if normal != code:
            return redirect(url_for("certificates.verify_code", code=normal), 301)
        return render_template("certificates/verified.html", certificate={"code": normal}, offboarded=gone)
    if normal != code:
        return redirect(url_for("certificates.verify_code", code=normal), 301)
    for_staff = certificate["course_id"] in staff_courses()  # a staff course's certificate names a member of staff
    return render_template("certificates/verified.html", certificate=certificate, for_staff=for_staff)


@bp.errorhandler(429)
def too_many_unknown_codes(error):
    """Many unknown codes from one address: say plainly to wait, and keep the form to hand."""
    return render_template("certificates/slow_down.html", form=VerifyForm(formdata=None)), 429


# Staff: revoke and reissue, from the pupil's page in a class (progress.views).


def _back_to_pupil(class_id, pupil_id):
    return redirect(url_for("progress.pupil", class_id=class_id, pupil_id=pupil_id), 303)


@bp.route(
    "/classes/<int:class_id>/pupils/<int:pupil_id>/certificates/<int:certificate_id>/revoke",
    methods=["POST"],
)
@staff_required
def revoke(class_id, pupil_id, certificate_id):
    """Withdraw a pupil's certificate with a reason; its verify page then says revoked."""
    pupil_or_404(get_db(), current_user, class_id, pupil_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        for message in form.reason.errors or [gettext("The form expired. Please try again.")]:
            flash(str(message), "error")
        return _back_to_pupil(class_id, pupil_id)
    db = get_db()
    reason = form.reason.data.strip()
    if not revoke_certificate(db, certificate_id, pupil_id, current_user.school_id, current_user.id, reason):
        abort(404)  # not this pupil's, another school's, or already revoked
    audit_by(db, current_user, "certificate-revoke", "certificate", certificate_id)
    flash(gettext("The certificate was revoked. Its code now shows as revoked."), "success")
    return _back_to_pupil(class_id, pupil_id)


@bp.route("/classes/<int:class_id>/pupils/<int:pupil_id>/certificates/reissue", methods=["POST"])
@staff_required
def reissue(class_id, pupil_id):
    """Issue a new certificate (a new code) to a pupil who has earned one and holds none."""
    klass, pupil = pupil_or_404(get_db(), current_user, class_id, pupil_id)
    if not ReissueForm().validate_on_submit():
        flash(gettext("The form expired. Please try again."), "error")
        return _back_to_pupil(class_id, pupil_id)
    db = get_db()
    course = course_for_class(klass)  # the route the class follows, as its pages show
    if certificate_for_pupil(db, pupil_id, course.id):
        flash(gettext("This pupil already holds a certificate. Revoke it first to reissue."), "warning")
        return _back_to_pupil(class_id, pupil_id)
    eligibility = eligibility_for(db, pupil_id, course)
    if not eligibility.eligible:
        flash(gettext("This pupil has not finished the course yet, so there is nothing to reissue."), "warning")
        return _back_to_pupil(class_id, pupil_id)
    # Rendering takes a second or more: the job worker makes it (certificates/tasks.py), and audits it.
    scope = Scope(current_user.school_id, class_id, klass["name"])
    job_id = create_job(db, current_user, scope, "pdf", Period(), course.id, report_jobs.REISSUE, pupil_id)
    queue_report(job_id)
    return redirect(url_for("certificates.reissue_job", class_id=class_id, pupil_id=pupil_id, job_id=job_id), 303)


@bp.route("/classes/<int:class_id>/pupils/<int:pupil_id>/certificates/reissue/<int:job_id>")
@staff_required
def reissue_job(class_id, pupil_id, job_id):
    """A reissued certificate being made by the job worker, then its code and the download."""
    db = get_db()
    klass, pupil = pupil_or_404(db, current_user, class_id, pupil_id)
    job = job_for_staff(db, current_user, job_id, sees_whole_school(current_user))
    if job is None or job["kind"] != report_jobs.REISSUE or job["pupil_id"] != pupil_id:
        abort(404)
    course = course_for_class(klass)
    current = certificate_for_pupil(db, pupil_id, course.id) if job["status"] == "done" else None
    return render_template("certificates/reissue_job.html", job=job, class_=klass, pupil=pupil, current=current)
