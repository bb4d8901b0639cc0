"""Signing in and out."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from accounts import throttle
from accounts.demo import DEMO_SIGN_INS
from accounts.forms import SignInForm, SignOutEverywhereForm
from accounts.oidc import configured_providers
from accounts.oidc_rules import PROVIDER_NAMES
from accounts.passwords import dummy_password_hash, password_matches
from accounts.queries import person_by_login, school_by_id
from accounts.sessions import device_summary, session_key
from accounts.stores import failure_store as store_for_failures
from accounts.stores import session_store
from accounts.users import User, account_required
from db import get_db

bp = Blueprint("accounts", __name__)

# Said only after a correct password (m021, issue 11), so it tells nobody else whether the name exists.
SCHOOL_PAUSED = "Your school's account is paused. Ask your school's office."
SIGN_IN_FAILED = "That username or e-mail and password don't match. Check them and try again."
# The same words whoever is paused and why: they never tell whether the name exists.
TOO_MANY_TRIES = (
    "Signing in is paused here for a little while, because of too many wrong tries. "
    "Wait {minutes} minutes, then try again. If you are stuck, ask your teacher: they can help you sign in."
)


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


def throttle_on():
    """Whether sign-in failures are counted and limited (tests turn it off unless testing it)."""
    setting = current_app.config["SIGN_IN_THROTTLE"]
    return current_app.config.get("RATELIMIT_ENABLED", True) if setting is None else setting


def failure_store():
    """Where failures are counted, shared by every worker and server: Redis if REDIS_URL is set, else the database."""
    return store_for_failures(get_db(), current_app.config["SIGN_IN_WINDOW"])


def _device_max_age():
    return current_app.config["DEVICE_COOKIE_DAYS"] * 24 * 60 * 60


# Where the people of a trust or of the operator's team start (m021); a school's staff start at their classes.
HOME_BY_KIND = {"operator": "console.home", "trust": "trusts.home"}


def home_for(user):
    """Where a person lands after signing in."""
    if user.is_pupil:
        return url_for("training.course")
    return url_for(HOME_BY_KIND.get(user.school_kind, "classroom.home"))


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
    device = throttle.device_for(config["SECRET_KEY"], cookie, key, _device_max_age())
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
        _set_device_cookie(response, key, cookie)
        return response
    if counting:
        failure_store().record(key, address, device)
    form.password.errors.append(SIGN_IN_FAILED)
    return render_sign_in(form)


def school_paused(db, row):
    """Whether the person's school is suspended (or offboarded): they cannot sign in until it is restored."""
    school = school_by_id(db, row["school_id"])
    return school is None or bool(school["suspended_at"] or school["offboarded_at"])


def start_signed_in(row):
    """Sign `row`'s person in: a new server-side session and Flask-Login's cookie. Returns the User.

    Every way of signing in (password, Google, Microsoft, joining with a class code) ends here.
    """
    user_agent = device_summary(request.headers.get("User-Agent"))
    if "school_kind" not in row:  # a people row alone: where they land depends on their organisation's kind
        school = school_by_id(get_db(), row["school_id"])
        row = dict(row, school_kind=school["kind"] if school else "school")
    session_id = session_store(get_db()).start(row["id"], user_agent)
    user = User(row, session_id)
    login_user(user)
    return user


def _set_device_cookie(response, key, cookie):
    """Remember that this browser signed in with this name (OWASP device cookie): signed, HttpOnly."""
    config = current_app.config
    value = throttle.device_cookie_after_sign_in(
        config["SECRET_KEY"], cookie, key, _device_max_age(), config["DEVICE_COOKIE_NAMES"]
    )
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        value,
        max_age=_device_max_age(),
        path=url_for("accounts.sign_in"),
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def render_sign_in(form, status=200, error=None):
    """The sign-in page with `form` as typed; demo sign-ins only in demo mode."""
    demo = DEMO_SIGN_INS if current_app.config["DEMO_MODE"] else None
    return render_template(
        "accounts/sign_in.html",
        form=form,
        demo=demo,
        error=error,
        providers=configured_providers(),
        provider_names=PROVIDER_NAMES,
        next_path=safe_next(request.args.get("next")),
    ), status


@bp.app_errorhandler(429)
def too_many_requests(error):
    """429 from Flask-Limiter on the routes it still limits."""
    return render_template("error.html", code=429, error=error), 429


def safe_next(target):
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.post("/sign-out")
@login_required
def sign_out():
    """Sign out (this session ends on the server) and return to the sign-in page."""
    logout_user()
    flash("You have signed out.", "info")
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
    flash("You have signed out on every computer and phone.", "info")
    return redirect(url_for("accounts.sign_in"), 303)


# The two-step sign-in routes (on this blueprint); imported last, as they use what is above.
from accounts import mfa_views  # noqa: E402
