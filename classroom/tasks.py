"""Classroom's background jobs: sign-in cards (a roster import, or new cards for a class); a sweep for jobs a
crash cut off.

A batch's card_batches row is its durable state (queued -> running -> done or failed). The job hashes the
passwords and renders the PDF first, then saves the pupils (or new passwords) and the PDF in one transaction, so
a crash leaves nothing half-saved; the one-time passwords exist only in the job's memory and in the PDF. Huey
drops a job when it starts it, so a worker killed mid-batch leaves the row "running": the claim records the
worker, and a sweep (job_rows.py) finds rows whose worker is gone, queues them once more, or marks them failed.
Report jobs are progress's (progress/tasks.py).
"""

import json
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

import job_rows
import jobs
from accounts.passwords import hash_password, readable_password
from accounts.queries import school_by_id
from audit import audit
from classroom import card_queries, queries, roster
from classroom.cards import cards_pdf
from db import IntegrityError, write_transaction
from urls import public_url

# scrypt takes about 0.1 s a password and releases the GIL: two threads halve a class's wait.
HASH_THREADS = 2

# What the teacher reads on the cards page when a batch fails.
CARDS_INTERRUPTED = ("Making the cards was interrupted because the server restarted. No pupils were added and no "
                     "passwords changed: please try again.")  # fmt: skip
CARDS_FAILED = "Sorry, the cards could not be made. Nothing was saved: please try again."
CARDS_CLASS_GONE = "The class was deleted before its cards could be made."
ALREADY_ADDED = "These pupils were already added from this class list (the button was pressed twice)."
PREVIEW_GONE = "The preview expired before the cards were made. Nothing was saved: upload the file again."
USERNAME_TAKEN = ("A username or e-mail in the file was taken a moment ago. Nothing was saved: "
                  "check the preview again.")  # fmt: skip


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
        class_name = card_queries.class_name(db, batch["class_id"], batch["school_id"])
        if class_name is None:
            card_queries.fail(db, token, CARDS_CLASS_GONE)
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
            {"name": f"{p['first_name']} {p['last_name']}".strip(), "class_name": class_name,
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


@jobs.on_worker_gone
@jobs.periodic_task(jobs.crontab(minute="*"))
def sweep_cards():
    """Every minute, as the worker starts and when a worker is gone: retry or fail card jobs cut off."""
    db = jobs.job_db()
    try:
        return sweep_cards_in(db, job_rows.lease())
    finally:
        db.close()


def sweep_cards_in(db, lease):
    """Deal with cut-off and lost card batches; returns {"retried": n, "failed": n, "requeued": n}."""
    return job_rows.sweep_in(db, card_queries.ROWS, lease, queue_cards, CARDS_INTERRUPTED, "Card batch")
