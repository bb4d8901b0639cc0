"""What every way of signing in shares: the sign-in page, where a person lands, starting the session, the
throttle's settings and the device cookie. The password, two-step, provider, invite and class-code views use it."""

from urllib.parse import urlsplit

from flask import current_app, render_template, request, url_for
from flask_login import login_user

from accounts import throttle
from accounts.demo import DEMO_SIGN_INS
from accounts.oidc import configured_providers
from accounts.oidc_rules import PROVIDER_NAMES
from accounts.queries import school_by_id
from accounts.sessions import device_summary
from accounts.stores import failure_store as store_for_failures
from accounts.stores import session_store
from accounts.users import User
from db import get_db
from languages import lazy_gettext as _l

# Said only after a correct password (a school suspended, m021), so it tells nobody else whether the name exists.
SCHOOL_PAUSED = _l("Your school's account is paused. Ask your school's office.")
# The same words whoever is paused and why: they never tell whether the name exists.
TOO_MANY_TRIES = (
    "Signing in is paused here for a little while, because of too many wrong tries. "
    "Wait {minutes} minutes, then try again. If you are stuck, ask your teacher: they can help you sign in."
)


def throttle_on():
    """Whether sign-in failures are counted and limited (tests turn it off unless testing it)."""
    setting = current_app.config["SIGN_IN_THROTTLE"]
    return current_app.config.get("RATELIMIT_ENABLED", True) if setting is None else setting


def failure_store():
    """Where failures are counted, shared by every worker and server: Redis if REDIS_URL is set, else the database."""
    return store_for_failures(get_db(), current_app.config["SIGN_IN_WINDOW"])


def device_max_age():
    """How long the device cookie lasts, in seconds."""
    return current_app.config["DEVICE_COOKIE_DAYS"] * 24 * 60 * 60


# Where the people of a trust or of the operator's team start (m021); a school's staff start at their classes.
HOME_BY_KIND = {"operator": "console.home", "trust": "trusts.home"}


def home_for(user):
    """Where a person lands after signing in."""
    if user.is_pupil:
        return url_for("training.course")
    return url_for(HOME_BY_KIND.get(user.school_kind, "classroom.home"))


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


def set_device_cookie(response, key, cookie):
    """Remember that this browser signed in with this name (OWASP device cookie): signed, HttpOnly."""
    config = current_app.config
    value = throttle.device_cookie_after_sign_in(
        config["SECRET_KEY"], cookie, key, device_max_age(), config["DEVICE_COOKIE_NAMES"]
    )
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        value,
        max_age=device_max_age(),
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


def safe_next(target):
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
