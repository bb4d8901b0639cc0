"""The operator's trust screens (their own blueprint, `trust_console`, under /console/trusts): create and rename a
trust, put schools in or take them out (a school is in at most one trust), invite a trust lead.

Every change is in the operator's audit log; putting a school in or taking it out is in that school's
log too, so its own staff can see when a trust began (or stopped) seeing its figures.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from accounts.users import operator_required
from audit import audit, audit_by
from classroom.queries import email_taken
from classroom.roster import tidy
from db import get_db
from forms import ConfirmForm
from trusts import queries
from trusts.forms import LeadForm, PutInForm, TrustNameForm
from trusts.invites import invite_trust_lead

bp = Blueprint("trust_console", __name__)


def _trust_or_404(trust_id):
    return queries.trust(get_db(), trust_id) or abort(404)


@bp.route("/console/trusts", methods=["GET", "POST"])
@operator_required
def console_trusts():
    """Every trust, with its schools and leads counted, and a form to create one."""
    db = get_db()
    form = TrustNameForm()
    if form.validate_on_submit():
        name = tidy(form.name.data)
        if queries.trust_name_taken(db, name):
            form.name.errors.append(f"There is already a trust called {name}.")
        else:
            trust_id = queries.create_trust(db, name)
            audit_by(db, current_user, "trust-create", "trust", trust_id)
            flash(f"{name} is created. Put its schools in and invite its lead.", "success")
            return redirect(url_for("trust_console.console_trust", trust_id=trust_id), 303)
    status = 400 if form.errors else 200
    return render_template("trusts/console_trusts.html", form=form, trusts=queries.trusts(db)), status


def _put_in_form(db):
    form = PutInForm(prefix="put")
    form.school_id.choices = [SelectChoice("", "Choose a school")] + [
        SelectChoice(str(s["id"]), s["name"]) for s in queries.schools_without_trust(db)
    ]
    return form


def _trust_page(trust, rename=None, put_in=None, lead=None):
    """The trust's page, with any form that came back with errors (then 400)."""
    db = get_db()
    rename = rename or TrustNameForm(prefix="rename", data={"name": trust["name"]})
    put_in = put_in or _put_in_form(db)
    lead = lead or LeadForm(prefix="lead")
    errors = any(f.errors for f in (rename, put_in, lead))
    return render_template(
        "trusts/console_trust.html",
        trust=trust,
        schools=queries.schools_in(db, trust["id"]),
        leads=queries.leads(db, trust["id"]),
        rename=rename,
        put_in=put_in,
        lead=lead,
    ), (400 if errors else 200)


@bp.get("/console/trusts/<int:trust_id>")
@operator_required
def console_trust(trust_id):
    """One trust: rename it, its schools (put in, take out), its leads (invite)."""
    return _trust_page(_trust_or_404(trust_id))


@bp.post("/console/trusts/<int:trust_id>/name")
@operator_required
def console_rename(trust_id):
    """Rename the trust."""
    db = get_db()
    trust = _trust_or_404(trust_id)
    form = TrustNameForm(prefix="rename")
    if form.validate_on_submit():
        name = tidy(form.name.data)
        if queries.trust_name_taken(db, name, trust_id):
            form.name.errors.append(f"There is already a trust called {name}.")
        else:
            queries.rename_trust(db, trust_id, name)
            audit_by(db, current_user, "trust-rename", "trust", trust_id)
            flash(f"{trust['name']} is now called {name}.", "success")
            return redirect(url_for("trust_console.console_trust", trust_id=trust_id), 303)
    return _trust_page(trust, rename=form)


@bp.post("/console/trusts/<int:trust_id>/schools")
@operator_required
def console_put_in(trust_id):
    """Put a school that is in no trust into this one."""
    db = get_db()
    trust = _trust_or_404(trust_id)
    form = _put_in_form(db)
    if form.validate_on_submit():
        school_id = int(form.school_id.data)
        if queries.put_in(db, trust_id, school_id):
            audit_by(db, current_user, "trust-school-in", "school", school_id)
            audit(db, school_id, current_user.id, "trust-school-in", "trust", trust_id)
            flash("The school is in the trust: its lead now sees the school's figures (never a pupil).", "success")
            return redirect(url_for("trust_console.console_trust", trust_id=trust_id), 303)
        form.school_id.errors.append("That school is in a trust already. Take it out of that trust first.")
    return _trust_page(trust, put_in=form)


@bp.post("/console/trusts/<int:trust_id>/schools/<int:school_id>/out")
@operator_required
def console_take_out(trust_id, school_id):
    """Take a school out of the trust: its lead no longer sees the school's figures."""
    db = get_db()
    _trust_or_404(trust_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not queries.take_out(db, trust_id, school_id):
        abort(404)  # not in this trust
    audit_by(db, current_user, "trust-school-out", "school", school_id)
    audit(db, school_id, current_user.id, "trust-school-out", "trust", trust_id)
    flash("The school is out of the trust.", "success")
    return redirect(url_for("trust_console.console_trust", trust_id=trust_id), 303)


@bp.post("/console/trusts/<int:trust_id>/leads")
@operator_required
def console_invite_lead(trust_id):
    """Invite a trust lead by e-mail: they choose a password from a one-time link."""
    db = get_db()
    trust = _trust_or_404(trust_id)
    form = LeadForm(prefix="lead")
    if form.validate_on_submit():
        email = form.email.data.strip()
        if email_taken(db, email):
            form.email.errors.append(f"{email} already has an account.")
        else:
            first, last = tidy(form.first_name.data), tidy(form.last_name.data)
            invite_trust_lead(db, trust, first, last, email, current_user)
            flash(f"{first} {last} is invited: an e-mail with a one-time link is on its way to {email}.", "success")
            return redirect(url_for("trust_console.console_trust", trust_id=trust_id), 303)
    return _trust_page(trust, lead=form)
