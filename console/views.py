"""The operator's console: schools and their usage (counts only), creating, suspending and offboarding a school,
and inviting operators and schools' first admins. Operators only (operator_required)."""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from accounts.users import operator_required
from audit import audit_by
from console import holdings, queries, rules
from console.forms import EraseForm, PersonForm, SchoolForm
from console.invites import send_invite
from console.tasks import queue_export
from db import get_db, now
from forms import ConfirmForm

bp = Blueprint("console", __name__, url_prefix="/console")


@bp.before_request
@operator_required
def _operators_only():
    """Every console page is for operators: anyone else gets 403 (or the sign-in page)."""


def _school_or_404(school_id):
    return queries.school(get_db(), school_id) or abort(404)


@bp.get("/")
def home():
    """Every school on the service with its usage, and totals."""
    rows = queries.schools(get_db())
    return render_template("console/home.html", schools=rows, totals=queries.totals(rows), status=rules.school_status)


@bp.route("/schools/new", methods=["GET", "POST"])
def new_school():
    """Create a school with the default help routes and a pending admin, who is e-mailed an invite."""
    db = get_db()
    form = SchoolForm()
    if form.validate_on_submit():
        email = form.email.data.strip()
        if queries.email_taken(db, email):
            form.email.errors.append(f"{email} already has an account. Use a different e-mail address.")
        else:
            name = " ".join(form.name.data.split())
            first, last = " ".join(form.first_name.data.split()), " ".join(form.last_name.data.split())
            school_id, person_id = queries.create_school(db, name, first, last, email)
            send_invite(db, db["people"].get(person_id), name, "school", current_user.id)
            audit_by(db, current_user, "console-school-create", "school", school_id)
            flash(f"{name} is created. An invite is on its way to {first} {last} at {email}.", "success")
            return redirect(url_for("console.school", school_id=school_id), 303)
    return render_template("console/new_school.html", form=form), 400 if form.errors else 200


@bp.get("/schools/<int:school_id>")
def school(school_id):
    """One school: its status, usage, admins (and their invites), and what an operator can do."""
    row = _school_or_404(school_id)
    return render_template("console/school.html", school=row, usage=queries.usage(get_db(), school_id),
                           status=rules.school_status(row), admins=queries.admins(get_db(), school_id),
                           form=ConfirmForm())  # fmt: skip


@bp.post("/schools/<int:school_id>/admins/<int:person_id>/resend")
def resend_school_invite(school_id, person_id):
    """A new invite link for a school's admin; the old link stops working."""
    db = get_db()
    row = _school_or_404(school_id)
    person = queries.pending_person(db, person_id, school_id) or abort(404)
    if ConfirmForm().validate_on_submit() and rules.school_status(row) == "active":
        send_invite(db, person, row["name"], "school", current_user.id)
        audit_by(db, current_user, "console-invite-resend", "staff", person_id)
        flash(f"A new invite is on its way to {person['email']}. The old link no longer works.", "success")
    return redirect(url_for("console.school", school_id=school_id), 303)


@bp.route("/schools/<int:school_id>/suspend", methods=["GET", "POST"])
def suspend(school_id):
    """Confirm, then suspend: the school's people are signed out and cannot sign in until it is restored."""
    db = get_db()
    row = _school_or_404(school_id)
    form = ConfirmForm()
    if rules.school_status(row) != "active":
        return redirect(url_for("console.school", school_id=school_id), 303)
    if form.validate_on_submit():
        if queries.suspend(db, school_id):
            audit_by(db, current_user, "console-school-suspend", "school", school_id)
            flash(f"{row['name']} is suspended. Its people are signed out.", "success")
        return redirect(url_for("console.school", school_id=school_id), 303)
    return render_template("console/confirm.html", school=row, form=form, title=f"Suspend {row['name']}?",
                           explain=["Everyone at the school is signed out at once, and nobody there can sign in "
                                    "until you restore it. After their password, they read: “Your school's account "
                                    "is paused. Ask your school's office.”",
                                    "Nothing is deleted. Reports and e-mails already started still finish."],
                           button="Suspend the school", warning=True)  # fmt: skip


@bp.route("/schools/<int:school_id>/restore", methods=["GET", "POST"])
def restore(school_id):
    """Confirm, then let a suspended school's people sign in again."""
    db = get_db()
    row = _school_or_404(school_id)
    form = ConfirmForm()
    if rules.school_status(row) != "suspended":
        return redirect(url_for("console.school", school_id=school_id), 303)
    if form.validate_on_submit():
        if queries.restore(db, school_id):
            audit_by(db, current_user, "console-school-restore", "school", school_id)
            flash(f"{row['name']} is restored. Its people can sign in again.", "success")
        return redirect(url_for("console.school", school_id=school_id), 303)
    return render_template("console/confirm.html", school=row, form=form, title=f"Restore {row['name']}?",
                           explain=["The school's people can sign in again, with their own passwords."],
                           button="Restore the school", warning=False)  # fmt: skip


def _offboard_page(row, erase_form, status=200):
    export = queries.latest_export(get_db(), row["id"])
    ready = export is not None and export["status"] == "done" and export["expires_at"] > now()
    page = render_template("console/offboard.html", school=row, export=export, export_ready=ready,
                           erase_form=erase_form, form=ConfirmForm(), status=rules.school_status(row))  # fmt: skip
    return page, status


@bp.get("/schools/<int:school_id>/offboard")
def offboard(school_id):
    """Offboarding in two steps: export everything the school holds, then erase it."""
    return _offboard_page(_school_or_404(school_id), EraseForm(formdata=None))


@bp.post("/schools/<int:school_id>/offboard/export")
def export(school_id):
    """Queue the export of everything the school holds (one ZIP, built by the job worker)."""
    db = get_db()
    row = _school_or_404(school_id)
    if ConfirmForm().validate_on_submit() and rules.school_status(row) != "offboarded":
        queue_export(queries.create_export(db, school_id, current_user.id))
        audit_by(db, current_user, "console-school-export", "school", school_id)
    return redirect(url_for("console.offboard", school_id=school_id), 303)


@bp.get("/schools/<int:school_id>/offboard/export/<int:export_id>")
def download_export(school_id, export_id):
    """The export's ZIP, for operators, until it expires."""
    db = get_db()
    _school_or_404(school_id)
    found = queries.export_file(db, export_id, school_id) or abort(404)
    audit_by(db, current_user, "console-school-export-download", "school", school_id)
    filename, content = found
    return send_file(BytesIO(content), mimetype="application/zip", as_attachment=True, download_name=filename)


@bp.post("/schools/<int:school_id>/offboard/erase")
def erase(school_id):
    """Erase everything the school holds (after an export; the school's name typed to confirm)."""
    db = get_db()
    row = _school_or_404(school_id)
    form = EraseForm()
    export_row = queries.latest_export(db, school_id)
    if rules.school_status(row) == "offboarded":
        return redirect(url_for("console.school", school_id=school_id), 303)
    if export_row is None or export_row["status"] != "done":
        flash("Export everything first: erasing is only possible once an export is ready.", "warning")
        return redirect(url_for("console.offboard", school_id=school_id), 303)
    if not form.validate_on_submit():
        return _offboard_page(row, form, 400)
    if not rules.name_confirmed(form.confirm_name.data, row["name"]):
        form.confirm_name.errors.append(f"That is not the school's name. Type {row['name']} to confirm.")
        return _offboard_page(row, form, 400)
    holdings.erase_school(db, school_id)
    audit_by(db, current_user, "console-school-erase", "school", school_id)
    flash(f"Everything {row['name']} held is erased. Its certificates now verify as no longer held.", "success")
    return redirect(url_for("console.school", school_id=school_id), 303)


@bp.route("/operators", methods=["GET", "POST"])
def operators():
    """The operators, and inviting another (they are e-mailed a one-time link)."""
    db = get_db()
    form = PersonForm()
    if form.validate_on_submit():
        email = form.email.data.strip()
        if queries.email_taken(db, email):
            form.email.errors.append(f"{email} already has an account. Use a different e-mail address.")
        else:
            first, last = " ".join(form.first_name.data.split()), " ".join(form.last_name.data.split())
            person_id = queries.add_pending_admin(db, current_user.school_id, first, last, email)
            send_invite(db, db["people"].get(person_id), None, "operator", current_user.id)
            audit_by(db, current_user, "console-operator-invite", "staff", person_id)
            flash(f"An invite is on its way to {first} {last} at {email}.", "success")
            return redirect(url_for("console.operators"), 303)
    page = render_template("console/operators.html", form=form, button=ConfirmForm(),
                           operators=queries.admins(db, current_user.school_id))  # fmt: skip
    return page, 400 if form.errors else 200


@bp.post("/operators/<int:person_id>/resend")
def resend_operator_invite(person_id):
    """A new invite link for an operator who has not accepted theirs; the old link stops working."""
    db = get_db()
    person = queries.pending_person(db, person_id, current_user.school_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        send_invite(db, person, None, "operator", current_user.id)
        audit_by(db, current_user, "console-invite-resend", "staff", person_id)
        flash(f"A new invite is on its way to {person['email']}. The old link no longer works.", "success")
    return redirect(url_for("console.operators"), 303)
