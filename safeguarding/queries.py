"""SQL for help routes, talk requests, the audit log page and finding a pupil's records. Always scoped to a school."""

from db import now, write_transaction
from outbox.queries import queue_message

# Help routes ---------------------------------------------------------------------------------
ROUTES_FOR_SCHOOL = "SELECT * FROM help_routes WHERE school_id = ? ORDER BY position, id"
ROUTE_FOR_SCHOOL = "SELECT * FROM help_routes WHERE id = ? AND school_id = ?"
NEXT_POSITION = "SELECT coalesce(max(position), 0) + 1 AS position FROM help_routes WHERE school_id = ?"
SET_POSITION = "UPDATE help_routes SET position = ? WHERE id = ? AND school_id = ?"
DELETE_ROUTE = "DELETE FROM help_routes WHERE id = ? AND school_id = ?"
UPDATE_DSL = "UPDATE schools SET dsl_name = ?, dsl_where = ? WHERE id = ?"

# Talk requests -------------------------------------------------------------------------------
# The pupil's own teachers: teachers of the pupil's current classes, in the pupil's school.
TEACHERS_OF_PUPIL = """
SELECT DISTINCT t.id, t.first_name, t.last_name
FROM class_pupils cp
JOIN classes c ON c.id = cp.class_id AND c.archived_at IS NULL
JOIN class_teachers ct ON ct.class_id = c.id
JOIN people t ON t.id = ct.person_id
WHERE cp.person_id = :pupil_id AND t.school_id = :school_id AND t.archived_at IS NULL
  AND t.role IN ('teacher', 'dsl', 'admin')
ORDER BY t.last_name, t.first_name
"""
DSL_EMAILS = """
SELECT email FROM people
WHERE school_id = ? AND role = 'dsl' AND archived_at IS NULL AND email IS NOT NULL  -- deputies included
ORDER BY id
"""
STAFF_EMAIL = """
SELECT email FROM people
WHERE id = ? AND school_id = ? AND archived_at IS NULL AND email IS NOT NULL
"""
# The DSL sees every request in the school; anyone else only requests addressed to them.
REQUEST_COLUMNS = """
SELECT r.*, p.first_name AS pupil_first_name, p.last_name AS pupil_last_name, p.year_group,
       t.first_name AS teacher_first_name, t.last_name AS teacher_last_name
FROM talk_requests r
JOIN people p ON p.id = r.pupil_id
LEFT JOIN people t ON t.id = r.teacher_id
WHERE r.school_id = :school_id AND (:whole_school = 1 OR r.teacher_id = :person_id)
"""
# Open requests: the most urgent first, then the longest waiting. Closed ones: the latest first.
OPEN_REQUESTS = (
    REQUEST_COLUMNS
    + """
  AND r.status != 'closed'
ORDER BY CASE r.urgency WHEN 'today' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END, r.created_at, r.id
"""
)
CLOSED_REQUESTS = REQUEST_COLUMNS + " AND r.status = 'closed' ORDER BY r.updated_at DESC, r.id DESC LIMIT 200"
REQUEST_FOR_STAFF = REQUEST_COLUMNS + " AND r.id = :request_id"
ACTIONS_FOR_REQUEST = """
SELECT a.*, s.first_name AS staff_first_name, s.last_name AS staff_last_name
FROM talk_request_actions a LEFT JOIN people s ON s.id = a.staff_id
WHERE a.request_id = ? ORDER BY a.id
"""
CLASS_NAMES_OF_PUPIL = """
SELECT c.name FROM classes c JOIN class_pupils cp ON cp.class_id = c.id
WHERE cp.person_id = ? AND c.archived_at IS NULL ORDER BY c.name
"""
SET_REQUEST_STATUS = "UPDATE talk_requests SET status = ?, updated_at = ? WHERE id = ?"

# Requests nobody has opened yet: one COUNT per staff page, and only for DSLs (index talk_requests_school).
WAITING_COUNT = "SELECT count(*) AS n FROM talk_requests WHERE school_id = ? AND status = 'new'"
WAITING_BY_URGENCY = """
SELECT urgency, count(*) AS n FROM talk_requests WHERE school_id = ? AND status = 'new' GROUP BY urgency
"""
# Candidates for the overdue reminder; the rule (talk_rules.is_overdue) decides which are due.
UNOPENED_NOT_REMINDED = """
SELECT id, school_id, urgency, status, created_at FROM talk_requests
WHERE status = 'new' AND overdue_notified_at IS NULL ORDER BY id
"""
# Conditional, so two workers can never both send the reminder.
MARK_OVERDUE = "UPDATE talk_requests SET overdue_notified_at = ? WHERE id = ? AND overdue_notified_at IS NULL"

# Audit log -----------------------------------------------------------------------------------
# Filters by person and action; None means any.
AUDIT_WHERE = """
WHERE a.school_id = :school_id
  AND (:staff_id IS NULL OR a.staff_id = :staff_id)
  AND (:action IS NULL OR a.action = :action)
"""
# With each entry: whether what it names is still held (erased records get no link) and a certificate's code.
AUDIT_PAGE = (
    """
SELECT a.*, s.first_name AS staff_first_name, s.last_name AS staff_last_name, s.role AS staff_role,
       CASE a.subject_type
         WHEN 'talk_request' THEN EXISTS (SELECT 1 FROM talk_requests r
                                          WHERE r.id = a.subject_id AND r.school_id = a.school_id)
         WHEN 'pupil' THEN EXISTS (SELECT 1 FROM people p
                                   WHERE p.id = a.subject_id AND p.school_id = a.school_id AND p.role = 'pupil')
         WHEN 'class' THEN EXISTS (SELECT 1 FROM classes c WHERE c.id = a.subject_id AND c.school_id = a.school_id)
         ELSE TRUE END AS subject_held,
       (SELECT c.code FROM certificates c WHERE a.subject_type = 'certificate'
          AND c.id = a.subject_id AND c.school_id = a.school_id) AS certificate_code
FROM audit_log a LEFT JOIN people s ON s.id = a.staff_id
"""
    + AUDIT_WHERE
    + "ORDER BY a.id DESC LIMIT :limit OFFSET :offset"
)
AUDIT_COUNT = "SELECT count(*) AS n FROM audit_log a" + AUDIT_WHERE
AUDIT_PEOPLE = """
SELECT DISTINCT s.id, s.first_name, s.last_name, s.role
FROM audit_log a JOIN people s ON s.id = a.staff_id
WHERE a.school_id = ? ORDER BY s.last_name, s.first_name, s.id
"""
AUDIT_FOR_SUBJECT = """
SELECT * FROM audit_log WHERE school_id = ? AND subject_type = ? AND subject_id = ? ORDER BY id
"""

# Pupils' records -----------------------------------------------------------------------------
FIND_PUPILS = """
SELECT id, first_name, last_name, username, year_group, archived_at FROM people
WHERE school_id = :school_id AND role = 'pupil'
  AND (:q = '' OR contains_folded(first_name || ' ' || last_name, :q) OR contains_folded(username, :q))
ORDER BY archived_at IS NOT NULL, last_name, first_name LIMIT 100
"""
PUPIL_FOR_SCHOOL = "SELECT * FROM people WHERE id = ? AND school_id = ? AND role = 'pupil'"


def audit_filters(school_id, staff_id=None, action=None):
    """Query parameters for the audit log: the school, and optionally one person and one action."""
    return {"school_id": school_id, "staff_id": staff_id, "action": action}


def audit_count(db, filters):
    """How many entries match `filters`."""
    return next(db.query(AUDIT_COUNT, filters))["n"]


def audit_page(db, filters, limit, offset):
    """A page of the school's audit log matching `filters`, newest first."""
    return list(db.query(AUDIT_PAGE, dict(filters, limit=limit, offset=offset)))


def audit_people(db, school_id):
    """Everyone (still on record) who appears in the school's audit log, for the filter."""
    return list(db.query(AUDIT_PEOPLE, [school_id]))


# Help routes
def routes_for_school(db, school_id):
    """The school's help routes in order."""
    return list(db.query(ROUTES_FOR_SCHOOL, [school_id]))


def route_for_school(db, route_id, school_id):
    """One of the school's help routes, or None (another school's id gives None)."""
    return next(db.query(ROUTE_FOR_SCHOOL, [route_id, school_id]), None)


def add_route(db, school_id, values):
    """Add a help route at the end of the list; returns its id."""
    with write_transaction(db):
        position = next(db.query(NEXT_POSITION, [school_id]))["position"]
        return db["help_routes"].insert(dict(values, school_id=school_id, position=position)).last_pk


ROUTE_URLS = "SELECT url FROM help_routes WHERE school_id = ? AND url IS NOT NULL"
# The nation's help routes only change with its lead's title: one number tells every worker its panel is stale.
SET_NATION = "UPDATE schools SET nation = ?, settings_version = settings_version + 1 WHERE id = ?"


def set_nation(db, school_id, nation, routes):
    """Set the school's nation and add those of its `routes` the school lacks (by address), at the end of its list;
    returns the titles added. One transaction: the title and the routes change together."""
    with write_transaction(db):
        db.execute(SET_NATION, [nation, school_id])
        have = {row["url"] for row in db.query(ROUTE_URLS, [school_id])}
        missing = [route for route in routes if route["url"] not in have]
        for route in missing:
            position = next(db.query(NEXT_POSITION, [school_id]))["position"]
            db["help_routes"].insert(dict(route, school_id=school_id, position=position, detail=route["detail"]))
    return [route["title"] for route in missing]


def update_route(db, route_id, school_id, values):
    """Change a help route's words, number or address."""
    with write_transaction(db):
        db.execute(
            "UPDATE help_routes SET title = ?, detail = ?, phone = ?, sms = ?, url = ? WHERE id = ? AND school_id = ?",
            [values["title"], values["detail"], values["phone"], values["sms"], values["url"], route_id, school_id],
        )


def set_order(db, school_id, ids):
    """Store the routes' order as positions 1, 2, 3..."""
    with write_transaction(db):
        for position, route_id in enumerate(ids, start=1):
            db.execute(SET_POSITION, [position, route_id, school_id])


def remove_route(db, route_id, school_id):
    """Remove one of the school's help routes."""
    with write_transaction(db):
        db.execute(DELETE_ROUTE, [route_id, school_id])


def update_dsl(db, school_id, dsl_name, dsl_where):
    """The DSL's name and where pupils can find them, shown in the help panel."""
    with write_transaction(db):
        db.execute(UPDATE_DSL, [dsl_name or None, dsl_where or None, school_id])


# Talk requests
def teachers_of_pupil(db, pupil_id, school_id):
    """The pupil's own teachers, with a display name."""
    rows = db.query(TEACHERS_OF_PUPIL, {"pupil_id": pupil_id, "school_id": school_id})
    return [{"id": row["id"], "name": f"{row['first_name']} {row['last_name']}".strip()} for row in rows]


def create_request(db, school_id, pupil_id, addressed_to, teacher_id, urgency, message):
    """Store a pupil's request to talk, with its first action, and return its id."""
    stamp = now()
    with write_transaction(db):
        request_id = (
            db["talk_requests"]
            .insert(
                {
                    "school_id": school_id,
                    "pupil_id": pupil_id,
                    "addressed_to": addressed_to,
                    "teacher_id": teacher_id,
                    "urgency": urgency,
                    "message": message or None,
                    "status": "new",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
            .last_pk
        )
    return request_id


def recipients_for(db, school_id, addressed_to, teacher_id):
    """E-mail addresses to notify: the school's DSLs, or the one teacher asked for."""
    if addressed_to == "teacher" and teacher_id:
        rows = db.query(STAFF_EMAIL, [teacher_id, school_id])
    else:
        rows = db.query(DSL_EMAILS, [school_id])
    return [row["email"] for row in rows]


def scope(user, **extra):
    """Query parameters that limit requests to what `user` may see."""
    return {"school_id": user.school_id, "person_id": user.id, "whole_school": user.role == "dsl", **extra}


def requests_for_staff(db, user, closed=False):
    """Requests `user` may see: open ones (most urgent first) or closed ones."""
    return list(db.query(CLOSED_REQUESTS if closed else OPEN_REQUESTS, scope(user)))


def request_for_staff(db, user, request_id):
    """One request if `user` may see it, else None."""
    return next(db.query(REQUEST_FOR_STAFF, scope(user, request_id=request_id)), None)


def actions_for_request(db, request_id):
    """What staff have recorded on a request, oldest first."""
    return list(db.query(ACTIONS_FOR_REQUEST, [request_id]))


def class_names_of_pupil(db, pupil_id):
    """The names of the pupil's current classes."""
    return [row["name"] for row in db.query(CLASS_NAMES_OF_PUPIL, [pupil_id])]


def record_action(db, request_id, staff_id, status, note):
    """Record a note and a status on a request, and set the request's status."""
    stamp = now()
    with write_transaction(db):
        db["talk_request_actions"].insert(
            {"request_id": request_id, "staff_id": staff_id, "status": status, "note": note or "", "created_at": stamp}
        )
        db.execute(SET_REQUEST_STATUS, [status, stamp, request_id])


# Pupils' records
def find_pupils(db, school_id, q=""):
    """Pupils of the school (archived ones too) whose name or username contains `q`, ignoring case and accents."""
    q = (q or "").strip()
    return list(db.query(FIND_PUPILS, {"school_id": school_id, "q": q}))


def pupil_for_school(db, pupil_id, school_id):
    """The pupil if they belong to the school, else None."""
    return next(db.query(PUPIL_FOR_SCHOOL, [pupil_id, school_id]), None)


# What DSLs must not miss
def waiting_count(db, school_id):
    """How many of the school's requests nobody has opened yet."""
    return next(db.query(WAITING_COUNT, [school_id]))["n"]


def waiting_by_urgency(db, school_id):
    """{urgency: count} of the school's unopened requests."""
    return {row["urgency"]: row["n"] for row in db.query(WAITING_BY_URGENCY, [school_id])}


def unopened_not_reminded(db):
    """Every school's unopened requests that have not had an overdue reminder."""
    return list(db.query(UNOPENED_NOT_REMINDED))


def dsl_emails(db, school_id):
    """Every DSL's and deputy DSL's e-mail address in the school."""
    return [row["email"] for row in db.query(DSL_EMAILS, [school_id])]


def mark_overdue_and_queue(db, request_row, recipients, subject, body):
    """Mark a request as reminded and put the reminder in the outbox, in one transaction.

    Returns the outbox id, or None if another worker marked it first (so it is sent exactly once).
    """
    stamp = now()
    with write_transaction(db):
        if db.execute(MARK_OVERDUE, [stamp, request_row["id"]]).rowcount != 1:
            return None
        return queue_message(db, request_row["school_id"], recipients, subject, body)
