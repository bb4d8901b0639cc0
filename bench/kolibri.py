"""`make bench-kolibri`: our class dashboard and pupil's course page against Kolibri 0.19.5's coach class
summary and learner home, same load.

Kolibri is installed with pip into a virtualenv cached outside git (BENCH_KOLIBRI_CACHE, by default
~/.cache/bench-kolibri), so a rerun skips the install; its data lives in a temporary KOLIBRI_HOME.
Both sides get a class of 30 with the same shape of work (see bench/kolibri_seed.py and seed_class),
a signed-in teacher or coach, every pupil or learner signed in, and the same wrk settings as bench/load.py;
the two are loaded in turn (ours, Kolibri's, ours, Kolibri's) so both see the same machine, and the ratios are
taken over the rounds.

Kolibri's learner home is a single-page app: once its (static) HTML shell and the channel list are loaded,
the page's data (the learner's classes with their lessons, each resource's progress, quizzes with score, and
resources to resume) comes from one call, /learn/api/homehydrate (LearnHomePageHydrationView, what the Home
page's hydrateHomePage() fetches). That call stands for the page; the shell and the channel list, which the
page also loads, are left out, so Kolibri's side is, if anything, cheaper than a whole page.

Run with `python -m bench.kolibri`.
"""

import http.cookiejar
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.load import (
    CONNECTIONS,
    SECONDS,
    WORKERS,
    free_port,
    round_robin_script,
    signed_in_session,
    start_gunicorn,
    wrk,
)

ROOT = Path(__file__).resolve().parent.parent
KOLIBRI_VERSION = "0.19.5"
CACHE = Path(os.environ.get("BENCH_KOLIBRI_CACHE") or Path.home() / ".cache" / "bench-kolibri")
ROUNDS = 2  # ours, Kolibri's, ours, Kolibri's
PUPILS = 30
COURSE_ID = "online-blackmail-11-13"
PASSWORD = "bench-Pass-1"
THROUGHPUT_GOAL = 50  # the dashboard's goal: at least 50x Kolibri's requests per second ...
P99_GOAL = 20  # ... and a p99 at most 1/20 of Kolibri's
COURSE_THROUGHPUT_GOAL = 100  # the course page's goal: at least 100x the learner home's requests per second
SEED = 4


def kolibri_venv():
    """The cached virtualenv holding kolibri==KOLIBRI_VERSION; made (pip install) on the first run only."""
    venv = CACHE / f"venv-{KOLIBRI_VERSION}"
    kolibri = venv / "bin" / "kolibri"
    if not (venv / ".installed").exists():
        print(f"installing kolibri=={KOLIBRI_VERSION} into {venv} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "--quiet", f"kolibri=={KOLIBRI_VERSION}"], check=True)
        (venv / ".installed").touch()
    return kolibri


def kolibri_env(home):
    """Kolibri's environment: its own home, loopback only, no network discovery and no telemetry ping."""
    return dict(
        os.environ,
        KOLIBRI_HOME=str(home),
        KOLIBRI_LISTEN_ADDRESS="127.0.0.1",
        KOLIBRI_ZEROCONF_ENABLED="false",
        KOLIBRI_DISABLE_PING="true",
    )


def kolibri_seeded(kolibri, env, learners, quiz_sizes, check_size):
    """Provision the device (a facility) and seed a coach, a class and its work; returns the seed's summary."""
    subprocess.run(
        [str(kolibri), "manage", "provisiondevice", "--facility", "Bench School", "--superusername", "admin",
         "--superuserpassword", PASSWORD, "--preset", "formal", "--language_id", "en", "--noinput"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    seed_env = dict(
        env, BENCH_COACH="coach", BENCH_PASSWORD=PASSWORD, BENCH_LEARNERS=str(learners),
        BENCH_QUIZ_SIZES=",".join(map(str, quiz_sizes)), BENCH_CHECK_SIZE=str(check_size), BENCH_SEED=str(SEED),
    )  # fmt: skip
    script = ROOT / "bench" / "kolibri_seed.py"
    output = subprocess.run(
        [str(kolibri), "manage", "shell", "-c", f"import runpy; runpy.run_path({str(script)!r})"],
        env=seed_env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(re.search(r"^BENCH-SEED (.*)$", output, re.MULTILINE).group(1))


def start_kolibri(kolibri, env, port):
    """`kolibri start --foreground` on 127.0.0.1:port (its own server: CherryPy threads); returns the process."""
    log = open(Path(env["KOLIBRI_HOME"]) / "bench-server.log", "w")  # noqa: SIM115 - open while it runs
    process = subprocess.Popen([str(kolibri), "start", "--foreground", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/public/info/", timeout=1)
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"Kolibri did not start; see {log.name}")


def kolibri_session(base, facility_id, username="coach"):
    """Sign the coach (or a learner) in through Kolibri's session API; returns the cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = json.dumps({"username": username, "password": PASSWORD, "facility": facility_id}).encode()
    request = urllib.request.Request(base + "/api/auth/session/", body, {"Content-Type": "application/json"})  # noqa: S310 - loopback http
    opener.open(request)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def seed_class(database, course):
    """Our side: a school, a teacher and one class of PUPILS following `course`, with the bench school's mix of work.

    Returns (class id, the pupils' usernames, what was seeded); every pupil can sign in with PASSWORD."""
    from accounts.passwords import hash_password
    from bench.classroom_reports import _work
    from db import connect, migrate, now, write_transaction

    db = connect(database)
    migrate(db)
    stamp = now()
    password_hash = hash_password(PASSWORD)  # one hash for all: 31 slow hashes prove nothing here
    names = [f"pupil{n}.b" for n in range(PUPILS)]
    with write_transaction(db):
        school = db.execute("INSERT INTO schools (name, created_at) VALUES ('Bench Academy', ?)", [stamp]).lastrowid
        teacher = db.execute(
            "INSERT INTO people (school_id, role, email, first_name, last_name, password_hash, created_at) "
            "VALUES (?, 'teacher', 'teacher@bench.test', 'Tea', 'Cher', ?, ?)",
            [school, password_hash, stamp],
        ).lastrowid
        db.conn.executemany(
            "INSERT INTO people (school_id, role, username, first_name, last_name, year_group, password_hash, "
            "created_at) VALUES (?, 'pupil', ?, ?, ?, 9, ?, ?)",
            [(school, name, f"Pupil{n}", f"Surname{n % 97}", password_hash, stamp) for n, name in enumerate(names)],
        )
        pupils = [r[0] for r in db.execute("SELECT id FROM people WHERE role = 'pupil' ORDER BY id")]
        # The class follows `course`, the one its work is seeded on (by year group alone, year 9 would follow
        # the 14-18 route, and the dashboard and course pages would show none of that work).
        class_id = db.execute(
            "INSERT INTO classes (school_id, name, year_group, course_id, created_at) VALUES (?, 'Bench 9A', 9, ?, ?)",
            [school, course.id, stamp],
        ).lastrowid
        db.execute("INSERT INTO class_teachers VALUES (?, ?)", [class_id, teacher])
        db.conn.executemany("INSERT INTO class_pupils VALUES (?, ?)", [(class_id, p) for p in pupils])
        attempts, answers = _work(db, course, random.Random(SEED), school, pupils, [class_id])
    progress = db.execute("SELECT count(*) FROM lesson_progress").fetchone()[0]
    db.close()
    return class_id, names, {"attempts": attempts, "answers": answers, "lesson_progress": progress}


def our_session(base):
    """Sign the teacher in through the real form; returns the cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/sign-in").read().decode()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf, "name": "teacher@bench.test", "password": PASSWORD}
    opener.open(base + "/sign-in", urllib.parse.urlencode(form).encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def cpu_seconds(pid):
    """CPU time (user + system) used so far by a process and every process under it, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended meanwhile
    return total


def loaded(url, cookie, pid, script=None):
    """wrk on url (as `cookie`, or as the wrk `script` says), plus the server's CPU ms per request over the run:
    (rps, p50, p99, errors, cpu ms)."""
    before = cpu_seconds(pid)
    rps, p50, p99, errors = wrk(url, cookie, script)
    return rps, p50, p99, errors, (cpu_seconds(pid) - before) * 1000 / (rps * SECONDS)


def checked(url, cookie, expect):
    """GET url with the cookie; fail unless it answers 200 with `expect` in the body (no bench of an error)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback http
    with urllib.request.urlopen(request) as response:  # noqa: S310
        body = response.read()
    if response.status != 200 or expect not in body:
        raise RuntimeError(f"{url} did not answer as expected")
    return len(body)


def comparison_rows(label, theirs, rounds, throughput_goal, p99_goal=None):
    """The goal rows and the CPU row of one comparison over its rounds [(ours, Kolibri's)], as the table shows them."""
    ours_rps = sum(o[0] for o, _ in rounds) / len(rounds)
    kolibri_rps = sum(k[0] for _, k in rounds) / len(rounds)
    ours_p99 = max(o[2] for o, _ in rounds)  # the worse round on each side
    kolibri_p99 = max(k[2] for _, k in rounds)
    # CPU per request: far steadier than req/s on a shared machine; each side's ceiling is its cores over it
    # (ours: WORKERS processes; Kolibri: one process, its threads share one interpreter lock).
    ours_cpu = sum(o[4] for o, _ in rounds) / len(rounds)
    kolibri_cpu = sum(k[4] for _, k in rounds) / len(rounds)
    load = f"wrk {CONNECTIONS} connections, {SECONDS} s, {len(rounds)} rounds each, interleaved"
    return [
        (
            f"{label} vs Kolibri {KOLIBRI_VERSION} {theirs}: throughput ({load})",
            f"{ours_rps / kolibri_rps:.1f}x ({ours_rps:.0f} vs {kolibri_rps:.1f} req/s)",
            f">= {throughput_goal}x",
        ),
        (
            f"{label} vs Kolibri's {theirs}: p99 latency (worse round each side)",
            f"1/{kolibri_p99 / ours_p99:.1f} ({ours_p99:.1f} vs {kolibri_p99:.0f} ms)",
            f"<= 1/{p99_goal}" if p99_goal else "(reported)",
        ),
        (
            f"{label}: server CPU per request, ours vs Kolibri's (from /proc; steadier than req/s on a busy machine)",
            f"{ours_cpu:.2f} ms vs {kolibri_cpu:.1f} ms ({kolibri_cpu / ours_cpu:.0f}x less); ceilings "
            f"~{WORKERS * 1000 / ours_cpu:.0f} vs ~{1000 / kolibri_cpu:.0f} req/s "
            f"({WORKERS * kolibri_cpu / ours_cpu:.0f}x)",
        ),
    ]


def round_rows(label, theirs, rounds):
    """Every round's figures of one comparison, ours then Kolibri's."""
    rows = []
    for n, (o, k) in enumerate(rounds, 1):
        rows.append((f"{label}, round {n}: ours (gunicorn {WORKERS} workers)", f"{o[0]:.0f} req/s, p50 {o[1]:.1f} "
                     f"ms, p99 {o[2]:.1f} ms, errors {o[3]}, CPU {o[4]:.2f} ms/request"))  # fmt: skip
        rows.append((f"{label}, round {n}: Kolibri's {theirs} (kolibri start, CherryPy threads)",
                     f"{k[0]:.1f} req/s, p50 {k[1]:.0f} ms, p99 {k[2]:.0f} ms, errors {k[3]}, "
                     f"CPU {k[4]:.1f} ms/request"))  # fmt: skip
    return rows


def run():
    """Install/seed/start both sides, load them in turn; returns table rows (label, figure[, goal])."""
    from app import create_app

    kolibri = kolibri_venv()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": os.path.join(folder, "app.sqlite")})
        course = app.extensions["courses"][COURSE_ID]
        quiz_sizes = [len(lesson.quiz.marked_questions) for lesson in course.lessons]
        home = Path(folder) / "kolibri-home"
        env = kolibri_env(home)
        kolibri_seed = kolibri_seeded(kolibri, env, PUPILS, quiz_sizes, len(course.checks.marked_questions))
        class_id, pupils, our_seed = seed_class(os.path.join(folder, "bench.sqlite"), course)

        ours_port, kolibri_port = free_port(), free_port()
        ours = start_gunicorn(os.path.join(folder, "bench.sqlite"), ours_port)
        theirs = None
        try:
            theirs = start_kolibri(kolibri, env, kolibri_port)
            ours_base, kolibri_base = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{kolibri_port}"
            ours_url = f"{ours_base}/classes/{class_id}/progress"
            kolibri_url = f"{kolibri_base}/coach/api/classsummary/{kolibri_seed['class_id']}/"
            ours_cookie = our_session(ours_base)
            kolibri_cookie = kolibri_session(kolibri_base, kolibri_seed["facility_id"])
            ours_bytes = checked(ours_url, ours_cookie, b'id="progress-grid"')
            kolibri_bytes = checked(kolibri_url, kolibri_cookie, b'"content_learner_status"')
            # The pupil's course page and the learner home: every pupil and every learner signed in, and wrk
            # asks as each in turn (bench/load.py's round robin), so the load has the class's whole mix of work.
            pupil_sessions = [signed_in_session(ours_base, name, PASSWORD) for name in pupils]
            learner_sessions = [
                (kolibri_session(kolibri_base, kolibri_seed["facility_id"], f"learner{n}"), "") for n in range(PUPILS)
            ]
            course_url, home_url = f"{ours_base}/course", f"{kolibri_base}/learn/api/homehydrate"
            course_script = round_robin_script(folder, "/course", pupil_sessions, "course.lua")
            home_script = round_robin_script(folder, "/learn/api/homehydrate", learner_sessions, "home.lua")
            course_bytes = [checked(course_url, c, b'class="lesson-list"') for c, _ in pupil_sessions]
            home_bytes = [checked(home_url, c, b'"Lesson 1"') for c, _ in learner_sessions]
            dashboard_rounds, course_rounds = [], []
            for n in range(ROUNDS):
                print(f"round {n + 1} of {ROUNDS}: ours, then Kolibri's (dashboard, then course page) ...", flush=True)
                ours_run = loaded(ours_url, ours_cookie, ours.pid)
                dashboard_rounds.append((ours_run, loaded(kolibri_url, kolibri_cookie, theirs.pid)))
                ours_run = loaded(course_url, "", ours.pid, course_script)
                course_rounds.append((ours_run, loaded(home_url, "", theirs.pid, home_script)))
        finally:
            ours.terminate()
            ours.wait()
            if theirs:
                theirs.terminate()
                theirs.wait(timeout=60)

    dashboard = "class dashboard (30 pupils)", "coach class summary"
    course_page = f"pupil's course page ({PUPILS} pupils round robin)", "learner home (/learn/api/homehydrate)"
    rows = comparison_rows(*dashboard, dashboard_rounds, THROUGHPUT_GOAL, P99_GOAL)
    rows += comparison_rows(*course_page, course_rounds, COURSE_THROUGHPUT_GOAL)
    rows += round_rows("class dashboard", dashboard[1], dashboard_rounds)
    rows += round_rows("course page", "learner home", course_rounds)
    rows += [
        ("seeded, ours", f"30 pupils, {len(course.lessons)} lessons, {our_seed['lesson_progress']} lesson progress "
         f"rows, {our_seed['attempts']} attempts, {our_seed['answers']} answers; {ours_bytes / 1024:.0f} KiB HTML"),
        ("seeded, Kolibri", f"30 learners, {kolibri_seed['lessons']} lessons (a video + an exercise each) and 2 "
         f"quizzes, {kolibri_seed['summary_logs']} summary logs, {kolibri_seed['mastery_logs']} mastery logs, "
         f"{kolibri_seed['attempt_logs']} attempt logs; {kolibri_bytes / 1024:.0f} KiB JSON"),
        ("course page vs learner home, size (mean over the pupils)", f"{sum(course_bytes) / PUPILS / 1024:.1f} KiB "
         f"HTML vs {sum(home_bytes) / PUPILS / 1024:.1f} KiB JSON"),
    ]  # fmt: skip
    return rows


def main():
    """Print the goal rows (dashboard, then course page), then every round's figures."""
    from bench.__main__ import table

    rows = run()
    print()
    print(table([r for r in rows if len(r) == 3], ("goal row", "measured (one run)", "goal")))
    print()
    print(table([r for r in rows if len(r) == 2], ("what", "figure")))


if __name__ == "__main__":
    main()
