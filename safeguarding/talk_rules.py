"""Rules for "talk to someone" requests: the choices, the statuses, and the staff e-mail (no names, no message)."""

from datetime import datetime, timedelta

from dates import when

MESSAGE_MAX = 500
URGENCIES = {
    "today": "Today",
    "soon": "In the next few days",
    "no-rush": "No rush",
}
# A request nobody has opened this long after it was made is overdue: it is marked in the queue and
# sent again to every DSL and deputy. "Today" gets a few hours: the pupil asked for the same day.
OVERDUE_AFTER = {
    "today": timedelta(hours=4),
    "soon": timedelta(days=3),
    "no-rush": timedelta(days=7),
}
STATUSES = {
    "new": "New",
    "seen": "Seen",
    "in-progress": "In progress",
    "closed": "Closed",
}
OPEN_STATUSES = ("new", "seen", "in-progress")
DSL_CHOICE = "dsl"
TEACHER_PREFIX = "teacher-"


def who_choices(dsl_label, teachers, teacher_words="%(name)s (your teacher)"):
    """(value, label) pairs for the 'who' question: the DSL first, then the pupil's own teachers (`teacher_words`
    names each, in the page's language)."""
    choices = [(DSL_CHOICE, dsl_label)]
    choices += [(f"{TEACHER_PREFIX}{t['id']}", teacher_words % {"name": t["name"]}) for t in teachers]
    return choices


def parse_who(value, teacher_ids):
    """('dsl', None) or ('teacher', id) for a chosen value; None if it is not one of the pupil's choices."""
    if value == DSL_CHOICE:
        return ("dsl", None)
    if value and value.startswith(TEACHER_PREFIX):
        digits = value.removeprefix(TEACHER_PREFIX)
        if digits.isdigit() and int(digits) in teacher_ids:
            return ("teacher", int(digits))
    return None


def first_view_status(status):
    """Opening a new request marks it seen; any other status stays as it is."""
    return "seen" if status == "new" else status


def _same(words, **values):
    """No translation: the words as written (English), with their values."""
    return words % values if values else words


def notification(urgency, queue_url, _=_same):
    """(subject, body) of the staff e-mail. Never the pupil's name or message: e-mail is not a safe place for them.

    `_` translates each sentence (a gettext taking named values); English by default."""
    subject = _("A pupil has asked to talk to someone")
    body = (
        _("A pupil has asked to talk to you.") + "\n"
        + _("How soon they would like to talk: %(urgency)s.", urgency=_(URGENCIES.get(urgency, urgency)).lower())
        + "\n\n" + _("Sign in to see the request: %(url)s", url=queue_url) + "\n\n"
        + _("For the pupil's privacy this e-mail does not say who asked or what they wrote.") + "\n"
        + _("If a child is in immediate danger, call 999.") + "\n"
    )  # fmt: skip
    return subject, body


def is_overdue(status, urgency, created_at, now):
    """Whether a request is still unopened ('new') past the time the pupil chose. Times: ISO strings or datetimes."""
    if status != "new":
        return False
    created = datetime.fromisoformat(created_at) if isinstance(created_at, str) else created_at
    current = datetime.fromisoformat(now) if isinstance(now, str) else now
    return current - created >= OVERDUE_AFTER.get(urgency, OVERDUE_AFTER["today"])


def overdue_notification(urgency, created_at, queue_url, _=_same):
    """(subject, body) of the reminder to every DSL and deputy. Never the pupil's name or message. `_` as above."""
    subject = _("Overdue: a pupil's request to talk has not been opened")
    body = (
        _("A pupil asked to talk, and nobody has opened the request yet.") + "\n"
        + _("How soon they wanted to talk: %(urgency)s.", urgency=_(URGENCIES.get(urgency, urgency)).lower()) + "\n"
        + _("Asked at: %(time)s (UK time).", time=when(created_at)) + "\n\n"
        + _("Sign in to see the request: %(url)s", url=queue_url) + "\n\n"
        + _("This reminder goes to every DSL and deputy DSL. For the pupil's privacy it does not say who asked or "
            "what they wrote.") + "\n"
        + _("If a child is in immediate danger, call 999.") + "\n"
    )  # fmt: skip
    return subject, body


def _english(singular, plural, num, **variables):
    """gettext's ngettext, in English: `waiting_summary`'s words where no translation is given (a rule's test)."""
    return (singular if num == 1 else plural) % {"num": num, **variables}


def waiting_summary(counts, labels=URGENCIES, ngettext=_english):
    """The sign-in banner's words from {urgency: count of unopened requests}, the most urgent first; None if none.

    `labels` names each urgency and `ngettext` says the sentence, both in the page's language (the view gives them)."""
    total = sum(counts.values())
    if not total:
        return None
    urgencies = ", ".join(f"{str(labels[u]).lower()} ({counts[u]})" for u in URGENCIES if counts.get(u))
    return ngettext(
        "%(num)d pupil's request to talk is waiting to be opened. The most urgent first: %(urgencies)s.",
        "%(num)d requests to talk are waiting to be opened. The most urgent first: %(urgencies)s.",
        total,
        urgencies=urgencies,
    )
