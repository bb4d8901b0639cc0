"""Load at trust scale, and kill -9 of an app server mid-load.

Seeds one trust of 40 schools of 1,000 pupils (classes of 30) with about a million answers and the
attempts, lesson progress and certificates they imply; then two gunicorn app servers (their own ports,
their own process groups) and one `flask jobs worker` serve it on loopback while a Python driver signs
pupils in through the real form and sends a mix of lesson step pages and quiz submissions, alternating
between the two ports as a load balancer would. Half way through, one server's whole process group
(master and workers) is killed with SIGKILL; the driver takes that port out of its rotation at its first
failed request and carries on against the survivor. A quiz submission whose connection was cut is sent
again with the same form token (the pupil pressing the button again), so one saved before the cut is
found, not made twice. At the end every submission that got its 303 is looked up: saved once, with all
its answers.

wrk cannot do this (it records no bodies or redirects), so the driver is threads with http.client;
`--overhead` compares it with wrk on one page to show its own cost does not dominate.

Run alone: `.venv/bin/python -m bench.trust_scale [--engine sqlite|postgresql|both] [--scale 0.1]`
(`make bench-trust`). The seeded SQLite file is cached in ~/.cache/bench-trust (BENCH_TRUST_CACHE), keyed
by VERSION and scale, so a re-run skips the seeding; bump VERSION when the seeded rows change.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import resource
import secrets
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench import load
from bench.classroom_reports import _answer, _now_minus
from bench.jobs_load import start_worker, stop
from bench.load import free_port, signed_in_session, start_gunicorn, wrk
from db import connect, migrate, write_transaction

VERSION = 1  # of the seeded rows: a cached file of another version is seeded again
SCHOOLS = 40
PUPILS_PER_SCHOOL = 1000  # times --scale
CLASS_SIZE = 30
# Pupils' year groups by class; Years 7-8 follow the younger route, 9-11 the older (as m010 sets classes).
YEARS = (7, 8, 9, 10, 11)
PASSWORD = "bench-trust-password"
SEED = 11

APP_SERVERS = 2
# Two sync workers per server: four processes on two cores. While one waits on the database (the write
# lock, or a PostgreSQL round trip served by another process) another has the core; and after the kill the
# survivor still has one worker per core, the setting bench/load.py measures. Measured here (SQLite, scale
# 0.1, both servers up): 231 req/s, p95 63-77 ms with two each; 194 req/s, p95 94 ms with one each.
SERVER_WORKERS = 2
THREADS = load.CONNECTIONS  # driver threads, each one pupil's request at a time: two per web worker (8)
SIGNED_IN = 96  # pupils signed in through the real form, spread over every school
STEP_SHARE = 0.8  # lesson step pages; the rest quiz submissions
SECONDS = 40  # per engine; the kill comes half way
WARM_UP_SECONDS = 3
TOKEN_PREFIX = "trust-bench-"


# ---------------------------------------------------------------- seeding


def _course_for_year(courses, year):
    return courses["online-blackmail-11-13" if year <= 8 else "online-blackmail-14-18"]


def _insert_many(db, sql, rows):
    """One executemany (the caller's transaction holds it), on either engine."""
    if isinstance(db.conn, sqlite3.Connection):
        db.conn.executemany(sql, rows)
        return
    import psycopg

    from db import postgres_sql

    # psycopg sends an executemany's rows in one pipeline; its plain cursor binds on the server (these
    # values are plain ints and text, so SQLite's loose typing, for which the app binds in the client, is moot).
    with psycopg.Cursor(db.conn.raw) as cursor:
        cursor.executemany(postgres_sql(sql), rows)


def _copy_answers(db, rows):
    """The answers rows, in the caller's transaction: COPY on PostgreSQL, where executemany took 3x as long
    (100,000 rows: 2.2 s against 0.7 s here); executemany on SQLite."""
    columns = "attempt_id, question_id, question_type, topic, response, correct"
    if isinstance(db.conn, sqlite3.Connection):
        _insert_many(db, f"INSERT INTO answers ({columns}) VALUES (?, ?, ?, ?, ?, ?)", rows)
        return
    import psycopg

    with psycopg.Cursor(db.conn.raw) as cursor, cursor.copy(f"COPY answers ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _attempt(rng, course, quiz, phase, skill, when, pupil_id, token):
    """One marked attempt: its row (no id yet) and its answers' rows (no attempt id yet)."""
    marked = quiz.marked_questions
    results = [_answer(rng, question, rng.random() < skill) for question in marked]
    score = sum(correct for _, correct in results)
    percent = round(100 * score / len(marked))
    passed = int(percent >= quiz.pass_mark)
    row = (pupil_id, course.id, quiz.id, phase, quiz.version, token, score, len(marked), percent, passed, when)
    answers = [(q.id, q.type, q.topic, json.dumps(response), correct)
               for q, (response, correct) in zip(marked, results, strict=True)]  # fmt: skip
    return row, answers, passed, percent


def _pupil_work(rng, course, pupil_id, name):
    """A pupil part way through the course (or finished): attempts, answers, progress and a certificate."""
    attempts, answers, progress, certificate = [], [], [], None
    if rng.random() < 0.1:
        return attempts, answers, progress, certificate  # not started
    lessons = course.lessons
    finished = rng.random() < 0.12
    done = len(lessons) if finished else min(len(lessons) - 1, int(rng.triangular(0, len(lessons), 0)))
    skill = rng.uniform(0.6, 0.98)

    def attempt(quiz, phase, skill, when):
        row, rows, passed, percent = _attempt(rng, course, quiz, phase, skill, when, pupil_id, f"seed-{len(attempts)}")
        attempts.append(row)
        answers.append(rows)
        return passed, percent

    attempt(course.checks, "baseline", skill - 0.3, _now_minus(rng, 40))
    best = []
    for lesson in lessons[: done + 1]:
        when = _now_minus(rng, 30)
        passed = lesson.number <= done
        step = len(lesson.steps) if passed else rng.randint(1, len(lesson.steps))
        progress.append((pupil_id, course.id, lesson.id, step, step, when, when, when if passed else None))
        if not passed:
            break  # opened, quiz not passed yet
        passed, percent = attempt(lesson.quiz, "lesson", skill, when)
        while not passed:
            passed, percent = attempt(lesson.quiz, "lesson", min(1.0, skill + 0.3), when)
        best.append(percent)
    if finished:
        when = _now_minus(rng, 10)
        attempt(course.checks, "final", skill + 0.1, when)
        certificate = (course.certificate_title, name, round(sum(best) / len(best)), when)
    return attempts, answers, progress, certificate


def _seed_school(db, courses, rng, trust_id, number, pupils, password_hash, stamp):
    """One school in one transaction: staff, classes of 30, pupils and their work, by bulk inserts."""
    from accounts.queries import create_school
    from safeguarding.help_routes import add_default_help_routes

    name = f"Trust School {number:02d}"
    school_id = create_school(db, name)  # 40 rows: the app's own function, with its help panel
    add_default_help_routes(db, school_id)
    with write_transaction(db):
        db.execute("UPDATE schools SET trust_id = ? WHERE id = ?", [trust_id, school_id])
        classes = (pupils + CLASS_SIZE - 1) // CLASS_SIZE
        years = [YEARS[c % len(YEARS)] for c in range(classes)]
        _insert_many(
            db,
            "INSERT INTO classes (school_id, name, year_group, course_id, created_at) VALUES (?, ?, ?, ?, ?)",
            [(school_id, f"{y}{c:02d}", y, _course_for_year(courses, y).id, stamp) for c, y in enumerate(years)],
        )
        class_ids = [r[0] for r in db.execute("SELECT id FROM classes WHERE school_id = ? ORDER BY id", [school_id])]
        staff = [(school_id, "admin", f"admin.{number:02d}@trust.bench", "Ada", "Admin", password_hash, stamp)]
        staff += [(school_id, "teacher", f"teacher.{number:02d}.{c:02d}@trust.bench", "Tea", f"Cher{c}",
                   password_hash, stamp) for c in range(classes)]  # fmt: skip
        _insert_many(
            db,
            "INSERT INTO people (school_id, role, email, first_name, last_name, password_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            staff,
        )
        teachers = [r[0] for r in db.execute(
            "SELECT id FROM people WHERE school_id = ? AND role = 'teacher' ORDER BY id", [school_id])]  # fmt: skip
        links = list(zip(class_ids, teachers, strict=True))
        _insert_many(db, "INSERT INTO class_teachers (class_id, person_id) VALUES (?, ?)", links)
        _insert_many(
            db,
            "INSERT INTO people (school_id, role, username, first_name, last_name, year_group, password_hash, "
            "created_at) VALUES (?, 'pupil', ?, ?, ?, ?, ?, ?)",
            [(school_id, pupil_username(number, n), "Pupil", f"S{number}N{n}", years[n // CLASS_SIZE], password_hash,
              stamp) for n in range(pupils)],
        )  # fmt: skip
        pupil_rows = list(db.execute(
            "SELECT id, year_group, first_name || ' ' || last_name FROM people "
            "WHERE school_id = ? AND role = 'pupil' ORDER BY id", [school_id]))  # fmt: skip
        _insert_many(db, "INSERT INTO class_pupils (class_id, person_id) VALUES (?, ?)",
                     [(class_ids[n // CLASS_SIZE], row[0]) for n, row in enumerate(pupil_rows)])  # fmt: skip
        attempts, answers, progress, certificates = [], [], [], []
        for pupil_id, year, full_name in pupil_rows:
            course = _course_for_year(courses, year)
            rows, answer_rows, progress_rows, certificate = _pupil_work(rng, course, pupil_id, full_name)
            attempts += rows
            answers += [(pupil_id, row[5], answer_rows[i]) for i, row in enumerate(rows)]
            progress += progress_rows
            if certificate:
                title, pupil_name, score, when = certificate
                certificates.append((f"TB{number:02d}-{pupil_id:07d}", pupil_id, school_id, course.id, title,
                                     pupil_name, "P. S.", name, score, when))  # fmt: skip
        _insert_many(
            db,
            "INSERT INTO attempts (pupil_id, course_id, quiz_id, phase, content_version, token, score, max_score, "
            "percent, passed, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            attempts,
        )
        first, last = pupil_rows[0][0], pupil_rows[-1][0]
        ids = {(p, t): i for i, p, t in db.execute(
            "SELECT id, pupil_id, token FROM attempts WHERE pupil_id BETWEEN ? AND ?", [first, last])}  # fmt: skip
        answer_rows = [(ids[pupil_id, token], *answer) for pupil_id, token, rows in answers for answer in rows]
        _copy_answers(db, answer_rows)
        _insert_many(
            db,
            "INSERT INTO lesson_progress (pupil_id, course_id, lesson_id, current_step, furthest_step, started_at, "
            "updated_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            progress,
        )
        _insert_many(
            db,
            "INSERT INTO certificates (code, pupil_id, school_id, course_id, course_title, pupil_name, pupil_initials, "
            "school_name, score, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            certificates,
        )
    return {
        "pupils": pupils,
        "classes": classes,
        "attempts": len(attempts),
        "answers": len(answer_rows),
        "progress": len(progress),
        "certificates": len(certificates),
    }


def pupil_username(school_number, n):
    """The seeded pupil `n` of school `school_number`'s username."""
    return f"p{school_number:02d}.{n:04d}"


def seed(db, courses, scale=1.0, schools=SCHOOLS):
    """A trust of `schools` schools of PUPILS_PER_SCHOOL * scale pupils each, and their work; returns row counts.

    Bulk inserts, one transaction per school. Every person gets the same password hash, made once:
    40,000 scrypt hashes would take over an hour and measure nothing the bench is about.
    """
    from accounts.passwords import hash_password
    from db import now

    rng = random.Random(SEED)
    stamp = now()
    password_hash = hash_password(PASSWORD)
    with write_transaction(db):
        db.execute("INSERT INTO schools (name, kind, created_at) VALUES ('Bench Trust', 'trust', ?)", [stamp])
    trust_id = db.execute("SELECT id FROM schools WHERE kind = 'trust' AND name = 'Bench Trust'").fetchone()[0]
    totals = {}
    pupils = max(CLASS_SIZE, round(PUPILS_PER_SCHOOL * scale))
    for number in range(1, schools + 1):
        for key, value in _seed_school(db, courses, rng, trust_id, number, pupils, password_hash, stamp).items():
            totals[key] = totals.get(key, 0) + value
    totals["schools"] = schools
    return totals


def cache_folder():
    """Where seeded SQLite files are kept between runs."""
    return Path(os.environ.get("BENCH_TRUST_CACHE", Path.home() / ".cache" / "bench-trust"))


def seeded_sqlite(courses, scale, folder):
    """A copy in `folder` of the seeded SQLite file (seeded into the cache first if missing); (path, note)."""
    cache = cache_folder()
    cached = cache / f"trust-v{VERSION}-scale{scale:g}.sqlite"
    summary = cached.with_suffix(".json")
    if not (cached.exists() and summary.exists()):
        cache.mkdir(parents=True, exist_ok=True)
        building = cached.with_suffix(".building")
        building.unlink(missing_ok=True)
        print(f"seeding SQLite at scale {scale:g} (cached in {cache}) ...", flush=True)
        start = time.perf_counter()
        db = connect(str(building))
        migrate(db)
        counts = seed(db, courses, scale)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        counts["seconds"] = round(time.perf_counter() - start, 1)
        building.rename(cached)
        summary.write_text(json.dumps(counts))
    counts = json.loads(summary.read_text())
    path = Path(folder) / "trust.sqlite"
    shutil.copyfile(cached, path)
    db = connect(str(path))
    migrate(db)  # migrations added since the file was seeded
    db.close()
    return str(path), counts


@contextlib.contextmanager
def seeded_database(engine, courses, scale, folder):
    """(DATABASE, seeded counts, settings the servers need, database server pid or None) for `engine`; PostgreSQL's
    server runs until the block ends.

    SQLite: a copy of the cached seeded file. PostgreSQL: a new cluster with its production durability
    settings (fsync and synchronous commit on, unlike the test suite's), seeded each run, then VACUUM ANALYZE
    (in the seeding time) so the planner knows the tables' sizes, as autovacuum would in a while.
    """
    if engine == "sqlite":
        yield (*seeded_sqlite(courses, scale, folder), {}, None)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from postgres_server import PostgresServer

    server = PostgresServer(fast=False).start()
    try:
        url = server.create_database("trust_bench")
        print(f"seeding PostgreSQL at scale {scale:g} ...", flush=True)
        start = time.perf_counter()
        db = connect(url)
        migrate(db)
        counts = seed(db, courses, scale)
        db.execute("VACUUM ANALYZE")
        db.close()
        counts["seconds"] = round(time.perf_counter() - start, 1)
        # The job queue's SQLite file would go in the instance folder (DATABASE is a URL): here instead.
        yield url, counts, {"FLASK_JOBS_DATABASE": os.path.join(folder, "jobs.sqlite")}, server.process.pid
    finally:
        server.stop()


# ---------------------------------------------------------------- the driver


class Pupil:
    """A signed-in pupil: their session cookie and CSRF token, course and id."""

    def __init__(self, person_id, cookie, csrf, course):
        self.id, self.cookie, self.csrf, self.course = person_id, cookie, csrf, course


class Balancer:
    """Round robin over the live ports; a port whose connection fails is taken out (a passive health check)."""

    def __init__(self, ports):
        self.live = list(ports)
        self.lock = threading.Lock()
        self.turn = 0

    def next(self):
        """The next live port."""
        with self.lock:
            self.turn += 1
            return self.live[self.turn % len(self.live)]

    def failed(self, port):
        """Take `port` out, unless it is the last one."""
        with self.lock:
            if port in self.live and len(self.live) > 1:
                self.live.remove(port)


class Driver:
    """THREADS threads sending lesson steps and quiz submissions for random signed-in pupils."""

    def __init__(self, pupils, balancer, quiz_bodies, step_share=STEP_SHARE, only_path=None):
        self.pupils, self.balancer, self.quiz_bodies, self.step_share = pupils, balancer, quiz_bodies, step_share
        self.only_path = only_path  # the overhead check: this one page, nothing else
        self.token_prefix = f"{TOKEN_PREFIX}{secrets.token_hex(3)}-"  # this run's quiz submissions
        self.stopping = threading.Event()
        self.samples = []  # (start, kind, seconds) of each answered request
        self.errors = []  # (start, kind, what) of each request that failed
        self.acknowledged = []  # (pupil id, token, attempt id, quiz id) of each quiz submission that got its 303
        self.retried = 0  # quiz submissions sent again after their connection was cut
        self.lock = threading.Lock()

    def run(self, seconds):
        """Drive for `seconds`; returns (start time, end time)."""
        start = time.perf_counter()
        self.start()
        self.stopping.wait(seconds)
        self.finish()
        return start, time.perf_counter()

    def start(self):
        """Start the threads in the background; `finish()` stops and joins them."""
        self._threads = [threading.Thread(target=self._thread, args=(n,)) for n in range(THREADS)]
        for thread in self._threads:
            thread.start()

    def finish(self):
        """Stop the background threads and wait for their requests in flight."""
        self.stopping.set()
        for thread in self._threads:
            thread.join()

    def _thread(self, number):
        rng = random.Random(f"{self.token_prefix}{number}")
        connections = {}
        counter = 0
        while not self.stopping.is_set():
            pupil = rng.choice(self.pupils)
            lesson = rng.choice(pupil.course.lessons)
            if self.only_path:
                self._request(connections, "lesson step", "GET", self.only_path, pupil, None, expect=200)
                continue
            if rng.random() < self.step_share:
                path = f"/courses/{pupil.course.id}/lessons/{lesson.id}/steps/{rng.randint(1, len(lesson.steps))}"
                self._request(connections, "lesson step", "GET", path, pupil, None, expect=200)
                continue
            counter += 1
            token = f"{self.token_prefix}{number}-{counter}"
            body = f"{self.quiz_bodies[pupil.course.id, lesson.id]}&csrf_token={pupil.csrf}&token={token}"
            path = f"/courses/{pupil.course.id}/lessons/{lesson.id}/quiz"
            for _ in range(3):  # the pupil presses the button again when the page fails to come back
                location = self._request(connections, "quiz submission", "POST", path, pupil, body, expect=303)
                if location is not None:
                    with self.lock:
                        self.acknowledged.append((pupil.id, token, int(location.rsplit("/", 1)[1]), lesson.id))
                    break
                if self.stopping.is_set():
                    break
                with self.lock:
                    self.retried += 1
        for connection in connections.values():
            connection.close()

    def _request(self, connections, kind, method, path, pupil, body, expect):
        """One request on a live port: its Location (or "" for a 200) if it got `expect`, else None."""
        port = self.balancer.next()
        connection = connections.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connections[port] = connection
        headers = {"Cookie": pupil.cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            connections.pop(port, None)
            self.balancer.failed(port)
            with self.lock:
                self.errors.append((start, kind, type(error).__name__))
            return None
        elapsed = time.perf_counter() - start
        if response.status != expect:
            with self.lock:
                self.errors.append((start, kind, f"HTTP {response.status}"))
            return None
        with self.lock:
            self.samples.append((start, kind, elapsed))
        return response.getheader("Location") or ""


def quiz_bodies(courses):
    """Every lesson quiz's right answers as a form body (without the CSRF and one-time tokens)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from helpers import right_answers

    return {
        (course.id, lesson.id): urllib.parse.urlencode(
            dict(right_answers(lesson.quiz), version=lesson.quiz.version), doseq=True
        )
        for course in courses.values()
        for lesson in course.lessons
    }


def sign_in_pupils(database, courses, ports, count=SIGNED_IN, schools=SCHOOLS):
    """Sign `count` seeded pupils in through the real form, spread over the schools and both servers."""
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(SEED)
    db = connect(database)
    chosen = []
    for n in range(count):
        username = pupil_username(n % schools + 1, rng.randrange(PUPILS_PER_SCHOOL // 10))  # any year group
        row = db.execute("SELECT id, year_group FROM people WHERE username = ?", [username]).fetchone()
        chosen.append((row[0], row[1], username, ports[n % len(ports)]))
    db.close()

    def one(person):
        person_id, year, username, port = person
        cookie, csrf = signed_in_session(f"http://127.0.0.1:{port}", username, PASSWORD)
        return Pupil(person_id, cookie, urllib.parse.quote(csrf), _course_for_year(courses, year))

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, chosen))


# ---------------------------------------------------------------- checking and figures


def check_acknowledged(db, acknowledged, courses, prefix=TOKEN_PREFIX):
    """Look up every acknowledged submission: (found, lost, saved but never acknowledged) of tokens from `prefix`.

    Found: exactly one attempt with its pupil and token, the id its 303 named, and every answer of its quiz.
    """
    expected = {
        lesson.id: len(lesson.quiz.marked_questions) for course in courses.values() for lesson in course.lessons
    }
    saved = {}
    for attempt_id, pupil_id, token, answers in db.execute(
        "SELECT a.id, a.pupil_id, a.token, COUNT(n.id) FROM attempts a LEFT JOIN answers n ON n.attempt_id = a.id "
        "WHERE a.token LIKE ? GROUP BY a.id, a.pupil_id, a.token",
        [prefix + "%"],
    ):
        saved.setdefault((pupil_id, token), []).append((attempt_id, answers))
    found = 0
    for pupil_id, token, attempt_id, lesson_id in acknowledged:
        if saved.get((pupil_id, token)) == [(attempt_id, expected[lesson_id])]:
            found += 1
    acknowledged_keys = {(pupil_id, token) for pupil_id, token, _, _ in acknowledged}
    unacknowledged = sum(1 for key in saved if key not in acknowledged_keys)
    return found, len(acknowledged) - found, unacknowledged


def percentile(values, share):
    """The `share` (0-1) percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def figures(samples, errors, kind, start, end):
    """(requests, req/s, p50 ms, p95 ms, p99 ms, errors) for one kind of request between start and end."""
    times = [seconds for when, k, seconds in samples if k == kind and start <= when < end]
    failed = sum(1 for when, k, _ in errors if k == kind and start <= when < end)
    if not times:
        return (0, "0", "-", "-", "-", failed)
    ms = [t * 1000 for t in times]
    rate = f"{len(times) / (end - start):.0f}"
    return (len(times), rate, *(f"{percentile(ms, share):.1f}" for share in (0.5, 0.95, 0.99)), failed)


def cpu_seconds(processes):
    """{name: CPU seconds used so far by each named group of process trees (children reaped included); a
    negative pid counts that process alone."""

    def tree(pid):
        alone, pid = pid < 0, abs(pid)
        if not Path(f"/proc/{pid}").exists():
            return 0.0
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        if alone:
            return sum(int(value) for value in fields[11:13]) / os.sysconf("SC_CLK_TCK")  # utime stime
        own = sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # and cutime cstime
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return own + sum(tree(int(child)) for child in children)

    return {name: sum(tree(pid) for pid in pids) for name, pids in processes.items()}


def server_rss_mib(master_pid):
    """Peak resident memory (VmHWM) of a gunicorn master and each of its workers, in MiB."""
    pids = [master_pid, *map(int, Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split())]
    figures = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                figures.append(int(line.split()[1]) / 1024)
    return figures


# ---------------------------------------------------------------- one engine


def run_engine(engine, courses, scale, seconds, overhead, workers=SERVER_WORKERS):
    """Seed (or copy the cached seed), serve, drive, kill, check; returns a dict of what was measured."""
    result = {"engine": engine, "workers": workers}
    with tempfile.TemporaryDirectory() as folder, seeded_database(engine, courses, scale, folder) as seeded:
        database, counts, env, database_pid = seeded
        result["seeded"] = counts
        ports = [free_port() for _ in range(APP_SERVERS)]
        secret = secrets.token_hex(16)
        base_url = f"http://127.0.0.1:{ports[0]}"  # one site: links name one address, as behind a load balancer
        servers = [start_gunicorn(database, port, workers=workers, secret_key=secret, base_url=base_url,
                                  own_group=True, env=env) for port in ports]  # fmt: skip
        worker = None
        try:
            worker = start_worker(database, ports[0], **env)
            started = time.perf_counter()
            pupils = sign_in_pupils(database, courses, ports)
            result["sign_in_seconds"] = time.perf_counter() - started
            result["pupils_signed_in"] = len(pupils)
            bodies = quiz_bodies(courses)
            Driver(pupils, Balancer(ports), bodies).run(WARM_UP_SECONDS)  # every worker has served both pages
            driver = Driver(pupils, Balancer(ports), bodies)
            # The driver counts its own threads only: the servers and the worker are its children.
            processes = {"app servers": [s.pid for s in servers], "job worker": [worker.pid], "driver": [-os.getpid()]}
            if database_pid:
                processes["database server"] = [database_pid]
            result["load_average"] = os.getloadavg()[0]  # the machine may be shared: say how busy it was
            cpu_start = cpu_seconds(processes)
            cpu_before = resource.getrusage(resource.RUSAGE_SELF)
            start = time.perf_counter()
            driver.start()
            time.sleep(seconds / 2)
            cpu_half = cpu_seconds(processes)
            answered = sum(1 for when, _, _ in driver.samples if when < time.perf_counter())
            result["cpu_ms"] = {name: 1000 * (cpu_half[name] - cpu_start[name]) / answered for name in cpu_half}
            result["rss_killed"] = server_rss_mib(servers[0].pid)
            os.killpg(servers[0].pid, signal.SIGKILL)  # master and workers at once: nothing shuts down cleanly
            killed = time.perf_counter()
            time.sleep(seconds / 2)
            driver.finish()
            end = time.perf_counter()
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
            servers[0].wait()
            result["rss_survivor"] = server_rss_mib(servers[1].pid)
            driver_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
            result["driver_cpu_ms"] = 1000 * driver_cpu / max(1, len(driver.samples) + len(driver.errors))
            result["driver_cpu_share"] = driver_cpu / (end - start)
            result["rows"] = []
            for phase, (a, b) in (("both servers", (start, killed)), ("after kill -9", (killed, end)),
                                  ("whole run", (start, end))):  # fmt: skip
                for kind in ("lesson step", "quiz submission"):
                    result["rows"].append((engine, kind, phase, *figures(driver.samples, driver.errors, kind, a, b)))
            result["error_kinds"] = sorted({what for _, _, what in driver.errors})
            result["retried"] = driver.retried
            if overhead:
                result["overhead"] = driver_overhead(pupils, ports[1], bodies)
        finally:
            if worker is not None:
                stop(worker)
            for server in servers:
                if server.poll() is None:
                    server.terminate()
                    server.wait()
        db = connect(database)
        found, lost, unacknowledged = check_acknowledged(db, driver.acknowledged, courses, driver.token_prefix)
        db.close()
        result.update(acknowledged=len(driver.acknowledged), found=found, lost=lost, unacknowledged=unacknowledged)
    return result


def driver_overhead(pupils, port, bodies, rounds=2):
    """The driver and wrk on one pupil's lesson step page on one server, same connections, windows alternating
    (the machine is shared): {"driver"/"wrk": [(p50 ms, req/s), ...]}."""
    pupil = pupils[0]
    path = f"/courses/{pupil.course.id}/lessons/{pupil.course.lessons[0].id}/steps/2"
    figures = {"driver": [], "wrk": []}
    for _ in range(rounds):
        driver = Driver([pupil], Balancer([port]), bodies, only_path=path)
        start, end = driver.run(load.SECONDS)
        ms = [s * 1000 for _, _, s in driver.samples]
        figures["driver"].append((percentile(ms, 0.5), len(ms) / (end - start)))
        rps, p50, _p99, _errors = wrk(f"http://127.0.0.1:{port}{path}", pupil.cookie)  # load's 8 connections, 10 s
        figures["wrk"].append((p50, rps))
    return figures


# ---------------------------------------------------------------- report


def engines_available():
    """The engines this checkout can run: SQLite always, PostgreSQL once db.py and its test server have it."""
    root = Path(__file__).resolve().parent.parent
    return ["sqlite", "postgresql"] if (root / "tests" / "postgres_server.py").exists() else ["sqlite"]


def report(results, scale, seconds):
    """The issue's figures as printed lines and (label, figure[, goal]) rows for `make bench`."""
    from bench.__main__ import table

    lines, rows = [], []
    for result in results:
        seeded = result["seeded"]
        lines.append(
            f"{result['engine']}: seeded {seeded['schools']} schools, {seeded['pupils']:,} pupils, "
            f"{seeded['classes']:,} classes, {seeded['attempts']:,} attempts, {seeded['answers']:,} answers, "
            f"{seeded['progress']:,} lesson progress rows, {seeded['certificates']:,} certificates in "
            f"{seeded['seconds']:.0f} s{' (when the cached file was made)' if result['engine'] == 'sqlite' else ''}"
        )
    setup = {(r["workers"], r["pupils_signed_in"]) for r in results}
    lines.append(
        f"{APP_SERVERS} gunicorn app servers x {'/'.join(str(w) for w, _ in setup)} sync workers and one flask jobs "
        f"worker; {THREADS} driver threads over {'/'.join(str(n) for _, n in setup)} signed-in pupils, "
        f"{STEP_SHARE:.0%} lesson steps, {seconds} s per engine, one server killed (SIGKILL to its process group) "
        f"half way; scale {scale:g}"
    )
    headings = ("engine", "request", "phase", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
    lines.append("")
    lines.append(table([row for result in results for row in result["rows"]], headings))
    lines.append("errors: requests cut off by the kill, or sent to the killed port before the driver took it out")
    lines.append("")
    for result in results:
        engine = result["engine"]
        kill = (f"acknowledged {result['acknowledged']}, found {result['found']}, lost {result['lost']} "
                f"(sent again after a cut connection: {result['retried']}; {result['unacknowledged']} "
                f"saved but never acknowledged; errors seen: {', '.join(result['error_kinds']) or 'none'})"
                )  # fmt: skip
        rss = (f"killed server {_mib(result['rss_killed'])}; survivor {_mib(result['rss_survivor'])} "
               f"(master / workers)")  # fmt: skip
        lines += [
            f"{engine}: kill -9 of one app server mid-load: {kill}",
            f"{engine}: peak RSS {rss}",
            f"{engine}: driver CPU {result['driver_cpu_ms']:.2f} ms per request, "
            f"{100 * result['driver_cpu_share']:.0f}% of one core over the run; "
            f"{result['pupils_signed_in']} pupils signed in through the form in "
            f"{result['sign_in_seconds']:.1f} s",
            f"{engine}: load average {result['load_average']:.1f} on {os.cpu_count()} cores as the run began; "
            f"CPU per answered request while both servers ran: "
            + ", ".join(f"{name} {ms:.1f} ms" for name, ms in result["cpu_ms"].items()),
        ]
        rows += [
            (f"Trust scale, {engine}: kill -9 of one of two app servers mid-load", kill, "lost 0"),
            (f"Trust scale, {engine}: peak RSS per app server", rss),
        ]
        if "overhead" in result:
            sides = "; ".join(
                f"{who} " + ", ".join(f"p50 {p50:.1f} ms {rps:.0f} req/s" for p50, rps in figures)
                for who, figures in result["overhead"].items()
            )
            lines.append(
                f"{engine}: one lesson step page on the survivor, {THREADS} connections, {load.SECONDS} s windows "
                f"alternating: {sides}"
            )
        for row in result["rows"]:
            if row[2] == "whole run":
                label = (f"Trust scale, {engine}: {row[1]} ({APP_SERVERS} app servers x {result['workers']} workers, "
                         f"one killed half way; {THREADS} threads, {seconds} s, scale {scale:g})")  # fmt: skip
                figure = f"{row[4]} req/s, p50 {row[5]} ms, p95 {row[6]} ms, p99 {row[7]} ms, errors {row[8]}"
                rows.append((label, figure))
    by_engine = {result["engine"]: result for result in results}
    if {"sqlite", "postgresql"} <= by_engine.keys():
        ratio = _steps_answered(by_engine["postgresql"]) / max(1, _steps_answered(by_engine["sqlite"]))
        rows.append((
            f"Trust scale: lesson steps answered on PostgreSQL vs SQLite while both app servers ran (same run, "
            f"{seconds // 2} s each, scale {scale:g})",
            f"{ratio:.2f}x",
            ">= 0.7x",
        ))  # fmt: skip
    return lines, rows


def _steps_answered(result):
    """Lesson step pages answered in the half of the run before the kill (the same length on each engine)."""
    return next(row[3] for row in result["rows"] if row[1] == "lesson step" and row[2] == "both servers")


def _mib(values):
    return " / ".join(f"{v:.0f}" for v in values) + " MiB"


def measure(engine="both", scale=1.0, seconds=SECONDS, overhead=False, workers=SERVER_WORKERS):
    """Run the engines asked for (SQLite first); returns the printed lines and the table rows."""
    from app import create_app

    available = engines_available()
    wanted = ["sqlite", "postgresql"] if engine == "both" else [engine]
    missing = [e for e in wanted if e not in available]
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": f"{folder}/courses.sqlite"})
        courses = app.extensions["courses"]
    results = [run_engine(e, courses, scale, seconds, overhead, workers) for e in wanted if e in available]
    lines, rows = report(results, scale, seconds)
    if missing:
        note = f"not run: {', '.join(missing)} (no PostgreSQL engine in this checkout)"
        lines.append(note)
        rows.append(("Trust scale, PostgreSQL", note))
    return lines, rows


def run(_app=None):
    """`make bench`'s rows: both engines (those this checkout has) at full scale."""
    lines, rows = measure()
    print("\n".join(lines), flush=True)
    return rows


def main():
    """`python -m bench.trust_scale`: print the table and the kill -9 line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="pupils per school = 1,000 x scale")
    parser.add_argument("--seconds", type=int, default=SECONDS, help="driving time per engine; the kill is half way")
    parser.add_argument("--workers", type=int, default=SERVER_WORKERS, help="gunicorn workers per app server")
    parser.add_argument("--overhead", action="store_true", help="also compare the driver with wrk on one page")
    args = parser.parse_args()
    lines, _ = measure(args.engine, args.scale, args.seconds, args.overhead, args.workers)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
