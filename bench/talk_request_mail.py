"""A pupil's talk request while the mail server accepts the connection and never answers.

Measures the pupil's POST /talk (it only writes the request and the outbox row, and enqueues the
send job), four pupils posting at once, and, for comparison, what the old inline send cost the
pupil: one SMTP attempt against the same hung server with the old 10 s timeout.
Run alone: `.venv/bin/python -m bench.talk_request_mail` (also part of `make bench`).
"""

import contextlib
import os
import socket
import statistics
import sys
import tempfile
import threading
import time

from accounts.demo import DEMO_PASSWORD
from app import create_app
from db import connect, migrate
from demo import seed_demo
from jobs import enqueue, run_pending
from outbox.smtp import SMTP_TIMEOUT_SECONDS, send_mail
from outbox.tasks import send_mail as send_mail_job

RUNS = 20
PUPILS = ("ryan.d", "amir.k", "maya.s", "leo.t")


def hung_server():
    """A loopback TCP server that accepts connections and never answers; returns (socket, port, held)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    held = []

    def serve():
        while True:
            try:
                held.append(sock.accept()[0])
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    return sock, sock.getsockname()[1], held


def ms(seconds):
    """Seconds as milliseconds."""
    return f"{seconds * 1000:.1f} ms"


def signed_in_client(app, username):
    """A test client with `username` signed in."""
    client = app.test_client()
    response = client.post("/sign-in", data={"name": username, "password": DEMO_PASSWORD})
    assert response.status_code == 303, response.status_code
    return client


def post_talk(client):
    """The pupil's request, as the form sends it; returns the wall time."""
    start = time.perf_counter()
    response = client.post("/talk", data={"who": "dsl", "urgency": "today", "message": "bench"})
    elapsed = time.perf_counter() - start
    assert response.status_code == 303, response.status_code
    return elapsed


def run(_app=None, include_inline=True):
    """Time the pupil's POST with a hung mail server (sequential and four at once); the old inline send."""
    sock, port, held = hung_server()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "DEVELOPMENT": True,
                "SECRET_KEY": "bench",
                "DATABASE": os.path.join(folder, "talk.sqlite"),
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": port,
                "MAIL_TIMEOUT_SECONDS": 1,
            }
        )
        db = connect(app.config["DATABASE"])
        migrate(db)
        seed_demo(db)
        db.close()

        client = signed_in_client(app, PUPILS[0])
        post_talk(client)  # warm-up
        times = sorted(post_talk(client) for _ in range(RUNS))
        rows.append(("talk POST, hung mail server: median", ms(statistics.median(times))))
        rows.append(("talk POST, hung mail server: slowest", f"{ms(times[-1])} (of {RUNS})"))
        rows.append(("talk POST: SMTP connections during the POSTs", str(len(held))))

        clients = [signed_in_client(app, name) for name in PUPILS]
        together = []
        threads = [threading.Thread(target=lambda c=c: together.append(post_talk(c))) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rows.append((f"talk POST, {len(PUPILS)} pupils at once: slowest", ms(max(together))))

        huey = app.extensions["huey"]
        with app.app_context():
            enqueue_times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                enqueue(send_mail_job, 0)  # message 0 does not exist: the worker skips it
                enqueue_times.append(time.perf_counter() - start)
        rows.append(("enqueue alone (a write to the SQLite job queue): median", ms(statistics.median(enqueue_times))))

        start = time.perf_counter()
        run_pending(huey, limit=1)
        rows.append(("worker: one send attempt to the hung server (1 s timeout)", ms(time.perf_counter() - start)))

        if include_inline:
            # What each pupil waited before the outbox: the send ran inside their request.
            start = time.perf_counter()
            with contextlib.suppress(OSError):  # the timeout is the point
                send_mail(dict(app.config, MAIL_TIMEOUT_SECONDS=SMTP_TIMEOUT_SECONDS), ["dsl@demo.school"], "s", "b")
            rows.append(("before: inline send to the hung server (old 10 s timeout)", ms(time.perf_counter() - start)))
    sock.close()
    for connection in held:
        connection.close()
    return rows


if __name__ == "__main__":
    for label, figure in run(include_inline="--quick" not in sys.argv):
        print(f"{label:<62} {figure}")
