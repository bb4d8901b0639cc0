"""The lesson page while heavy jobs run: gunicorn (2 workers) and a real `flask jobs worker` on one database.

wrk loads a pupil's lesson step page while the worker builds a whole-school PDF (2,000 pupils), a
whole-school XLSX, a class's certificates PDF and a pupil's reissued certificate, all asked for through the
app's own routes with the shipped settings (where each is built: the worker) and topped up so all four are
always queued or running; and in between, the same load "alone", with the worker paused (SIGSTOP) mid-job.
The windows alternate every few seconds, so both sides see the same machine, however busy; the issue's row
is the loaded p95 over the alone p95. It is measured twice: with the worker at its configured CPU priority
(JOBS_WORKER_NICE 10, JOBS_WORKER_SCHED_IDLE) and at the web workers'.

Two more measures show whether small reports could stay in the request: the same alternating windows,
loaded by a teacher downloading a class's CSV back to back through gunicorn, built by the job worker (as
shipped) and, with a changed setting, in the request, each against the lesson alone.

Run on its own with `.venv/bin/python -m bench.heavy_load`.
"""

import http.cookiejar
import json
import os
import random
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from app import create_app
from bench.classroom_reports import build_school
from bench.jobs_load import start_worker, stop, wait_for
from bench.load import WORKERS, free_port, signed_in_session, start_gunicorn
from db import connect, migrate
from demo import seed_demo
from progress.forms import WHOLE_SCHOOL

SECONDS = 3  # each wrk window
PAIRS = 8  # alone / loaded windows per priority, alternating (the order swaps each pair)
CONNECTIONS = WORKERS  # one pupil's request at a time per web worker: latency, not a queue wrk makes itself
GOAL = 1.5
COURSE = "online-blackmail-11-13"
# The worker as configured (config.py: nice 10 and SCHED_IDLE), then at the web workers' own priority.
PRIORITIES = {
    "its configured priority (nice 10, SCHED_IDLE)": {},
    "the web workers' priority": {"FLASK_JOBS_WORKER_NICE": "0", "FLASK_JOBS_WORKER_SCHED_IDLE": "false"},
}
KINDS = ("pdf", "xlsx", "certificates", "reissue")
# A class's CSV built in the request (the shipped settings build every report in the job worker).
IN_REQUEST = '{"csv": 1000, "xlsx": 0, "pdf": 0}'

P95_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
end
"""


def lesson_latency(url, cookie, script):
    """wrk on the lesson page for SECONDS: (p95 ms, p50 ms, requests per second)."""
    command = ["wrk", f"-t{CONNECTIONS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-H", f"Cookie: {cookie}",
               "-s", script, url]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    p95 = int(re.search(r"p95_us (\d+)", output).group(1)) / 1000
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", output).groups()
    p50 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return p95, p50, rps


def store_certificate_pdfs(app, database, class_id):
    """Render and store the PDFs of one class's certificates (the bench school's rows have none yet)."""
    from certificates.issuing import render_certificate

    db = connect(database)
    rows = list(
        db.query(
            "SELECT c.* FROM certificates c JOIN class_pupils cp ON cp.person_id = c.pupil_id WHERE cp.class_id = ?",
            [class_id],
        )
    )
    with app.test_request_context():  # as in a pupil's request, where certificates are issued
        pdfs = [(render_certificate(row), row["id"]) for row in rows]
    db.conn.executemany("UPDATE certificates SET pdf = ? WHERE id = ?", pdfs)
    # The bench school's classes are year 9, whose default route is another course than its certificates'.
    db.conn.execute("UPDATE classes SET course_id = ? WHERE id = ?", [COURSE, class_id])
    db.conn.commit()
    db.close()
    return len(pdfs)


def reissue(client, database, class_id):
    """Revoke a pupil's certificate and ask for a new one, as a teacher does; the response."""
    db = connect(database)
    pupil, certificate = db.execute(
        "SELECT c.pupil_id, c.id FROM certificates c JOIN class_pupils cp ON cp.person_id = c.pupil_id "
        "JOIN people p ON p.id = c.pupil_id "
        # The class's own school's pupils: the bench school's first class also lists the demo school's.
        "WHERE cp.class_id = ? AND c.revoked_at IS NULL AND p.school_id = (SELECT school_id FROM classes WHERE id = ?) "
        "ORDER BY c.id LIMIT 1",
        [class_id, class_id],
    ).fetchone()
    db.close()
    base = f"/classes/{class_id}/pupils/{pupil}/certificates"
    client.post(f"{base}/{certificate}/revoke", data={"reason": "Bench: name spelt wrongly"})
    response = client.post(f"{base}/reissue")
    assert "/reissue/" in (response.location or ""), (response.status_code, response.location)  # noqa: S101 - a job
    return response


def ask_for(client, kind, class_id, database=None):
    """Ask for one heavy job through the route a teacher (here the school's admin) uses; its job id."""
    if kind == "reissue":
        response = reissue(client, database, class_id)
    elif kind == "certificates":
        response = client.post(f"/classes/{class_id}/certificates.pdf")
    else:
        response = client.post("/reports", data={"scope": f"{WHOLE_SCHOOL}:{COURSE}", "format": kind})
    assert response.status_code == 303, response.status_code  # noqa: S101 - a bench of a refused job is no bench
    return int(response.location.rsplit("/", 1)[1])


def top_up(client, database, class_id, jobs):
    """Keep a whole-school PDF, a whole-school XLSX, a class's certificates and a reissue queued or running."""
    db = connect(database)
    statuses = {kind: db.execute("SELECT status FROM report_jobs WHERE id = ?", [job_id]).fetchone()[0]
                for kind, job_id in jobs.items()}  # fmt: skip
    db.close()
    for kind in KINDS:
        if statuses.get(kind, "done") in ("done", "failed"):
            jobs[kind] = ask_for(client, kind, class_id, database)


def measure(client, database, port, class_id, priority, script, lesson):
    """Alone and loaded windows, alternating, with a worker started with `priority` (its environment): ([alone],
    [loaded]) of (p95, p50, rps).

    Alone, the worker is paused (SIGSTOP) in the middle of its jobs; loaded, it runs them. So the two
    sides alternate every few seconds and see the same machine, busy or not.
    """
    worker = start_worker(database, port, **priority)
    alone, loaded, jobs = [], [], {}
    try:
        base = f"http://127.0.0.1:{port}"
        cookie, _ = signed_in_session(base)
        url = f"{base}/courses/{COURSE}/lessons/{lesson.id}/steps/2"
        top_up(client, database, class_id, jobs)
        query = "SELECT status FROM report_jobs WHERE id = ?"
        wait_for(database, query, [jobs["pdf"]], lambda row: row[0] != "queued")
        lesson_latency(url, cookie, script)  # warm-up: both web workers have served the page
        for pair in range(PAIRS):
            for side in ("alone", "loaded") if pair % 2 == 0 else ("loaded", "alone"):
                if side == "loaded":
                    top_up(client, database, class_id, jobs)
                    loaded.append(lesson_latency(url, cookie, script))
                    continue
                os.kill(worker.pid, signal.SIGSTOP)
                try:
                    alone.append(lesson_latency(url, cookie, script))
                finally:
                    os.kill(worker.pid, signal.SIGCONT)
    finally:
        os.kill(worker.pid, signal.SIGCONT)
        stop(worker)  # SIGTERM: the jobs it was running are cut off; this database is thrown away
    return alone, loaded


def teacher_opener(base, email):
    """A teacher signed in through the real forms (CSRF and all); (urllib opener, the reports form's CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/sign-in").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    opener.open(base + "/sign-in", urllib.parse.urlencode({"csrf_token": token, "name": email,
                                                             "password": "bench-password"}).encode())  # fmt: skip
    page = opener.open(base + "/reports").read().decode()
    return opener, re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def class_csv(opener, base, body):
    """Ask for the class's CSV as a teacher does and read it: from the request, or through the job page (its
    status polled every 50 ms, as the page's script does every 2 s) and the download."""
    response = opener.open(base + "/reports", body)
    if not response.headers["Content-Type"].startswith("text/csv"):  # the job page
        job = response.geturl()
        while json.loads(opener.open(f"{job}/status").read())["status"] not in ("done", "failed"):
            time.sleep(0.05)
        response = opener.open(f"{job}/download")
    content = response.read()
    assert response.headers["Content-Type"].startswith("text/csv") and content, response.status  # noqa: S101


def class_csvs(base, class_id, going, stop, times):
    """Download the class's CSV through gunicorn back to back while `going` is set, until `stop`; times in s."""
    opener, token = teacher_opener(base, "teacher0@bench.test")
    body = urllib.parse.urlencode({"csrf_token": token, "scope": str(class_id), "format": "csv"}).encode()
    while not stop.is_set():
        if not going.wait(0.05):
            continue
        start = time.perf_counter()
        class_csv(opener, base, body)
        times.append(time.perf_counter() - start)


def measure_class_csv(port, class_id, script, lesson):
    """Alone and loaded windows, alternating; loaded, a teacher downloads a class's CSV back to back (as the
    server is set: in the request, or by the job worker): ([alone], [loaded]) of (p95, p50, rps), and the times."""
    base = f"http://127.0.0.1:{port}"
    cookie, _ = signed_in_session(base)
    url = f"{base}/courses/{COURSE}/lessons/{lesson.id}/steps/2"
    going, stop, times = threading.Event(), threading.Event(), []
    downloader = threading.Thread(target=class_csvs, args=(base, class_id, going, stop, times), daemon=True)
    downloader.start()
    alone, loaded = [], []
    try:
        lesson_latency(url, cookie, script)  # warm-up
        for pair in range(PAIRS):
            for side in ("alone", "loaded") if pair % 2 == 0 else ("loaded", "alone"):
                if side == "loaded":
                    going.set()
                    loaded.append(lesson_latency(url, cookie, script))
                    going.clear()
                else:
                    alone.append(lesson_latency(url, cookie, script))
    finally:
        stop.set()
        going.set()
        downloader.join(30)
    return alone, loaded, times


def run(_app=None):
    """The lesson page's p95 while heavy jobs run vs alone, the worker at a low priority and not; table rows."""
    with tempfile.TemporaryDirectory() as folder:
        database = os.path.join(folder, "heavy.sqlite")
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": database,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          # An admin asks for the whole-school reports; the two-step code is not what this measures.
                          # (This client only asks: gunicorn and the worker run with the shipped settings.)
                          "STAFF_MFA": False})  # fmt: skip
        course = app.extensions["courses"][COURSE]
        db = connect(database)
        migrate(db)
        seed_demo(db)
        _school, class_ids = build_school(db, course, random.Random(4))
        db.close()
        certificates = store_certificate_pdfs(app, database, class_ids[0])
        client = app.test_client()
        client.post("/sign-in", data={"name": "admin@bench.test", "password": "bench-password"})
        script = Path(folder) / "p95.lua"
        script.write_text(P95_SCRIPT)
        port = free_port()
        server = start_gunicorn(database, port)
        try:
            results = {
                name: measure(client, database, port, class_ids[0], env, str(script), course.lessons[0])
                for name, env in PRIORITIES.items()
            }
            worker = start_worker(database, port)
            try:
                *by_job, by_job_times = measure_class_csv(port, class_ids[0], str(script), course.lessons[0])
            finally:
                stop(worker)
        finally:
            server.terminate()
            server.wait()
        # The same with the class's CSV built in the request (a changed setting), for the decision above.
        server = start_gunicorn(database, port, env={"FLASK_REPORT_BACKGROUND_ABOVE": IN_REQUEST})
        try:
            *in_request, in_request_times = measure_class_csv(port, class_ids[0], str(script), course.lessons[0])
        finally:
            server.terminate()
            server.wait()
    rows = []
    for name, (alone, loaded) in results.items():
        label = (
            f"Lesson p95 while a whole-school PDF, an XLSX, a class's certificates ({certificates}) and reissued "
            f"certificates build, vs alone (shipped settings; gunicorn {WORKERS} workers, wrk {CONNECTIONS} "
            f"connections, job worker at {name}{'' if not PRIORITIES[name] else ': a changed setting'})"
        )
        figures = _figures(alone, loaded)
        rows.append((label, figures, f"<= {GOAL}x") if not PRIORITIES[name] else (label, figures))
    for where, windows, times in (
        ("by the job worker, as shipped", by_job, by_job_times),
        (f"in the request: a changed setting, REPORT_BACKGROUND_ABOVE {IN_REQUEST}", in_request, in_request_times),
    ):
        label = f"Lesson p95 while a teacher downloads a class's CSV (30 pupils) back to back, built {where}, vs alone"
        figure = f"{_figures(*windows)}; each CSV median {statistics.median(times) * 1000:.0f} ms, {len(times)} in all"
        rows.append((label, figure))
    return rows


def _median(samples, index):
    return statistics.median(sample[index] for sample in samples)


def _figures(alone, loaded):
    """The loaded windows' median p95 over the alone windows' (the issue's figure), and beside it each loaded
    window over the alone window next to it: neighbours see the same machine."""
    ratio = _median(loaded, 0) / _median(alone, 0)
    pairs = sorted(load[0] / quiet[0] for quiet, load in zip(alone, loaded, strict=True))
    return (
        f"{ratio:.2f}x (p95 {_median(loaded, 0):.1f} vs {_median(alone, 0):.1f} ms, p50 {_median(loaded, 1):.1f} vs "
        f"{_median(alone, 1):.1f} ms, {_median(loaded, 2):.0f} vs {_median(alone, 2):.0f} req/s; {PAIRS} alternating "
        f"pairs of {SECONDS} s windows, each pair's ratio {' '.join(f'{r:.1f}' for r in pairs)})"
    )


if __name__ == "__main__":
    for label, figure, *goal in run():
        print(f"{label}: {figure}", *(f"(goal {g})" for g in goal))
