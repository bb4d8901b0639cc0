"""The signed-in person, as Flask-Login sees them, and role checks."""

import functools

from flask import abort, session
from flask_login import LoginManager, UserMixin, current_user, logout_user

from accounts.queries import STAFF_ROLES, end_sessions, person_by_id
from db import get_db

login_manager = LoginManager()
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"


class User(UserMixin):
    """A person from the people table, signed in."""

    def __init__(self, row):
        self.row = row
        self.id = row["id"]
        self.role = row["role"]
        self.school_id = row["school_id"]
        self.first_name = row["first_name"]
        self.last_name = row["last_name"]

    def get_id(self):
        """What the session cookie holds: the id and the session epoch it was made in."""
        return f"{self.id}:{self.row['session_epoch']}"

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
def load_user(user_id):
    """Flask-Login's loader: archived or deleted people, and cookies from an ended session, are signed out."""
    person_id, _, epoch = user_id.partition(":")
    if not (person_id.isdigit() and epoch.isdigit()):
        return None  # a cookie from before session epochs: sign in again
    row = person_by_id(get_db(), int(person_id))
    return User(row) if row and row["session_epoch"] == int(epoch) else None


def sign_out_everywhere():
    """Sign the current person out here and end every other session they hold; clear the session."""
    if current_user.is_authenticated:
        end_sessions(get_db(), current_user.id)
        logout_user()
    session.clear()


def role_required(*roles):
    """Let only signed-in people with one of `roles` use the view; others get 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


pupil_required = role_required("pupil")
staff_required = role_required(*STAFF_ROLES)
