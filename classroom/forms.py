"""Forms for staff, classes and pupils. Each keeps what was typed when it comes back with errors."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from classroom.roster import YEAR_GROUPS
from forms import name_field
from languages import lazy_gettext as _l
from lengths import MAX_EMAIL, MAX_USERNAME
from training.courses import route_words

YEAR_CHOICES = [SelectChoice(str(year), _l("Year %(year)s", year=year)) for year in YEAR_GROUPS]
ROLE_LABELS = {
    "teacher": _l("Teacher"),
    "dsl": _l("Designated safeguarding lead (DSL)"),
    "admin": _l("School admin"),
}
# A deputy DSL (Keeping Children Safe in Education) is stored with role 'dsl' and people.dsl_deputy
# set: they see and get everything the DSL does. Only the staff form offers it as a separate choice.
DEPUTY_DSL = "dsl-deputy"
STAFF_CHOICE_LABELS = {**ROLE_LABELS, DEPUTY_DSL: _l("Deputy DSL (sees and gets everything the DSL does)")}
STAFF_ROLE_CHOICES = [SelectChoice(role, label) for role, label in STAFF_CHOICE_LABELS.items()]


class StaffForm(FlaskForm):
    """An admin adds a member of staff."""

    first_name = name_field(_l("First name"), _l("Type their first name."))
    last_name = name_field(_l("Last name"), _l("Type their last name."))
    email = StringField(
        _l("School e-mail"),
        validators=[
            DataRequired(_l("Type their school e-mail address: it is how they sign in.")),
            Length(max=254, message=_l("That e-mail address is too long.")),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Type an e-mail address like name@school.sch.uk.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none", "type": "email"},
    )
    role = SelectField(_l("Role"), choices=STAFF_ROLE_CHOICES, default="teacher")


class ClassForm(FlaskForm):
    """A teacher (or admin) creates a class."""

    name = StringField(
        _l("Class name"),
        validators=[
            DataRequired(_l("Type the class name, for example 9B or 10 PSHE 2.")),
            Length(max=40, message=_l("A class name can be up to 40 characters.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    year_group = SelectField(
        _l("Year group"), choices=[SelectChoice("", _l("Mixed or not set"))] + YEAR_CHOICES, default=""
    )
    # Choices are the loaded courses (route_choices), set by the view; "" = by year group.
    course_id = SelectField(_l("Route"), default="")


class BlankableDateField(DateField):
    """A date that may be left blank (data None), so a button beside it can act without one."""

    def process_formdata(self, valuelist):
        if not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class RecheckForm(FlaskForm):
    """A teacher sets, changes or clears the day the class's delayed re-check opens."""

    # The rule (today or later) needs today, so the view applies quizzes.recheck.date_problem.
    # The browser's date picker sends 2027-03-15; typed by hand (no picker) people write 15/03/2027.
    day = BlankableDateField(
        _l("Re-check date"),
        format=["%Y-%m-%d", "%d/%m/%Y"],
        invalid_value_message=_l("Type a real date, for example 15/03/2027."),
    )
    save = SubmitField(_l("Save the re-check date"))
    clear = SubmitField(_l("Clear the re-check"))


class RouteForm(FlaskForm):
    """A teacher changes the route (course) a class follows."""

    course_id = SelectField(_l("Route"), validators=[DataRequired(_l("Choose a route."))])


def route_choices(courses, by_year_group=True):
    """The routes as select choices, optionally led by 'Choose by year group'."""
    choices = [SelectChoice(course.id, f"{route_words(course)}: {course.title}")
               for course in courses.values()]  # fmt: skip
    if by_year_group:
        choices.insert(0, SelectChoice("", _l("Choose by year group")))
    return choices


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (usable without JavaScript)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ClassTeachersForm(FlaskForm):
    """An admin chooses who teaches a class."""

    teachers = CheckboxesField(_l("Who teaches this class"), coerce=int, validate_choice=True)


class PupilForm(FlaskForm):
    """A teacher adds one pupil."""

    first_name = name_field(_l("First name"), _l("Type the pupil's first name."))
    last_name = name_field(_l("Last name or initial"), _l("Type the pupil's last name or its first letter."))
    year_group = SelectField(_l("Year group"), choices=YEAR_CHOICES, default="9")
    username = StringField(
        _l("Username (optional)"),
        validators=[
            Optional(),
            Length(max=MAX_USERNAME, message=_l("A username can be up to %(most)s characters.", most=MAX_USERNAME)),
            Regexp(
                r"^[a-zA-Z][a-zA-Z0-9.]*$",
                message=_l("A username can only use letters a to z, numbers and dots, and starts with a letter."),
            ),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    # Checked in the view with the roster's rule (classroom.roster.email_problem), so the form and
    # the CSV import accept the same addresses.
    email = StringField(
        _l("School account e-mail (optional)"),
        validators=[
            Optional(),
            Length(max=MAX_EMAIL, message=_l("An e-mail can be up to %(most)s characters.", most=MAX_EMAIL)),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none", "type": "email"},
    )


class ImportForm(FlaskForm):
    """Upload a roster CSV."""

    file = FileField(
        _l("Class list (CSV file)"),
        validators=[FileRequired(_l("Choose the CSV file to upload."))],
        render_kw={"accept": ".csv,text/csv"},
    )
