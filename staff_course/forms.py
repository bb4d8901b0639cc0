"""The admin's form for the school's staff course rule."""

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from languages import lazy_gettext as _l


class StaffCourseSettingForm(FlaskForm):
    """Whether staff must complete the staff course before teaching the pupils' course."""

    required = RadioField(
        _l("Staff must complete the staff course before teaching the pupils' course"),
        choices=[
            SelectChoice("yes", _l("Yes: a teacher who has not completed it, or whose completion is due again, is "
                                   "asked to before starting a live lesson or setting a class's course")),
            SelectChoice("no", _l("No: staff can teach the pupils' course whether or not they have completed it")),
        ],
        validators=[DataRequired(_l("Choose yes or no."))],
    )  # fmt: skip
