"""The help routes every page shows: UK defaults that each school can edit."""

from db import write_transaction
from safeguarding.routes_rules import emergency_first, is_emergency

# The default routes' words, as the catalogue knows them: a school that keeps a default's words shows them in each
# page's language (safeguarding.views.help_route_words); a school's own words show as it wrote them.
DEFAULT_WORDS = set()


def N_(words):
    """Mark default words for the catalogue (`pybabel extract -k N_`); they are translated where they are shown."""
    DEFAULT_WORDS.add(words)
    return words


# CEOP is part of the National Crime Agency, not "the police" (the second edition's review).
CEOP_DETAIL = N_("Report online sexual abuse or blackmail to CEOP, part of the National Crime Agency.")
# What each take-down service really does, checked against its own pages: Take It Down does not
# take images down, it fingerprints them on the young person's device for the apps that take part.
REPORT_REMOVE_DETAIL = N_(
    "Under 18? Get a nude image of you removed, or blocked before it is posted (Childline and the IWF)."
)
TAKE_IT_DOWN_DETAIL = N_(
    "Taken before you were 18? Makes a digital fingerprint of the image on your own device, "
    "so the apps that take part can stop it being shared (NCMEC)."
)
# Report Remove and CEOP are for under-18s; from 18 these help instead (taught in the 14-18 route).
OVER_18_ROUTES = (
    {"title": "StopNCII", "detail": N_("18 or over? Stop intimate images of you being shared."),
     "url": "https://stopncii.org"},
    {"title": "Revenge Porn Helpline", "detail": N_("18 or over? Advice if intimate images are shared or threatened."),
     "url": "https://revengepornhelpline.org.uk"},
)  # fmt: skip

# UK defaults from CONTENT.md, most urgent first. A school adds its DSL and local services.
DEFAULT_HELP_ROUTES = (
    {"title": N_("In danger now? Call 999"), "detail": N_("If you or someone else is in danger right now."),
     "phone": "999"},
    {"title": "Childline", "detail": N_("Free and private, any time, day or night."), "phone": "0800 1111",
     "url": "https://www.childline.org.uk"},
    {"title": N_("Report to CEOP"), "detail": CEOP_DETAIL,
     "url": "https://www.ceop.police.uk"},
    {"title": N_("Police (not an emergency)"), "detail": N_("Call 101 to report blackmail to the police."),
     "phone": "101"},
    {"title": "Report Remove", "detail": REPORT_REMOVE_DETAIL,
     "url": "https://www.childline.org.uk/remove"},
    {"title": "Take It Down", "detail": TAKE_IT_DOWN_DETAIL,
     "url": "https://takeitdown.ncmec.org"},
    {"title": "Samaritans", "detail": N_("Talk to someone, any time."), "phone": "116 123"},
    {"title": "Shout", "detail": N_("Text SHOUT to 85258, any time."), "sms": "85258"},
    {"title": "Papyrus HOPELINE247", "detail": N_("If you are having thoughts of suicide (under 35s)."),
     "phone": "0800 068 4141"},
    *OVER_18_ROUTES,
)  # fmt: skip


# Each nation's own routes, added to the UK defaults (CONTENT.md's help routes; issue of the four nations): Meic is
# the Welsh Government's helpline for children and young people in Wales, in Welsh and English.
MEIC = {
    "title": "Meic",
    "detail": N_("Helpline for children and young people in Wales, in Welsh or English, 8am to midnight."),
    "phone": "080880 23456",
    "url": "https://www.meic.cymru",
}
NATION_ROUTES = {"wales": (MEIC,)}


def default_help_routes(nation=None):
    """The help routes a new school in `nation` starts with: the UK defaults, then the nation's own."""
    return (*DEFAULT_HELP_ROUTES, *NATION_ROUTES.get(nation, ()))


def add_default_help_routes(db, school_id, nation=None):
    """Give a new school the default help routes (with its nation's own)."""
    with write_transaction(db):
        db["help_routes"].insert_all(
            {"school_id": school_id, "position": position, "detail": "", **route}
            for position, route in enumerate(default_help_routes(nation), start=1)
        )


def help_routes_for(db, school_id):
    """The school's help routes in order, 999 always first; the defaults when nobody is signed in."""
    if school_id is None:
        return [dict(route, detail=route.get("detail", "")) for route in DEFAULT_HELP_ROUTES]
    routes = emergency_first(
        db.query("SELECT * FROM help_routes WHERE school_id = ? ORDER BY position, id", [school_id])
    )
    # Whatever a school edits, "In danger now? Call 999" stays on every page.
    if not any(is_emergency(route) for route in routes):
        routes.insert(0, dict(DEFAULT_HELP_ROUTES[0]))
    return routes


# The help panel for visitors is the same on every page: built once.
_DEFAULT_PANEL = ([dict(route, detail=route.get("detail", "")) for route in DEFAULT_HELP_ROUTES], None)
SETTINGS_VERSION = "SELECT settings_version FROM schools WHERE id = ?"
SCHOOL_DSL = "SELECT id, name, dsl_name, dsl_where, nation FROM schools WHERE id = ?"


def help_panel_for(db, school_id, cache, version=None):
    """(help routes, school's DSL row) for the help panel, kept in `cache` until the school's settings change.

    `version` is the school's settings_version if the caller already has it (the session query
    reads it, so a page view runs no query here). Triggers bump it with every edit of the routes
    or the DSL (migration m013), so each worker sees an admin's change on its next page.
    """
    if school_id is None:
        return _DEFAULT_PANEL
    if version is None:
        row = db.execute(SETTINGS_VERSION, [school_id]).fetchone()
        version = row[0] if row else None
    kept = cache.get(school_id)
    if kept is not None and kept[0] == version:
        return kept[1]
    # Read after the version, so the copy is at least as new as the number it is kept under.
    panel = (help_routes_for(db, school_id), next(db.query(SCHOOL_DSL, [school_id]), None))
    cache[school_id] = (version, panel)
    return panel
