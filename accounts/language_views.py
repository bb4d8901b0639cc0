"""Choosing a language: the switch on every page (kept on the account, or in a cookie before signing in) and a
school's default language (its admin's setting)."""

from flask import Blueprint, abort, current_app, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, user_logged_in

import languages
from accounts import queries
from accounts.forms import BROWSER_DECIDES, LanguageForm, SchoolLanguageForm
from accounts.users import role_required
from audit import audit_by
from db import get_db
from extensions import csrf

bp = Blueprint("language", __name__)
admin_required = role_required("admin")


# CSRF is checked here, not by CSRFProtect: a signed-in person's switch changes their account and needs its token,
# while a visitor's only sets the cookie that names a language, so their pages need no session cookie for it.
@bp.post("/language")
@csrf.exempt
def switch():
    """The language switch: keep the choice (on the account when signed in, and in a cookie), then go back to the
    page it was pressed on. Works without JavaScript; `next` may only be a page of this site."""
    form = LanguageForm(meta={} if current_user.is_authenticated else {"csrf": False})
    if not form.validate_on_submit():
        abort(400)
    choice = form.language.data
    if current_user.is_authenticated:
        queries.set_person_language(get_db(), current_user.id, choice)
    response = redirect(languages.safe_next(form.next.data, url_for("pages.home")), 303)
    _remember(response, choice)
    return response


def _remember(response, choice):
    """The cookie that keeps a signed-out visitor's language (it names only the language)."""
    response.set_cookie(
        languages.COOKIE,
        choice,
        max_age=languages.COOKIE_MAX_AGE,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", True),
        httponly=True,
        samesite="Lax",
    )


@user_logged_in.connect
def _keep_the_choice_made_before_signing_in(_app, user, **_extra):
    """Someone who chose a language before signing in (on the sign-in page, say), and has never chosen one on their
    account, keeps it: otherwise signing in could switch them back. Flask-Login's signal, so every way of signing in
    is covered and sign-in code stays as it is."""
    if not has_request_context():
        return
    choice = request.cookies.get(languages.COOKIE)
    if choice in languages.LANGUAGES and not user.row.get("language"):
        queries.set_person_language(get_db(), user.id, choice)


@bp.route("/admin/language", methods=["GET", "POST"])
@admin_required
def school_language():
    """The admin's setting: the language the school's people see until they choose their own."""
    db, school_id = get_db(), current_user.school_id
    saved = queries.school_language(db, school_id)
    # The saved value fills the form only when it is opened: a POST with no choice is an error, not a default.
    form = SchoolLanguageForm(data={"language": saved or BROWSER_DECIDES} if request.method == "GET" else None)
    if form.validate_on_submit():
        chosen = None if form.language.data == BROWSER_DECIDES else form.language.data
        queries.set_school_language(db, school_id, chosen)
        audit_by(db, current_user, "school-language-setting", "school", school_id)
        flash(gettext("Saved: %(setting)s.", setting=_described(chosen)), "success")
        return redirect(url_for("language.school_language"), 303)
    page = render_template("accounts/school_language.html", form=form, now=_described(saved))
    return page, 400 if form.errors else 200


def _described(code):
    """The setting in words, in the page's language, for the page and its message (languages keep their own names)."""
    if code is None:
        return gettext("each person's browser decides")
    return gettext("%(language)s until each person chooses", language=languages.LANGUAGES[code])
