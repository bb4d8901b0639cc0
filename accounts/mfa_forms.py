"""Forms for staff two-step sign-in."""

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from languages import lazy_gettext as _l

CODE_HINT = _l("The 6-digit code your authenticator app shows now, or one of your recovery codes.")


class CodeForm(FlaskForm):
    """A code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Type the code from your authenticator app.")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none",
                   "spellcheck": "false"},
    )  # fmt: skip


class NewCodeForm(FlaskForm):
    """The first code from a newly added authenticator, confirming it works."""

    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(_l("Type the 6-digit code your app shows.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class SavedForm(FlaskForm):
    """'I have saved them': CSRF only."""


class MfaSettingForm(FlaskForm):
    """The school's setting: must teachers use an authenticator app?"""

    teachers = RadioField(
        _l("Teachers must use an authenticator app"),
        choices=[
            SelectChoice("yes", _l("Yes: teachers who sign in with a password also type a code from an app")),
            SelectChoice("no", _l("No: teachers may choose to set one up (DSLs and admins always use one)")),
        ],
        validators=[DataRequired(_l("Choose yes or no."))],
    )
