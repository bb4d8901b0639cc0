"""Bench: progress reports for a school of 2,000 pupils, and the class dashboard for 30.

Builds a temporary database with ~67 classes of 30 and realistic attempts (bulk inserts in
one transaction), then times the whole-school CSV against the bare SQL behind it (the goal
row: a ratio, both sides interleaved in one run, goal <= 2x), the whole-school CSV, XLSX and PDF
reports, the same for one class, and the dashboard through the test client (median of 20 requests).

Run on its own with `.venv/bin/python -m bench.classroom_reports`.
"""

import json
import random
import statistics
import tempfile
import time
from pathlib import Path

PUPILS = 2000
CLASS_SIZE = 30
DASHBOARD_REQUESTS = 20
SEED = 4


def _now_minus(rng, days):
    """An ISO timestamp some time in the last `days` days (fixed base, so runs compare)."""
    seconds = rng.randrange(days * 86400)
    base = 1_790_000_000  # late 2026
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(base - seconds))


def _answer(rng, question, right):
    """A stored (response, correct) pair for a question, right or wrong."""
    options = question.options
    if question.type == "order":
        if right:
            return {o.id: o.position for o in options}, 1
        return {o.id: len(options) + 1 - o.position for o in options}, 0
    if question.type in ("multiple", "red_flags"):
        chosen = [o.id for o in options if o.correct]
        if not right:
            chosen = chosen[:-1] + [o.id for o in options if not o.correct][:1]
        return sorted(chosen), int(right)
    wanted = [o for o in options if o.correct == right] or list(options)
    return rng.choice(wanted).id, int(right)


def build_school(db, course, rng, pupils=PUPILS):
    """A school, a teacher per class, an admin, `pupils` pupils (2,000) and their work. Returns class ids."""
    from accounts.passwords import hash_password
    from db import now, write_transaction

    stamp = now()
    staff_hash = hash_password("bench-password")
    pupil_hash = "scrypt:not-a-real-hash"  # pupils never sign in here: skip 2,000 slow hashes
    with write_transaction(db):
        school = db.execute("INSERT INTO schools (name, created_at) VALUES ('Bench Academy', ?)", [stamp]).lastrowid
        db.execute(
            "INSERT INTO people (school_id, role, email, first_name, last_name, password_hash, created_at) "
            "VALUES (?, 'admin', 'admin@bench.test', 'Ada', 'Admin', ?, ?)",
            [school, staff_hash, stamp],
        )
        rows = [(school, f"pupil{n}.b", f"Pupil{n}", f"Surname{n % 97}", 7 + n % 7, pupil_hash, stamp)
                for n in range(pupils)]  # fmt: skip
        db.conn.executemany(
            "INSERT INTO people (school_id, role, username, first_name, last_name, year_group, password_hash, "
            "created_at) VALUES (?, 'pupil', ?, ?, ?, ?, ?, ?)",
            rows,
        )
        pupil_ids = [r[0] for r in db.execute("SELECT id FROM people WHERE role = 'pupil' ORDER BY id")]
        class_ids = []
        for index in range(0, pupils, CLASS_SIZE):
            number = index // CLASS_SIZE
            class_id = db.execute(
                "INSERT INTO classes (school_id, name, year_group, created_at) VALUES (?, ?, 9, ?)",
                [school, f"C{number:02d}", stamp],
            ).lastrowid
            teacher = db.execute(
                "INSERT INTO people (school_id, role, email, first_name, last_name, password_hash, created_at) "
                "VALUES (?, 'teacher', ?, 'Tea', 'Cher', ?, ?)",
                [school, f"teacher{number}@bench.test", staff_hash, stamp],
            ).lastrowid
            db.execute("INSERT INTO class_teachers VALUES (?, ?)", [class_id, teacher])
            db.conn.executemany(
                "INSERT INTO class_pupils VALUES (?, ?)",
                [(class_id, p) for p in pupil_ids[index : index + CLASS_SIZE]],
            )
            class_ids.append(class_id)
        _work(db, course, rng, school, pupil_ids, class_ids)
    return school, class_ids


def _work(db, course, rng, school, pupil_ids, class_ids):
    """Attempts, answers, lesson progress, confidence totals and certificates."""
    attempt_id = 0
    attempts, answers, progress, confidence, links, certificates = [], [], [], [], [], []
    class_of = {p: class_ids[i // CLASS_SIZE] for i, p in enumerate(pupil_ids)}

    def attempt(pupil, quiz, phase, skill, when):
        nonlocal attempt_id
        attempt_id += 1
        marked = quiz.marked_questions
        results = [_answer(rng, q, rng.random() < skill) for q in marked]
        score = sum(c for _, c in results)
        percent = round(100 * score / len(marked))
        passed = int(percent >= quiz.pass_mark)
        attempts.append((attempt_id, pupil, course.id, quiz.id, phase, quiz.version, f"t{attempt_id}", score,
                         len(marked), percent, passed, when))  # fmt: skip
        for q, (response, correct) in zip(marked, results, strict=True):
            answers.append((attempt_id, q.id, q.type, q.topic, json.dumps(response), correct))
        if phase != "lesson":
            for q in quiz.questions:
                if q.type == "confidence":
                    confidence.append((school, course.id, q.key, phase, rng.randint(1, 5), when[:10], class_of[pupil]))
        return passed, percent

    for pupil in pupil_ids:
        if rng.random() < 0.08:
            continue  # not started
        skill = rng.uniform(0.55, 0.98)
        when = _now_minus(rng, 30)
        attempt(pupil, course.checks, "baseline", skill - 0.3, when)
        lessons_done = min(len(course.lessons), int(rng.triangular(0, len(course.lessons) + 2, len(course.lessons))))
        best = []
        for lesson in course.lessons[: lessons_done + 1]:
            when = _now_minus(rng, 20)
            progress.append((pupil, course.id, lesson.id, len(lesson.steps), len(lesson.steps), when, when))
            if lesson.number > lessons_done:
                break  # opened, quiz not passed yet
            passed, percent = attempt(pupil, lesson.quiz, "lesson", skill, when)
            while not passed:
                passed, percent = attempt(pupil, lesson.quiz, "lesson", min(1.0, skill + 0.3), when)
            best.append(percent)
        if lessons_done == len(course.lessons):
            attempt(pupil, course.checks, "final", skill + 0.1, _now_minus(rng, 10))
            code = f"B{pupil:04d}-BNCH-{pupil % 9999:04d}"
            certificates.append((code, pupil, school, course.id, course.certificate_title, f"Pupil{pupil}", "P. S.",
                                 "Bench Academy", round(sum(best) / len(best)), _now_minus(rng, 5)))  # fmt: skip

    db.conn.executemany("INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", attempts)
    db.conn.executemany(
        "INSERT INTO answers (attempt_id, question_id, question_type, topic, response, correct) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        answers,
    )
    db.conn.executemany(
        "INSERT INTO lesson_progress (pupil_id, course_id, lesson_id, current_step, furthest_step, started_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        progress,
    )
    for school_id, course_id, key, phase, value, day, class_id in confidence:
        response = db.execute(
            "INSERT INTO confidence_responses (school_id, course_id, item_key, phase, value, answered_on) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [school_id, course_id, key, phase, value, day],
        ).lastrowid
        links.append((response, class_id))
    db.conn.executemany("INSERT INTO confidence_response_classes VALUES (?, ?)", links)
    db.conn.executemany(
        "INSERT INTO certificates (code, pupil_id, school_id, course_id, course_title, pupil_name, pupil_initials, "
        "school_name, score, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        certificates,
    )
    return len(attempts), len(answers)


CSV_ROUNDS = 9
CSV_GOAL = 2.0  # the whole-school CSV within 2x of the bare SQL behind it


def bare_sql(db, course, scope):
    """Run the statements the CSV reads and fetch every row as plain tuples: nothing built."""
    from progress.queries import CERTIFICATES, PROGRESS, PUPILS, SUMMARIES, _params, scoped

    params = _params(scope, course.id)
    return sum(len(db.conn.execute(scoped(sql, scope), params).fetchall())
               for sql in (PUPILS, PROGRESS, SUMMARIES, CERTIFICATES))  # fmt: skip


def csv_against_sql(db, course, scope):
    """(CSV median s, bare SQL median s, ratio): the two sides interleaved in one run."""
    from progress import reports

    csv_times, sql_times = [], []
    b"".join(reports.stream_csv(db, course, scope))  # warm up: the page cache and statement cache
    bare_sql(db, course, scope)
    for _ in range(CSV_ROUNDS):
        csv_times.append(_timed(lambda: b"".join(reports.stream_csv(db, course, scope)))[1])
        sql_times.append(_timed(lambda: bare_sql(db, course, scope))[1])
    csv_s, sql_s = statistics.median(csv_times), statistics.median(sql_times)
    return csv_s, sql_s, csv_s / sql_s


SCALES = (300, 2000, 20000)
SCALE_ROUNDS = 3
SCALE_GOAL = 1.3  # linear within 1.3x: the dearest school's time per pupil over the cheapest's


def csv_scaling(course):
    """The whole-school CSV of schools of 300, 2,000 and 20,000 pupils: (ms for each, time per pupil for each)."""
    from db import connect, migrate
    from progress import reports
    from progress.queries import Scope

    times = []
    for pupils in SCALES:
        with tempfile.TemporaryDirectory() as folder:
            db = connect(str(Path(folder) / "scale.sqlite"))
            migrate(db)
            school, _ = build_school(db, course, random.Random(SEED), pupils=pupils)
            scope = Scope(school, None, "Bench Academy")
            b"".join(reports.stream_csv(db, course, scope))  # warm up
            build = lambda db=db, scope=scope: b"".join(reports.stream_csv(db, course, scope))  # noqa: E731
            times.append(min(_timed(build)[1] for _ in range(SCALE_ROUNDS)))
            db.close()
    per_pupil = [seconds / pupils for seconds, pupils in zip(times, SCALES, strict=True)]
    return times, per_pupil


def _timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def run(app=None) -> list[tuple]:
    """Build the school, time the reports and the dashboard; (label, figure) rows, plus the goal on the issue's row.

    `make bench` passes its app; this bench makes its own, on a database of its own.
    """
    from app import create_app
    from db import connect, migrate
    from progress import reports
    from progress.queries import Scope

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.sqlite")
        app = create_app(
            {"TESTING": True, "DEVELOPMENT": True, "SECRET_KEY": "bench", "DATABASE": path,
             "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}
        )  # fmt: skip
        course = app.extensions["courses"]["online-blackmail-11-13"]
        db = connect(path)
        migrate(db)
        (school, class_ids), seconds = _timed(lambda: build_school(db, course, random.Random(SEED)))
        counts = db.execute("SELECT (SELECT count(*) FROM attempts), (SELECT count(*) FROM answers)").fetchone()
        rows.append(
            ("reports: bench school built", f"{PUPILS} pupils, {len(class_ids)} classes, {counts[0]} attempts, "
             f"{counts[1]} answers in {seconds:.1f} s")
        )  # fmt: skip

        whole = Scope(school, None, "Bench Academy")
        csv_s, sql_s, ratio = csv_against_sql(db, course, whole)
        rows.append(
            (
                "reports: whole-school CSV (2,000 pupils) vs the bare SQL behind it",
                f"{ratio:.1f}x (CSV {csv_s * 1000:.0f} ms, SQL {sql_s * 1000:.0f} ms, "
                f"median of {CSV_ROUNDS} interleaved)",
                f"<= {CSV_GOAL:.0f}x",
            )
        )
        times, per_pupil = csv_scaling(course)
        rows.append(
            (
                "reports: school CSV from 300 to 2,000 to 20,000 pupils (time per pupil, dearest over cheapest)",
                f"{max(per_pupil) / min(per_pupil):.2f}x ("
                + ", ".join(f"{n:,}: {s * 1000:.0f} ms" for n, s in zip(SCALES, times, strict=True))
                + f"; best of {SCALE_ROUNDS})",
                f"<= {SCALE_GOAL}x",
            )
        )
        data, seconds = _timed(lambda: reports.collect(db, course, whole))
        rows.append(("reports: whole school, read and compute (2,000 pupils)", f"{seconds * 1000:.0f} ms"))
        for fmt in ("csv", "xlsx", "pdf"):
            content, seconds = _timed(lambda fmt=fmt: reports.build(reports.collect(db, course, whole, fmt=fmt), fmt))
            rows.append(
                (
                    f"reports: whole school {fmt.upper()} (read + build)",
                    f"{seconds:.2f} s, {len(content) / 1024:.0f} KiB",
                )
            )
        one = Scope(school, class_ids[0], "C00")
        for fmt in ("csv", "xlsx", "pdf"):
            content, seconds = _timed(lambda fmt=fmt: reports.build(reports.collect(db, course, one, fmt=fmt), fmt))
            rows.append((f"reports: class of 30 {fmt.upper()} (read + build)", f"{seconds * 1000:.0f} ms"))
        db.close()

        client = app.test_client()
        client.post("/sign-in", data={"name": "teacher0@bench.test", "password": "bench-password"})
        url = f"/classes/{class_ids[0]}/progress"
        assert client.get(url).status_code == 200  # noqa: S101 - a bench of a broken page is no bench
        times = []
        for _ in range(DASHBOARD_REQUESTS):
            response, seconds = _timed(lambda: client.get(url))
            times.append(seconds)
        rows.append(
            (
                f"dashboard: class of 30, median of {DASHBOARD_REQUESTS} GETs",
                f"{statistics.median(times) * 1000:.1f} ms",
            )
        )
    return rows


if __name__ == "__main__":
    for label, figure, *goal in run():
        print(f"{label:60} {figure}", *(f"(goal {g})" for g in goal))
