"""A live lesson driven through the test client: sign in, start, join, press the controls."""

import re

from helpers import sign_in

LESSON = "what-is-online-blackmail"


def client_for(app, name):
    """A new browser-like client, signed in as `name`."""
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    return client


def start(client, class_id, lesson_id=LESSON):
    """Start a live lesson from the class page's form; returns the response."""
    return client.post(f"/classes/{class_id}/live", data={"lesson_id": lesson_id})


def started(client, class_id, lesson_id=LESSON):
    """Start a live lesson; returns its session id."""
    response = start(client, class_id, lesson_id)
    assert response.status_code == 303, response.status_code
    return int(re.search(r"/live/(\d+)/teach", response.location).group(1))


def version(db, session_id):
    return db.execute("SELECT version FROM live_sessions WHERE id = ?", [session_id]).fetchone()[0]


def move(client, db, session_id, what):
    """Press one of the controls (on the state as it is now)."""
    return client.post(f"/live/{session_id}/move", data={"move": what, "version": version(db, session_id)})


def to_position(client, db, session_id, position):
    """Press Next until the session is at `position`."""
    now_at = db.execute("SELECT position FROM live_sessions WHERE id = ?", [session_id]).fetchone()[0]
    for _ in range(position - now_at):
        assert move(client, db, session_id, "next").status_code == 303


def joined(app, session_id, name):
    """A pupil's client, signed in and joined."""
    client = client_for(app, name)
    assert client.post(f"/live/{session_id}/join").status_code == 303
    return client
