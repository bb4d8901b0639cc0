"""The audit log: writing an entry (every part does), what entries mean in words the DSL reads, which ones
link where, its pages and visits."""

from datetime import UTC, datetime, timedelta

from db import now, write_transaction
from languages import lazy_gettext as _l

# One visit: a second view of the same record by the same person within this time is not logged again,
# so saving a note (and being sent back to the page) does not fill the log with views. A time window,
# not a marker in the URL, because a marker could be added by hand to hide a view.
VISIT = timedelta(minutes=30)
# Pages of the log go up to here: far beyond any school's log, and small enough for SQLite's OFFSET.
MAX_PAGE_DIGITS = 7

ACTIONS = {
    "list": _l("Looked at the list of talk requests"),
    "view": _l("Opened a talk request"),
    "update": _l("Recorded an action on a talk request"),
    "export-json": _l("Exported a pupil's records (JSON)"),
    "export-pdf": _l("Exported a pupil's records (PDF)"),
    "view-pupil": _l("Opened a pupil's records page"),
    "erase": _l("Erased a pupil and their records"),
    "erase-retention": _l("Erased a pupil's records (retention period ended)"),
    "help-routes": _l("Changed the help routes"),
    "class-create": _l("Created a class"),
    "class-teachers": _l("Changed who teaches a class"),
    "class-recheck": _l("Set or cleared a class's re-check date"),
    "class-new-cards": _l("Made new sign-in cards for a class"),
    "class-code-new": _l("Made a new class code"),
    "class-code-off": _l("Switched a class code off"),
    "class-code-on": _l("Switched a class code on"),
    "roster-import": _l("Imported pupils into a class"),
    "live-start": _l("Started a live lesson with a class"),
    "live-end": _l("Ended a class's live lesson"),
    "pupil-add": _l("Added a pupil"),
    "pupil-reset-password": _l("Reset a pupil's password"),
    "pupil-archive": _l("Archived a pupil who left"),
    "staff-add": _l("Added a member of staff"),
    "staff-reset-password": _l("Reset a member of staff's password"),
    "staff-archive": _l("Archived a member of staff"),
    "staff-reset-authenticator": _l("Reset a member of staff's authenticator app (two-step sign-in)"),
    "school-mfa-setting": _l("Changed whether teachers must use two-step sign-in"),
    "parents-view-setting": _l("Changed whether the parents' page is published, or whom parents ask"),
    "staff-course-setting": _l(
        "Changed whether staff must complete the staff course before teaching the pupils' course"
    ),
    "school-language-setting": _l("Changed the school's default language"),
    "school-nation-setting": _l("Changed the school's nation"),
    "certificate-revoke": _l("Revoked a certificate"),
    "certificate-reissue": _l("Reissued a certificate"),
    "sign-in-domain-add": _l("Added a Google domain or Microsoft tenant for signing in"),
    "sign-in-domain-remove": _l("Removed a Google domain or Microsoft tenant for signing in"),
    "trust-create": _l("Created a trust"),
    "trust-rename": _l("Renamed a trust"),
    "trust-school-in": _l("Put a school into a trust (its lead sees the school's figures)"),
    "trust-school-out": _l("Took a school out of a trust"),
    "trust-lead-invite": _l("Invited a trust lead"),
    # The operator's console (console/): entries in the operators' own log, naming the school by id.
    "console-school-create": _l("Created a school and invited its first admin"),
    "console-invite-resend": _l("Sent a new invite link (the old one stopped working)"),
    "console-operator-invite": _l("Invited an operator"),
    "console-school-suspend": _l("Suspended a school"),
    "console-school-restore": _l("Restored a suspended school"),
    "console-school-export": _l("Asked for an export of everything a school holds"),
    "console-school-export-download": _l("Downloaded a school's export"),
    "console-school-erase": _l("Erased everything a school held (offboarded)"),
}
SUBJECTS = {
    "talk_request": _l("Talk request"),
    "talk_requests": _l("Talk requests"),
    "pupil": _l("Pupil"),
    "school": _l("School"),
    "class": _l("Class"),
    "staff": _l("Staff"),
    "certificate": _l("Certificate"),
    "trust": _l("Trust"),
}


def describe(action):
    """The plain words for an action code, in the page's language (the code itself if it is unknown)."""
    return ACTIONS.get(action, action)


def subject(entry):
    """'Talk request 12', 'Pupil 40': ids only, so an erased pupil's name never stays behind."""
    label = SUBJECTS.get(entry["subject_type"], entry["subject_type"])
    return f"{label} {entry['subject_id']}" if entry["subject_id"] is not None else label


# What each kind of record links to, and who may open that page. Staff and the school's settings are
# admin pages, so the DSL's log names them without a link.
LINKS = {
    "talk_request": ("safeguarding.talk_request", "request_id", ("dsl",)),
    "talk_requests": ("safeguarding.requests", None, ("dsl", "teacher", "admin")),
    "pupil": ("safeguarding.pupil", "pupil_id", ("dsl", "admin")),
    "class": ("classroom.class_page", "class_id", ("dsl", "admin")),
    "certificate": ("certificates.verify_code", "code", ("dsl", "admin", "teacher")),
}


def link(entry, role):
    """(endpoint, values) of the page an entry names, if it is still held and `role` may open it; else None."""
    endpoint, param, roles = LINKS.get(entry["subject_type"], (None, None, ()))
    if role not in roles or not entry["subject_held"]:
        return None
    if param is None:
        return endpoint, {}
    if param == "code":
        return (endpoint, {"code": entry["certificate_code"]}) if entry["certificate_code"] else None
    return (endpoint, {param: entry["subject_id"]}) if entry["subject_id"] is not None else None


def page_number(text, pages):
    """The page asked for as a number from 1 to `pages` (no text: 1); None if it is not one of them."""
    if text is None:
        return 1
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_PAGE_DIGITS or not 1 <= int(text) <= pages:
        return None
    return int(text)


def visit_start(moment=None):
    """The earliest time a view still belongs to the current visit, as stored (ISO, UTC)."""
    return ((moment or datetime.now(UTC)) - VISIT).isoformat(timespec="seconds")


# The same person's same view of the same record since `since`: such a view is not logged again.
RECENT_VIEW = """
SELECT 1 FROM audit_log
WHERE school_id = ? AND staff_id = ? AND action = ? AND subject_type = ?
  AND subject_id IS NOT DISTINCT FROM ? AND created_at >= ?
LIMIT 1
"""


def audit(db, school_id, staff_id, action, subject_type, subject_id=None):
    """Write one audit entry: who did what to which record, and when. Never a name."""
    with write_transaction(db):
        db["audit_log"].insert(
            {
                "school_id": school_id,
                "staff_id": staff_id,
                "action": action,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "created_at": now(),
            }
        )


def audit_by(db, user, action, subject_type, subject_id=None):
    """Write one audit entry for something the signed-in member of staff did."""
    audit(db, user.school_id, user.id, action, subject_type, subject_id)


def audit_view_by(db, user, action, subject_type, subject_id=None, since=None):
    """Log that the signed-in member of staff looked at something, unless they already did since `since`.

    One entry per visit: saving a note and coming back to the page is the same visit.
    """
    # Read first, without the write lock: two views at the same instant both logged is harmless.
    if since and next(db.query(RECENT_VIEW, [user.school_id, user.id, action, subject_type, subject_id, since]), None):
        return False
    audit(db, user.school_id, user.id, action, subject_type, subject_id)
    return True
