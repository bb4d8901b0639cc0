"""Dates as people read them: `long_date` on certificates, `when` and `day` (UK local time) on staff screens; in
English, or with another language's month names on its pages."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date


def _month(moment, language, short):
    """The month of `moment` in `language`: 'Nov' or 'November' in English (strftime's, as before), Babel's for any
    other language: 'Tach' or 'Tachwedd' in Welsh."""
    if language == "en":
        return f"{moment:%b}" if short else f"{moment:%B}"
    return format_date(moment, "MMM" if short else "MMMM", locale=language)


def long_date(value, language="en"):
    """'2026-11-21T09:30:00+00:00' (or a date) -> '21 November 2026' ('21 Tachwedd 2026' on a Welsh page or
    certificate); the Jinja filter `long_date` passes the page's language."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.date()
    elif not isinstance(value, date):
        # Stored times are db.now() ISO strings in UTC; the day is their first ten characters,
        # as on every certificate already issued.
        value = date.fromisoformat(str(value)[:10])
    return f"{value.day} {_month(value, language, short=False)} {value:%Y}"


# Stored times are UTC; people in UK schools read them on the wall clock (GMT or BST).
UK = ZoneInfo("Europe/London")


def _uk(value):
    """A stored UTC ISO string (or datetime) as an aware datetime in UK local time."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:  # db.now() always has +00:00; a bare one is UTC too
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK)


def when(value, language="en"):
    """'2026-07-01T13:30:00+00:00' -> '1 Jul 2026, 14:30' (UK local time); the Jinja filter `when`
    used on every staff screen. Empty stays empty."""
    if value is None or value == "":
        return ""
    moment = _uk(value)
    return f"{moment.day} {_month(moment, language, short=True)} {moment:%Y, %H:%M}"


def day(value, language="en"):
    """'2026-11-21T23:30:00+00:00' -> '21 Nov 2026': the UK local day, as `when` writes it."""
    if value is None or value == "":
        return ""
    moment = _uk(value) if "T" in str(value) or isinstance(value, datetime) else date.fromisoformat(str(value))
    return f"{moment.day} {_month(moment, language, short=True)} {moment:%Y}"


def uk_day(value):
    """A stored UTC timestamp as the date it was on the UK wall clock (as `day` writes it), or None."""
    return _uk(value).date() if value else None


def uk_today():
    """Today's date in UK local time (a day a teacher sets starts at midnight on the wall clock)."""
    return datetime.now(UK).date()
