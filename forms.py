"""Form pieces every part uses: a person's name field and a button that needs only CSRF protection.

Each keeps what was typed when it comes back with errors."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from lengths import MAX_NAME

NAME_RULES = {"autocomplete": "off", "spellcheck": "false"}


def name_field(label, message):
    """A required name field of at most MAX_NAME characters."""
    return StringField(
        label,
        validators=[
            DataRequired(message),
            Length(max=MAX_NAME, message=f"{label} can be up to {MAX_NAME} characters."),
        ],
        render_kw=NAME_RULES,
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF only."""
