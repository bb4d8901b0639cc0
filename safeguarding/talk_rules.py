"""Rules for "talk to someone" requests: the choices, the statuses, and the staff e-mail (no names, no message)."""

MESSAGE_MAX = 500
URGENCIES = {
    "today": "Today",
    "soon": "In the next few days",
    "no-rush": "No rush",
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


def who_choices(dsl_label, teachers):
    """(value, label) pairs for the 'who' question: the DSL first, then the pupil's own teachers."""
    choices = [(DSL_CHOICE, dsl_label)]
    choices += [(f"{TEACHER_PREFIX}{t['id']}", f"{t['name']} (your teacher)") for t in teachers]
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


def notification(urgency, queue_url):
    """(subject, body) of the staff e-mail. Never the pupil's name or message: e-mail is not a safe place for them."""
    subject = "A pupil has asked to talk to someone"
    body = (
        "A pupil has asked to talk to you.\n"
        f"How soon they would like to talk: {URGENCIES.get(urgency, urgency).lower()}.\n\n"
        f"Sign in to see the request: {queue_url}\n\n"
        "For the pupil's privacy this e-mail does not say who asked or what they wrote.\n"
        "If a child is in immediate danger, call 999.\n"
    )
    return subject, body
