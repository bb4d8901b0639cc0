"""The one-time invite link (/invite/<token>): the invited person chooses a password, sets up two-step
sign-in (they are admins), and is signed in. Public: the link is the key, and it works once."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, redirect, render_template

from accounts import mfa_views, throttle
from accounts.passwords import hash_password
from accounts.queries import person_by_id
from accounts.signing_in import home_for, start_signed_in
from console import queries, rules
from console.forms import ChoosePasswordForm
from db import get_db

bp = Blueprint("invites", __name__)


def _gone(state):
    """The friendly page for a link that cannot be used: what happened and what to do."""
    return render_template("console/invite_gone.html", reason=rules.INVITE_GONE[state]), 404


def _state(invite):
    state = rules.invite_state(invite, datetime.now(UTC))
    if state == "open" and (invite["archived_at"] or invite["suspended_at"] or invite["offboarded_at"]):
        return "withdrawn"  # the person left, or the school is paused: the link no longer leads anywhere
    return state


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept(token):
    """Choose a password through an invite link, then two-step set-up, then signed in."""
    db = get_db()
    invite = queries.invite_by_token(db, token)
    state = _state(invite)
    if state != "open":
        return _gone(state)
    form = ChoosePasswordForm()
    problem = None
    if form.validate_on_submit():
        problem = rules.password_problem(form.password.data, form.confirm.data, invite["email"])
        if problem is None:
            # Hashed before the write lock; the conditional UPDATE makes the link single-use.
            person_id = queries.accept_invite(db, token, hash_password(form.password.data))
            if person_id is None:
                return _gone(_state(queries.invite_by_token(db, token)))
            person = person_by_id(db, person_id)
            if mfa_views.code_step_needed(person):
                key = throttle.name_key(current_app.config["SECRET_KEY"], person["email"])
                return mfa_views.begin_code_step(person, key, None)
            return redirect(home_for(start_signed_in(person)), 303)
        form.password.errors.append(problem)
    status = 400 if form.errors else 200
    return render_template("console/invite.html", invite=invite, form=form), status
