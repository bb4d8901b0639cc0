"""Forms for trusts: the operator's trust screens and a new trust lead's first password."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from classroom.forms import StaffForm

MAX_TRUST_NAME = 120
# A trust lead is an admin (two-step sign-in as well): a password long enough to resist guessing.
MIN_PASSWORD = 12


class TrustNameForm(FlaskForm):
    """The operator creates or renames a trust."""

    name = StringField(
        "Trust name",
        validators=[
            DataRequired("Type the trust's name, for example Northfield Learning Trust."),
            Length(max=MAX_TRUST_NAME, message=f"A trust name can be up to {MAX_TRUST_NAME} characters."),
        ],
        render_kw={"autocomplete": "off"},
    )


class PutInForm(FlaskForm):
    """The operator puts a school (in no trust yet) into the trust; choices are set by the view."""

    school_id = SelectField("School", validators=[DataRequired("Choose a school.")])


class LeadForm(StaffForm):
    """The operator invites a trust lead: name and e-mail (no role: a lead is always one)."""

    role = None
    email = StringField(
        "E-mail",
        validators=[
            DataRequired("Type their e-mail address: it is how they sign in."),
            Length(max=254, message="That e-mail address is too long."),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Type an e-mail address like name@trust.org.uk."),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none", "type": "email"},
    )


class RefreshFiguresForm(FlaskForm):
    """The lead's "Work out the figures again now": which route, and which page to go back to."""

    course = HiddenField()
    page = HiddenField()
