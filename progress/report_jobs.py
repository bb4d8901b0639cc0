"""Which reports are too slow for a request, and what the teacher is told about a job. No Flask here.

The request writes the job row and puts the job on the queue (progress/tasks.py); the job worker
builds the file and records progress on the row, so the job page shows it and offers the download.
"""

from datetime import date

from progress.queries import Period

# Above this many pupils a format is built by the job worker, never in a web worker: by default, every
# report. Measured on 2 shared cores (a school of 2,000): a class's XLSX took 50 ms and its PDF 0.4-1.4 s
# (WeasyPrint), a whole school's CSV 0.5 s. A class's CSV took about 4 ms to build, but the lesson page's
# p95 did not hold while a teacher downloaded one back to back in the request through gunicorn (1.4x and
# 2.0x the lesson alone, each request 31-38 ms on the busy machine; bench/heavy_load.py), so it goes too.
BACKGROUND_ABOVE = {"csv": 0, "xlsx": 0, "pdf": 0}

# What the teacher reads on the job page (the technical detail goes to the worker's log).
INTERRUPTED = "The report was interrupted because the server restarted while making it. Please ask for it again."
COULD_NOT_MAKE = "Sorry, the report could not be made. Please try again; if it keeps failing, tell the school's admin."
CLASS_GONE = "The class was deleted before its report could be made."
NO_CERTIFICATES = "No pupil in the class holds a certificate now (they may have been revoked meanwhile)."

# A report_jobs row's kind: a report, a class's certificates merged into one PDF for printing, or one pupil's
# certificate issued again after a revoke (certificates/tasks.py).
REPORT = "report"
CERTIFICATES = "certificates"
REISSUE = "reissue"


def runs_in_background(fmt, pupils, limits=None):
    """Whether a report of `pupils` pupils in `fmt` is built in the background."""
    return pupils > (limits or BACKGROUND_ABOVE)[fmt]


def period_of(job):
    """The job row's date range as a Period."""
    return Period(
        date.fromisoformat(job["date_from"]) if job["date_from"] else None,
        date.fromisoformat(job["date_to"]) if job["date_to"] else None,
    )
