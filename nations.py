"""The four nations a school can be in: each names the safeguarding lead's role and its guidance in its own words.

A school's nation (`schools.nation`, its admin's setting) decides what its pages call the member of staff who
receives pupils' requests to talk: the designated safeguarding lead in England, the designated senior person in
Wales (CONTENT.md; "Keeping learners safe"), the child protection coordinator in Scotland and the designated
teacher for child protection in Northern Ireland. Each form is a whole phrase in the catalogue, so Welsh can mutate
it as its grammar needs ("ein harweinydd", "ein person"): a sentence takes the phrase whole through a placeholder
where the phrase's own first word carries any change.
"""

from dataclasses import dataclass

from flask import has_request_context
from flask_login import current_user

from languages import lazy_gettext as _l


@dataclass(frozen=True)
class Nation:
    """A nation's name, its words for the safeguarding lead's role, and its statutory guidance."""

    code: str
    name: object
    lead: object  # the role, as a noun phrase in the middle of a sentence: "designated safeguarding lead"
    our_lead: object  # "our designated safeguarding lead": a phrase of its own (Welsh: "ein harweinydd ...")
    short: str  # the abbreviation staff use: DSL, DSP
    guidance: object


NATIONS = {
    nation.code: nation
    for nation in (
        Nation(
            "england", _l("England"), _l("designated safeguarding lead"), _l("our designated safeguarding lead"),
            "DSL", _l("Keeping children safe in education"),
        ),
        Nation(
            "wales", _l("Wales"), _l("designated senior person"), _l("our designated senior person"),
            "DSP", _l("Keeping learners safe"),
        ),
        Nation(
            "scotland", _l("Scotland"), _l("child protection coordinator"), _l("our child protection coordinator"),
            "CPC", _l("National guidance for child protection in Scotland"),
        ),
        Nation(
            "northern-ireland", _l("Northern Ireland"), _l("designated teacher for child protection"),
            _l("our designated teacher for child protection"), "DT", _l("Safeguarding and child protection in schools"),
        ),
    )
}  # fmt: skip
DEFAULT = "england"


def nation(code):
    """The Nation for `code` (England for an unknown or empty one: the schools made before nations were kept)."""
    return NATIONS.get(code) or NATIONS[DEFAULT]


def current_nation():
    """The signed-in person's school's nation (England outside a request or signed out)."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return nation(current_user.row.get("school_nation"))
    return NATIONS[DEFAULT]


def capitalised(phrase):
    """`phrase` (a translated string) with its first letter a capital, for the start of a sentence or a label."""
    text = str(phrase)
    return text[:1].upper() + text[1:]


def init_app(app):
    """Templates get `nation()`: the signed-in person's school's nation, for the lead's title and the guidance."""
    app.jinja_env.globals["school_nation"] = current_nation
    app.jinja_env.filters["capitalised"] = capitalised
