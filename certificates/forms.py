"""The verify form."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class VerifyForm(FlaskForm):
    """Anyone can type a certificate code to check it."""

    code = StringField(
        "Certificate code",
        validators=[
            DataRequired("Type the code printed on the certificate."),
            Length(max=40),
        ],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )
