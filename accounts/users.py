"""The signed-in person, as Flask-Login sees them, and role checks."""

import functools

from flask import abort
from flask_login import LoginManager, UserMixin, current_user

from accounts.queries import STAFF_ROLES, person_by_id
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
    """Flask-Login's loader: archived or deleted people are signed out."""
    row = person_by_id(get_db(), int(user_id))
    return User(row) if row else None


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
