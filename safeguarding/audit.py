"""What the audit log's entries mean, in words the DSL reads."""

ACTIONS = {
    "list": "Looked at the list of talk requests",
    "view": "Opened a talk request",
    "update": "Recorded an action on a talk request",
    "export-json": "Exported a pupil's records (JSON)",
    "export-pdf": "Exported a pupil's records (PDF)",
    "view-pupil": "Opened a pupil's records page",
    "erase": "Erased a pupil and their records",
    "erase-retention": "Erased a pupil's records (retention period ended)",
    "help-routes": "Changed the help routes",
    "class-create": "Created a class",
    "class-teachers": "Changed who teaches a class",
    "class-new-cards": "Made new sign-in cards for a class",
    "roster-import": "Imported pupils into a class",
    "pupil-add": "Added a pupil",
    "pupil-reset-password": "Reset a pupil's password",
    "pupil-archive": "Archived a pupil who left",
    "staff-add": "Added a member of staff",
    "staff-reset-password": "Reset a member of staff's password",
    "staff-archive": "Archived a member of staff",
    "certificate-revoke": "Revoked a certificate",
    "certificate-reissue": "Reissued a certificate",
}
SUBJECTS = {
    "talk_request": "Talk request",
    "talk_requests": "Talk requests",
    "pupil": "Pupil",
    "school": "School",
    "class": "Class",
    "staff": "Staff",
    "certificate": "Certificate",
}


def describe(action):
    """The plain words for an action code (the code itself if it is unknown)."""
    return ACTIONS.get(action, action)


def subject(entry):
    """'Talk request 12', 'Pupil 40': ids only, so an erased pupil's name never stays behind."""
    label = SUBJECTS.get(entry["subject_type"], entry["subject_type"])
    return f"{label} {entry['subject_id']}" if entry["subject_id"] is not None else label
