"""Forms: asking to talk, recording an action, editing help routes, erasing a pupil."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from languages import lazy_gettext as _l
from nations import NATIONS
from safeguarding.routes_rules import DETAIL_MAX, TITLE_MAX, phone_problem, url_problem
from safeguarding.talk_rules import MESSAGE_MAX, STATUSES, URGENCIES

NOTE_MAX = 2000


# URGENCIES' words as the pupil reads them, in the page's language (staff e-mails keep URGENCIES' English).
PUPIL_URGENCIES = {"today": _l("Today"), "soon": _l("In the next few days"), "no-rush": _l("No rush")}


class TalkForm(FlaskForm):
    """A pupil asks to talk. `who` choices are set per pupil in the view."""

    who = RadioField(
        _l("Who would you like to talk to?"), validators=[DataRequired(_l("Choose who you'd like to talk to."))]
    )
    urgency = RadioField(
        _l("How soon would you like to talk?"),
        choices=[SelectChoice(value, PUPIL_URGENCIES[value]) for value in URGENCIES],
        validators=[DataRequired(_l("Choose how soon you'd like to talk."))],
    )
    message = TextAreaField(
        _l("Anything you'd like them to know first (you don't have to write anything)"),
        validators=[
            Optional(),
            Length(
                max=MESSAGE_MAX,
                message=_l("Your message is too long. Keep it under %(most)s characters.", most=MESSAGE_MAX),
            ),
        ],
        render_kw={"rows": 5, "maxlength": MESSAGE_MAX},
    )


class ActionForm(FlaskForm):
    """Staff record what they did and the request's new status."""

    status = SelectField(
        "Status", choices=[SelectChoice(value, label) for value, label in STATUSES.items()], validators=[DataRequired()]
    )
    note = TextAreaField(
        "Note",
        validators=[
            DataRequired("Write a short note of what you did or will do."),
            Length(max=NOTE_MAX, message=f"Keep the note under {NOTE_MAX} characters."),
        ],
        render_kw={"rows": 4},
    )


def _check(rule):
    """A WTForms validator from a plain rule that returns a problem or None."""

    def validate(_form, field):
        if field.data and field.data.strip():
            problem = rule(field.data)
            if problem:
                raise ValidationError(problem)

    return validate


class HelpRouteForm(FlaskForm):
    """One help route: a title, a line of detail, and any of a phone number, a texting number and a web address."""

    title = StringField(
        "Title",
        validators=[DataRequired("Type a title, like Childline."), Length(max=TITLE_MAX)],
    )
    detail = StringField("What it is for (one short line)", validators=[Optional(), Length(max=DETAIL_MAX)])
    phone = StringField("Phone number", validators=[Optional(), _check(phone_problem)], render_kw={"inputmode": "tel"})
    sms = StringField("Number to text", validators=[Optional(), _check(phone_problem)], render_kw={"inputmode": "tel"})
    url = StringField(
        "Web address",
        validators=[Optional(), _check(url_problem)],
        render_kw={"inputmode": "url", "spellcheck": "false", "autocapitalize": "none"},
    )

    def values(self):
        """The route as stored: trimmed, with empty fields as NULL."""
        return {
            "title": self.title.data.strip(),
            "detail": (self.detail.data or "").strip(),
            "phone": (self.phone.data or "").strip() or None,
            "sms": (self.sms.data or "").strip() or None,
            "url": (self.url.data or "").strip() or None,
        }


class DslForm(FlaskForm):
    """The school's DSL, as pupils see them in the help panel."""

    dsl_name = StringField("Name pupils know them by", validators=[Optional(), Length(max=80)])
    dsl_where = StringField("Where pupils can find them", validators=[Optional(), Length(max=160)])


class NationForm(FlaskForm):
    """The school's nation: it names the safeguarding lead's role and adds the nation's own help routes."""

    nation = RadioField(
        _l("Your school's nation"),
        choices=[SelectChoice(code, nation.name) for code, nation in NATIONS.items()],
        validators=[DataRequired(_l("Choose your school's nation."))],
    )


class EraseForm(FlaskForm):
    """Erasing a pupil needs the word ERASE typed, so it is never done by a slip."""

    confirm = StringField(
        "Type ERASE to confirm",
        validators=[DataRequired("Type ERASE to confirm.")],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )

    def validate_confirm(self, field):
        """Only the exact word confirms."""
        if field.data.strip().upper() != "ERASE":
            raise ValidationError("Type the word ERASE to confirm, or go back to keep the pupil's records.")


class AuditFilterForm(FlaskForm):
    """Filter the audit log by person and by action: a GET form (a search changes nothing, so no CSRF)."""

    class Meta:
        csrf = False

    person = SelectField("Who", validators=[Optional()])
    action = SelectField("What", validators=[Optional()])
