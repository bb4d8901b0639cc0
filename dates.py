"""Dates as people read them: one format for every page and PDF."""

from datetime import date, datetime


def long_date(value):
    """'2026-11-21T09:30:00+00:00' (or a date) -> '21 November 2026'; the Jinja filter `long_date`."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.date()
    elif not isinstance(value, date):
        # Stored times are db.now() ISO strings in UTC; the day is their first ten characters,
        # as on every certificate already issued.
        value = date.fromisoformat(str(value)[:10])
    return f"{value.day} {value:%B %Y}"
