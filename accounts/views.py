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
from flask_login import current_user, login_required, login_user

from accounts.demo import DEMO_SIGN_INS
from accounts.forms import SignInForm
from accounts.passwords import password_matches
from accounts.queries import person_by_login, touch_person
from accounts.users import User, sign_out_everywhere
from db import get_db
from extensions import limiter

bp = Blueprint("accounts", __name__)

SIGN_IN_FAILED = "That username or e-mail and password don't match. Check them and try again."
TOO_MANY_TRIES = (
    "Too many tries in a short time. Wait a minute, then try again. "
    "If you have forgotten your password, ask your teacher to reset it."
)


# How often "last active" is written: often enough for a teacher's dashboard, rarely enough
# that reading a lesson is not a write per page.
LAST_ACTIVE_EVERY = timedelta(minutes=5)


@bp.before_app_request
def note_activity():
    """Keep people.last_active_at to within a few minutes, for teachers' dashboards."""
    # Stylesheets and scripts say nothing about activity; skipping them saves a user query each.
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    last = current_user.row["last_active_at"]
    if last is None or datetime.fromisoformat(last) < datetime.now(UTC) - LAST_ACTIVE_EVERY:
        touch_person(get_db(), current_user.id)


def sign_in_key():
    """Rate-limit per address *and* name: a whole class shares one school IP address."""
    return f"{request.remote_addr}|{request.form.get('name', '').strip().lower()}"


def home_for(user):
    """Where a person lands after signing in."""
    return url_for("training.course") if user.is_pupil else url_for("classroom.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT"],
    key_func=sign_in_key,
    methods=["POST"],
    # Only failed sign-ins count: a success redirects.
    deduct_when=lambda response: response.status_code != 303,
)
def sign_in():
    """The sign-in page, for pupils and staff."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        row = person_by_login(get_db(), form.name.data)
        if row and password_matches(row["password_hash"], form.password.data):
            user = User(row)
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or home_for(user), 303)
        form.password.errors.append(SIGN_IN_FAILED)
    return render_sign_in(form)


def render_sign_in(form, status=200, error=None):
    """The sign-in page with `form` as typed; demo sign-ins only in demo mode."""
    demo = DEMO_SIGN_INS if current_app.config["DEMO_MODE"] else None
    return render_template("accounts/sign_in.html", form=form, demo=demo, error=error), status


@bp.app_errorhandler(429)
def too_many_requests(error):
    """429 on the sign-in page: the same page, the name kept, a clear message."""
    if request.endpoint != "accounts.sign_in":
        return render_template("error.html", code=429, error=error), 429
    form = SignInForm(formdata=None, name=request.form.get("name", ""))
    return render_sign_in(form, 429, TOO_MANY_TRIES)


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
    """Sign out (every session of this person ends) and return to the sign-in page."""
    sign_out_everywhere()
    flash("You have signed out.", "info")
    return redirect(url_for("accounts.sign_in"), 303)
