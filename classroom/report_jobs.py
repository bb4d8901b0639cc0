"""Reports too slow for a request are built in a background thread. No Flask here.

The request writes the job row first, then starts a thread; the thread opens its own
connection and records its progress, so the job page can show it and offer the download.
"""

import threading
from datetime import UTC, datetime

from classroom.progress_queries import fail_job, finish_job, set_job_progress
from classroom.reports import build, collect, filename
from db import connect

# Above this many pupils a format is built in the background. Measured by
# bench/classroom_reports.py for a school of 2,000 (2 shared cores): CSV 0.5 s and XLSX 1.1 s,
# so both stay in the request up to about 2,000-4,000 pupils; the PDF took about 60 s
# (WeasyPrint, ~30 ms a pupil) against 0.4 s for a class of 30, so anything bigger than two
# classes' worth goes to the background.
BACKGROUND_ABOVE = {"csv": 5000, "xlsx": 3000, "pdf": 60}


def runs_in_background(fmt, pupils, limits=None):
    """Whether a report of `pupils` pupils in `fmt` is built in the background."""
    return pupils > (limits or BACKGROUND_ABOVE)[fmt]


def run_job(database_path, job_id, course, scope, fmt, period):
    """Build one report and store it in its job row; records a failure instead of raising."""
    db = connect(database_path)
    try:
        set_job_progress(db, job_id, 10)
        data = collect(db, course, scope, period, generated_at=datetime.now(UTC), fmt=fmt)
        set_job_progress(db, job_id, 40)
        content = build(data, fmt)
        finish_job(db, job_id, filename(data, fmt), content)
    except Exception as error:  # noqa: BLE001 - the job page must say it failed
        fail_job(db, job_id, f"{type(error).__name__}: {error}")
    finally:
        db.close()


def start(database_path, job_id, course, scope, fmt, period):
    """Start building the report in a daemon thread; returns the thread."""
    thread = threading.Thread(
        target=run_job,
        args=(database_path, job_id, course, scope, fmt, period),
        name=f"report-job-{job_id}",
        daemon=True,
    )
    thread.start()
    return thread
