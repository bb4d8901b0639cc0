"""Joining a class with its code (/join, endpoint join.join), for pupils who sign in with Google or Microsoft.

Two people use it: someone who just signed in with Google or Microsoft and has no account here
yet (session["oidc_pending"], set by the provider sign-in): joining makes their pupil account in
the class's school, links the provider identity and signs them in, all in one transaction; and a
signed-in pupil joining another class of their school. Anyone else is told to sign in first.
Wrong codes are counted per account (pending identity or pupil), never per address.

The route is on this module's own blueprint, `join`.
"""

import secrets
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from accounts import throttle
from accounts.forms import JoinForm
from accounts.oidc import configured_providers
from accounts.oidc_rules import PROVIDER_NAMES
from accounts.passwords import hash_password
from accounts.signing_in import start_signed_in
from classroom import class_codes, code_queries, roster
from db import get_db
from languages import lazy_gettext as _l

bp = Blueprint("join", __name__)

PENDING = "oidc_pending"
# A provider sign-in waiting for its class code is kept this long, then started again.
PENDING_FOR = timedelta(minutes=15)

NOT_A_CODE = _l("A class code has 8 letters and numbers, like KXR7-PMQ4. Check what you typed and try again.")
WRONG_CODE = _l("There's no class with that code. Check each letter and number with your teacher, then try again.")
NOT_IN_USE = _l("This code is not in use; ask your teacher for the class's code.")
OTHER_SCHOOL = _l("This code is for a class at a different school. Check the code with your teacher.")
# Filled in where used (`OTHER_SCHOOL_ACCOUNT % {"account": ...}`), once translated.
OTHER_SCHOOL_ACCOUNT = _l(
    "This code is for a class at a different school from the account you signed in with (%(account)s). "
    "Check the code, and that you used your school account."
)
TOO_MANY_CODES = _l(
    "That's a lot of codes that didn't work, so joining is paused for a little while. "
    "Wait %(minutes)s minutes, then try again. Your teacher can check the code with you."
)


def _throttle_on():
    """Whether wrong codes are counted and limited (tests turn it off unless testing it)."""
    setting = current_app.config["CLASS_CODE_THROTTLE"]
    return current_app.config.get("RATELIMIT_ENABLED", True) if setting is None else setting


def _pending():
    """(the pending provider sign-in or None, whether one was there but too old). A stale one is dropped."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None, False
    try:
        started = datetime.fromisoformat(pending["started_at"])
        if started.tzinfo is None:  # db.now() writes UTC with its offset; a bare time is UTC too
            started = started.replace(tzinfo=UTC)
        complete = all(pending.get(k) for k in ("provider", "issuer", "subject")) and bool(pending_schools(pending))
    except (KeyError, TypeError, ValueError):
        started, complete = None, False
    if not complete or started < datetime.now(UTC) - PENDING_FOR:
        session.pop(PENDING, None)
        return None, True
    return pending, False


def pending_schools(pending):
    """The schools a pending provider sign-in may join a class at: the one that lists its tenant, or each school
    that lists a shared one (Hwb)."""
    schools = pending.get("schools") or ([pending["school_id"]] if pending.get("school_id") else [])
    return [school for school in schools if isinstance(school, int)]


def _try_key(pending):
    """Whose wrong codes these are: the pending identity, or the signed-in pupil (keyed, never stored plainly)."""
    who = f"pending {pending['issuer']} {pending['subject']}" if pending else f"person {current_user.id}"
    return "code:" + throttle.name_key(current_app.config["SECRET_KEY"], who)


def _names(pending):
    """(first, last) for a new pupil from the provider's names, tidied and cut to the roster's limit."""
    first = roster.tidy(pending.get("given_name") or "")[: roster.MAX_NAME]
    last = roster.tidy(pending.get("family_name") or "")[: roster.MAX_NAME]
    if not first:  # a provider may leave names out: the e-mail's name part, or a plain word
        first = roster.tidy((pending.get("email") or "").split("@")[0])[: roster.MAX_NAME] or "Pupil"
    return first, last


def unusable_password_hash():
    """A hash of a random password nobody is told: they sign in with their provider until a teacher
    resets their password. A real hash, so signing in as them takes as long as for anyone else."""
    return hash_password(secrets.token_urlsafe(32))


def _account(pending):
    """How the page names the account someone signed in with: its e-mail, else the provider."""
    if pending.get("email"):
        return pending["email"]
    provider = PROVIDER_NAMES.get(pending["provider"])
    return gettext("your %(provider)s account", provider=provider) if provider else gettext("your school account")


@bp.route("/join", methods=["GET", "POST"])
def join():
    """Join a class with its code: a new pupil from a provider sign-in, or a pupil joining another class."""
    typed = (request.args.get("code") or "")[:40]
    if current_user.is_authenticated and not current_user.is_pupil:
        return render_template("accounts/join.html", who="staff")
    pending = None
    if not current_user.is_authenticated:
        pending, expired = _pending()
        if pending is None:
            # The sign-in buttons come back here, with the code from the QR link still in the address.
            next_url = url_for("join.join", code=typed) if typed else url_for("join.join")
            return render_template("accounts/join.html", who="nobody", expired=expired, next_url=next_url,
                                   sign_in_url=url_for("accounts.sign_in", next=next_url),
                                   providers=configured_providers(), provider_names=PROVIDER_NAMES)  # fmt: skip
    form = JoinForm() if request.method == "POST" else JoinForm(code=typed)
    error, status = None, 200
    if form.validate_on_submit():
        response, error, status = _try_join(form.code.data, pending)
        if response is not None:
            return response
    elif form.errors:
        status = 400
    return render_template(
        "accounts/join.html",
        who="pending" if pending else "pupil",
        form=form,
        error=error,
        pending=pending,
        account=_account(pending) if pending else None,
    ), status


def _try_join(typed, pending):
    """(a redirect, or None with the error to show and its status) for the code as typed."""
    db, config = get_db(), current_app.config
    key, window = _try_key(pending), config["SIGN_IN_WINDOW"]
    counting = _throttle_on()
    if counting and code_queries.wrong_codes(db, key, window) >= config["CLASS_CODE_TRY_LIMIT"]:
        return None, TOO_MANY_CODES % {"minutes": window // 60}, 429
    code = class_codes.normalise(typed)
    if code is None:  # not a code at all: a typo, not a guess, so not counted
        return None, NOT_A_CODE, 400
    row = code_queries.code_with_class(db, code)
    # A provider sign-in may join at a school that lists its tenant: one, or each that lists a shared one (Hwb).
    schools = pending_schools(pending) if pending else [current_user.school_id]
    if row is None or row["school_id"] not in schools:
        if counting:
            code_queries.record_wrong_code(db, key, window)
        if row is None:
            return None, WRONG_CODE, 400
        return None, (OTHER_SCHOOL_ACCOUNT % {"account": _account(pending)} if pending else OTHER_SCHOOL), 400
    if row["class_archived_at"] or class_codes.state(row, datetime.now(UTC)) != class_codes.ON:
        return None, NOT_IN_USE, 400
    if pending:
        return _join_as_new_pupil(db, code, pending, row)
    return _join_as_pupil(db, code, row)


def _join_as_new_pupil(db, code, pending, row):
    first, last = _names(pending)
    result, person = code_queries.create_joined_pupil(
        db, code, pending, pending_schools(pending), first, last, unusable_password_hash()
    )
    if result == "not-live":
        return None, NOT_IN_USE, 400
    session.pop(PENDING, None)
    if result == "linked":  # joined meanwhile in another tab: their account exists now
        flash(gettext("Your account is already set up. Sign in again to carry on."), "info")
        return redirect(url_for("accounts.sign_in"), 303), None, 303
    start_signed_in(person)
    flash(gettext("Welcome, %(name)s. You've joined %(class)s.", name=first, **{"class": row["class_name"]}), "success")
    return redirect(url_for("training.course"), 303), None, 303


def _join_as_pupil(db, code, row):
    result = code_queries.join_class(db, code, current_user.id, current_user.school_id)
    if result == "not-live":
        return None, NOT_IN_USE, 400
    if result == "already":
        flash(gettext("You're already in %(class)s.", **{"class": row["class_name"]}), "info")
    else:
        flash(gettext("You've joined %(class)s.", **{"class": row["class_name"]}), "success")
    return redirect(url_for("training.course"), 303), None, 303
