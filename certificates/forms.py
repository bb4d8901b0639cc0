"""The verify form, and revoking and reissuing a certificate (from a pupil's progress page)."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from languages import lazy_gettext as _l


class VerifyForm(FlaskForm):
    """Anyone can type a certificate code to check it."""

    code = StringField(
        _l("Certificate code"),
        validators=[
            DataRequired(_l("Type the code printed on the certificate.")),
            Length(max=40),
        ],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )


class RevokeForm(FlaskForm):
    """Withdraw a certificate; the reason is kept with it."""

    reason = StringField(
        _l("Reason for revoking"),
        validators=[
            DataRequired(_l("Say why the certificate is being revoked.")),
            Length(max=300, message=_l("Keep the reason under 300 characters.")),
        ],
    )


class ReissueForm(FlaskForm):
    """Issue a new certificate (a new code) after one was revoked."""
