"""The signed-in person, as Flask-Login sees them, and role checks."""

import functools

from flask import abort, has_request_context
from flask_login import LoginManager, UserMixin, current_user, user_logged_out

from accounts.queries import STAFF_ROLES
from accounts.stores import session_store
from db import get_db
from languages import lazy_gettext

login_manager = LoginManager()
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = lazy_gettext("Please sign in to see that page.")
login_manager.login_message_category = "info"
# Translated when it is flashed, in the visitor's language (the session keeps the plain words).
login_manager.localize_callback = str


class User(UserMixin):
    """A person from the people table, signed in through one server-side session."""

    def __init__(self, row, session_id=None):
        self.row = row
        # What Flask-Login keeps in the session and remember cookies: never the person's id,
        # so ending the session row on the server ends every copy of the cookie.
        self.session_id = session_id
        self.id = row["id"]
        self.role = row["role"]
        self.school_id = row["school_id"]
        # 'school', or 'trust' / 'operator' for the people of a trust or of the operator's team (m021).
        self.school_kind = row.get("school_kind") or "school"
        self.first_name = row["first_name"]
        self.last_name = row["last_name"]

    def get_id(self):
        """Flask-Login's id for the cookie: the session id, not the person id."""
        return self.session_id

    @property
    def is_pupil(self):
        """Pupils see the course; everyone else is staff."""
        return self.role == "pupil"

    @property
    def is_staff(self):
        """Teachers, DSLs and admins."""
        return self.role in STAFF_ROLES

    @property
    def full_name(self):
        """First and last name, as typed by the school."""
        return f"{self.first_name} {self.last_name}".strip()


@login_manager.user_loader
def load_user(session_id):
    """Flask-Login's loader: through a live session (the database's or Redis's), the person and their school
    read now; ended sessions, archived or deleted people and suspended schools are signed out."""
    row = session_store(get_db()).user(session_id)
    return User(row, session_id) if row else None


@user_logged_out.connect
def _end_server_session(_app, user, **_extra):
    """Every sign-out (the button, quick exit) ends the session row, not just the cookie."""
    if has_request_context() and getattr(user, "session_id", None):
        session_store(get_db()).end(user.session_id)


# What each kind of organisation's people may use (m021). School pages stay school-only, so an operator
# (an admin of the operator's team) or a trust lead (an admin of a trust) never reaches a school's pages.
SCHOOL_KINDS = ("school",)
EVERY_KIND = ("school", "trust", "operator")


def role_required(*roles, kinds=SCHOOL_KINDS):
    """Let only signed-in people with one of `roles`, in an organisation of one of `kinds`, use the view; else 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles or current_user.school_kind not in kinds:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


pupil_required = role_required("pupil")
staff_required = role_required(*STAFF_ROLES)
# Your account, two-step sign-in and linked accounts: every member of staff of every kind of organisation.
account_required = role_required(*STAFF_ROLES, kinds=EVERY_KIND)
operator_required = role_required("admin", kinds=("operator",))
trust_lead_required = role_required("admin", kinds=("trust",))
