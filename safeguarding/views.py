"""Help on every page, the help page, privacy notices, and asking to talk to someone."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from accounts.queries import school_by_id
from db import get_db
from safeguarding.help_routes import help_routes_for

bp = Blueprint("safeguarding", __name__)


@bp.app_context_processor
def help_everywhere():
    """Every page gets the help panel's routes and, for pupils and visitors, quick exit."""
    school_id = current_user.school_id if current_user.is_authenticated else None
    db = get_db()
    return {
        "help_routes": help_routes_for(db, school_id),
        "school_dsl": school_by_id(db, school_id) if school_id else None,
        "show_quick_exit": not (
            current_user.is_authenticated and current_user.is_staff
        ),
        "quick_exit_url": current_app.config["QUICK_EXIT_URL"],
    }


@bp.route("/help")
def help_page():
    """The help routes on a page of their own."""
    return render_template("safeguarding/help.html")


@bp.route("/privacy")
def privacy():
    """The privacy notice for pupils."""
    return render_template("safeguarding/privacy.html")


@bp.route("/talk")
def talk():
    """Ask to talk to a trusted adult at school."""
    return render_template("safeguarding/talk.html")
