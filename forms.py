"""Form pieces every part uses: a person's name field and a button that needs only CSRF protection.

Each keeps what was typed when it comes back with errors."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from languages import lazy_gettext as _l
from lengths import MAX_NAME

NAME_RULES = {"autocomplete": "off", "spellcheck": "false"}


def name_field(label, message):
    """A required name field of at most MAX_NAME characters."""
    return StringField(
        label,
        validators=[
            DataRequired(message),
            Length(max=MAX_NAME, message=_l("%(label)s can be up to %(most)s characters.", label=label, most=MAX_NAME)),
        ],
        render_kw=NAME_RULES,
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF only."""
