"""Which reports are too slow for a request, and what the teacher is told about a job. No Flask here.

The request writes the job row and puts the job on the queue (classroom/tasks.py); the job worker
builds the file and records progress on the row, so the job page shows it and offers the download.
"""

from datetime import date

from progress.queries import Period

# Above this many pupils a format is built in the background. Measured by
# bench/classroom_reports.py for a school of 2,000 (2 shared cores): CSV 0.5 s and XLSX 1.1 s,
# so both stay in the request up to about 2,000-4,000 pupils; the PDF took about 60 s
# (WeasyPrint, ~30 ms a pupil) against 0.4 s for a class of 30, so anything bigger than two
# classes' worth goes to the background.
BACKGROUND_ABOVE = {"csv": 5000, "xlsx": 3000, "pdf": 60}

# What the teacher reads on the job page (the technical detail goes to the worker's log).
INTERRUPTED = "The report was interrupted because the server restarted while making it. Please ask for it again."
COULD_NOT_MAKE = "Sorry, the report could not be made. Please try again; if it keeps failing, tell the school's admin."
CLASS_GONE = "The class was deleted before its report could be made."
NO_CERTIFICATES = "No pupil in the class holds a certificate now (they may have been revoked meanwhile)."

# A report_jobs row's kind: a report, or a class's certificates merged into one PDF for printing.
REPORT = "report"
CERTIFICATES = "certificates"


def runs_in_background(fmt, pupils, limits=None):
    """Whether a report of `pupils` pupils in `fmt` is built in the background."""
    return pupils > (limits or BACKGROUND_ABOVE)[fmt]


def period_of(job):
    """The job row's date range as a Period."""
    return Period(
        date.fromisoformat(job["date_from"]) if job["date_from"] else None,
        date.fromisoformat(job["date_to"]) if job["date_to"] else None,
    )
