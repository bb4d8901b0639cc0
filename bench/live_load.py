"""The live lesson under load: 100 live classes of 30 pupils (3,000 devices) following at once.

The shipped set-up: gunicorn (2 sync workers, SQLite) and the live lesson's event server (`flask live events`,
live/events.py). Each simulated device behaves as static/js/live.js does on the event server: it asks its
events URL (no cookie; the key in the URL) with the tag it has, and asks again as soon as it is answered (the
answer is held until the teacher moves, or 304 after 25 s). For comparison, the same load with the fallback:
each device polls the app's state URL with If-None-Match, PUPIL_EVERY seconds after each answer.
A teacher's move is written every MOVE_EVERY seconds in each class (staggered), straight to the database as
live.queries.apply_move does for the controls; a device "knows" a move when an answer first shows the new
version. Meanwhile a few signed-in pupils read self-paced lesson steps one after another; their p95 is set
against the same reads with no live lesson running.

During the event-server run the first class stays at its quiz and its 30 pupils (signed in) send their
answers, one in three twice at once; the row counts answers lost and doubled. Last, two app servers (gunicorn
and an event server each) on PostgreSQL and Redis, 20 classes; the first server's processes are killed with
SIGKILL half way: devices ask the other (as a load balancer would send them) and answers keep coming.

The driver is one asyncio loop (plain sockets, one connection per request, as the sync workers close each).
"""

import asyncio
import json
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time

from accounts.demo import DEMO_PASSWORD
from bench.load import ROOT, add_bench_pupils, answering, free_port, signed_in_session, start_gunicorn

from helpers import right_answers

CLASSES = 100
CLASS_SIZE = 30
PUPIL_EVERY = 1.0  # live.js PUPIL_EVERY_MS
MOVE_EVERY = 10.0  # seconds between a class's moves
SECONDS = 30  # of live load
READERS = 4  # self-paced pupils reading lesson steps, one request at a time each
READ_SECONDS = 10  # of the self-paced reads alone, before the live load
LESSON = "what-is-online-blackmail"
TWO_SERVER_CLASSES = 20  # 600 devices: the two-server run shows failing over, not the 3,000-device load
TWO_SERVER_SECONDS = 30
DOUBLE_SEND_EVERY = 3  # one pupil in three sends their answers twice at once (a double tap, a resend)
TEACHER = "teacher@demo.school"  # runs every live class: their projector and controls poll the app
PROJECTOR_EVERY = 3.0  # live.js: the presenter's poll (a press in the controls reaches it at once, in the browser)
CONTROLS_EVERY = 5.0  # the controls' (data-live-every)
PROPAGATION_GOAL = 2.0
STEP_GOAL = 1.5


def seed(database, secret, quiz_position, classes=None):
    """The demo school with 100 classes of 30 pupils, each class with a live lesson every pupil has joined.

    Returns ([(session id, [state path of each device])], the self-paced readers' usernames, and the usernames
    of the first class's pupils, who sign in and answer its quiz during the load)."""
    from accounts.passwords import hash_password
    from db import connect, migrate, now, write_transaction
    from demo import seed_demo
    from live import queries, rules

    db = connect(database)
    migrate(db)
    seed_demo(db)
    readers = add_bench_pupils(db, READERS)
    school_id, teacher_id = db.execute("SELECT school_id, id FROM people WHERE email = ?", [TEACHER]).fetchone()
    unused = hash_password("not-signed-in")  # the devices never sign in: their state URL carries its own key
    answering = hash_password(DEMO_PASSWORD)  # the first class's pupils sign in to send the quiz
    sessions = []
    stamp = now()
    for number in range(classes or CLASSES):
        with write_transaction(db):
            class_id = db["classes"].insert(
                {"school_id": school_id, "name": f"Live {number}", "year_group": 8,
                 "course_id": "online-blackmail-11-13", "created_at": stamp}
            ).last_pk  # fmt: skip
            db["class_teachers"].insert({"class_id": class_id, "person_id": teacher_id})
            pupils = [
                db["people"].insert(
                    {"school_id": school_id, "role": "pupil", "username": f"live{number}.{n}",
                     "first_name": f"Live{n}", "last_name": f"Class{number}", "year_group": 8,
                     "password_hash": answering if number == 0 else unused, "created_at": stamp}
                ).last_pk
                for n in range(CLASS_SIZE)
            ]  # fmt: skip
            db["class_pupils"].insert_all({"class_id": class_id, "person_id": p} for p in pupils)
        session_id = queries.start_session(
            db,
            school_id,
            class_id,
            "online-blackmail-11-13",
            LESSON,
            teacher_id,
            stamp,
            stamp[:10],
        )
        for pupil_id in pupils:
            queries.join(db, session_id, pupil_id, stamp)
        keys = [(p, rules.poll_key(secret, session_id, p)) for p in pupils]
        sessions.append((session_id, [f"/live/{session_id}/pupils/{p}/{{kind}}/{key}" for p, key in keys]))
    # The first class stays at the quiz: its pupils send their answers while the other 99 classes move on.
    with write_transaction(db):
        db.execute("UPDATE live_sessions SET position = ? WHERE id = ?", [quiz_position, sessions[0][0]])
    db.close()
    return sessions, readers, [f"live0.{n}" for n in range(CLASS_SIZE)]


async def _get(port, path, headers=""):
    """One GET on a new connection: (status, ETag or None, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    body = await reader.read()
    writer.close()
    lines = head.decode("latin-1").split("\r\n")
    etag = next((line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("etag:")), None)
    return int(lines[0].split()[1]), etag, body


async def _ask_kept(connection, path):
    """One GET on a kept-alive connection: (status, body)."""
    reader, writer = connection
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    length = next((int(line.split(":", 1)[1]) for line in head if line.lower().startswith("content-length:")), 0)
    return status, (await reader.readexactly(length) if length and status not in (204, 304) else b"")


class Live:
    """The devices, the teachers' moves and what each device saw when."""

    def __init__(self, port, sessions, database, events_port=None):
        self.port = port
        # One event server, or several (two app servers): a device asks one, and the other when it is gone, as
        # the load balancer in front of them would send it.
        self.events_ports = events_port if isinstance(events_port, list) else [events_port]
        self.failed_over = 0
        self.teacher_polls = 0
        self.sessions = sessions
        self.database = database
        self.moved = {}  # (session id, version) -> when the move was written
        self.latencies = []  # seconds from a move to each device's first answer showing it
        self.samples = []  # (when the move was made, its latency to one device)
        self.polls = 0
        self.errors = 0
        self.stop = False

    def saw(self, session_id, tag, seen):
        """A device's answer showed `tag`: the first time it shows a move, how long the move took to reach it."""
        version = int(tag.strip('"').split("-")[0])
        if (session_id, version) in self.moved:
            self.latencies.append(seen - self.moved[(session_id, version)])
            self.samples.append((self.moved[(session_id, version)], seen - self.moved[(session_id, version)]))

    async def waiting_device(self, session_id, path, offset, which=0):
        """Wait on the event server as live.js does until stopped: ask again as soon as answered, on the same
        connection (a browser keeps it open between questions to the same server)."""
        await asyncio.sleep(offset)
        path, tag, connection = path.format(kind="events"), "", None
        while not self.stop:
            try:
                if connection is None:
                    connection = await asyncio.open_connection(
                        "127.0.0.1", self.events_ports[which % len(self.events_ports)]
                    )
                status, body = await _ask_kept(connection, f"{path}?tag={tag}")
            except (OSError, asyncio.IncompleteReadError, ValueError):
                if connection is not None:
                    connection[1].close()
                    connection = None
                if len(self.events_ports) > 1:
                    which += 1  # its server is gone: the balancer sends the next question to the other
                    self.failed_over += 1
                else:
                    self.errors += 1
                await asyncio.sleep(1)  # live.js waits a second before asking again
                continue
            self.polls += 1
            if status == 200:
                new_tag = json.loads(body)["tag"]
                if tag:
                    self.saw(session_id, new_tag, time.perf_counter())
                tag = new_tag
            elif status != 304:
                self.errors += 1
                await asyncio.sleep(1)

    async def polling_device(self, session_id, path, offset):
        """Poll the app as live.js does without the event server, until stopped."""
        await asyncio.sleep(offset)
        path, etag = path.format(kind="state"), None
        while not self.stop:
            try:
                status, new_tag, _body = await _get(self.port, path, f"If-None-Match: {etag}\r\n" if etag else "")
            except OSError:
                self.errors += 1
                await asyncio.sleep(PUPIL_EVERY)
                continue
            seen = time.perf_counter()
            self.polls += 1
            if status == 200 and new_tag:
                self.saw(session_id, new_tag, seen)
                etag = new_tag
            elif status != 304:
                self.errors += 1
            await asyncio.sleep(PUPIL_EVERY)

    async def teacher_screen(self, cookie, session_id, every, offset):
        """A projector or the controls: poll the app's present/state with If-None-Match, as live.js does."""
        await asyncio.sleep(offset)
        etag = None
        while not self.stop:
            headers = f"Cookie: {cookie}\r\n" + (f"If-None-Match: {etag}\r\n" if etag else "")
            try:
                status, new_tag, _body = await _get(self.port, f"/live/{session_id}/present/state", headers)
            except OSError:
                self.errors += 1
            else:
                self.teacher_polls += 1
                etag = new_tag or etag
                if status not in (200, 304):
                    self.errors += 1
            await asyncio.sleep(every)

    def teachers(self, seconds):
        """Each class's teacher moves on every MOVE_EVERY seconds, classes staggered (a thread of its own)."""
        from db import connect, now
        from live import queries

        db = connect(self.database)
        versions = dict(db.execute("SELECT id, version FROM live_sessions").fetchall())  # a second run goes on
        start = time.perf_counter()
        order = [sid for sid, _ in self.sessions[1:]]  # the first class stays at its quiz
        n = 0
        while time.perf_counter() - start < seconds:
            session_id = order[n % len(order)]
            position = 1 + (versions[session_id] % 5)
            state = {"position": position, "paused": 0, "answers_shown": 0}
            if queries.apply_move(db, session_id, versions[session_id], state, now()):
                versions[session_id] += 1
                self.moved[(session_id, versions[session_id])] = time.perf_counter()
            n += 1
            time.sleep(MOVE_EVERY / len(order))
        db.close()


async def _reads(port, cookie, path, seconds, times):
    """One self-paced pupil reading a lesson step again and again: each read's seconds into `times`."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        status, _etag, _body = await _get(port, path, f"Cookie: {cookie}\r\n")
        if status == 200:
            times.append(time.perf_counter() - start)


def _p95(values):
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")


def send_answers(ports, session_id, logins, lesson, sent, spread=SECONDS / 2):
    """Each pupil of the quiz class sends right answers once, spread over `spread` seconds; one in
    DOUBLE_SEND_EVERY sends the same answers twice at the same moment. With two app servers, pupils alternate
    between them and a send the first cannot take goes to the other (as the load balancer would send it).
    Appends (pupil, token, status) to `sent`."""
    import http.client
    import urllib.parse

    fields = dict(right_answers(lesson.quiz), version=lesson.quiz.version)

    def send(pupil, cookie, csrf, token):
        body = urllib.parse.urlencode(dict(fields, csrf_token=csrf, token=token), doseq=True)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        for attempt in range(len(ports)):
            connection = http.client.HTTPConnection("127.0.0.1", ports[(pupil + attempt) % len(ports)], timeout=60)
            try:
                connection.request("POST", f"/live/{session_id}/quiz", body, headers)
                response = connection.getresponse()
                response.read()
                sent.append((pupil, token, response.status))
                return
            except OSError:
                continue  # that server is gone: the same answers (the same token) to the next
            finally:
                connection.close()
        sent.append((pupil, token, 0))

    for pupil, (cookie, csrf) in enumerate(logins):
        token = f"live-{pupil}"
        times = 2 if pupil % DOUBLE_SEND_EVERY == 0 else 1
        senders = [threading.Thread(target=send, args=(pupil, cookie, csrf, token)) for _ in range(times)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        time.sleep(spread / len(logins))


def check_answers(database, session_id, lesson, sent):
    """(acknowledged, lost, doubled). Lost: an acknowledged send without its pupil's attempt, or an attempt not
    linked to the live lesson or missing from the class's totals. Doubled: two attempts for one send, or a
    pupil counted twice in the totals."""
    from db import connect

    question = lesson.quiz.questions[0]
    one_choice = question.type not in ("multiple", "red_flags", "order")  # one total per pupil
    db = connect(database)
    try:
        attempts = dict(db.execute(
            "SELECT token, count(*) FROM attempts WHERE token LIKE 'live-%' GROUP BY token"
        ).fetchall())  # fmt: skip
        linked = db.execute(
            "SELECT count(*) FROM live_attendance WHERE session_id = ? AND attempt_id IS NOT NULL", [session_id]
        ).fetchone()[0]
        counted = db.execute(
            "SELECT coalesce(sum(count), 0) FROM live_answer_totals WHERE session_id = ? AND question_id = ?",
            [session_id, question.id],
        ).fetchone()[0]
    finally:
        db.close()
    acknowledged = {token for _, token, status in sent if status == 303}
    lost = sum(1 for token in acknowledged if token not in attempts) + max(0, len(attempts) - linked)
    doubled = sum(count - 1 for count in attempts.values())
    if one_choice:
        lost += max(0, len(attempts) - counted)
        doubled += max(0, counted - len(attempts))
    return len(acknowledged), lost, doubled


async def _measure(port, sessions, database, cookies, step_path, events_port, answers=None, teacher_cookie=None):
    alone = []
    await asyncio.gather(*(_reads(port, c, step_path, READ_SECONDS, alone) for c in cookies))
    live = Live(port, sessions, database, events_port)
    screens = [
        asyncio.ensure_future(live.teacher_screen(teacher_cookie, sid, every, n / len(sessions)))
        for n, (sid, _paths) in enumerate(sessions)
        for every in (PROJECTOR_EVERY, CONTROLS_EVERY)
    ] if teacher_cookie else []  # fmt: skip
    device = live.waiting_device if events_port else live.polling_device
    devices = [
        device(sid, path, (n * PUPIL_EVERY) / (CLASS_SIZE * CLASSES))
        for n, (sid, path) in enumerate((sid, path) for sid, paths in sessions for path in paths)
    ]
    tasks = [asyncio.ensure_future(d) for d in devices] + screens
    await asyncio.sleep(3)  # every device has its first state before the moves begin
    teacher = threading.Thread(target=live.teachers, args=(SECONDS,))
    teacher.start()
    answering = threading.Thread(target=send_answers, args=([port], sessions[0][0], *answers)) if answers else None
    if answering:
        answering.start()
    during = []
    started = time.perf_counter()
    await asyncio.gather(*(_reads(port, c, step_path, SECONDS, during) for c in cookies))
    polls_at, elapsed = live.polls, time.perf_counter() - started
    teacher.join()
    if answering:
        answering.join()
    await asyncio.sleep(2 * PUPIL_EVERY + 3)  # the last moves reach the devices
    live.stop = True
    for task in tasks:
        task.cancel()  # a waiting device's question may be held for 25 s more
    await asyncio.gather(*tasks, return_exceptions=True)
    return live, alone, during, polls_at / max(elapsed, 1e-9)


def start_events(database, port, secret, env=None, own_group=False):
    """The live lesson's event server (`flask live events`) on 127.0.0.1:port; returns the process once it answers."""
    env = dict(os.environ, FLASK_DATABASE=database, FLASK_SECRET_KEY=secret,
               FLASK_PUBLIC_BASE_URL="http://127.0.0.1:1", **(env or {}))  # fmt: skip
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/flask"), "--app", "app", "live", "events", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=own_group,
    )  # fmt: skip
    return answering(process, port, "the event server", seconds=30)  # it loads the content: slower on a busy machine


def _load(database, sessions, readers, secret, with_events, answerers=(), lesson=None):
    """One run of the live load: (Live, step times alone, step times during, answers/s, driver's share of a core,
    what the answering pupils sent)."""
    import resource

    port, events_port = free_port(), free_port() if with_events else None
    server = start_gunicorn(database, port, secret_key=secret)
    events = None
    try:
        events = start_events(database, events_port, secret) if with_events else None
        base = f"http://127.0.0.1:{port}"
        cookies = [signed_in_session(base, name)[0] for name in readers]
        teacher = signed_in_session(base, TEACHER)[0]
        sent = []
        answers = ([signed_in_session(base, name) for name in answerers], lesson, sent) if answerers else None
        step_path = "/courses/online-blackmail-11-13/lessons/what-is-online-blackmail/steps/2"
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        measured = asyncio.run(_measure(port, sessions, database, cookies, step_path, events_port, answers, teacher))
        after = resource.getrusage(resource.RUSAGE_SELF)
        used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return (*measured, used / (time.perf_counter() - started), sent)
    finally:
        for process in (server, events):
            if process is not None:
                process.terminate()
                process.wait()


async def _two_server_load(sessions, database, ports, events_ports, killed_group, logins, lesson):
    """Devices on both event servers, moves and answers; SIGKILL to the first server's processes half way."""
    live = Live(ports[1], sessions, database, events_ports)
    every = [(sid, path) for sid, paths in sessions for path in paths]
    tasks = [
        asyncio.ensure_future(live.waiting_device(sid, path, n / len(every), which=n))
        for n, (sid, path) in enumerate(every)
    ]
    await asyncio.sleep(3)
    teacher = threading.Thread(target=live.teachers, args=(TWO_SERVER_SECONDS,))
    teacher.start()
    sent = []
    answering = threading.Thread(
        target=send_answers, args=(ports, sessions[0][0], logins, lesson, sent, TWO_SERVER_SECONDS * 0.9)
    )
    answering.start()
    await asyncio.sleep(TWO_SERVER_SECONDS / 2)
    for group in killed_group:
        os.killpg(group, signal.SIGKILL)  # the app server (master and workers) and its event server at once
    killed = time.perf_counter()
    await asyncio.to_thread(teacher.join)
    await asyncio.to_thread(answering.join)
    await asyncio.sleep(5)  # the last moves reach the devices
    live.stop = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return live, killed, sent


def two_servers(lesson):
    """Two app servers (gunicorn and an event server each) on PostgreSQL and Redis; the first is killed with
    SIGKILL half way. Returns (live, when killed, what the answering pupils sent, database URL checks)."""
    from postgres_server import PostgresServer
    from redis_server import RedisServer

    from live.rules import quiz_position

    database_server, redis = PostgresServer(fast=False).start(), RedisServer()
    processes = []
    try:
        url = database_server.create_database("live_bench")
        secret = "bench-live-" + os.urandom(8).hex()
        sessions, _readers, answerers = seed(url, secret, quiz_position(len(lesson.steps)), TWO_SERVER_CLASSES)
        env = {"FLASK_REDIS_URL": redis.url}
        ports, events_ports = [free_port(), free_port()], [free_port(), free_port()]
        base_url = f"http://127.0.0.1:{ports[0]}"  # one site, as behind a load balancer
        for port, events_port in zip(ports, events_ports, strict=True):
            processes.append(start_gunicorn(url, port, secret_key=secret, base_url=base_url, own_group=True, env=env))
            processes.append(start_events(url, events_port, secret, env, own_group=True))
        logins = [signed_in_session(f"http://127.0.0.1:{ports[1]}", name) for name in answerers]
        live, killed, sent = asyncio.run(
            _two_server_load(sessions, url, ports, events_ports, [processes[0].pid, processes[1].pid], logins, lesson)
        )
        return live, killed, sent, check_answers(url, sessions[0][0], lesson, sent)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
            process.wait()
        redis.stop()
        database_server.stop()


def two_server_row(lesson):
    """The row: devices follow on the surviving server after the kill, and no acknowledged answer is lost."""
    live, killed, sent, (acknowledged, lost, doubled) = two_servers(lesson)
    after = [latency for moved, latency in live.samples if moved > killed]
    moves_after = sum(1 for when in live.moved.values() if when > killed)
    return (
        f"Live: two app servers (gunicorn and event server each) on PostgreSQL and Redis, {TWO_SERVER_CLASSES} "
        f"classes of {CLASS_SIZE}; the first killed with SIGKILL half way",
        f"after the kill: {len(after):,} of {moves_after * CLASS_SIZE:,} device-moves seen, p95 {_p95(after):.2f} s; "
        f"{live.failed_over:,} questions went to the other server; answers: {lost} lost, {doubled} doubled "
        f"({acknowledged} of {CLASS_SIZE} acknowledged, {sum(1 for *_, status in sent if status != 303)} refused)",
        "devices follow on the other; 0 answers lost",
    )


def run(app=None):
    """The live lesson's rows: the move reaching every device, the lesson step beside the live load."""
    from live.rules import quiz_position
    from training.course import load_courses

    lesson = load_courses(ROOT / "training/content", ROOT / "quizzes/content")["online-blackmail-11-13"].lesson(LESSON)
    secret = "bench-live-" + os.urandom(8).hex()
    with tempfile.TemporaryDirectory() as folder:
        database = os.path.join(folder, "live.sqlite")
        sessions, readers, answerers = seed(database, secret, quiz_position(len(lesson.steps)))
        waited = _load(database, sessions, readers, secret, True, answerers, lesson)
        acknowledged, lost, doubled = check_answers(database, sessions[0][0], lesson, waited[-1])
        polled = _load(database, sessions, readers, secret, with_events=False)
    devices = CLASSES * CLASS_SIZE
    rows = []
    for how, (live, alone, during, rate, driver, _sent) in (
        ("waiting on the event server (shipped)", waited),
        (f"polling the app every {PUPIL_EVERY:g} s (the fallback, for comparison)", polled),
    ):
        expected = len(live.moved) * CLASS_SIZE
        p95 = _p95(live.latencies)
        label = f"{CLASSES} classes of {CLASS_SIZE} ({devices:,} devices) {how}"
        rows += [
            (
                f"Live: a teacher's move reaching every pupil's device, {label}; gunicorn 2 workers, SQLite",
                f"p95 {p95:.2f} s, median {statistics.median(live.latencies or [float('nan')]):.2f} s; "
                f"{len(live.latencies):,} of {expected:,} device-moves seen; {rate:.0f} requests/s answered, "
                f"{live.errors} errors; the driver used {100 * driver:.0f}% of one core",
                f"p95 <= {PROPAGATION_GOAL:g} s",
            ),
            (
                f"Live: self-paced lesson step p95 while the {devices:,} devices follow ({how}), against alone",
                f"{_p95(during) / _p95(alone):.1f}x ({_p95(during) * 1000:.0f} ms against {_p95(alone) * 1000:.0f} "
                f"ms; {READERS} pupils reading one step after another)",
                f"<= {STEP_GOAL:g}x",
            ),
        ]
    return rows + [
        (
            f"Live: answers sent during the live load (the quiz class's {CLASS_SIZE} pupils, one in "
            f"{DOUBLE_SEND_EVERY} sending twice at once, while the devices wait on the event server)",
            f"{lost} lost, {doubled} doubled ({acknowledged} of {CLASS_SIZE} pupils' answers acknowledged)",
            "0 lost, 0 doubled",
        ),
        two_server_row(lesson),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
