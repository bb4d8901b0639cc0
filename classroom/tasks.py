"""Classroom's background jobs: reports, class certificates and sign-in cards; a sweep for jobs a crash cut off.

The report_jobs row is the job's durable state (queued -> running -> done or failed); a class's
certificates merged into one PDF for printing are a report_jobs row of kind 'certificates'. Huey drops
a job when it starts it, so a worker killed mid-report leaves the row "running": the claim records
the worker, and a sweep finds rows whose worker is gone, queues them once more, or marks them failed
with a message the teacher can act on.

The heartbeat the sweep goes by is the worker's own (job_workers.py): a job whose worker is gone is cut off as
soon as a worker starts again on the same host, or when the worker's heartbeat is a few seconds old.

Sign-in cards (a roster import, or new cards for a class) work the same way on card_batches: the
job hashes the passwords and renders the PDF first, then saves the pupils (or new passwords) and the
PDF in one transaction, so a crash leaves nothing half-saved; the one-time passwords exist only in
the job's memory and in the PDF, as before.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from io import BytesIO

from flask import current_app
from pypdf import PdfReader, PdfWriter

import job_rows
import jobs
from accounts.passwords import hash_password, readable_password
from accounts.queries import school_by_id
from audit import audit
from classroom import card_queries, queries, roster
from classroom.cards import cards_pdf
from db import IntegrityError, connect, write_transaction
from progress import job_queries, report_jobs
from progress.queries import Scope, class_certificate_pdfs
from progress.reports import build, collect, filename
from training.courses import course_for_class, courses, year_courses
from urls import public_url

# scrypt takes about 0.1 s a password and releases the GIL: two threads halve a class's wait.
HASH_THREADS = 2

# What the teacher reads on the cards page when a batch fails.
CARDS_INTERRUPTED = ("Making the cards was interrupted because the server restarted. No pupils were added and no "
                     "passwords changed: please try again.")  # fmt: skip
CARDS_FAILED = "Sorry, the cards could not be made. Nothing was saved: please try again."
ALREADY_ADDED = "These pupils were already added from this class list (the button was pressed twice)."
PREVIEW_GONE = "The preview expired before the cards were made. Nothing was saved: upload the file again."
USERNAME_TAKEN = ("A username or e-mail in the file was taken a moment ago. Nothing was saved: "
                  "check the preview again.")  # fmt: skip

# The heartbeat is beaten this often while a report builds (the lease is several times longer).
HEARTBEAT_EVERY = 15

# report_jobs kinds whose work belongs to a part above this one (certificates: a reissue), by kind: each a
# function(db, job) -> final status, registered with `runs_kind`, run claimed and with the heartbeat beating.
KIND_RUNNERS = {}


def runs_kind(kind):
    """Register the function that runs report_jobs rows of `kind` (a part above classroom registers its own)."""

    def decorator(function):
        KIND_RUNNERS[kind] = function
        return function

    return decorator


def _lease():
    return timedelta(seconds=int(current_app.config["REPORT_JOB_LEASE_SECONDS"]))


def queue_report(job_id):
    """Ask the worker to build a report whose row is saved; never raises (the sweep finds a lost job)."""
    jobs.enqueue_saved(build_report, job_id)


# Huey's own retries are off: the row counts attempts, and the sweep retries a job a crash cut off.
@jobs.task(retries=0)
def build_report(job_id):
    """Build one report and store it on its row; a failure is recorded there, never raised."""
    db = jobs.job_db()
    try:
        return run_report(db, job_id)
    finally:
        db.close()


def _scope_and_course(db, job):
    """(Scope, course) as the view chose them, from the job's row; None if the class is gone."""
    if job["class_id"] is None:
        course = courses()[job["course_id"]]
        name = job_queries.school_name(db, job["school_id"])
        return Scope(job["school_id"], None, name, course.id, year_courses()), course
    klass = job_queries.class_row(db, job["class_id"], job["school_id"])
    if klass is None:
        return None
    return Scope(job["school_id"], klass["id"], klass["name"]), course_for_class(klass)


def run_report(db, job_id):
    """Claim a queued job and build its file; returns its final status (None if it was not queued)."""
    job = job_queries.claim(db, job_id)
    if job is None:
        return None  # done, failed, or running in another worker: a second enqueue does nothing
    stop = threading.Event()
    beater = threading.Thread(target=_beat, args=(current_app.config["DATABASE"], job_id, stop), daemon=True)
    beater.start()
    try:
        if job["kind"] == report_jobs.CERTIFICATES:
            return _class_certificates(db, job)
        if job["kind"] in KIND_RUNNERS:
            return KIND_RUNNERS[job["kind"]](db, job)
        found = _scope_and_course(db, job)
        if found is None:
            job_queries.fail(db, job_id, report_jobs.CLASS_GONE)
            return "failed"
        scope, course = found
        job_queries.set_progress(db, job_id, 10)
        fmt = job["format"]
        # Only what this format prints: a CSV never computes the re-teach statistics.
        data = collect(db, course, scope, report_jobs.period_of(job), generated_at=datetime.now(UTC), fmt=fmt)
        job_queries.set_progress(db, job_id, 40)
        content = build(data, fmt)
        job_queries.finish(db, job_id, filename(data, fmt), content)
        return "done"
    except Exception:  # noqa: BLE001 (the job page must say it failed)
        current_app.logger.exception("Report job %s failed.", job_id)
        job_queries.fail(db, job_id, report_jobs.COULD_NOT_MAKE)
        return "failed"
    finally:
        stop.set()
        beater.join()


def _class_certificates(db, job):
    """Merge the class's stored certificate PDFs into one, a page each, onto the job's row."""
    klass = job_queries.class_row(db, job["class_id"], job["school_id"])
    if klass is None:
        job_queries.fail(db, job["id"], report_jobs.CLASS_GONE)
        return "failed"
    pdfs = class_certificate_pdfs(db, job["school_id"], klass["id"], job["course_id"])
    if not pdfs:  # revoked or erased between the click and the job
        job_queries.fail(db, job["id"], report_jobs.NO_CERTIFICATES)
        return "failed"
    writer = PdfWriter()
    step = max(1, len(pdfs) // 10)  # about ten progress writes, however big the class
    for done, pdf in enumerate(pdfs, 1):
        writer.append(PdfReader(BytesIO(pdf)))
        if done % step == 0:
            job_queries.set_progress(db, job["id"], 10 + 80 * done // len(pdfs))
    out = BytesIO()
    writer.write(out)
    job_queries.finish(db, job["id"], f"certificates-{klass['name']}.pdf", out.getvalue())
    return "done"


def _beat(database, job_id, stop):
    """Beat the job's heartbeat until `stop` is set (a long PDF build has no progress steps)."""
    db = connect(database)
    try:
        while not stop.wait(HEARTBEAT_EVERY):
            job_queries.heartbeat(db, job_id)
    finally:
        db.close()


@jobs.on_worker_gone
@jobs.periodic_task(jobs.crontab(minute="*"))
def sweep_jobs():
    """Every minute, as the worker starts and when a worker is gone: retry or fail report and card jobs cut off."""
    db = jobs.job_db()
    try:
        return sweep_reports_in(db, _lease()), sweep_cards_in(db, _lease())
    finally:
        db.close()


def sweep_reports_in(db, lease):
    """Deal with cut-off and lost report jobs; returns {"retried": n, "failed": n, "requeued": n}."""
    return job_rows.sweep_in(db, job_queries.ROWS, lease, queue_report, report_jobs.INTERRUPTED, "Report job")


# --- Sign-in cards ---------------------------------------------------------------------------


class AlreadyAdded(Exception):
    """The preview was confirmed and saved by an earlier job."""


def queue_cards(token):
    """Ask the worker to make a saved card batch; never raises (the sweep finds a lost job)."""
    jobs.enqueue_saved(make_cards, token)


@jobs.task(retries=0)
def make_cards(token):
    """Make one batch of sign-in cards; a failure is recorded on the batch, never raised."""
    db = jobs.job_db()
    try:
        return run_cards(db, token)
    finally:
        db.close()


def _pupils_for(db, batch):
    """The pupils the batch is for: the preview's rows (import) or the class's active pupils (new cards)."""
    if batch["kind"] == "import":
        kept = card_queries.kept_import(db, batch["import_token"])
        if kept is None:  # expired (a confirmed preview keeps its one batch, so a second click lands there)
            raise LookupError(batch["import_token"])
        rows = roster.rows_from_dicts(json.loads(kept["rows"])["rows"])
        pupils = [{"first_name": r.first_name, "last_name": r.last_name, "year_group": r.year_group,
                   "username": r.username, "email": r.email} for r in rows]  # fmt: skip
        return card_queries.plan_usernames(db, pupils)
    return [dict(p) for p in queries.class_roster(db, batch["class_id"], batch["school_id"]) if not p["archived_at"]]


def hash_passwords(passwords):
    """Hash many passwords at once, in HASH_THREADS threads (also timed by bench/classroom_roster.py)."""
    with ThreadPoolExecutor(HASH_THREADS) as pool:
        return list(pool.map(hash_password, passwords))


def _hash_all(db, token, passwords):
    """Hash the passwords (10% to 80% of the batch's progress)."""
    hashes = []
    with ThreadPoolExecutor(HASH_THREADS) as pool:
        for done, digest in enumerate(pool.map(hash_password, passwords), start=1):
            hashes.append(digest)
            if done % 5 == 0 or done == len(passwords):
                card_queries.set_progress(db, token, 10 + 70 * done // len(passwords))
    return hashes


def run_cards(db, token):
    """Claim a queued batch, make its passwords and cards, and save everything at once; returns its status."""
    batch = card_queries.claim(db, token)
    if batch is None:
        return None
    try:
        klass = job_queries.class_row(db, batch["class_id"], batch["school_id"])
        if klass is None:
            card_queries.fail(db, token, report_jobs.CLASS_GONE)
            return "failed"
        try:
            pupils = _pupils_for(db, batch)
        except LookupError:
            card_queries.fail(db, token, PREVIEW_GONE)
            return "failed"
        card_queries.set_progress(db, token, 10)
        passwords = [readable_password() for _ in pupils]
        hashes = _hash_all(db, token, passwords) if pupils else []
        cards = [
            {"name": f"{p['first_name']} {p['last_name']}".strip(), "class_name": klass["name"],
             "username": p["username"], "password": password}
            for p, password in zip(pupils, passwords, strict=True)
        ]  # fmt: skip
        school = school_by_id(db, batch["school_id"])
        with current_app.test_request_context():  # url_for needs one; the address is PUBLIC_BASE_URL
            pdf = cards_pdf(cards, public_url("accounts.sign_in"), school["name"])
        card_queries.set_progress(db, token, 90)
        with write_transaction(db):  # the pupils (or new passwords) and their cards, or nothing
            if batch["kind"] == "import":
                if not queries.claim_import(db, batch["import_token"]):
                    raise AlreadyAdded()
                hashed = [dict(p, password_hash=h) for p, h in zip(pupils, hashes, strict=True)]
                queries.create_pupils(db, batch["school_id"], batch["class_id"], hashed)
                audit(db, batch["school_id"], batch["staff_id"], "roster-import", "class", batch["class_id"])
            else:
                for pupil, digest in zip(pupils, hashes, strict=True):
                    queries.set_password(db, batch["school_id"], pupil["id"], digest)
                audit(db, batch["school_id"], batch["staff_id"], "class-new-cards", "class", batch["class_id"])
            card_queries.finish(db, token, pdf, len(cards))
        return "done"
    except AlreadyAdded:
        card_queries.fail(db, token, ALREADY_ADDED)
    except IntegrityError:
        card_queries.fail(db, token, USERNAME_TAKEN)
    except Exception:  # noqa: BLE001 (the cards page must say it failed)
        current_app.logger.exception("Card batch for class %s failed.", batch["class_id"])
        card_queries.fail(db, token, CARDS_FAILED)
    return "failed"


def sweep_cards_in(db, lease):
    """Deal with cut-off and lost card batches; returns {"retried": n, "failed": n, "requeued": n}."""
    return job_rows.sweep_in(db, card_queries.ROWS, lease, queue_cards, CARDS_INTERRUPTED, "Card batch")
