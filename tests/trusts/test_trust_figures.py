"""The trust lead's figures off the web workers: a job on the durable queue works them out
and stores the grouped rows (trust_figures, m023); a page view reads them in one small query, queues at most
one job when they are missing or old, and a job a crash cut off is retried or failed by the sweep."""

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from test_trusts import school_row, seen, world  # noqa: F401 (world is a fixture)

from console import holdings
from db import write_transaction
from jobs import run_pending
from trusts import figure_queries, queries
from trusts.tasks import INTERRUPTED, run_figures, sweep_figures_in

from helpers import sign_in

# What only the figure queries read (every request reads the signed-in person's own people row, never pupils'):
# a page view matching this did the job's work itself.
HEAVY = re.compile(r"\b(attempts|answers|lesson_progress|certificates)\b|role = 'pupil'")


@pytest.fixture
def lead(client, world):  # noqa: F811 (the fixture imported above)
    assert sign_in(client, "lead@northfield.test").status_code == 303
    return client


def huey(app):
    return app.extensions["huey"]


def figures_rows(db, trust_id):
    return list(db.query("SELECT * FROM trust_figures WHERE trust_id = ? ORDER BY id", [trust_id]))


def ago(minutes):
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")


def age(db, trust_id, minutes):
    """Make the trust's stored figures (and the last time a job was asked for) `minutes` old."""
    with write_transaction(db):
        db.execute("UPDATE trust_figures SET computed_at = ?, queued_at = ? WHERE trust_id = ?",
                   [ago(minutes), ago(minutes), trust_id])  # fmt: skip


def test_a_page_view_runs_none_of_the_figure_queries(app, lead, world, statements):  # noqa: F811
    statements.clear()
    assert "Working out" in lead.get("/trust").text  # nothing stored yet: queues the job, runs no figure query
    assert [s for s in statements if HEAVY.search(s)] == []
    run_pending(huey(app))
    for url in ("/trust", "/trust/reteach", "/trust/figures.csv"):
        statements.clear()
        assert lead.get(url).status_code == 200, url
        assert [s for s in statements if HEAVY.search(s)] == [], url
        assert sum("trust_figures" in s for s in statements) == 1, url  # one small query
        assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                    and "trust_figures" in s], url  # fresh figures: no job asked for  # fmt: skip


def test_the_first_view_queues_the_job_which_stores_the_rows_the_page_then_shows(app, db, lead, world):  # noqa: F811
    page = lead.get("/trust")
    assert page.status_code == 200
    assert "Working out your trust's figures: this takes up to a minute for a large trust" in page.text
    assert "http-equiv" not in page.text  # no timed reload (WCAG 2.2.1): the lead follows the link
    assert 'href="/trust?course=' in page.text
    assert "Alder Academy" not in page.text
    assert huey(app).pending_count() == 1
    [row] = figures_rows(db, world["t"])
    assert row["status"] == "queued" and row["table_rows"] is None

    assert run_pending(huey(app)) == 1
    [row] = figures_rows(db, world["t"])
    assert row["status"] == "done" and row["computed_at"] and row["attempts"] == 1
    assert {s["name"] for s in figure_queries.stored(db, world["t"], row["course_id"], "table")["rows"]["schools"]} == {
        "Alder Academy",
        "Birch Primary",
    }
    html = lead.get("/trust").text
    assert "Figures as of " in html and "(UK time)" in html and "refresh" not in html.split("</head>")[0]
    assert school_row(html, world["a"])[:3] == ["Alder Academy", "6", "6"]
    assert "Work out the figures again now" in html
    assert huey(app).pending_count() == 0  # fresh figures: the view asked for nothing


def test_old_figures_are_shown_while_one_job_works_them_out_again(app, db, lead, world):  # noqa: F811
    seen(lead, app, "/trust")
    age(db, world["t"], 20)  # older than TRUST_FIGURES_MINUTES (15)
    before = figures_rows(db, world["t"])[0]["computed_at"]
    first, second = lead.get("/trust"), lead.get("/trust/reteach")
    for page in (first, second):
        assert "Figures as of" in page.text and "being worked out again now" in page.text
    assert school_row(first.text, world["a"])[0] == "Alder Academy"
    assert huey(app).pending_count() == 1  # two views, one job
    assert run_pending(huey(app)) == 1
    row = figures_rows(db, world["t"])[0]
    assert row["status"] == "done" and row["computed_at"] > before
    assert "being worked out again" not in lead.get("/trust").text


def test_two_views_at_once_ask_for_one_job(db, world):  # noqa: F811
    course_id = "online-blackmail-11-13"
    assert figure_queries.ask(db, world["t"], course_id, 15, 3) is not None  # no row: made, queued
    assert figure_queries.ask(db, world["t"], course_id, 15, 3) is None  # made a moment ago by the other view
    row = figure_queries.stored(db, world["t"], course_id, "table")
    assert figure_queries.ask(db, world["t"], course_id, 15, 3, row) is None  # queued: not again
    with write_transaction(db):
        db.execute("UPDATE trust_figures SET status = 'done', computed_at = ?, queued_at = ?", [ago(20), ago(20)])
    row = figure_queries.stored(db, world["t"], course_id, "table")
    assert figure_queries.ask(db, world["t"], course_id, 15, 3, row) == row["id"]
    assert figure_queries.ask(db, world["t"], course_id, 15, 3, row) is None  # the second view of the pair


def test_the_lead_works_them_out_again_at_most_once_every_few_minutes(app, db, lead, world):  # noqa: F811
    seen(lead, app, "/trust/reteach")
    refused = lead.post("/trust/figures/refresh", data={"course": "online-blackmail-11-13", "page": "reteach"})
    assert refused.status_code == 302 and refused.location.endswith("/trust/reteach?course=online-blackmail-11-13")
    assert huey(app).pending_count() == 0
    assert "less than 3 minutes ago" in lead.get("/trust/reteach").text
    age(db, world["t"], 4)  # still fresh (15 minutes), but the last job was asked for 4 minutes ago
    lead.post("/trust/figures/refresh", data={"course": "online-blackmail-11-13", "page": "home"})
    assert huey(app).pending_count() == 1
    assert "being worked out again" in lead.get("/trust").text
    lead.post("/trust/figures/refresh", data={"course": "online-blackmail-11-13", "page": "home"})
    assert huey(app).pending_count() == 1  # queued already


def test_the_refresh_button_needs_the_form_token(app, lead, world):  # noqa: F811
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        lead.post("/trust/figures/refresh", data={"course": "online-blackmail-11-13"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert huey(app).pending_count() == 0


def test_a_job_cut_off_is_retried_once_then_failed_by_the_sweep(app, db, lead, world):  # noqa: F811
    seen(lead, app, "/trust")
    age(db, world["t"], 20)
    lead.get("/trust")  # old: one job queued
    huey(app).flush()  # the worker died holding it: Huey has forgotten it
    [row] = figures_rows(db, world["t"])
    lease = timedelta(seconds=120)
    for attempt in (1, 2):
        assert figure_queries.ROWS.claim(db, row["id"])["attempts"] == attempt  # a worker starts it, then dies
        with write_transaction(db):
            db.execute("UPDATE trust_figures SET heartbeat_at = ? WHERE id = ?", [ago(5), row["id"]])
        with app.app_context():
            counts = sweep_figures_in(db, lease)
        if attempt == 1:
            assert counts == {"retried": 1, "failed": 0, "requeued": 0}
            assert figures_rows(db, world["t"])[0]["status"] == "queued" and huey(app).pending_count() == 1
            huey(app).flush()
    assert counts == {"retried": 0, "failed": 1, "requeued": 0}
    failed = figures_rows(db, world["t"])[0]
    assert failed["status"] == "failed" and failed["error"] == INTERRUPTED
    page = lead.get("/trust").text  # the last figures stay on show, said to be the last
    assert "Alder Academy" in page and "did not succeed this time" in page
    assert huey(app).pending_count() == 0  # a job was asked for under 3 minutes ago: not on every view


def test_a_lost_job_is_queued_again_by_the_sweep(app, db, lead, world):  # noqa: F811
    lead.get("/trust")
    huey(app).flush()  # the queue lost it
    with write_transaction(db):
        db.execute("UPDATE trust_figures SET heartbeat_at = ?", [ago(5)])
    with app.app_context():
        assert sweep_figures_in(db, timedelta(seconds=120)) == {"retried": 0, "failed": 0, "requeued": 1}
    assert run_pending(huey(app)) == 1
    assert "Alder Academy" in lead.get("/trust").text


def test_a_failing_job_says_so_and_is_not_asked_for_on_every_view(app, db, lead, world, monkeypatch):  # noqa: F811
    def broken(*args):
        raise RuntimeError("database gone")

    monkeypatch.setattr(queries, "figure_rows", broken)
    lead.get("/trust")
    run_pending(huey(app))
    page = lead.get("/trust").text
    assert "could not be worked out" in page and "http-equiv" not in page and "Try again" in page
    assert huey(app).pending_count() == 0
    monkeypatch.undo()
    with write_transaction(db):  # a retry a few minutes on (no figures were ever stored)
        db.execute("UPDATE trust_figures SET queued_at = ?", [ago(4)])
    lead.get("/trust")
    assert run_pending(huey(app)) == 1
    assert "Alder Academy" in lead.get("/trust").text


def test_a_job_does_nothing_for_a_row_not_queued(app, db, lead, world):  # noqa: F811
    seen(lead, app, "/trust")
    [row] = figures_rows(db, world["t"])
    with app.app_context():
        assert run_figures(db, row["id"]) is None  # an enqueue twice: the row is done, so no second run
    assert figures_rows(db, world["t"])[0]["attempts"] == 1


def test_a_school_leaving_the_trust_drops_its_stored_figures(app, db, lead, world):  # noqa: F811
    seen(lead, app, "/trust")
    assert queries.take_out(db, world["t"], world["a"])
    assert figures_rows(db, world["t"]) == []
    page = seen(lead, app, "/trust").text
    assert "Alder Academy" not in page and "Birch Primary" in page


def test_offboarding_a_school_erases_its_trusts_stored_figures(app, db, lead, world):  # noqa: F811
    seen(lead, app, "/trust")
    lead.get("/trust?course=online-blackmail-14-18")
    run_pending(huey(app))
    assert len(figures_rows(db, world["t"])) == 2
    counts = holdings.erase_school(db, world["a"])
    assert counts["trust_figures"] == 2 and figures_rows(db, world["t"]) == []
    names = zipfile.ZipFile(io.BytesIO(holdings.export_zip(db, world["b"]))).namelist()
    assert "tables/people.csv" in names and not [n for n in names if "trust_figures" in n]  # never exported
    page = seen(lead, app, "/trust").text
    assert "Alder Academy" not in page and "Birch Primary" in page
