"""Sign-in and account forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class SignInForm(FlaskForm):
    """Pupils type their username, staff their e-mail."""

    name = StringField(
        "Username or e-mail",
        validators=[
            DataRequired("Type your username (pupils) or e-mail (staff)."),
            Length(max=254),
        ],
        render_kw={
            "autocomplete": "username",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Type your password."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class SignOutEverywhereForm(FlaskForm):
    """A button that needs only CSRF protection."""
