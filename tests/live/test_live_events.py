"""The live lesson's event server (live/events.py), served for real on loopback: a device's question is answered
at once when its tag is old, held until the teacher moves when it is current, 304 after the hold; keys and
joining are checked as the short poll checks them; last-seen times are written for every device that asked."""

import asyncio
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from db import now
from live.events import GRACE, Sessions
from live.rules import poll_key

from helpers import events_server, make_app
from live_client import client_for, joined, move, started

ORIGIN = "http://127.0.0.1:5000"


@pytest.fixture
def events(app):
    """The event server on the test app's database (hold 2 s, last-seen written every 0.2 s); its base URL."""
    with events_server(app, ORIGIN, hold=2.0, seen_every=timedelta(seconds=0.2)) as url:
        yield url


def events_url(client, session_id):
    """The events URL and tag the pupil's live page gives its script."""
    page = client.get(f"/live/{session_id}").text
    return (re.search(r'data-live-events-url="([^"]+)"', page).group(1),
            re.search(r'data-live-tag="([^"]+)"', page).group(1))  # fmt: skip


def test_a_device_waits_until_the_teacher_moves_then_learns_the_new_step(app, db, room, events):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    url, tag = events_url(joined(app, session_id, "pupil0.x"), session_id)
    assert url.startswith(f"{events}/live/{session_id}/pupils/{room['pupils'][0]}/events/")

    # An old tag (or none): the state at once, readable by the app's own pages only.
    first = requests.get(url, params={"tag": ""}, timeout=5)
    assert first.status_code == 200 and first.json()["position"] == 0 and first.json()["tag"] == tag
    assert first.headers["Access-Control-Allow-Origin"] == ORIGIN

    # The current tag: held until the teacher moves, then the new step.
    with ThreadPoolExecutor(2) as pool:
        held = pool.submit(requests.get, url, params={"tag": tag}, timeout=5)
        second = pool.submit(requests.get, url, params={"tag": tag}, timeout=5)
        threading.Event().wait(0.5)
        assert not held.done()
        assert move(teacher, db, session_id, "next").status_code == 303
        for answered in (held.result(), second.result()):
            assert answered.status_code == 200
            assert answered.json()["position"] == 1 and answered.json()["stage"] == "step"
            assert answered.json()["tag"] != tag

    # Nothing moves for the whole hold: 304, and the device asks again.
    new_tag = held.result().json()["tag"]
    assert requests.get(url, params={"tag": new_tag}, timeout=5).status_code == 304

    # Ending the lesson answers a waiting device too.
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(requests.get, url, params={"tag": new_tag}, timeout=5)
        threading.Event().wait(0.3)
        assert move(teacher, db, session_id, "end").status_code == 303
        assert held.result().json()["ended"] is True


def test_keys_and_joining_are_checked_and_last_seen_is_written(app, db, room, events):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    url, _tag = events_url(joined(app, session_id, "pupil0.x"), session_id)
    pupil = room["pupils"][0]
    # Another pupil's id under this key, a made-up key, and a pupil of the class who never joined: nothing.
    assert requests.get(url.replace(f"/pupils/{pupil}/", f"/pupils/{room['pupils'][1]}/"), timeout=5).status_code == 404
    assert requests.get(url[:-4] + "0000", timeout=5).status_code == 404
    never_joined = client_for(app, "pupil2.x")
    never_joined.get(f"/live/{session_id}")
    stranger = room["pupils"][2]
    key = poll_key(app.secret_key, session_id, stranger)
    assert requests.get(f"{events}/live/{session_id}/pupils/{stranger}/events/{key}", timeout=5).status_code == 404

    db.execute("UPDATE live_attendance SET seen_at = '' WHERE pupil_id = ?", [pupil])
    db.conn.commit()
    assert requests.get(url, params={"tag": ""}, timeout=5).status_code == 200
    threading.Event().wait(0.6)  # the server writes last-seen times every 0.2 s here
    seen = db.execute("SELECT seen_at FROM live_attendance WHERE pupil_id = ?", [pupil]).fetchone()[0]
    assert seen > "2000"


def test_pages_point_devices_at_the_event_server_only_when_it_is_set(app, room, events):
    teacher = client_for(app, "teacher@hill.test")
    session_id = started(teacher, room["class_id"])
    pupil = joined(app, session_id, "pupil0.x")
    page = pupil.get(f"/live/{session_id}")
    assert f'data-live-events-url="{events}/live/{session_id}/' in page.text
    # Without the setting the page polls the app alone: no events URL.
    app.config["LIVE_EVENTS_URL"] = ""
    assert "data-live-events-url" not in pupil.get(f"/live/{session_id}").text


def test_the_content_security_policy_lets_pages_reach_an_event_server_elsewhere(tmp_path):
    elsewhere = make_app(tmp_path / "csp.sqlite", LIVE_EVENTS_URL="https://events.school.test:8443")
    policy = elsewhere.test_client().get("/sign-in").headers["Content-Security-Policy"]
    assert "connect-src 'self' https://events.school.test:8443;" in policy
    same = make_app(tmp_path / "same.sqlite", LIVE_EVENTS_URL="/live-events")
    assert "connect-src 'self';" in same.test_client().get("/sign-in").headers["Content-Security-Policy"]


def test_a_session_waited_on_without_a_break_is_kept_and_read():
    async def scenario():
        sessions = Sessions({}, timedelta(seconds=10))
        row = {"id": 1, "version": 1, "position": 0, "paused": 0, "ended_at": None, "moved_at": now(),
               "course_id": "c", "lesson_id": "l"}  # fmt: skip
        first = sessions.wait(1, 10)
        sessions.update([row], now())  # the first read answers nobody: each device compares its own tag
        assert not first.done()
        sessions.stop_waiting(1, first)  # its only device was answered...
        again = sessions.wait(1, 10)  # ...and asked again at once
        later = asyncio.get_running_loop().time() + GRACE + 1
        assert sessions.to_read(later) == [1]  # still waited on: still read, however long it lasts
        sessions.update([{**row, "version": 2, "position": 1}], now())
        assert again.result()[1]["position"] == 1
        sessions.stop_waiting(1, again)
        assert sessions.to_read(later + GRACE + 1) == []  # nobody came back: forgotten

    # In a thread of its own: a browser test's Playwright may hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()
