"""The console's forms. Each keeps what was typed when it comes back with errors."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from forms import name_field

EMAIL_RULES = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none", "type": "email"}


def _email(label):
    return StringField(
        label,
        validators=[
            DataRequired("Type their e-mail address: the invite goes there, and it is how they sign in."),
            Length(max=254, message="That e-mail address is too long."),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Type an e-mail address like name@school.sch.uk."),
        ],
        render_kw=EMAIL_RULES,
    )


class PersonForm(FlaskForm):
    """Someone to invite: an operator, or another admin."""

    first_name = name_field("First name", "Type their first name.")
    last_name = name_field("Last name", "Type their last name.")
    email = _email("E-mail")


class SchoolForm(FlaskForm):
    """A new school and its first admin, who is e-mailed an invite."""

    name = StringField(
        "School name",
        validators=[
            DataRequired("Type the school's name, as its staff and pupils know it."),
            Length(max=120, message="A school name can be up to 120 characters."),
        ],
        render_kw={"autocomplete": "off"},
    )
    first_name = name_field("Admin's first name", "Type the admin's first name.")
    last_name = name_field("Admin's last name", "Type the admin's last name.")
    email = _email("Admin's e-mail")


class EraseForm(FlaskForm):
    """Type the school's name to confirm that everything it holds is erased."""

    confirm_name = StringField(
        "Type the school's name to confirm",
        validators=[DataRequired("Type the school's name exactly as shown, to confirm.")],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class ChoosePasswordForm(FlaskForm):
    """An invited person chooses their password (console.rules.password_problem checks it)."""

    password = PasswordField("New password", render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Type it again", render_kw={"autocomplete": "new-password"})
