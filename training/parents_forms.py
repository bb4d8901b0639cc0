"""The admin's form for the parents' view: published or not, and whom parents ask instead."""

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

CONTACT_LENGTH = 200


class ParentsViewForm(FlaskForm):
    """Whether the school publishes its parents' view, and the contact shown when it does not."""

    published = RadioField(
        "Publish the parents' page",
        choices=[
            SelectChoice("yes", "Yes: anyone with the link can read every lesson, question and teacher note"),
            SelectChoice("no", "No: the page says it is not published and whom to ask instead"),
        ],
        validators=[DataRequired("Choose yes or no.")],
    )
    contact = StringField(
        "Whom parents ask to see the materials",
        validators=[Length(max=CONTACT_LENGTH, message=f"Keep it to {CONTACT_LENGTH} characters.")],
    )

    def validate_contact(self, field):
        """When the page is off, parents need someone to ask: the contact is required then."""
        if self.published.data == "no" and not (field.data or "").strip():
            raise ValidationError("Say whom parents can ask, for example the school office's e-mail or phone number.")
