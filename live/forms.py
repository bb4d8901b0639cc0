"""Forms of a live lesson: start one, the teacher's moves, who was there without a device, the check-in."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from languages import lazy_gettext as _l
from live.rules import MOVES
from safeguarding.talk_rules import URGENCIES

# In the pupil's language on their screen; the request the DSL reads says it in English (live.views.check_in).
FEELINGS = {
    "fine": _l("Fine"),
    "ok": _l("OK, but it was a lot to think about"),
    "unsure": _l("Not sure"),
    "worried": _l("Worried or upset"),
}
# "Would you like to talk to someone?": no, or yes with how soon (the talk request's own urgencies).
TALK_CHOICES = {"no": _l("No, not now"), "today": _l("Yes, today"), "soon": _l("Yes, in the next few days")}
assert set(TALK_CHOICES) - {"no"} <= set(URGENCIES)


class StartForm(FlaskForm):
    """The class page's "Start a live lesson": which lesson of the class's route."""

    lesson_id = SelectField("Lesson", validators=[DataRequired("Choose a lesson.")])


class MoveForm(FlaskForm):
    """One of the teacher's controls: the pressed button's `move` and the state it was pressed on."""

    move = SelectField(choices=[SelectChoice(move) for move in MOVES], validators=[DataRequired()])
    version = IntegerField(validators=[InputRequired()])


class CheckboxesField(SelectMultipleField):
    """Checkboxes, one per choice."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AttendanceForm(FlaskForm):
    """The teacher ticks pupils taught in class without a device (the choices are set per class)."""

    pupils = CheckboxesField("Taught in class, no device", coerce=int, validate_choice=True)


class CheckInForm(FlaskForm):
    """The private check-in at the end: how the pupil feels, and whether they would like to talk."""

    feeling = RadioField(
        _l("How are you feeling after this lesson?"),
        choices=[SelectChoice(value, label) for value, label in FEELINGS.items()],
        validators=[Optional()],
    )
    talk = RadioField(
        _l("Would you like to talk to someone at school about anything?"),
        choices=[SelectChoice(value, label) for value, label in TALK_CHOICES.items()],
        validators=[DataRequired(_l("Choose whether you'd like to talk."))],
    )
