"""SQL for live lessons: the session's one row of shared state, attendance, and the class's answer totals."""

from db import IntegrityError, prepared, write_transaction

# The pupil's poll: one primary-key read of the session and one of their own attendance row (no join).
# `seen_at` is '' for a row with no poll yet and NULL when the pupil has not joined.
POLL = prepared("""
SELECT version, position, paused, ended_at, moved_at, lesson_id, course_id,
       (SELECT coalesce(seen_at, '') FROM live_attendance WHERE session_id = :session_id AND pupil_id = :pupil_id)
         AS seen_at
FROM live_sessions WHERE id = :session_id
""")
TOUCH_SEEN = "UPDATE live_attendance SET seen_at = :now WHERE session_id = :session_id AND pupil_id = :pupil_id"
TOUCH_SEEN_MANY = "UPDATE live_attendance SET seen_at = ? WHERE session_id = ? AND pupil_id IN ({pupils})"
# The event server's read of the sessions its devices wait on (live/events.py): one query for them all.
SESSION_STATES = """
SELECT id, version, position, paused, ended_at, moved_at, lesson_id, course_id FROM live_sessions WHERE id IN ({ids})
"""
STATE_KEYS = ("id", "version", "position", "paused", "ended_at", "moved_at", "lesson_id", "course_id")
SESSION = """
SELECT s.*, c.name AS class_name, c.school_id AS class_school_id,
       p.first_name || ' ' || p.last_name AS started_by_name
FROM live_sessions s JOIN classes c ON c.id = s.class_id LEFT JOIN people p ON p.id = s.started_by
WHERE s.id = :session_id AND s.school_id = :school_id
"""
OPEN_FOR_CLASS = """
SELECT s.*, p.first_name || ' ' || p.last_name AS started_by_name
FROM live_sessions s LEFT JOIN people p ON p.id = s.started_by
WHERE s.class_id = ? AND s.ended_at IS NULL
"""
END_IDLE = """
UPDATE live_sessions SET ended_at = :ended_at WHERE id = :session_id AND ended_at IS NULL AND moved_at = :moved_at
"""
INSERT_SESSION = """
INSERT INTO live_sessions (school_id, class_id, course_id, lesson_id, started_by, started_at, moved_at, taught_on)
VALUES (:school_id, :class_id, :course_id, :lesson_id, :started_by, :now, :now, :taught_on)
RETURNING id
"""
# A move applies only to the state it was made from (`version`) and only while the session is open: two
# teachers' clicks at once cannot skip a step, and an ended session refuses every move.
MOVE = """
UPDATE live_sessions SET position = :position, paused = :paused, answers_shown = :answers_shown,
       version = version + 1, moved_at = :now
WHERE id = :session_id AND version = :version AND ended_at IS NULL
"""
END = "UPDATE live_sessions SET ended_at = :now, version = version + 1 WHERE id = :session_id AND ended_at IS NULL"
JOIN = """
INSERT INTO live_attendance (session_id, pupil_id, how, joined_at) VALUES (:session_id, :pupil_id, 'device', :now)
ON CONFLICT (session_id, pupil_id) DO UPDATE SET how = 'device'
"""
PUPIL_IN_SESSION_CLASS = """
SELECT 1 FROM class_pupils cp JOIN people p ON p.id = cp.person_id
WHERE cp.class_id = :class_id AND cp.person_id = :pupil_id AND p.school_id = :school_id AND p.archived_at IS NULL
"""
TICK = """
INSERT INTO live_attendance (session_id, pupil_id, how, joined_at) VALUES (:session_id, :pupil_id, 'no device', :now)
ON CONFLICT (session_id, pupil_id) DO NOTHING
"""
UNTICK = "DELETE FROM live_attendance WHERE session_id = ? AND pupil_id = ? AND how = 'no device'"
# The class for the teacher's attendance list: each active pupil and how they are recorded (NULL: not yet).
ROSTER = """
SELECT p.id, p.first_name, p.last_name, a.how
FROM class_pupils cp JOIN people p ON p.id = cp.person_id
LEFT JOIN live_attendance a ON a.session_id = :session_id AND a.pupil_id = p.id
WHERE cp.class_id = :class_id AND p.school_id = :school_id AND p.role = 'pupil' AND p.archived_at IS NULL
ORDER BY p.last_name, p.first_name, p.id
"""
# The pupil's first answers in the session, once: a repeated submission finds attempt_id already set.
ANSWERED = """
UPDATE live_attendance SET attempt_id = :attempt_id
WHERE session_id = :session_id AND pupil_id = :pupil_id AND attempt_id IS NULL
"""
ADD_TO_TOTAL = """
INSERT INTO live_answer_totals (session_id, question_id, choice, count) VALUES (:session_id, :question_id, :choice, 1)
ON CONFLICT (session_id, question_id, choice) DO UPDATE SET count = live_answer_totals.count + 1
"""
TOTALS = "SELECT question_id, choice, count FROM live_answer_totals WHERE session_id = ?"
# What the teacher's screens count: pupils following now (a recent poll), pupils who answered, and attendance.
COUNTS = """
SELECT count(CASE WHEN how = 'device' AND seen_at >= :since THEN 1 END) AS following,
       count(attempt_id) AS answered,
       count(CASE WHEN how = 'device' THEN 1 END) AS joined,
       count(CASE WHEN how = 'no device' THEN 1 END) AS no_device
FROM live_attendance WHERE session_id = :session_id
"""
OWN_ATTENDANCE = "SELECT how, attempt_id FROM live_attendance WHERE session_id = ? AND pupil_id = ?"
# The open sessions of the pupil's classes, for the course page's "Your teacher has started a live lesson".
OPEN_FOR_PUPIL = """
SELECT s.id, s.lesson_id, s.course_id, s.moved_at, c.name AS class_name
FROM class_pupils cp JOIN live_sessions s ON s.class_id = cp.class_id JOIN classes c ON c.id = s.class_id
WHERE cp.person_id = :pupil_id AND s.ended_at IS NULL AND s.moved_at > :idle_since AND c.archived_at IS NULL
ORDER BY s.started_at DESC
"""


def poll_state(db, session_id, pupil_id):
    """The session's shared state and the pupil's last-seen time in one read; None if there is no such session."""
    cursor = db.execute(POLL, {"session_id": session_id, "pupil_id": pupil_id})
    row = cursor.fetchone()
    if row is None:
        return None
    keys = ("version", "position", "paused", "ended_at", "moved_at", "lesson_id", "course_id", "seen_at")
    return dict(zip(keys, row, strict=True))


def touch_seen(db, session_id, pupil_id, now):
    """Write the device's last poll (the caller writes at most every few seconds)."""
    with write_transaction(db):
        db.execute(TOUCH_SEEN, {"now": now, "session_id": session_id, "pupil_id": pupil_id})


def session_states(db, session_ids):
    """The shared state of each of these sessions (those that exist), as dicts."""
    rows = []
    for start in range(0, len(session_ids), 500):  # well inside either engine's limit on parameters
        chunk = list(session_ids[start : start + 500])
        sql = SESSION_STATES.format(ids=", ".join("?" * len(chunk)))
        rows += [dict(zip(STATE_KEYS, row, strict=True)) for row in db.execute(sql, chunk).fetchall()]
    return rows


def touch_seen_many(db, pairs, now):
    """Write the last-seen time of many devices, (session id, pupil id) pairs, in one short transaction: one
    statement per session (3,000 devices: 100 statements, not 3,000, so the write lock is held briefly)."""
    pupils_of = {}
    for session_id, pupil_id in pairs:
        pupils_of.setdefault(session_id, []).append(pupil_id)
    with write_transaction(db):
        for session_id, pupils in pupils_of.items():
            for start in range(0, len(pupils), 500):
                chunk = pupils[start : start + 500]
                sql = TOUCH_SEEN_MANY.format(pupils=", ".join("?" * len(chunk)))
                db.execute(sql, [now, session_id, *chunk])


def session_in_school(db, session_id, school_id):
    """The session (with its class's name and who started it) if it belongs to the school, else None."""
    return next(db.query(SESSION, {"session_id": session_id, "school_id": school_id}), None)


def open_for_class(db, class_id):
    """The class's session not yet marked ended (it may be idle: see end_if_idle), or None."""
    return next(db.query(OPEN_FOR_CLASS, [class_id]), None)


def end_idle(db, session_id, moved_at, ended_at):
    """Mark an idle session ended at `ended_at`, unless it moved meanwhile."""
    with write_transaction(db):
        db.execute(END_IDLE, {"session_id": session_id, "moved_at": moved_at, "ended_at": ended_at})


def start_session(db, school_id, class_id, course_id, lesson_id, teacher_id, now, taught_on):
    """A new session for the class; None if another is open (the unique index decides a race)."""
    params = {"school_id": school_id, "class_id": class_id, "course_id": course_id, "lesson_id": lesson_id,
              "started_by": teacher_id, "now": now, "taught_on": taught_on}  # fmt: skip
    try:
        with write_transaction(db):
            return db.execute(INSERT_SESSION, params).fetchone()[0]
    except IntegrityError:
        return None


def apply_move(db, session_id, version, state, now):
    """Apply a move to the state it was made from; whether it applied (False: moved meanwhile, or ended)."""
    params = {"session_id": session_id, "version": version, "now": now, **state}
    with write_transaction(db):
        return db.execute(MOVE, params).rowcount == 1


def end_session(db, session_id, now):
    """End the session (the teacher's "End"); whether it was open."""
    with write_transaction(db):
        return db.execute(END, {"session_id": session_id, "now": now}).rowcount == 1


def pupil_in_class(db, class_id, pupil_id, school_id):
    """Whether the pupil is an active member of the class, in the school."""
    params = {"class_id": class_id, "pupil_id": pupil_id, "school_id": school_id}
    return next(db.query(PUPIL_IN_SESSION_CLASS, params), None) is not None


def join(db, session_id, pupil_id, now):
    """Record the pupil as following on their device (a pupil ticked as there without one becomes 'device')."""
    with write_transaction(db):
        db.execute(JOIN, {"session_id": session_id, "pupil_id": pupil_id, "now": now})


def set_no_device(db, session_id, ticked, unticked, now):
    """Tick pupils as taught in class without a device, and untick others (never a pupil who joined on one)."""
    with write_transaction(db):
        for pupil_id in ticked:
            db.execute(TICK, {"session_id": session_id, "pupil_id": pupil_id, "now": now})
        for pupil_id in unticked:
            db.execute(UNTICK, [session_id, pupil_id])


def roster(db, session_id, class_id, school_id):
    """The class's active pupils with how each is recorded in the session ('device', 'no device' or None)."""
    return list(db.query(ROSTER, {"session_id": session_id, "class_id": class_id, "school_id": school_id}))


def record_answers(db, session_id, pupil_id, attempt_id, choices):
    """Link the pupil's first attempt in the session and add their answers to the class's totals, once.

    `choices` is (question id, choice) pairs. For the caller's transaction (the one that saves the attempt)."""
    params = {"session_id": session_id, "pupil_id": pupil_id, "attempt_id": attempt_id}
    if db.execute(ANSWERED, params).rowcount != 1:
        return False
    for question_id, choice in choices:
        db.execute(ADD_TO_TOTAL, {"session_id": session_id, "question_id": question_id, "choice": choice})
    return True


def totals(db, session_id):
    """{question id: {choice: count}} for the session."""
    found = {}
    for row in db.query(TOTALS, [session_id]):
        found.setdefault(row["question_id"], {})[row["choice"]] = row["count"]
    return found


def counts(db, session_id, since):
    """(following now, answered, joined on a device, ticked without one)."""
    row = db.execute(COUNTS, {"session_id": session_id, "since": since}).fetchone()
    return tuple(row)


def own_attendance(db, session_id, pupil_id):
    """The pupil's attendance row in the session, or None."""
    return next(db.query(OWN_ATTENDANCE, [session_id, pupil_id]), None)


def open_for_pupil(db, pupil_id, idle_since):
    """The open sessions of the pupil's classes, newest first."""
    return list(db.query(OPEN_FOR_PUPIL, {"pupil_id": pupil_id, "idle_since": idle_since}))
