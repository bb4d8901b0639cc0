"""Lesson pages and quiz submissions under gunicorn on loopback, loaded by wrk."""

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from accounts.demo import DEMO_PASSWORD
from db import connect, migrate
from demo import seed_demo

ROOT = Path(__file__).resolve().parent.parent
# The tests' quiz answers, so the bench submits what a pupil would (a "tests" package elsewhere
# on the path would shadow tests.helpers, so the folder is added by path).
sys.path.insert(0, str(ROOT / "tests"))
from helpers import right_answers  # noqa: E402

SECONDS = 10
CONNECTIONS = 8
WORKERS = 2  # one per core


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(database, port, *, workers=WORKERS, secret_key=None, base_url=None, own_group=False, env=None):
    """gunicorn serving create_app() on 127.0.0.1:port; returns the process once it answers.

    Several servers behind one database share `secret_key` and `base_url` (one site, as behind a load
    balancer); `own_group` starts it in its own process group, so master and workers can be killed at once;
    `env` adds settings (FLASK_...).
    """
    # Plain http on loopback: the session cookie must not be Secure-only, or no browser sends it back.
    env = dict(
        os.environ,
        FLASK_DATABASE=database,
        FLASK_SECRET_KEY=secret_key or secrets.token_hex(16),
        FLASK_SESSION_COOKIE_SECURE="false",
        # Required outside development; its host is the only one served.
        FLASK_PUBLIC_BASE_URL=base_url or f"http://127.0.0.1:{port}",
        **(env or {}),
    )
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "bench.wsgi:app_with_bare_endpoint()"],
        cwd=ROOT, env=env, start_new_session=own_group,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def worker_rss_mib(master_pid):
    """Each gunicorn worker's peak resident memory (VmHWM), in MiB, from /proc (Linux)."""
    figures = []
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                figures.append(f"{int(line.split()[1]) / 1024:.0f}")
    return " / ".join(figures) + " MiB"


def signed_in_session(base, name="ryan.d", password=DEMO_PASSWORD):
    """Sign in as a pupil (the demo pupil unless named) through the real form; returns (cookie header, csrf token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/sign-in").read().decode()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": csrf, "name": name, "password": password}).encode()
    opener.open(base + "/sign-in", data)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, csrf


def wrk(url, cookie, script=None):
    """Run wrk for SECONDS; returns (requests per second, p50 ms, p99 ms, non-2xx/3xx count)."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, percentile("50"), percentile("99"), int(errors.group(1)) if errors else 0


def quiz_script(folder, path, lesson, csrf, cookie):
    """A wrk Lua script that POSTs right answers with a fresh token each time (a real save, not a repeat)."""
    fields = dict(right_answers(lesson.quiz), csrf_token=csrf, version=lesson.quiz.version)
    body = urllib.parse.urlencode(fields, doseq=True)
    script = Path(folder) / "quiz.lua"
    script.write_text(
        f"""
-- Each wrk thread gets its own id, so every request carries a token never used before.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
counter = 0
request = function()
  counter = counter + 1
  local body = "{body}&token=t" .. tid .. "-" .. counter
  -- Headers given here replace wrk's -H headers, so the cookie is repeated.
  local headers = {{["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "{cookie}"}}
  return wrk.format("POST", "{path}", headers, body)
end
"""
    )
    return str(script)


def run(app):
    """Lesson page and quiz submission throughput and latency; returns table rows."""
    course = app.extensions["courses"]["online-blackmail-11-13"]
    lesson = course.lessons[0]
    with tempfile.TemporaryDirectory() as folder:
        database = os.path.join(folder, "bench.sqlite")
        db = connect(database)
        migrate(db)
        seed_demo(db)
        db.close()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(database, port)
        try:
            cookie, csrf = signed_in_session(base)
            step_url = f"{base}/courses/{course.id}/lessons/{lesson.id}/steps/2"
            # The lesson page and a bare endpoint, interleaved twice so both see the same machine.
            rounds = [(wrk(step_url, cookie), wrk(f"{base}/bench/bare", cookie)) for _ in range(2)]
            page = rounds[-1][0]
            ratio = sum(p[0] for p, _ in rounds) / sum(b[0] for _, b in rounds)
            quiz_path = f"/courses/{course.id}/lessons/{lesson.id}/quiz"
            submit = wrk(base + quiz_path, cookie, quiz_script(folder, quiz_path, lesson, csrf, cookie))
            saved = connect(database)["attempts"].count
            rss = worker_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait()
    label = f"gunicorn {WORKERS} workers, wrk {CONNECTIONS} connections, {SECONDS} s"
    return [
        (
            f"Lesson step page vs bare Flask endpoint ({label})",
            f"{ratio:.2f}x the bare endpoint's req/s",
            ">= 0.6x",
        ),
        ("Peak RSS per gunicorn worker (after the lesson and quiz load)", rss, "(reported)"),
        (
            f"Lesson page ({label})",
            f"{page[0]:.0f} req/s, p50 {page[1]:.1f} ms, p99 {page[2]:.1f} ms, errors {page[3]}",
        ),
        (
            f"Quiz submission ({label})",
            f"{submit[0]:.0f} req/s, p50 {submit[1]:.1f} ms, p99 {submit[2]:.1f} ms, errors {submit[3]}, "
            f"{saved} attempts saved",
        ),
    ]
