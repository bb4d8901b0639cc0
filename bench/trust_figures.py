"""Bench: a trust lead's page at trust scale: 40 schools, 40,000 pupils, about a million answers.

Seeds a temporary SQLite database in bulk (one transaction), runs ANALYZE as a deployment's
`PRAGMA optimize` would, prints each figure query's plan, then times the queries behind the lead's
page (grouped by school, never a query per school), the job that runs them and stores their rows
(trusts/tasks.py: the worker's time), and the lead's pages through the test client, which read the
stored rows and never run the queries; then the trust's evidence pack on the same data (its job and pages).

Run on its own with `.venv/bin/python -m bench.trust_figures`.
"""

import json
import random
import statistics
import tempfile
import time
from pathlib import Path

SCHOOLS = 40
PUPILS_PER_SCHOOL = 1000
ANSWERS = 1_000_000
REQUESTS = 5
SEED = 11


def seed(db, course, rng):
    """A trust of SCHOOLS schools with their pupils and about ANSWERS first-and-later answers; returns the trust id."""
    from bench.classroom_reports import _answer
    from db import now

    stamp = now()
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    trust = conn.execute("INSERT INTO schools (name, kind, created_at) VALUES ('Bench Trust', 'trust', ?)", [stamp])
    trust_id = trust.lastrowid
    conn.execute(
        "INSERT INTO people (school_id, role, email, first_name, last_name, password_hash, created_at) "
        "VALUES (?, 'admin', 'lead@bench.test', 'Lee', 'Lead', ?, ?)",
        [trust_id, _lead_hash(), stamp],
    )
    quizzes = [(lesson.id, "lesson", lesson.quiz.marked_questions) for lesson in course.lessons]
    checks = course.checks.marked_questions
    answers_per_pupil = ANSWERS // (SCHOOLS * PUPILS_PER_SCHOOL)
    attempt_id = 0
    for s in range(SCHOOLS):
        school_id = conn.execute(
            "INSERT INTO schools (name, trust_id, created_at) VALUES (?, ?, ?)", [f"School {s:02d}", trust_id, stamp]
        ).lastrowid
        pupils = [
            (school_id, "pupil", f"p{s}.{i}", f"Pupil{i}", "Bench", 8, "x", stamp) for i in range(PUPILS_PER_SCHOOL)
        ]
        conn.executemany(
            "INSERT INTO people (school_id, role, username, first_name, last_name, year_group, password_hash, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            pupils,
        )
        ids = [r[0] for r in conn.execute("SELECT id FROM people WHERE school_id = ? AND role = 'pupil'", [school_id])]
        attempts, answers, progress = [], [], []
        for pupil_id in ids:
            skill = rng.random()
            plan = [(course.checks.id, "baseline", checks)] + quizzes + [(course.checks.id, "final", checks)]
            written = 0
            for quiz_id, phase, questions in plan:
                if written >= answers_per_pupil:
                    break
                attempt_id += 1
                rows = [(q, *_answer(rng, q, rng.random() < skill + 0.3)) for q in questions]
                percent = round(100 * sum(c for _, _, c in rows) / len(rows))
                attempts.append((attempt_id, pupil_id, course.id, quiz_id, phase, "v", f"t{attempt_id}", percent,
                                 100, percent, int(percent >= 80), stamp))  # fmt: skip
                answers += [(attempt_id, q.id, q.type, q.topic, json.dumps(r), c) for q, r, c in rows]
                written += len(rows)
                if phase == "lesson":
                    progress.append((pupil_id, course.id, quiz_id, 1, 1, stamp, stamp))
        conn.executemany("INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", attempts)
        conn.executemany(
            "INSERT INTO answers (attempt_id, question_id, question_type, topic, response, correct) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            answers,
        )
        conn.executemany("INSERT INTO lesson_progress VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", progress)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    return trust_id


def _lead_hash():
    from accounts.passwords import hash_password

    return hash_password("bench-password")


def _median_seconds(work, times=REQUESTS):
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        work()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def run(app):
    """[(label, figure), ...] for the trust lead's page at trust scale."""
    from db import connect, migrate, write_transaction
    from trusts import queries
    from trusts.rules import build_table, reteach_figures
    from trusts.tasks import run_figures

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trust.sqlite"
        app.config.update(DATABASE=str(path), STAFF_MFA=False, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
        db = connect(str(path))
        migrate(db)
        course = next(iter(app.extensions["courses"].values()))
        start = time.perf_counter()
        trust_id = seed(db, course, random.Random(SEED))
        seeded = time.perf_counter() - start
        n_answers = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        n_pupils = db.execute("SELECT COUNT(*) FROM people WHERE role = 'pupil'").fetchone()[0]
        for name, plan in queries.explain(db, trust_id, course).items():
            print(f"  plan {name}: " + " | ".join(plan))

        def table():
            return build_table(course.lessons, minimum=5, **queries.figure_rows(db, trust_id, course))

        def reteach():
            rows = queries.first_answer_counts(db, trust_id, course)
            return reteach_figures(course, queries.schools(db, trust_id), rows, 5)

        table_s = _median_seconds(table)
        reteach_s = _median_seconds(reteach)

        client = app.test_client()
        client.post("/sign-in", data={"name": "lead@bench.test", "password": "bench-password"})
        waiting = client.get("/trust")  # nothing stored yet: the waiting page, and one job queued
        assert waiting.status_code == 200 and "Working out your trust" in waiting.text
        figures_id = next(db.query("SELECT id FROM trust_figures WHERE trust_id = ?", [trust_id]))["id"]

        def job():
            with write_transaction(db):  # as a view asking for it again would
                db.execute("UPDATE trust_figures SET status = 'queued' WHERE id = ?", [figures_id])
            with app.app_context():
                assert run_figures(db, figures_id) == "done"

        job_s = _median_seconds(job, times=3)
        stored_kb = db.execute("SELECT length(table_rows) + length(answer_rows) FROM trust_figures").fetchone()[0]
        db.close()
        assert "Figures as of" in client.get("/trust").text
        page_s = _median_seconds(lambda: client.get("/trust"))
        reteach_page_s = _median_seconds(lambda: client.get("/trust/reteach"))
        csv_s = _median_seconds(lambda: client.get("/trust/figures.csv"))
        evidence = evidence_rows(app, client, path, trust_id, course)
    return [
        ("trust: seeded", f"{SCHOOLS} schools, {n_pupils:,} pupils, {n_answers:,} answers in {seeded:.0f} s"),
        ("trust: table queries (6, grouped by school)", f"{table_s * 1000:.0f} ms median of {REQUESTS}"),
        ("trust: re-teach (first answers grouped)", f"{reteach_s * 1000:.0f} ms median of {REQUESTS}"),
        (
            "trust: the figures job (worker: 7 queries, rows stored)",
            f"{job_s * 1000:.0f} ms median of 3, {stored_kb / 1024:.0f} KB of JSON stored",
        ),  # fmt: skip
        ("trust: the lead's schools page, whole request", f"{page_s * 1000:.1f} ms median of {REQUESTS}"),
        ("trust: the lead's re-teach page, whole request", f"{reteach_page_s * 1000:.1f} ms median of {REQUESTS}"),
        ("trust: the lead's CSV, whole request", f"{csv_s * 1000:.1f} ms median of {REQUESTS}"),
        *evidence,
    ]


def evidence_rows(app, client, path, trust_id, course):
    """The trust's evidence pack on the same data: each lesson opened counted completed, a class per school on the
    route; the evidence job's time (counts for 40,000 pupils, and the PDF) once, and the lead's pages."""
    from db import connect, write_transaction
    from progress.evidence_tasks import run_pack

    db = connect(str(path))
    with write_transaction(db):
        db.execute("UPDATE lesson_progress SET completed_at = updated_at")
        db.execute(
            "INSERT INTO classes (school_id, name, year_group, course_id, created_at) "
            "SELECT id, 'Bench 8A', 8, ?, created_at FROM schools WHERE trust_id = ?",
            [course.id, trust_id],
        )
    completed = db.execute("SELECT count(*) FROM lesson_progress").fetchone()[0]
    assert "data-pack-working" in client.get("/trust/evidence").text  # noqa: S101 (nothing stored: the job is asked)
    pack_id = next(db.query("SELECT id FROM evidence_packs WHERE school_id = ?", [trust_id]))["id"]
    start = time.perf_counter()
    with app.app_context():
        assert run_pack(db, pack_id) == "done"  # noqa: S101
    job_s = time.perf_counter() - start
    stored = db.execute("SELECT length(tally), length(pdf) FROM evidence_packs WHERE id = ?", [pack_id]).fetchone()
    db.close()
    page_s = _median_seconds(lambda: client.get("/trust/evidence"))
    csv_s = _median_seconds(lambda: client.get("/trust/evidence.csv"))
    pdf_s = _median_seconds(lambda: client.get("/trust/evidence.pdf"))
    return [
        ("trust evidence: the pack job (worker: 40,000 pupils counted, the PDF drawn)",
         f"{job_s * 1000:.0f} ms (one run), {completed:,} lessons completed, {stored[0] / 1024:.0f} KB JSON + "
         f"{stored[1] / 1024:.0f} KB PDF stored"),
        ("trust evidence: the lead's page, whole request (stored)", f"{page_s * 1000:.1f} ms median of {REQUESTS}"),
        ("trust evidence: the lead's CSV, whole request", f"{csv_s * 1000:.1f} ms median of {REQUESTS}"),
        ("trust evidence: the lead's PDF, whole request (stored)", f"{pdf_s * 1000:.1f} ms median of {REQUESTS}"),
    ]  # fmt: skip


if __name__ == "__main__":
    from app import create_app

    with tempfile.TemporaryDirectory() as folder:
        bench_app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": f"{folder}/bench.sqlite"})
        for label, figure in run(bench_app):
            print(f"{label}: {figure}")
