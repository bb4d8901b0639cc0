"""Bench: the evidence pack of a school of 2,000 pupils (67 classes) and of one class of 30.

Reuses the reports bench's school (bench/classroom_reports.build_school: seeded in bulk in a few seconds), marks
its lesson progress completed, then times: what the school's page did in the request before it moved to the job
(count and build the pack), the evidence job (count, build and draw the PDF: the worker's time), and the pages
through the test client, which read the stored pack and apply the small-number rule (median of REQUESTS); and a
class's page and CSV, which stay in the request, and its PDF's job. The school's job runs once: drawing 67
classes' PDF takes WeasyPrint most of its 10 s or more. The trust's pack is timed in bench/trust_figures.py.

Run on its own with `.venv/bin/python -m bench.evidence_pack`.
"""

import random
import statistics
import tempfile
import time
from pathlib import Path

REQUESTS = 10
SEED = 4


def median_ms(work, times=REQUESTS):
    """The median of `times` runs of `work`, in milliseconds."""
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        work()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def run(app=None):
    """[(label, figure), ...] for the school's and a class's evidence pack."""
    from app import create_app
    from bench.classroom_reports import build_school
    from db import connect, migrate, write_transaction
    from progress.evidence_tasks import run_pack

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "evidence.sqlite")
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": path, "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "STAFF_MFA": False})  # fmt: skip
        course = app.extensions["courses"]["online-blackmail-11-13"]
        db = connect(path)
        migrate(db)
        school, class_ids = build_school(db, course, random.Random(SEED))
        with write_transaction(db):  # the reports bench leaves lessons open: here each one opened is completed
            db.execute("UPDATE lesson_progress SET completed_at = updated_at")
        completions = db.execute("SELECT count(*) FROM lesson_progress").fetchone()[0]

        with app.app_context():
            from progress.evidence_views import pack_for

            before_ms = median_ms(lambda: pack_for(db, school), times=5)

        client = app.test_client()
        client.post("/sign-in", data={"name": "admin@bench.test", "password": "bench-password"})
        assert "data-pack-working" in client.get("/evidence").text  # noqa: S101 (nothing stored: the job is asked for)
        pack_id = next(db.query("SELECT id FROM evidence_packs WHERE school_id = ?", [school]))["id"]

        def job(pack_id=pack_id):
            with write_transaction(db):  # as a view asking for it again would
                db.execute("UPDATE evidence_packs SET status = 'queued' WHERE id = ?", [pack_id])
            with app.app_context():
                assert run_pack(db, pack_id) == "done"  # noqa: S101

        job_ms = median_ms(job, times=1)
        stored = db.execute("SELECT length(tally), length(pdf) FROM evidence_packs WHERE id = ?", [pack_id]).fetchone()

        teacher = app.test_client()
        teacher.post("/sign-in", data={"name": "teacher0@bench.test", "password": "bench-password"})
        class_url = f"/classes/{class_ids[0]}/evidence"
        assert "data-pack-working" in teacher.get(class_url + ".pdf").text  # noqa: S101
        class_pack = next(db.query("SELECT id FROM evidence_packs WHERE class_id = ?", [class_ids[0]]))["id"]
        class_job_ms = median_ms(lambda: job(class_pack), times=3)
        db.close()
        assert "Figures as of" in client.get("/evidence").text  # noqa: S101
        page_ms = median_ms(lambda: client.get("/evidence"))
        csv_ms = median_ms(lambda: client.get("/evidence.csv"))
        pdf_ms = median_ms(lambda: client.get("/evidence.pdf"))

        assert teacher.get(class_url).status_code == 200  # noqa: S101
        class_ms = median_ms(lambda: teacher.get(class_url))
        class_csv_ms = median_ms(lambda: teacher.get(class_url + ".csv"))
    return [
        ("evidence: bench school", f"2,000 pupils, {len(class_ids)} classes, {completions:,} lessons completed"),
        ("evidence: school pack counted and built in the request (before the job)", f"{before_ms:.0f} ms median of 5"),
        ("evidence: the school's pack job (worker: count, build, draw the PDF)",
         f"{job_ms:.0f} ms (one run), {stored[0] / 1024:.0f} KB JSON + {stored[1] / 1024:.0f} KB PDF stored"),
        ("evidence: the school's page, whole request (stored pack)", f"{page_ms:.1f} ms median of {REQUESTS}"),
        ("evidence: the school's CSV, whole request", f"{csv_ms:.1f} ms median of {REQUESTS}"),
        ("evidence: the school's PDF, whole request (stored bytes)", f"{pdf_ms:.1f} ms median of {REQUESTS}"),
        ("evidence: a class of 30's page, whole request (counted in it)", f"{class_ms:.1f} ms median of {REQUESTS}"),
        ("evidence: a class of 30's CSV, whole request (counted in it)", f"{class_csv_ms:.1f} ms median of {REQUESTS}"),
        ("evidence: a class of 30's PDF job (worker: count, learning, draw)", f"{class_job_ms:.0f} ms median of 3"),
    ]  # fmt: skip


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label}: {figure}")
