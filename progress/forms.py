"""The reports form."""

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Optional, ValidationError

from languages import lazy_gettext as _l

WHOLE_SCHOOL = "school"
DATE_ERROR = _l("Enter a date such as 2026-11-21, or leave it empty.")
FORMAT_CHOICES = [
    SelectChoice("csv", _l("CSV (opens in Excel or any spreadsheet)")),
    SelectChoice("xlsx", _l("Excel workbook (XLSX), a sheet per view")),
    SelectChoice("pdf", _l("PDF, for printing or the school's records")),
]


class ReportForm(FlaskForm):
    """Choose a class (or the whole school), a date range and a format."""

    scope = SelectField(_l("Class"), validators=[DataRequired(_l("Choose a class."))])
    date_from = DateField(_l("From (optional)"), validators=[Optional()], invalid_value_message=DATE_ERROR)
    date_to = DateField(_l("To (optional)"), validators=[Optional()], invalid_value_message=DATE_ERROR)
    format = RadioField(
        _l("Format"),
        choices=FORMAT_CHOICES,
        default="csv",
        validators=[DataRequired(_l("Choose a format."))],
    )

    def validate_date_to(self, field):
        """The range must not end before it starts."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The ‘To’ date is before the ‘From’ date. Change one of them."))


class RefreshEvidenceForm(FlaskForm):
    """ "Work out the evidence pack again now": a button and its CSRF token (a school's or a trust's pack)."""
