"""Forms: asking to talk, recording an action, editing help routes, erasing a pupil."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from languages import lazy_gettext as _l
from nations import NATIONS
from safeguarding.routes_rules import (
    DETAIL_MAX,
    PHONE_MAX_DIGITS,
    PHONE_MIN_DIGITS,
    TITLE_MAX,
    phone_problem,
    url_problem,
)
from safeguarding.talk_rules import MESSAGE_MAX, URGENCIES

NOTE_MAX = 2000


# URGENCIES' words as pupils and staff read them on screen, in the page's language (e-mails and the records' PDF keep
# URGENCIES' English).
PUPIL_URGENCIES = {"today": _l("Today"), "soon": _l("In the next few days"), "no-rush": _l("No rush")}
# STATUSES' words on staff screens, in the page's language (the records' PDF and e-mails keep STATUSES' English).
STATUS_WORDS = {"new": _l("New"), "seen": _l("Seen"), "in-progress": _l("In progress"), "closed": _l("Closed")}


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
        _l("Status"),
        choices=[SelectChoice(value, label) for value, label in STATUS_WORDS.items()],
        validators=[DataRequired()],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[
            DataRequired(_l("Write a short note of what you did or will do.")),
            Length(max=NOTE_MAX, message=_l("Keep the note under %(most)s characters.", most=NOTE_MAX)),
        ],
        render_kw={"rows": 4},
    )


# routes_rules' problems (plain English: the rules stay free of Flask) in the page's language.
ROUTE_PROBLEMS = {
    "Type the phone number.": _l("Type the phone number."),
    "Use only numbers and spaces (and + at the start for an international number), like 0800 1111.": _l(
        "Use only numbers and spaces (and + at the start for an international number), like 0800 1111."
    ),
    f"A phone number has at least {PHONE_MIN_DIGITS} digits, like 999.": _l(
        "A phone number has at least %(least)s digits, like 999.", least=PHONE_MIN_DIGITS
    ),
    f"A phone number has at most {PHONE_MAX_DIGITS} digits. Check for a number typed twice.": _l(
        "A phone number has at most %(most)s digits. Check for a number typed twice.", most=PHONE_MAX_DIGITS
    ),
    "An international number has the country code and the whole number, like +44 20 7946 0000.": _l(
        "An international number has the country code and the whole number, like +44 20 7946 0000."
    ),
    "A full UK number starts with 0, like 0800 1111 or 01632 960000.": _l(
        "A full UK number starts with 0, like 0800 1111 or 01632 960000."
    ),
    "Type the web address.": _l("Type the web address."),
    "A web address has no spaces.": _l("A web address has no spaces."),
    "Start the web address with https://, like https://www.childline.org.uk.": _l(
        "Start the web address with https://, like https://www.childline.org.uk."
    ),
    "A web address for pupils must not contain a user name or password.": _l(
        "A web address for pupils must not contain a user name or password."
    ),
    "Type the whole address of the site, like https://www.childline.org.uk.": _l(
        "Type the whole address of the site, like https://www.childline.org.uk."
    ),
    "The part after : must be a port number. Most addresses don't need one.": _l(
        "The part after : must be a port number. Most addresses don't need one."
    ),
}


def _check(rule):
    """A WTForms validator from a plain rule that returns a problem or None (said in the page's language)."""

    def validate(_form, field):
        if field.data and field.data.strip():
            problem = rule(field.data)
            if problem:
                raise ValidationError(ROUTE_PROBLEMS.get(problem, problem))

    return validate


class HelpRouteForm(FlaskForm):
    """One help route: a title, a line of detail, and any of a phone number, a texting number and a web address."""

    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Type a title, like Childline.")), Length(max=TITLE_MAX)],
    )
    detail = StringField(_l("What it is for (one short line)"), validators=[Optional(), Length(max=DETAIL_MAX)])
    phone = StringField(
        _l("Phone number"), validators=[Optional(), _check(phone_problem)], render_kw={"inputmode": "tel"}
    )
    sms = StringField(
        _l("Number to text"), validators=[Optional(), _check(phone_problem)], render_kw={"inputmode": "tel"}
    )
    url = StringField(
        _l("Web address"),
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

    dsl_name = StringField(_l("Name pupils know them by"), validators=[Optional(), Length(max=80)])
    dsl_where = StringField(_l("Where pupils can find them"), validators=[Optional(), Length(max=160)])


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
        _l("Type ERASE to confirm"),
        validators=[DataRequired(_l("Type ERASE to confirm."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )

    def validate_confirm(self, field):
        """Only the exact word confirms."""
        if field.data.strip().upper() != "ERASE":
            raise ValidationError(_l("Type the word ERASE to confirm, or go back to keep the pupil's records."))


class AuditFilterForm(FlaskForm):
    """Filter the audit log by person and by action: a GET form (a search changes nothing, so no CSRF)."""

    class Meta:
        csrf = False

    person = SelectField(_l("Who"), validators=[Optional()])
    action = SelectField(_l("What"), validators=[Optional()])
