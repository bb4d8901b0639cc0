"""The delayed re-check: pure rules, no Flask or database here.

A class's teacher sets a day (classes.recheck_on). From it, a pupil of the class who has done the
final check takes the course's check questions again, once, as phase 'recheck': what they still
know weeks later. It never counts towards completion or the certificate.
"""

from datetime import date, timedelta


def N_(words):
    """Marks words for the catalogue (pybabel's N_) and leaves them English: the page translates them when shown."""
    return words


# What the class page suggests: long enough after the lessons to show what pupils kept.
SUGGESTION = N_("about 4 to 6 weeks after the class finishes the course")
# A pupil who did the final check late (absent, catching up) gets the re-check this long after it,
# not at once: straight after the final check it would measure nothing the final did not.
MIN_DAYS_AFTER_FINAL = 14
DATE_IN_PAST = N_("Choose today or a later date: the re-check starts on the day you set.")
DATE_MISSING = N_("Type the date of the re-check, or press “Clear the re-check” to have none.")


def date_problem(day, today):
    """Why `day` cannot be the re-check date (None, or a date before `today`), or None if it can."""
    if day is None:
        return DATE_MISSING
    if day < today:
        return DATE_IN_PAST
    return None


def opens_on(class_day, final_day):
    """The day a pupil's re-check opens: the class's day, and at least MIN_DAYS_AFTER_FINAL after their final check.

    None when the class has no re-check or the pupil has not done the final check.
    """
    if class_day is None or final_day is None:
        return None
    return max(class_day, final_day + timedelta(days=MIN_DAYS_AFTER_FINAL))


def is_open(class_day, final_day, taken, today):
    """Whether the pupil may take the re-check today: it has opened and they have not taken it."""
    day = opens_on(class_day, final_day)
    return not taken and day is not None and today >= day


def as_date(value):
    """A stored ISO date or timestamp ('2027-03-15', '2027-03-15T09:00:00+00:00') as a date, or None."""
    return date.fromisoformat(str(value)[:10]) if value else None
