"""The staff course's completion rules: pure functions, no Flask or database here.

Staff safeguarding training is refreshed yearly, so a completion older than a year is due again; a school
may require a current completion before a member of staff teaches the pupils' course.
"""

from datetime import date

# Days a completion counts for: a completion this many days old still counts, one a day older is due again.
REFRESH_DAYS = 365

NOT_DONE, DONE, DUE_AGAIN = "Not done", "Done", "Due again"


def due_again(completed_on, today):
    """Whether a completion on `completed_on` (a date) is older than REFRESH_DAYS on `today`."""
    return (today - completed_on).days > REFRESH_DAYS


def completion_status(completed_on, today):
    """NOT_DONE (no completion), DUE_AGAIN (older than a year) or DONE, as the DSL's list shows it."""
    if completed_on is None:
        return NOT_DONE
    return DUE_AGAIN if due_again(completed_on, today) else DONE


def must_take_first(required, completed_on, today):
    """Whether a member of staff must (re)take the staff course before teaching: the school requires it and they
    have no completion, or only one that is due again."""
    return bool(required) and completion_status(completed_on, today) != DONE


def renews(completed_on, today, passed_final):
    """Whether a passed final check issues a new certificate: only once the last completion is due again."""
    return passed_final and completed_on is not None and due_again(completed_on, today)


def due_on(completed_on):
    """The first day a completion on `completed_on` is due again."""
    return date.fromordinal(completed_on.toordinal() + REFRESH_DAYS + 1)
