"""Helpers for tests: quiz answers as a form would send them."""

import contextlib
import io
import os
import re
import shutil
import threading
from datetime import timedelta

import jinja2
from pypdf import PdfReader

from quizzes.forms import field_name

# Tests import helpers from here, never from conftest: with unit and browser tests in one run,
# "conftest" could name either folder's conftest.py.
PASSWORD = "a-good-password"
# The app as most tests want it: CSRF and rate limits off (they are tested on their own).
TEST_CONFIG = {
    "TESTING": True,
    "DEVELOPMENT": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PUBLIC_BASE_URL": "https://training.example.test",
    # Staff sign in with a password alone, except in the two-step sign-in tests (test_staff_mfa.py).
    "STAFF_MFA": False,
}
QUIZ_URL = "/courses/online-blackmail-11-13/lessons/{}/quiz"
CHECK_URL = "/courses/online-blackmail-11-13/checks/{}"


def sign_in(client, name, password=PASSWORD):
    """Sign in through the real form with the test client; returns the response."""
    return client.post("/sign-in", data={"name": name, "password": password})


def right_answers(quiz):
    """Form data answering every question of `quiz` correctly (confidence: 4)."""
    data = {}
    for q in quiz.questions:
        if q.type == "order":
            data.update({field_name(q, o): str(o.position) for o in q.options})
        elif q.type in ("multiple", "red_flags"):
            data[field_name(q)] = [o.id for o in q.options if o.correct]
        elif q.type == "confidence":
            data[field_name(q)] = "4"
        else:
            data[field_name(q)] = next(o.id for o in q.options if o.correct)
    return data


def wrong_answers(quiz):
    """Form data answering every marked question wrongly."""
    data = right_answers(quiz)
    for q in quiz.questions:
        if q.type == "order":
            # Reversed: still one number each, and wrong for at least two steps.
            data.update({field_name(q, o): str(len(q.options) + 1 - o.position) for o in q.options})
        elif q.type in ("multiple", "red_flags"):
            data[field_name(q)] = [o.id for o in q.options if not o.correct] or [q.options[0].id, q.options[1].id]
        elif q.type != "confidence":
            data[field_name(q)] = next(o.id for o in q.options if not o.correct)
    return data


def form_token(html):
    """The quiz form's one-time token from a rendered quiz page."""
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def submit_quiz(client, url, quiz, answers):
    """Open the quiz page (for a fresh token) and submit `answers`; returns the POST response."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = dict(answers, token=form_token(page.text), version=quiz.version)
    return client.post(url, data=data)


def complete_course(client, course):
    """Pass every lesson quiz and take the final check; returns the last response."""
    for lesson in course.lessons:
        response = submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
        assert response.status_code == 303
    return submit_quiz(client, CHECK_URL.format("final"), course.checks, right_answers(course.checks))


def staff_course_of(app):
    """The staff course as the app loaded it (skeleton or full: tests read its lessons and answers from here)."""
    return next(iter(app.extensions["staff_courses"].values()))


def staff_quiz_url(course, lesson):
    """A staff course lesson's quiz page."""
    return f"/staff/training/{course.id}/lessons/{lesson.id}/quiz"


def staff_check_url(course):
    """The staff course's final check."""
    return f"/staff/training/{course.id}/checks/final"


def complete_staff_course(client, course):
    """Pass every lesson quiz of the staff course and the final check, as the signed-in member of staff; returns
    the final check's response."""
    for lesson in course.lessons:
        response = submit_quiz(client, staff_quiz_url(course, lesson), lesson.quiz, right_answers(lesson.quiz))
        assert response.status_code == 303, response.status_code
    return submit_quiz(client, staff_check_url(course), course.checks, right_answers(course.checks))


YOUNGER = "online-blackmail-11-13"
OLDER = "online-blackmail-14-18"


# For shutil.copytree: a course copied without its translations (training/translations.py), so a test that edits
# the English does not put them out of parity; tests of translations make their own.
WITHOUT_TRANSLATIONS = shutil.ignore_patterns("[a-z][a-z]", "[a-z][a-z][a-z]")


def copy_course(root, training_parent, quiz_parent, course_id=YOUNGER):
    """Copy the younger route's content into <parent>/<course_id>/ folders; returns (training, quizzes)."""
    training = training_parent / course_id
    quizzes = quiz_parent / course_id
    shutil.copytree(root / "training" / "content" / YOUNGER, training, ignore=WITHOUT_TRANSLATIONS)
    shutil.copytree(root / "quizzes" / "content" / YOUNGER, quizzes, ignore=WITHOUT_TRANSLATIONS)
    return training, quizzes


def make_older_route(root, training_parent, quiz_parent):
    """A stand-in older route for tests: the younger course copied as online-blackmail-14-18,
    route 14-18 (Years 9 to 13), every lesson, quiz and question id prefixed with 'o-'.
    Until the real older route lands it lets tests run two courses; returns (training, quizzes)."""
    import re

    training, quizzes = copy_course(root, training_parent, quiz_parent, OLDER)
    course_yaml = training / "course.yaml"
    text = course_yaml.read_text(encoding="utf-8")
    text = text.replace(f"id: {YOUNGER}", f"id: {OLDER}").replace('route: "11-13"', 'route: "14-18"')
    text = text.replace("year_groups: [7, 8]", "year_groups: [9, 10, 11, 12, 13]")
    text = re.sub(
        r"certificate_title: .*", 'certificate_title: "Online safety: online blackmail (ages 14 to 18)"', text
    )
    text = re.sub(r"^(  - )([a-z-]+)$", r"\1o-\2", text, flags=re.M)
    text = text.replace("checks: checks", "checks: o-checks")
    course_yaml.write_text(text, encoding="utf-8")
    for lesson in sorted((training / "lessons").glob("*.md")):
        number, lesson_id = lesson.stem.split("-", 1)
        body = lesson.read_text(encoding="utf-8").replace(f"id: {lesson_id}\n", f"id: o-{lesson_id}\n", 1)
        lesson.unlink()
        (training / "lessons" / f"{number}-o-{lesson_id}.md").write_text(body, encoding="utf-8")
    for quiz in sorted(quizzes.glob("*.yaml")):
        body = quiz.read_text(encoding="utf-8")
        body = body.replace(f"quiz: {quiz.stem}\n", f"quiz: o-{quiz.stem}\n", 1)
        body = re.sub(r"^(  - id: )(\S+)", r"\1o-\2", body, flags=re.M)
        # The checks point back to lessons by id ("<lesson id>: <heading>"), and the ids now start with 'o-'.
        if quiz.stem == "checks":
            body = re.sub(r"^(\s+review: [\"']?)([a-z-]+): ", r"\1o-\2: ", body, flags=re.M)
        quiz.unlink()
        (quizzes / f"o-{quiz.name}").write_text(body, encoding="utf-8")
    return training, quizzes


class _KeptBytecode(jinja2.BytecodeCache):
    """Compiled templates kept for the whole test process: every test's app would compile each one again (about
    a fifth of a test's time here). Jinja checks each template's source checksum before using its code."""

    def __init__(self):
        self.kept = {}

    def load_bytecode(self, bucket):
        """Give the bucket the code kept for its template, if any."""
        if bucket.key in self.kept:
            bucket.bytecode_from_string(self.kept[bucket.key])

    def dump_bytecode(self, bucket):
        """Keep a template's newly compiled code."""
        self.kept[bucket.key] = bucket.bytecode_to_string()


KEPT_BYTECODE = _KeptBytecode()


def make_app(database_path, **overrides):
    """The app on a new, migrated database (the file `database_path`, or PostgreSQL's copy), with TEST_CONFIG."""
    from engines import database_for, is_new_copy

    from app import create_app
    from db import connect, migrate

    new_copy = is_new_copy(database_path)
    database = database_for(database_path)
    if database != str(database_path):  # PostgreSQL: the test's own SQLite job queue, where its file would be
        overrides = {"JOBS_DATABASE": os.path.join(os.path.dirname(database_path), "jobs.sqlite"), **overrides}
    app = create_app({**TEST_CONFIG, "DATABASE": database, **overrides})
    app.jinja_env.bytecode_cache = KEPT_BYTECODE
    if not new_copy:  # a database the test made itself, perhaps at an older schema: bring it up to date
        database = connect(app.config["DATABASE"])
        migrate(database)
        database.close()
    return app


def pairs_writer(database, stop, written, errors):
    """Write audit rows two at a time, each pair in one transaction, until `stop` is set (the backup drills)."""
    from db import connect, write_transaction

    db = connect(database)
    try:
        while not stop.is_set():
            with write_transaction(db):
                for half in ("first", "second"):
                    db.execute(
                        "INSERT INTO audit_log (school_id, action, subject_type, created_at) "
                        "VALUES (1, 'backup-drill', ?, '2026-11-21T10:00:00+00:00')",
                        [half],
                    )
            written.append(1)
    except Exception as error:  # noqa: BLE001 -- any failure of the writer fails the test below
        errors.append(error)
    finally:
        db.close()


def worker_env(app, **extra):
    """The environment for a real `flask jobs worker` process serving `app`'s database and job queue."""
    return dict(
        os.environ,
        FLASK_DATABASE=app.config["DATABASE"],
        FLASK_JOBS_DATABASE=app.config["JOBS_DATABASE"],  # on PostgreSQL the test's own queue file
        FLASK_SECRET_KEY="test-secret",
        FLASK_DEVELOPMENT="true",
        FLASK_PUBLIC_BASE_URL="https://training.example.test",
        **extra,
    )


def set_question_field(path, question_id, key, value):
    """Set `key: value` (a YAML scalar as text) on one question of a quiz file, replacing any value it had.

    Returns the line the field is on. Works on any copy of the content, whatever other fields it has."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(
        n for n, row in enumerate(lines) if re.fullmatch(rf"\s*- id: ['\"]?{re.escape(question_id)}['\"]?\s*", row)
    )
    indent = len(lines[start]) - len(lines[start].lstrip()) + 2  # the question's fields
    end = next(
        (
            n
            for n in range(start + 1, len(lines))
            if lines[n].strip() and len(lines[n]) - len(lines[n].lstrip()) < indent
        ),
        len(lines),
    )
    block = [row for row in lines[start + 1 : end] if not re.match(rf"^ {{{indent}}}{re.escape(key)}:", row)]
    lines[start + 1 : end] = [" " * indent + f"{key}: {value}\n", *block]
    path.write_text("".join(lines), encoding="utf-8")
    return start + 2


def report_by_job(app, client, data):
    """Ask for a report the job worker builds (an XLSX or PDF, a big CSV): run the job, return the download."""
    from jobs import run_pending

    asked = client.post("/reports", data=data)
    assert asked.status_code == 303 and "/reports/" in asked.headers["Location"], asked.status_code  # nothing built
    run_pending(app.extensions["huey"])
    return client.get(asked.headers["Location"] + "/download")


def assert_tagged(data, title_words):
    """The catalog says the PDF is marked, has a structure tree and a language; the title is set."""
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"]) is True  # a pypdf BooleanObject
    tree = catalog["/StructTreeRoot"].get_object()
    assert tree["/K"]  # the tree holds the document's structure, not an empty root
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]  # readers announce the title, not the file name
    assert title_words in reader.metadata.title
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()  # claims PDF/UA conformance


@contextlib.contextmanager
def events_server(app, origin, hold=2.0, seen_every=timedelta(seconds=10)):
    """The live lesson's event server (live/events.py) on `app`'s database, served on a free loopback port in a
    thread; the app's pages point devices at it (and may reach it) until the block ends. Yields its base URL."""
    import asyncio

    from aiohttp import web

    from app import _security_headers_for
    from live.events import make_app as make_events_app
    from live.events import step_counts

    ready, where = threading.Event(), {}

    def serve():
        loop = asyncio.new_event_loop()
        server = make_events_app(app.config["DATABASE"], app.secret_key, step_counts(app.extensions["courses"]),
                                 seen_every, origin, hold=hold)  # fmt: skip
        runner = web.AppRunner(server)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        where["url"], where["loop"], where["stop"] = f"http://127.0.0.1:{runner.addresses[0][1]}", loop, asyncio.Event()
        ready.set()
        loop.run_until_complete(where["stop"].wait())
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10), "the event server did not start"
    kept = app.config["LIVE_EVENTS_URL"], app.extensions["security_headers"]
    app.config["LIVE_EVENTS_URL"] = where["url"]
    app.extensions["security_headers"] = _security_headers_for(where["url"])
    try:
        yield where["url"]
    finally:
        app.config["LIVE_EVENTS_URL"], app.extensions["security_headers"] = kept
        where["loop"].call_soon_threadsafe(where["stop"].set)
        thread.join(10)
