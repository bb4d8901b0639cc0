"""Sign-in and account forms."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from languages import LANGUAGES
from languages import lazy_gettext as _l


class SignInForm(FlaskForm):
    """Pupils type their username, staff their e-mail."""

    name = StringField(
        _l("Username or e-mail"),
        validators=[
            DataRequired(_l("Type your username (pupils) or e-mail (staff).")),
            Length(max=254),
        ],
        render_kw={
            "autocomplete": "username",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Type your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class SignOutEverywhereForm(FlaskForm):
    """A button that needs only CSRF protection."""


class JoinForm(FlaskForm):
    """A pupil types the class code their teacher shows (classroom/class_codes.py reads it)."""

    code = StringField(
        _l("Class code"),
        validators=[
            DataRequired(_l("Type the class code your teacher shows you. It looks like KXR7-PMQ4.")),
            Length(max=40, message=_l("A class code has 8 letters and numbers, like KXR7-PMQ4.")),
        ],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )


class SignInDomainForm(FlaskForm):
    """A Google Workspace domain or Microsoft tenant id the school accepts for signing in."""

    provider = RadioField(
        _l("Which kind"),
        choices=[
            SelectChoice("google", _l("Google Workspace domain")),
            SelectChoice("microsoft", _l("Microsoft tenant ID")),
        ],
        default="google",
        validators=[DataRequired(_l("Choose Google or Microsoft."))],
    )
    value = StringField(
        _l("Domain or tenant ID"),
        validators=[Length(max=253)],
        render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"},
    )


class LanguageForm(FlaskForm):
    """The language switch on every page: the language pressed, and the page to go back to."""

    language = HiddenField(validators=[AnyOf(list(LANGUAGES))])
    next = HiddenField()


# The school's default: a language, or "browser" (stored as NULL) to let each person's browser decide.
BROWSER_DECIDES = "browser"


class SchoolLanguageForm(FlaskForm):
    """The admin's setting: the language the school's people see until they choose their own."""

    language = RadioField(
        _l("Default language"),
        choices=[
            *(SelectChoice(code, name) for code, name in LANGUAGES.items()),
            SelectChoice(BROWSER_DECIDES, _l("Each person's browser decides (English unless it asks for another)")),
        ],
        validators=[DataRequired(_l("Choose a default language."))],
    )
