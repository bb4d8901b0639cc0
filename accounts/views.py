"""Signing in and out."""

from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, logout_user

from accounts import mfa_views, throttle
from accounts.forms import SignInForm, SignOutEverywhereForm
from accounts.passwords import dummy_password_hash, password_matches
from accounts.queries import person_by_login
from accounts.sessions import session_key
from accounts.signing_in import (
    SCHOOL_PAUSED,
    TOO_MANY_TRIES,
    device_max_age,
    failure_store,
    home_for,
    render_sign_in,
    safe_next,
    school_paused,
    set_device_cookie,
    start_signed_in,
    throttle_on,
)
from accounts.stores import session_store
from accounts.users import account_required
from db import get_db
from languages import lazy_gettext as _l

bp = Blueprint("accounts", __name__)

SIGN_IN_FAILED = _l("That username or e-mail and password don't match. Check them and try again.")


# How often "last active" is written: often enough for a teacher's dashboard, rarely enough
# that reading a lesson is not a write per page.
LAST_ACTIVE_EVERY = timedelta(minutes=5)


@bp.before_app_request
def note_activity():
    """Keep the session's last use and people.last_active_at to within a few minutes."""
    # Stylesheets and scripts say nothing about activity; skipping them saves a user query each.
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    last = current_user.row["session_seen_at"]
    if datetime.fromisoformat(last) < datetime.now(UTC) - LAST_ACTIVE_EVERY:
        session_store(get_db()).touch(current_user.session_id, current_user.id)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in page, for pupils and staff."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_sign_in(form)
    config, db = current_app.config, get_db()
    key = throttle.name_key(config["SECRET_KEY"], form.name.data)
    cookie = request.cookies.get(throttle.DEVICE_COOKIE)
    device = throttle.device_for(config["SECRET_KEY"], cookie, key, device_max_age())
    address = request.remote_addr or ""
    counting = throttle_on()
    if counting:
        counts = failure_store().counts(key, address, device)
        if throttle.is_paused(counts, throttle.Limits.from_config(config), trusted=device is not None):
            message = TOO_MANY_TRIES.format(minutes=config["SIGN_IN_WINDOW"] // 60)
            return render_sign_in(SignInForm(formdata=None, name=form.name.data), 429, message)

    row = person_by_login(db, form.name.data)
    # An unknown name is checked against a dummy hash: a wrong password takes as long either way.
    matches = password_matches(row["password_hash"] if row else dummy_password_hash(), form.password.data)
    if row and matches:
        if school_paused(db, row):
            return render_sign_in(SignInForm(formdata=None, name=form.name.data), 403, SCHOOL_PAUSED)
        # Two-step sign-in lives here, in the password path only: Google and Microsoft sign-ins
        # rely on the provider's own checks and call start_signed_in directly.
        if mfa_views.code_step_needed(row):
            return mfa_views.begin_code_step(row, key, safe_next(request.args.get("next")))
        user = start_signed_in(row)
        response = redirect(safe_next(request.args.get("next")) or home_for(user), 303)
        set_device_cookie(response, key, cookie)
        return response
    if counting:
        failure_store().record(key, address, device)
    form.password.errors.append(SIGN_IN_FAILED)
    return render_sign_in(form)


@bp.app_errorhandler(429)
def too_many_requests(error):
    """429 from Flask-Limiter on the routes it still limits."""
    return render_template("error.html", code=429, error=error), 429


@bp.post("/sign-out")
@login_required
def sign_out():
    """Sign out (this session ends on the server) and return to the sign-in page."""
    logout_user()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("accounts.sign_in"), 303)


@bp.get("/account")
@account_required
def account():
    """The staff member's account: where they are signed in, and signing out everywhere."""
    sessions = session_store(get_db()).live(current_user.id)
    return render_template(
        "accounts/account.html",
        sessions=sessions,
        this_session=session_key(current_user.session_id),
        form=SignOutEverywhereForm(),
    )


@bp.post("/account/sign-out-everywhere")
@account_required
def sign_out_everywhere():
    """End every session of this person, this one included (a lost phone, a shared computer)."""
    if not SignOutEverywhereForm().validate_on_submit():
        return redirect(url_for("accounts.account"), 303)
    session_store(get_db()).end_all(current_user.id)
    logout_user()
    flash(gettext("You have signed out on every computer and phone."), "info")  # the sign-in page's language
    return redirect(url_for("accounts.sign_in"), 303)
