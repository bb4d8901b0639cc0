"""The evidence pack: each statement, the classes taught it, when, and how many pupils (small numbers hidden)."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from db import write_transaction
from jobs import run_pending
from progress import evidence_queries, evidence_tasks
from progress.evidence import (
    Cell,
    build_pack,
    cells_from_json,
    margin_points,
    pack_from,
    tally,
    tally_json,
    trust_csv_rows,
    trust_pack_from,
    trust_tally,
)
from progress.evidence_tasks import INTERRUPTED, sweep_packs_in
from training.curriculum import load_statements

from helpers import OLDER, YOUNGER, assert_tagged, sign_in

MINIMUM = 5


def ago(minutes):
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")


@pytest.fixture
def rshe():
    """The RSHE statements the course maps to."""
    return load_statements()


# ---------------------------------------------------------------- the rules


def klass(course, class_id=1, name="8B", pupils=28):
    return {"id": class_id, "name": name, "course": course, "pupils": pupils}


def test_a_class_is_taught_a_statement_by_its_routes_lessons_and_counts_pupils_who_completed_one(app, rshe):
    course = app.extensions["courses"][YOUNGER]
    ai = next(s for s in rshe if s.id == "ai-sexual-imagery-deepfakes")
    teaching = [lesson for lesson in course.lessons if ai.id in lesson.rshe]
    assert [lesson.id for lesson in teaching] == ["what-is-online-blackmail", "the-law-and-you"]
    done = [(1, pupil, teaching[0].id, date(2026, 3, 2 + pupil % 3)) for pupil in range(1, 7)]
    done += [(1, 1, teaching[1].id, date(2026, 3, 20)), (1, 99, "spotting-the-signs", date(2026, 3, 9))]
    pack = build_pack([ai], [klass(course)], done, MINIMUM)
    row = pack[0].classes[0]
    assert row.lessons == tuple(teaching)
    assert (row.pupils.text, row.class_size.text) == ("6", "28")  # pupil 1 counted once; pupil 99's lesson is another
    assert (row.first_day, row.last_day, row.days_shown) == (date(2026, 3, 2), date(2026, 3, 20), True)
    assert row.live_days == ()


def test_fewer_pupils_than_the_minimum_show_as_fewer_and_hide_their_days(app, rshe):
    course = app.extensions["courses"][YOUNGER]
    first = course.lessons[0]
    pack = build_pack(rshe, [klass(course, pupils=3)], [(1, 7, first.id, date(2026, 3, 2))], MINIMUM)
    row = pack[0].classes[0]
    assert (row.pupils.text, row.class_size.text) == ("fewer than 5", "fewer than 5")
    assert row.first_day == date(2026, 3, 2) and not row.days_shown


def test_the_live_lesson_seam_says_taught_live_on_its_day(app, rshe):
    course = app.extensions["courses"][OLDER]
    lesson = course.lessons[2]
    live = {(4, lesson.id): [date(2026, 5, 12)]}
    pack = build_pack(rshe, [klass(course, class_id=4, name="10A")], [], MINIMUM, live)
    rows = [item.classes[0] for item in pack if lesson in item.classes[0].lessons]
    assert rows and all(row.live_days == (date(2026, 5, 12),) for row in rows)


def test_live_days_are_the_days_a_class_took_part_in_a_live_lesson(db, make_school, make_staff, make_pupil, make_class):
    from live import queries as live

    school, other = make_school("Hill"), make_school("Dale")
    teacher = make_staff(school, "t@hill.test")
    pupil = make_pupil(school, "ann.h")
    taught, empty = make_class(school, "8B", teacher, [pupil]), make_class(school, "8C", teacher, [])
    elsewhere = make_class(other, "8B", make_staff(other, "t@dale.test"), [make_pupil(other, "dee.d")])
    lesson = "what-is-online-blackmail"

    def session(class_id, school_id, day, pupil_id=None):
        found = live.start_session(db, school_id, class_id, YOUNGER, lesson, None, f"{day}T09:00:00+00:00", day)
        if pupil_id:
            live.join(db, found, pupil_id, f"{day}T09:01:00+00:00")
        live.end_session(db, found, f"{day}T10:00:00+00:00")

    session(taught, school, "2026-11-03", pupil)
    session(taught, school, "2026-11-10", pupil)
    session(empty, school, "2026-11-04")  # started, nobody took part: not taught
    session(elsewhere, other, "2026-11-05", pupil)
    found = evidence_queries.live_days(db, school, [taught, empty, elsewhere])
    assert found == {(taught, lesson): [date(2026, 11, 3), date(2026, 11, 10)]}


def test_every_statement_is_in_the_pack_in_file_order_for_both_routes(app, rshe):
    courses = app.extensions["courses"]
    classes = [klass(courses[YOUNGER], 1, "8B"), klass(courses[OLDER], 2, "10A")]
    pack = build_pack(rshe, classes, [], MINIMUM)
    assert [item.statement.id for item in pack] == [s.id for s in rshe]
    for item in pack:
        if item.statement.topic.key:
            assert len(item.classes_taught) == 2, item.statement.id


# ---------------------------------------------------------------- the pages


@pytest.fixture
def school_with_classes(make_school, make_staff, make_class, make_pupil, db, app):
    """Hillside: 8B (younger route) with 6 pupils, 5 of whom completed lesson 1; 10A (older) with 3, 2 completed."""
    school = make_school("Hillside Academy")
    teacher = make_staff(school, "teacher@hillside.test")
    other_teacher = make_staff(school, "other@hillside.test")
    make_staff(school, "admin@hillside.test", role="admin")
    make_staff(school, "dsl@hillside.test", role="dsl")
    younger = make_class(school, "8B", teacher_id=teacher, course_id=YOUNGER)
    older = make_class(school, "10A", teacher_id=other_teacher, year_group=10, course_id=OLDER)
    courses = app.extensions["courses"]
    for class_id, course_id, size, completing in ((younger, YOUNGER, 6, 5), (older, OLDER, 3, 2)):
        lesson = courses[course_id].lessons[0]
        for n in range(size):
            pupil = make_pupil(school, f"p{class_id}.{n}", first_name="Quillon", last_name=f"Farthingale{n}",
                               class_id=class_id)  # fmt: skip
            if n < completing:
                with write_transaction(db):
                    db["lesson_progress"].insert(
                        {"pupil_id": pupil, "course_id": course_id, "lesson_id": lesson.id, "current_step": 1,
                         "furthest_step": len(lesson.steps), "started_at": "2026-03-02T09:00:00+00:00",
                         "updated_at": "2026-03-03T10:00:00+00:00", "completed_at": f"2026-03-0{3 + n % 2}T10:00:00"}
                    )  # fmt: skip
    other_school = make_school("Riverside High")
    make_class(other_school, "Riverside 8X", course_id=YOUNGER)
    return {"school": school, "younger": younger, "older": older, "other_school": other_school}


def row_text(page, statement_id, class_id):
    start = page.index(f'data-statement="{statement_id}"')
    row = page.index(f'data-class="{class_id}"', start)
    return page[row : page.index("</tr>", row)]


def test_a_teacher_sees_their_class_pack_with_counts_and_days(client, school_with_classes):
    sign_in(client, "teacher@hillside.test")
    response = client.get(f"/classes/{school_with_classes['younger']}/evidence")
    assert response.status_code == 200
    page = response.text
    row = row_text(page, "online-sexual-abuse-sextortion", school_with_classes["younger"])
    assert "Lesson 1: What is online blackmail?" in row
    assert "5 of 6" in row and "between 3 Mar 2026 and 4 Mar 2026" in row
    assert "Paragraph number to be checked" in page
    assert "Farthingale" not in page and "Quillon" not in page and "10A" not in page


def test_a_teacher_cannot_open_another_teachers_class_or_the_school_pack(client, school_with_classes):
    sign_in(client, "teacher@hillside.test")
    assert client.get(f"/classes/{school_with_classes['older']}/evidence").status_code == 404
    assert client.get("/evidence").status_code == 403


def worked_out(client, app, url):
    """The pack once worked out: the first view queues the job, the worker (run here) stores it."""
    client.get(url.replace(".csv", "").replace(".pdf", ""))
    run_pending(app.extensions["huey"])
    return client.get(url)


@pytest.mark.parametrize("who", ["admin@hillside.test", "dsl@hillside.test"])
def test_admins_and_dsls_see_the_school_pack_with_small_numbers_hidden(client, app, school_with_classes, who):
    sign_in(client, who)
    response = worked_out(client, app, "/evidence")
    assert response.status_code == 200
    page = response.text
    older = row_text(page, "online-sexual-abuse-sextortion", school_with_classes["older"])
    assert "fewer than 5 of fewer than 5" in older and "dates not shown" in older and "Mar 2026" not in older
    younger = row_text(page, "online-sexual-abuse-sextortion", school_with_classes["younger"])
    assert "5 of 6" in younger
    assert "Riverside" not in page and "Farthingale" not in page and "Quillon" not in page


def test_pupils_and_other_schools_staff_reach_no_pack(client, school_with_classes, make_staff):
    sign_in(client, f"p{school_with_classes['younger']}.0")
    for url in ("/evidence", "/evidence.csv", "/evidence.pdf", "/trust/evidence",
                f"/classes/{school_with_classes['younger']}/evidence",
                f"/classes/{school_with_classes['younger']}/evidence.pdf"):  # fmt: skip
        assert client.get(url).status_code in (403, 404), url
    client.post("/sign-out")
    make_staff(school_with_classes["other_school"], "admin@riverside.test", role="admin")
    sign_in(client, "admin@riverside.test")
    for suffix in ("", ".csv", ".pdf"):
        assert client.get(f"/classes/{school_with_classes['younger']}/evidence{suffix}").status_code == 404, suffix
    assert client.post(f"/classes/{school_with_classes['younger']}/evidence/refresh").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, school_with_classes):
    assert client.get("/evidence").status_code == 302
    assert client.get(f"/classes/{school_with_classes['younger']}/evidence").status_code == 302


# ---------------------------------------------------------------- what the class learned


def test_the_margin_narrows_with_more_pupils_and_is_none_for_none():
    assert [margin_points(n) for n in (0, 1, 6, 30, 200)] == [None, 139, 57, 26, 10]


def take_checks(db, pupil, course, right_at):
    """A baseline and a final check for `pupil`: every scored answer right only in the phases in `right_at`."""
    for number, phase in enumerate(("baseline", "final")):
        with write_transaction(db):
            attempt = db["attempts"].insert(
                {"pupil_id": pupil, "course_id": course.id, "quiz_id": course.checks.id, "phase": phase,
                 "content_version": "x", "token": f"{pupil}-{phase}", "score": 0, "max_score": 1, "percent": 0,
                 "passed": 1, "submitted_at": f"2026-03-0{2 + number}T10:00:00+00:00"}
            ).last_pk  # fmt: skip
            db["answers"].insert_all(
                {"attempt_id": attempt, "question_id": q.id, "question_type": q.type, "topic": q.topic,
                 "response": "[]", "correct": 1 if phase in right_at else 0}
                for q in course.checks.marked_questions
            )  # fmt: skip


def test_the_class_pack_shows_the_gain_per_topic_with_its_margin(client, school_with_classes, db, app):
    course = app.extensions["courses"][YOUNGER]
    pupils = [row["person_id"] for row in db.query("SELECT person_id FROM class_pupils WHERE class_id = ?",
                                                    [school_with_classes["younger"]])]  # fmt: skip
    for pupil in pupils:
        take_checks(db, pupil, course, right_at=("final",))
    sign_in(client, "teacher@hillside.test")
    page = client.get(f"/classes/{school_with_classes['younger']}/evidence").text
    assert "Pupils who took both checks: 6. Margin: about ±57 points." in page
    table = page[page.index('id="evidence-learning"') :]
    assert "0%" in table and "100%" in table and "+100" in table and "Yes" in table
    assert "What pupils believe (class totals only)" in page and "How sure pupils feel" in page


def test_too_few_pupils_for_a_meaningful_gain_show_no_figures(client, school_with_classes, db, app, make_staff):
    course = app.extensions["courses"][OLDER]
    pupils = [row["person_id"] for row in db.query("SELECT person_id FROM class_pupils WHERE class_id = ?",
                                                    [school_with_classes["older"]])]  # fmt: skip
    for pupil in pupils[:2]:
        take_checks(db, pupil, course, right_at=("final",))
    sign_in(client, "admin@hillside.test")
    page = client.get(f"/classes/{school_with_classes['older']}/evidence").text
    assert "data-learning-hidden" in page and 'id="evidence-learning"' not in page
    assert "+100" not in page


def test_the_pack_downloads_as_csv_in_the_screens_words(client, app, school_with_classes, db):
    with write_transaction(db):
        db["classes"].update(school_with_classes["younger"], {"name": "=8B"})  # a formula never runs
    sign_in(client, "admin@hillside.test")
    response = worked_out(client, app, "/evidence.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["Statement", "Statement wording"]
    younger = next(r for r in rows if r[0] == "online-sexual-abuse-sextortion" and r[4] == "'=8B")
    assert younger[6].startswith("Lesson 1: What is online blackmail?")
    assert younger[7] == "Completed on their own between 3 Mar 2026 and 4 Mar 2026" and younger[8:] == ["5", "6"]
    older = next(r for r in rows if r[0] == "online-sexual-abuse-sextortion" and r[4] == "10A")
    assert older[7] == "Completed on their own (dates not shown)" and older[8:] == ["fewer than 5", "fewer than 5"]
    assert "Farthingale" not in response.get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, "teacher@hillside.test")
    assert client.get("/evidence.csv").status_code == 403
    own = client.get(f"/classes/{school_with_classes['younger']}/evidence.csv")
    assert own.status_code == 200 and "10A" not in own.get_data(as_text=True)


# ---------------------------------------------------------------- the school's pack off the web workers

# What only the evidence job reads (every request reads the signed-in person's own people row, never pupils').
HEAVY = re.compile(r"\b(lesson_progress|class_pupils)\b|role = 'pupil'")


def packs(db):
    return list(db.query("SELECT id, school_id, status, attempts, computed_at, tally FROM evidence_packs"))


def test_the_school_page_runs_none_of_the_pack_queries_and_the_job_stores_it(app, client, db, school_with_classes,
                                                                             statements):  # fmt: skip
    sign_in(client, "admin@hillside.test")
    statements.clear()
    page = client.get("/evidence")
    assert page.status_code == 200 and "data-pack-working" in page.text and "http-equiv" not in page.text
    assert [s for s in statements if HEAVY.search(s)] == []
    assert client.get("/evidence.csv").status_code == 302 and client.get("/evidence.pdf").status_code == 302
    [row] = packs(db)
    assert row["status"] == "queued" and row["tally"] is None and row["school_id"] == school_with_classes["school"]
    assert app.extensions["huey"].pending_count() == 1  # one job, however many views asked
    assert run_pending(app.extensions["huey"]) == 1
    [row] = packs(db)
    assert row["status"] == "done" and row["computed_at"] and "Farthingale" not in row["tally"]
    for url in ("/evidence", "/evidence.csv", "/evidence.pdf"):
        statements.clear()
        assert client.get(url).status_code == 200, url
        assert [s for s in statements if HEAVY.search(s)] == [], url
        assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))
                    and "evidence_packs" in s], url  # fresh: no job asked for  # fmt: skip
    assert "Figures as of" in client.get("/evidence").text


def test_an_old_pack_is_shown_while_one_job_works_it_out_again(app, client, db, school_with_classes):
    sign_in(client, "dsl@hillside.test")
    worked_out(client, app, "/evidence")
    with write_transaction(db):
        db.execute("UPDATE evidence_packs SET computed_at = ?, queued_at = ?", [ago(20), ago(20)])
    first, second = client.get("/evidence").text, client.get("/evidence").text
    assert "being worked out again" in first and "5 of 6" in first and "5 of 6" in second
    assert app.extensions["huey"].pending_count() == 1
    run_pending(app.extensions["huey"])
    assert "being worked out again" not in client.get("/evidence").text


def test_a_raised_minimum_hides_stored_counts_at_once_and_redraws_the_pdf(app, client, db, school_with_classes):
    sign_in(client, "admin@hillside.test")
    worked_out(client, app, "/evidence")
    app.config["EVIDENCE_MIN_COUNT"] = 10
    with write_transaction(db):
        db.execute("UPDATE evidence_packs SET queued_at = ?", [ago(5)])
    page = client.get("/evidence").text
    assert "5 of 6" not in page and "fewer than 10 of fewer than 10" in page  # the rule runs at view time
    assert client.get("/evidence.pdf").status_code == 302  # drawn under 5: not served until drawn again
    assert app.extensions["huey"].pending_count() == 1  # the PDF was drawn under 5: drawn again
    run_pending(app.extensions["huey"])
    assert "fewer than 10" in pdf_text(client.get("/evidence.pdf").data)


def test_the_refresh_button_asks_once_and_needs_its_token(app, client, db, school_with_classes):
    sign_in(client, "admin@hillside.test")
    worked_out(client, app, "/evidence")
    with write_transaction(db):
        db.execute("UPDATE evidence_packs SET computed_at = ?, queued_at = ?", [ago(5), ago(5)])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client.post("/evidence/refresh")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert app.extensions["huey"].pending_count() == 0
    assert client.post("/evidence/refresh").status_code == 302
    assert "being worked out again" in client.get("/evidence").text
    client.post("/evidence/refresh")
    assert "being worked out already" in client.get("/evidence").text
    assert app.extensions["huey"].pending_count() == 1
    client.post("/sign-out")
    sign_in(client, "teacher@hillside.test")
    assert client.post("/evidence/refresh").status_code == 403


def test_a_cut_off_pack_job_is_retried_then_failed_and_a_failed_one_says_so(app, client, db, school_with_classes):
    sign_in(client, "admin@hillside.test")
    client.get("/evidence")
    [row] = packs(db)
    lease = timedelta(minutes=2)
    for attempt in (1, 2):
        assert evidence_queries.ROWS.claim(db, row["id"]) is not None
        with write_transaction(db):
            db.execute("UPDATE evidence_packs SET heartbeat_at = ? WHERE id = ?", [ago(5), row["id"]])
        with app.app_context():
            counts = sweep_packs_in(db, lease)
        assert counts == ({"retried": 1, "failed": 0, "requeued": 0} if attempt == 1
                          else {"retried": 0, "failed": 1, "requeued": 0})  # fmt: skip
    page = client.get("/evidence").text
    assert INTERRUPTED in page and "Try again" in page


def test_a_failing_pack_job_is_recorded_on_its_row(app, client, db, school_with_classes, monkeypatch):
    def broken(*args):
        raise RuntimeError("no")

    monkeypatch.setattr(evidence_tasks, "school_tally", broken)
    sign_in(client, "admin@hillside.test")
    client.get("/evidence")
    run_pending(app.extensions["huey"])
    assert packs(db)[0]["status"] == "failed"
    assert "could not be worked out" in client.get("/evidence").text


# ---------------------------------------------------------------- the PDFs


def pdf_text(data):
    """Every page's text, with its line breaks as spaces (a table cell wraps)."""
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", " ")


def test_the_class_pdf_is_tagged_and_holds_the_statements_and_figures_and_no_name(client, school_with_classes,
                                                                                  db, app):  # fmt: skip
    sign_in(client, "teacher@hillside.test")
    url = f"/classes/{school_with_classes['younger']}/evidence.pdf"
    waiting = client.get(url)  # drawn by the job, never in the request
    assert "data-pack-working" in waiting.text and f'href="{url}"' in waiting.text
    run_pending(app.extensions["huey"])
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert_tagged(response.data, "Evidence of teaching: 8B")
    text = pdf_text(response.data)
    assert "sextortion" in text and "Lesson 1: What is online blackmail?" in text
    assert "5 of 6" in text and "3 Mar 2026" in text and "What the class learned" in text
    assert "Farthingale" not in text and "Quillon" not in text and "10A" not in text
    assert client.get(f"/classes/{school_with_classes['older']}/evidence.pdf").status_code == 404


def test_the_school_pdf_is_drawn_by_the_job_tagged_with_every_class_and_small_numbers_hidden(
    client, app, school_with_classes
):
    sign_in(client, "dsl@hillside.test")
    response = worked_out(client, app, "/evidence.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert_tagged(response.data, "Evidence of teaching: Hillside Academy")
    text = pdf_text(response.data)
    assert "8B" in text and "10A" in text and "5 of 6" in text and "fewer than 5 of fewer than 5" in text
    assert "Farthingale" not in text and "Quillon" not in text and "Riverside" not in text


# ---------------------------------------------------------------- stored counts and a trust's rules


def test_the_stored_tally_gives_back_the_same_pack_under_the_minimum_of_the_day(app, rshe):
    course = app.extensions["courses"][YOUNGER]
    first = course.lessons[0]
    classes = [dict(klass(course, 1, "8B", pupils=6), course_id=course.id, year_group=8)]
    done = [(1, pupil, first.id, date(2026, 3, 2 + pupil % 2)) for pupil in range(5)]
    live = {(1, first.id): [date(2026, 3, 1)]}
    cells = tally(rshe, classes, done, live)
    stored = json.loads(json.dumps(tally_json(classes, cells)))  # as the job stores it
    assert "Farthingale" not in json.dumps(stored) and set(stored["classes"][0]) == {
        "id",
        "name",
        "course_id",
        "year_group",
        "pupils",
    }
    again = pack_from(rshe, classes, cells_from_json(stored["cells"]), MINIMUM)
    assert again == build_pack(rshe, classes, done, MINIMUM, live)
    row = next(item for item in again if first in item.classes[0].lessons).classes[0]
    assert row.when == "Taught live on 1 Mar 2026; Completed on their own between 2 Mar 2026 and 3 Mar 2026"
    stricter = pack_from(rshe, classes, cells_from_json(stored["cells"]), 6)
    assert next(item for item in stricter if first in item.classes[0].lessons).classes[0].pupils.text == "fewer than 6"


def test_a_trust_counts_each_pupil_once_per_statement_and_school_from_its_routes_lessons(app, rshe):
    courses = app.extensions["courses"]
    younger, older = courses[YOUNGER], courses[OLDER]
    ai = next(s for s in rshe if s.id == "ai-sexual-imagery-deepfakes")
    teaching = [lesson for lesson in younger.lessons if ai.id in lesson.rshe]
    stamp = "2026-03-0{}T10:00:00+00:00"
    done = [(10, pupil, YOUNGER, teaching[0].id, stamp.format(2 + pupil % 3)) for pupil in range(6)]
    done += [(10, 0, YOUNGER, teaching[1].id, stamp.format(9))]  # pupil 0 again, another lesson on it
    done += [(10, 99, OLDER, teaching[0].id, stamp.format(1))]  # same lesson id, another route: its own statements
    done += [(20, 7, YOUNGER, teaching[0].id, stamp.format(5))]
    cells = trust_tally([ai], courses, done)
    assert cells[ai.id, 10] == Cell(6, date(2026, 3, 2), date(2026, 3, 9))  # pupil 99's lesson is not the older route's
    assert cells[ai.id, 20] == Cell(1, date(2026, 3, 5), date(2026, 3, 5))
    schools = [{"school_id": 10, "name": "Alder", "pupils": 30, "course_ids": [YOUNGER]},
               {"school_id": 20, "name": "Birch", "pupils": 3, "course_ids": []},
               {"school_id": 30, "name": "Cedar", "pupils": 40, "course_ids": [OLDER]}]  # fmt: skip
    [item] = trust_pack_from([ai], courses, schools, cells, MINIMUM)
    alder, birch, cedar = item.schools
    assert (alder.routes, alder.pupils.text) == ((younger.route_label,), "6")
    assert alder.when == "Completed between 2 Mar 2026 and 9 Mar 2026"
    assert birch.routes == () and birch.when == "Completed (dates not shown)" and birch.pupils.text == "fewer than 5"
    assert cedar.routes == (older.route_label,) and cedar.when == "Not yet" and cedar.pupils.text == "fewer than 5"
    assert [row.school_name for row in item.schools_taught] == ["Alder", "Cedar"]
    header, *rows = trust_csv_rows([item])
    assert header[4] == "School" and [r[4] for r in rows] == ["Alder", "Birch", "Cedar"]
