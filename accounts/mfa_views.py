"""Two-step sign-in for staff who sign in with a password: the code step, setting up an
authenticator app, recovery codes, the admin reset and the school's setting for teachers.

Only the password path (accounts.views.sign_in) sends anyone here: sign-ins through Google or
Microsoft rely on the provider's own two-step checks and go straight to start_signed_in.
"""

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from accounts import mfa, throttle
from accounts import mfa_queries as queries
from accounts.demo import DEMO_MFA_EMAILS
from accounts.forms import SignInForm
from accounts.mfa_forms import CodeForm, MfaSettingForm, NewCodeForm, SavedForm
from accounts.queries import person_by_id, school_by_id, staff_in_school
from accounts.signing_in import (
    TOO_MANY_TRIES,
    device_max_age,
    failure_store,
    home_for,
    render_sign_in,
    safe_next,
    set_device_cookie,
    start_signed_in,
    throttle_on,
)
from accounts.stores import session_store
from accounts.users import account_required, role_required
from audit import audit_by
from db import get_db
from forms import ConfirmForm
from languages import lazy_gettext as _l
from outbox.tasks import queue_mail
from urls import public_url

bp = Blueprint("mfa", __name__)

PENDING_KEY = "mfa_pending"
ACCOUNT_KEY = "mfa_account"
WRONG_CODE = _l("That code is not right. Check your app and type the code it shows now.")
REPLAYED_CODE = _l("That code was used already. Wait for your app to show a new code, then type that one.")
TOO_SLOW = _l("That took longer than 10 minutes, so please sign in again.")
TOO_MANY_CODES = _l("Too many wrong codes. Please sign in again.")
TOO_MANY_CODES_TO_START = _l("Too many wrong codes. Please start again.")
KEY_CHANGED = _l(
    "Your authenticator app's set-up can no longer be read here (the site's key was changed). "
    "Use a recovery code, or ask an admin to reset your authenticator."
)

admin_required = role_required("admin")


# --- Rules that need the app's settings ------------------------------------------------------------


def _secret_of(row):
    """The person's TOTP secret, or None; a secret read with a fallback key is stored again under the current one."""
    config = current_app.config
    stored = row["totp_secret"]
    secret = mfa.decrypt_secret(stored, config["SECRET_KEY"], config.get("SECRET_KEY_FALLBACKS") or ())
    if secret and mfa.decrypt_secret(stored, config["SECRET_KEY"]) is None:
        queries.reencrypt_secret(get_db(), row["id"], stored, mfa.encrypt_secret(secret, config["SECRET_KEY"]))
    return secret


def _required_for(row):
    """Whether this member of staff must use an authenticator (config and school setting)."""
    return mfa.required(
        row["role"], current_app.config["STAFF_MFA"], queries.mfa_for_teachers(get_db(), row["school_id"])
    )


def code_step_needed(row):
    """Whether a password sign-in for `row` stops at the code step (called only by the password path)."""
    if not current_app.config["STAFF_MFA"] or row["role"] == "pupil":
        return False
    return bool(row["totp_secret"]) or _required_for(row)


def begin_code_step(row, name_key, next_url):
    """Keep the half-finished sign-in in the session and go to the code (or set-up) step."""
    db = get_db()
    token = queries.start_pending(db, row["id"], "sign-in")
    started_at = queries.pending(db, token)["started_at"]
    session[PENDING_KEY] = {
        "token": token,
        "person_id": row["id"],
        "next": next_url,
        "started_at": started_at,
        "name_key": name_key,
    }
    endpoint = "mfa.mfa_code" if row["totp_secret"] else "mfa.mfa_set_up"
    return redirect(url_for(endpoint), 303)


def _issuer(row):
    school = school_by_id(get_db(), row["school_id"])
    return school["name"] if school else "Safeguarding training"


def _qr(uri):
    # A data: URI image: the strict CSP allows img-src data:, and nothing leaves the server.
    return segno.make(uri, error="m").svg_data_uri(dark="#000", light="#fff", scale=5, border=2)


def _throttle_context(name_key):
    """(name key, address, device) for counting wrong codes with the sign-in throttle."""
    config = current_app.config
    cookie = request.cookies.get(throttle.DEVICE_COOKIE)
    device = throttle.device_for(config["SECRET_KEY"], cookie, name_key, device_max_age())
    return name_key, request.remote_addr or "", device


def _paused(name_key):
    if not throttle_on():
        return False
    key, address, device = _throttle_context(name_key)
    counts = failure_store().counts(key, address, device)
    limits = throttle.Limits.from_config(current_app.config)
    return throttle.is_paused(counts, limits, trusted=device is not None)


def _count_failure(name_key):
    if throttle_on():
        failure_store().record(*_throttle_context(name_key))


def _name_key_of(row):
    return throttle.name_key(current_app.config["SECRET_KEY"], row["email"] or "")


def check_second_factor(row, code):
    """(ok, error, used_recovery): a code from the person's app (its step not used before) or a recovery code."""
    db = get_db()
    if mfa.looks_like_recovery_code(code):
        ok = queries.use_recovery_code(db, row["id"], code)
        return ok, None if ok else WRONG_CODE, ok
    secret = _secret_of(row)
    if row["totp_secret"] and secret is None:
        return False, KEY_CHANGED, False
    step = mfa.matching_step(secret, code)
    if step is None:
        return False, WRONG_CODE, False
    if not queries.use_step(db, row["id"], step):
        return False, REPLAYED_CODE, False
    return True, None, False


# --- The sign-in's code step -------------------------------------------------------------------------


def _pending_sign_in():
    """(session entry, pending row, person row) of a live pending sign-in, or None."""
    entry = session.get(PENDING_KEY)
    if not entry or mfa.pending_expired(entry.get("started_at")):
        return None
    db = get_db()
    row = queries.pending(db, entry.get("token"))
    if row is None or row["person_id"] != entry.get("person_id") or row["purpose"] != "sign-in":
        return None
    person = person_by_id(db, row["person_id"])
    return (entry, row, person) if person else None


def _back_to_sign_in(message):
    entry = session.pop(PENDING_KEY, None)
    if entry:
        queries.end_pending(get_db(), entry.get("token"))
    flash(str(message), "warning")  # a lazy message is said now, in this request's language
    return redirect(url_for("accounts.sign_in"), 303)


def _demo_code(person):
    """The current code, for the demo school's accounts in demo mode only (never otherwise)."""
    if not current_app.config["DEMO_MODE"] or (person["email"] or "").lower() not in DEMO_MFA_EMAILS:
        return None
    secret = _secret_of(person)
    return mfa.current_code(secret) if secret == mfa.DEMO_TOTP_SECRET else None


def _finish_sign_in(entry, person):
    """Sign in after the second step: end the pending step, start the session, remember the device."""
    queries.end_pending(get_db(), entry["token"])
    session.pop(PENDING_KEY, None)
    user = start_signed_in(person)
    response = redirect(entry.get("next") or home_for(user), 303)
    set_device_cookie(response, entry["name_key"], request.cookies.get(throttle.DEVICE_COOKIE))
    return response


def _wrong_code(entry, name_key):
    """Count a wrong code; True if that was the last try of this pending step."""
    _count_failure(name_key)
    failures = queries.fail_pending(get_db(), entry["token"])
    return failures is None or failures >= mfa.CODE_TRIES


@bp.route("/sign-in/two-step", methods=["GET", "POST"])
def mfa_code():
    """'Enter the code from your authenticator app' (or a recovery code), after the password."""
    found = _pending_sign_in()
    if found is None:
        return _back_to_sign_in(TOO_SLOW)
    entry, _pending, person = found
    if not person["totp_secret"]:
        return redirect(url_for("mfa.mfa_set_up"), 303)
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        if _paused(entry["name_key"]):
            session.pop(PENDING_KEY, None)
            queries.end_pending(get_db(), entry["token"])
            message = TOO_MANY_TRIES.format(minutes=current_app.config["SIGN_IN_WINDOW"] // 60)
            return render_sign_in(SignInForm(formdata=None), 429, message)
        ok, error, used_recovery = check_second_factor(person, form.code.data)
        if ok:
            if used_recovery:
                left = queries.recovery_codes_left(get_db(), person["id"])
                flash(
                    gettext(
                        "You used a recovery code; %(left)s left. You can make new ones on Your account.", left=left
                    ),
                    "info",
                )
            return _finish_sign_in(entry, person)
        if _wrong_code(entry, entry["name_key"]):
            return _back_to_sign_in(TOO_MANY_CODES)
        form.code.errors.append(error)
    status = 400 if form.errors else 200
    return render_template("accounts/mfa_code.html", form=form, demo_code=_demo_code(person)), status


@bp.route("/sign-in/two-step/set-up", methods=["GET", "POST"])
def mfa_set_up():
    """First sign-in of someone who must use an authenticator: add it from a QR code and confirm a code."""
    found = _pending_sign_in()
    if found is None:
        return _back_to_sign_in(TOO_SLOW)
    entry, pending, person = found
    if person["totp_secret"]:
        return redirect(url_for("mfa.mfa_code"), 303)
    return _set_up_screen(entry, pending, person, entry["name_key"], url_for("mfa.mfa_finish"), sign_in=True)


@bp.post("/sign-in/two-step/done")
def mfa_finish():
    """'I have saved them': the recovery codes were shown; now sign in."""
    found = _pending_sign_in()
    if found is None or not SavedForm().validate_on_submit():
        return _back_to_sign_in(TOO_SLOW)
    entry, pending, person = found
    # Proof on the server that this pending step set the authenticator up (not only the cookie's word).
    if not person["totp_set_up_at"] or person["totp_set_up_at"] < pending["started_at"]:
        return redirect(url_for("mfa.mfa_set_up"), 303)
    return _finish_sign_in(entry, person)


def _set_up_screen(entry, pending, person, name_key, continue_url, sign_in):
    """The QR code and typed secret for a new authenticator, then the first code confirms it."""
    db, key = get_db(), current_app.config["SECRET_KEY"]
    secret = mfa.decrypt_secret(pending["new_secret"], key)
    if secret is None:
        secret = mfa.new_secret()
        queries.set_pending_secret(db, entry["token"], mfa.encrypt_secret(secret, key))
    form = NewCodeForm()
    if form.validate_on_submit():
        if sign_in and _paused(name_key):
            return _back_to_sign_in(TOO_MANY_TRIES.format(minutes=current_app.config["SIGN_IN_WINDOW"] // 60))
        step = mfa.matching_step(secret, form.code.data)
        if step is not None:
            codes = mfa.new_recovery_codes()
            queries.set_authenticator(db, person["id"], mfa.encrypt_secret(secret, key), step, codes)
            if not sign_in:
                queries.end_pending(db, entry["token"])
                session.pop(ACCOUNT_KEY, None)
            return render_template("accounts/mfa_recovery_codes.html", codes=codes, continue_url=continue_url,
                                   form=SavedForm(), sign_in=sign_in, set_up=True)  # fmt: skip
        if _wrong_code(entry, name_key):
            if sign_in:
                return _back_to_sign_in(TOO_MANY_CODES)
            session.pop(ACCOUNT_KEY, None)
            queries.end_pending(db, entry["token"])
            flash(str(TOO_MANY_CODES_TO_START), "warning")
            return redirect(url_for("accounts.account"), 303)
        form.code.errors.append(WRONG_CODE)
    uri = mfa.otpauth_uri(secret, _issuer(person), person["email"])
    status = 400 if form.errors else 200
    return render_template("accounts/mfa_set_up.html", form=form, qr=_qr(uri), grouped=mfa.grouped(secret),
                           sign_in=sign_in, required=_required_for(person)), status  # fmt: skip


# --- Your account ----------------------------------------------------------------------------------


def account_status(row):
    """What "Your account" shows about two-step sign-in for `row`."""
    db = get_db()
    return {
        "set_up": bool(row["totp_secret"]),
        "set_up_at": row["totp_set_up_at"],
        "required": _required_for(row),
        "on": bool(current_app.config["STAFF_MFA"]),
        "codes_left": queries.recovery_codes_left(db, row["id"]) if row["totp_secret"] else 0,
    }


def _account_pending():
    entry = session.get(ACCOUNT_KEY)
    if not entry or mfa.pending_expired(entry.get("started_at")):
        return None, None
    row = queries.pending(get_db(), entry.get("token"))
    if row is None or row["person_id"] != current_user.id or row["purpose"] != "account":
        return None, None
    return entry, row


@bp.route("/account/two-step", methods=["GET", "POST"])
@account_required
def mfa_account_set_up():
    """Set up an authenticator, or set it up again (a code from the old one first, then a new secret)."""
    db = get_db()
    person = person_by_id(db, current_user.id)
    entry, pending = _account_pending()
    if entry is None:
        token = queries.start_pending(db, person["id"], "account")
        entry = {"token": token, "started_at": queries.pending(db, token)["started_at"]}
        session[ACCOUNT_KEY] = entry
        pending = queries.pending(db, token)
    name_key = _name_key_of(person)
    if person["totp_secret"] and not entry.get("proved"):
        form = CodeForm()
        if form.validate_on_submit():
            if _paused(name_key):
                flash(TOO_MANY_TRIES.format(minutes=current_app.config["SIGN_IN_WINDOW"] // 60), "warning")
                return redirect(url_for("accounts.account"), 303)
            ok, error, _used = check_second_factor(person, form.code.data)
            if ok:
                session[ACCOUNT_KEY] = dict(entry, proved=True)
                return redirect(url_for("mfa.mfa_account_set_up"), 303)
            if _wrong_code(entry, name_key):
                session.pop(ACCOUNT_KEY, None)
                queries.end_pending(db, entry["token"])
                flash(str(TOO_MANY_CODES_TO_START), "warning")
                return redirect(url_for("accounts.account"), 303)
            form.code.errors.append(error)
        status = 400 if form.errors else 200
        return render_template("accounts/mfa_prove.html", form=form, purpose="again"), status
    return _set_up_screen(entry, pending, person, name_key, url_for("accounts.account"), sign_in=False)


@bp.route("/account/two-step/recovery-codes", methods=["GET", "POST"])
@account_required
def mfa_new_recovery_codes():
    """New recovery codes (after a code from the app); the old ones stop working."""
    db = get_db()
    person = person_by_id(db, current_user.id)
    if not person["totp_secret"]:
        return redirect(url_for("accounts.account"), 303)
    name_key = _name_key_of(person)
    form = CodeForm()
    if form.validate_on_submit():
        if _paused(name_key):
            flash(TOO_MANY_TRIES.format(minutes=current_app.config["SIGN_IN_WINDOW"] // 60), "warning")
            return redirect(url_for("accounts.account"), 303)
        ok, error, _used = check_second_factor(person, form.code.data)
        if ok:
            codes = mfa.new_recovery_codes()
            queries.replace_recovery_codes(db, person["id"], codes)
            return render_template("accounts/mfa_recovery_codes.html", codes=codes,
                                   continue_url=url_for("accounts.account"), form=None, sign_in=False,
                                   set_up=False)  # fmt: skip
        _count_failure(name_key)
        form.code.errors.append(error)
    status = 400 if form.errors else 200
    return render_template("accounts/mfa_prove.html", form=form, purpose="codes"), status


# --- Admins: reset someone's authenticator; the school's setting -------------------------------------


@bp.route("/staff/<int:person_id>/reset-authenticator", methods=["GET", "POST"])
@admin_required
def reset_authenticator(person_id):
    """Clear a member of staff's authenticator and recovery codes and end their sessions (a lost phone)."""
    db = get_db()
    person = staff_in_school(db, current_user.school_id, person_id) or abort(404)
    name = f"{person['first_name']} {person['last_name']}"
    if person_id == current_user.id:
        # Otherwise whoever holds an admin's password on an unlocked computer could swap their app.
        flash(gettext("You can't reset your own authenticator. Ask another admin to reset it."), "warning")
        return redirect(url_for("classroom.staff"), 303)
    if person["archived_at"]:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        queries.reset_authenticator(db, person_id)
        session_store(db).end_all(person_id)
        audit_by(db, current_user, "staff-reset-authenticator", "staff", person_id)
        organisation = school_by_id(db, current_user.school_id)["name"]
        subject, body = mfa.reset_notice(person["first_name"], current_user.full_name, organisation,
                                         public_url("accounts.sign_in"))  # fmt: skip
        queue_mail(db, current_user.school_id, [person["email"]], subject, body)
        flash(gettext("%(name)s's authenticator is reset and they are signed out; they have been e-mailed to say "
                      "so. They set up an app when they next sign in.", name=name), "success")  # fmt: skip
        return redirect(url_for("classroom.staff"), 303)
    return render_template(
        "classroom/confirm.html",
        class_=None,
        form=form,
        title=gettext("Reset %(name)s's authenticator?", name=name),
        explain=[
            gettext(
                "Use this if %(name)s lost the phone with their authenticator app, or their recovery codes.", name=name
            ),
            gettext(
                "Their app and recovery codes stop working and they are signed out everywhere. "
                "When they next sign in with their password they set up an app again."
            ),
        ],
        button=gettext("Reset authenticator"),
        warning=True,
    )


def mfa_setting_form():
    """The school setting's form, filled with the admin's school's current value (for the partial)."""
    value = queries.mfa_for_teachers(get_db(), current_user.school_id)
    return MfaSettingForm(formdata=None, teachers="yes" if value else "no")


@bp.route("/admin/two-step-sign-in", methods=["GET", "POST"])
@admin_required
def mfa_setting():
    """The school's setting: whether teachers who sign in with a password must use an authenticator."""
    form = MfaSettingForm()
    if form.validate_on_submit():
        value = form.teachers.data == "yes"
        queries.set_mfa_for_teachers(get_db(), current_user.school_id, value)
        audit_by(get_db(), current_user, "school-mfa-setting", "school")
        words = (
            gettext("Saved: teachers must use an authenticator app.")
            if value
            else gettext("Saved: teachers may choose to use an authenticator app.")
        )
        flash(words, "success")
        return redirect(safe_next(request.form.get("back")) or url_for("providers.sign_in_settings"), 303)
    status = 400 if form.errors else 200
    return render_template("accounts/mfa_setting.html", form=form if form.errors else None), status


@bp.app_context_processor
def _mfa_template_helpers():
    return {"mfa_setting_form": mfa_setting_form, "mfa_status": account_status}
