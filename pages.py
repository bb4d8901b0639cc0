"""Pages that belong to no one part: the front door, the health check, error pages."""

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from accounts.signing_in import home_for
from db import DatabaseError, get_db

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    """Send each person to where they start."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in"))
    return redirect(home_for(current_user))


@bp.route("/healthz")
def healthz():
    """200 with the version and whether the database answers; 503 if it does not."""
    try:
        database_ok = next(get_db().query("SELECT 1 AS ok"))["ok"] == 1
    except DatabaseError:  # a database that does not answer is the answer, not a crash
        database_ok = False
    body = {
        "status": "ok" if database_ok else "error",
        "version": current_app.config["VERSION"],
        "database": database_ok,
    }
    return body, 200 if database_ok else 503


# Schools' parents' pages are for their own parents, reached from a letter: not for search engines. The pages
# also say so themselves (X-Robots-Tag and <meta name="robots">), for a crawler that reached one anyway.
ROBOTS_TXT = "User-agent: *\nDisallow: /parents/\n"


@bp.route("/robots.txt")
def robots_txt():
    """The rules for search engines' crawlers."""
    return ROBOTS_TXT, 200, {"Content-Type": "text/plain; charset=utf-8"}


def error_page(error):
    """A friendly page for 400, 403, 404, 405, 413 and 500, with help still one click away."""
    code = getattr(error, "code", 500) or 500
    return render_template("error.html", code=code, error=error), code


@bp.app_errorhandler(400)
def bad_request(error):
    """Includes an expired form (CSRF): say so plainly."""
    return error_page(error)


for _code in (403, 404, 405, 413, 500):
    bp.app_errorhandler(_code)(error_page)
