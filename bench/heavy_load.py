"""The lesson page while heavy jobs run: gunicorn (2 workers) and a real `flask jobs worker` on one database.

wrk loads a pupil's lesson step page while the worker builds a whole-school PDF (2,000 pupils), a
whole-school XLSX and a class's certificates PDF, all asked for through the app's own routes and topped
up so all three are always queued or running; and in between, the same load "alone", with the worker
paused (SIGSTOP) mid-job. The windows alternate every few seconds, so both sides see the same machine,
however busy; the issue's row is the loaded p95 over the alone p95. It is measured twice: with the
worker at its configured CPU priority (JOBS_WORKER_NICE 10, JOBS_WORKER_SCHED_IDLE) and at the web workers'.

Run on its own with `.venv/bin/python -m bench.heavy_load`.
"""

import os
import random
import re
import signal
import statistics
import subprocess
import tempfile
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
KINDS = ("pdf", "xlsx", "certificates")

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


def ask_for(client, kind, class_id):
    """Ask for one heavy job through the route a teacher (here the school's admin) uses; its job id."""
    if kind == "certificates":
        response = client.post(f"/classes/{class_id}/certificates.pdf")
    else:
        response = client.post("/reports", data={"scope": f"{WHOLE_SCHOOL}:{COURSE}", "format": kind})
    assert response.status_code == 303, response.status_code  # noqa: S101 - a bench of a refused job is no bench
    return int(response.location.rsplit("/", 1)[1])


def top_up(client, database, class_id, jobs):
    """Keep a whole-school PDF, a whole-school XLSX and a class's certificates queued or running."""
    db = connect(database)
    statuses = {kind: db.execute("SELECT status FROM report_jobs WHERE id = ?", [job_id]).fetchone()[0]
                for kind, job_id in jobs.items()}  # fmt: skip
    db.close()
    for kind in KINDS:
        if statuses.get(kind, "done") in ("done", "failed"):
            jobs[kind] = ask_for(client, kind, class_id)


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


def run(_app=None):
    """The lesson page's p95 while heavy jobs run vs alone, the worker at a low priority and not; table rows."""
    with tempfile.TemporaryDirectory() as folder:
        database = os.path.join(folder, "heavy.sqlite")
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": database,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          # An admin asks for the whole-school reports; the two-step code is not what this measures.
                          "STAFF_MFA": False,
                          "REPORT_BACKGROUND_ABOVE": {"csv": 0, "xlsx": 0, "pdf": 0}})  # fmt: skip
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
        finally:
            server.terminate()
            server.wait()
    rows = []
    for name, (alone, loaded) in results.items():

        def median(samples, index):
            return statistics.median(sample[index] for sample in samples)

        # The loaded windows' median p95 over the alone windows' (the figure), and beside it each
        # loaded window over the alone window next to it: neighbours see the same machine.
        ratio = median(loaded, 0) / median(alone, 0)
        pairs = sorted(load[0] / quiet[0] for quiet, load in zip(alone, loaded, strict=True))
        figures = (
            f"{ratio:.2f}x (p95 {median(loaded, 0):.1f} vs {median(alone, 0):.1f} ms, p50 {median(loaded, 1):.1f} vs "
            f"{median(alone, 1):.1f} ms, {median(loaded, 2):.0f} vs {median(alone, 2):.0f} req/s; {PAIRS} alternating "
            f"pairs of {SECONDS} s windows, each pair's ratio {' '.join(f'{r:.1f}' for r in pairs)})"
        )
        label = (
            f"Lesson p95 while a whole-school PDF, an XLSX and a class's certificates ({certificates}) build, vs alone "
            f"(gunicorn {WORKERS} workers, wrk {CONNECTIONS} connections, job worker at {name})"
        )
        rows.append((label, figures, f"<= {GOAL}x") if not PRIORITIES[name] else (label, figures))
    return rows


if __name__ == "__main__":
    for label, figure, *goal in run():
        print(f"{label}: {figure}", *(f"(goal {g})" for g in goal))
