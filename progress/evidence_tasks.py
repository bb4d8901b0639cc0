"""The evidence pack of a school or a trust, worked out by a job: the raw counts per statement stored as JSON on
its evidence_packs row (m032) for page views to read, and its PDF drawn beside them.

For a school of 2,000 pupils the pack took about 270 ms of a request to work out (and a trust's 40,000 pupils far
more), and slow work never runs in a web worker (DESIGN.md). The row is the job's durable state, as for the trust
figures: a job a crash cut off is retried once, or failed, by the sweep; the pack stored before stays on show.
"""

from flask import current_app

import jobs
from accounts.queries import school_by_id
from dates import when
from db import now
from job_rows import lease, sweep_in
from progress import evidence, evidence_queries
from progress.evidence_pdf import pack_pdf
from progress.queries import Scope, belief_for, recheck_summary_for, reteach_for
from progress.reteach import MIN_CONFIDENCE_PUPILS
from training.courses import course_for_class, course_for_route, courses, default_course

INTERRUPTED = "Working out the evidence pack was interrupted because the server restarted."
COULD_NOT = "Sorry, the evidence pack could not be worked out."


def queue_pack(pack_id):
    """Ask the worker to work out a pack whose row is queued; never raises (the sweep finds a lost job)."""
    jobs.enqueue_saved(work_out_pack, pack_id)


# Huey's own retries are off: the row counts attempts, and the sweep retries a job a crash cut off.
@jobs.task(retries=0)
def work_out_pack(pack_id):
    """Work out and store one school's or trust's evidence pack; a failure is recorded on its row, never raised."""
    db = jobs.job_db()
    try:
        return run_pack(db, pack_id)
    finally:
        db.close()


def run_pack(db, pack_id):
    """Claim a queued row, count and draw its pack and store both; returns the final status (None if not queued)."""
    rows = evidence_queries.ROWS
    row = rows.claim(db, pack_id)
    if row is None:
        return None
    try:
        started = now()  # the pack is as of the moment the queries began
        minimum = current_app.config["EVIDENCE_MIN_COUNT"]
        owner = school_by_id(db, row["school_id"])
        statements = default_course().statements
        if row["class_id"]:
            return run_class_pack(db, row, statements, minimum, started)
        trust = evidence_queries.is_trust(db, row["school_id"])
        count = trust_tally if trust else school_tally
        tally, pack = count(db, row["school_id"], statements, minimum)
        rows.set_progress(db, pack_id, 60)  # also the heartbeat
        pdf = pack_pdf(owner["name"], pack, minimum, when(started), trust=trust)
        return "done" if evidence_queries.finish(db, pack_id, tally, pdf, minimum, started) else None
    except Exception:  # noqa: BLE001 (the page must say it failed)
        current_app.logger.exception("Evidence pack %s failed.", pack_id)
        rows.fail(db, pack_id, COULD_NOT)
        return "failed"


def run_class_pack(db, row, statements, minimum, started):
    """A class's pack and PDF (with what it learned); the class gone or archived since it was asked for: failed."""
    klass = next(iter(evidence_queries.evidence_classes(db, row["school_id"], row["class_id"])), None)
    if klass is None:
        evidence_queries.ROWS.fail(db, row["id"], COULD_NOT)
        return "failed"
    tally, pack = school_tally(db, row["school_id"], statements, minimum, row["class_id"])
    evidence_queries.ROWS.set_progress(db, row["id"], 40)
    learned = class_learning(db, row["school_id"], klass, minimum)
    pdf = pack_pdf(klass["name"], pack, minimum, when(started), one_class=True, **learned)
    return "done" if evidence_queries.finish(db, row["id"], tally, pdf, minimum, started) else None


def class_learning(db, school_id, klass, minimum):
    """What a class learned (topic gains with margins, the re-check, belief and confidence totals), for its page
    and its PDF alike."""
    course = course_for_class(klass)
    scope = Scope(school_id, klass["id"], klass["name"])
    _, topics, confidence = reteach_for(db, course, scope)
    return {
        "learned": evidence.learning(topics, minimum), "recheck": recheck_summary_for(db, course, scope),
        "beliefs": belief_for(db, course, scope), "confidence": confidence, "totals_minimum": MIN_CONFIDENCE_PUPILS,
    }  # fmt: skip


def school_tally(db, school_id, statements, minimum, class_id=None):
    """A school's (or one class's) stored tally (tally_json) and its pack under `minimum`."""
    rows = evidence_queries.evidence_classes(db, school_id, class_id)
    classes = [dict(row, course=course_for_class(row)) for row in rows]
    live = evidence_queries.live_days(db, school_id, [klass["id"] for klass in classes])
    cells = evidence.tally(statements, classes, evidence_queries.completions(db, school_id, class_id), live)
    return evidence.tally_json(classes, cells), evidence.pack_from(statements, classes, cells, minimum)


def trust_tally(db, trust_id, statements, minimum):
    """A trust's stored tally (trust_tally_json) and its pack under `minimum`: schools only, no class, no pupil."""
    schools = evidence_queries.trust_schools(db, trust_id)
    routes = {}
    for school_id, course_id, year_group in evidence_queries.trust_routes(db, trust_id):
        routes.setdefault(school_id, set()).add(course_for_route(course_id, year_group).id)
    for school in schools:
        school["course_ids"] = sorted(routes.get(school["school_id"], ()))
    loaded = courses()
    cells = evidence.trust_tally(statements, loaded, evidence_queries.trust_completions(db, trust_id))
    return evidence.trust_tally_json(schools, cells), evidence.trust_pack_from(statements, loaded, schools, cells,
                                                                                minimum)  # fmt: skip


@jobs.on_worker_gone
@jobs.periodic_task(jobs.crontab(minute="*"))
def sweep_packs():
    """Every minute, as the worker starts and when a worker is gone: retry or fail pack jobs cut off, queue lost."""
    db = jobs.job_db()
    try:
        return sweep_packs_in(db, lease())
    finally:
        db.close()


def sweep_packs_in(db, lease):
    """Deal with cut-off and lost pack jobs; returns {"retried": n, "failed": n, "requeued": n}."""
    return sweep_in(db, evidence_queries.ROWS, lease, queue_pack, INTERRUPTED, "Evidence pack")
