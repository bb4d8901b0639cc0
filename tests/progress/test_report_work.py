"""Reports do only the work their format needs, class queries start from the class."""

import csv
import io
import json
import random

import pytest
from pypdf import PdfReader

from bench.classroom_reports import _answer
from db import write_transaction
from progress import queries as progress_queries
from progress import reports
from progress.queries import CONFIDENCE_FOR_CLASS, PUPILS, SUMMARIES, Scope, _params, scoped

from helpers import report_by_job, sign_in


@pytest.fixture
def school(app, db, make_school, make_staff, make_pupil, make_class):
    """Hillside: 9B (three pupils, one with a formula-like name), 9C (two), a pupil in no class."""
    hill = make_school("Hillside School")
    teacher = make_staff(hill, "teach@hill.test")
    b = [make_pupil(hill, u, first_name=f, last_name=last) for u, f, last in
         (("ava.b", "Ava", "Brown"), ("ben.c", "=Ben", "Clark"), ("cal.d", "Cal", "Day"))]  # fmt: skip
    c = [make_pupil(hill, u, first_name=f, last_name=last) for u, f, last in
         (("dee.e", "Dee", "Ellis"), ("eli.f", "Eli", "Fox"))]  # fmt: skip
    make_pupil(hill, "gus.h", first_name="Gus", last_name="Hall")
    class_b = make_class(hill, "9B", teacher, b)
    class_c = make_class(hill, "9C", teacher, c)
    return {"hill": hill, "class_b": class_b, "class_c": class_c, "b": b, "c": c}


def forbid_reteach(monkeypatch):
    """Make every re-teach computation raise, wherever reports reach it from."""

    def boom(*args, **kwargs):
        raise AssertionError("the CSV computed re-teach statistics")

    for module, name in (
        (progress_queries, "first_answers"),
        (progress_queries, "reteach_for"),
        (reports, "first_answers"),
        (reports, "question_stats"),
        (reports, "topic_gains"),
    ):
        monkeypatch.setattr(module, name, boom)


def test_csv_never_computes_reteach(app, db, course, school, monkeypatch):
    forbid_reteach(monkeypatch)
    scope = Scope(school["hill"], school["class_b"], "9B")
    data = reports.collect(db, course, scope, fmt="csv")
    assert len(data.grid.rows) == 3 and data.questions == ()
    assert b"Ava Brown" in reports.build(data, "csv")
    assert b"Ava Brown" in b"".join(reports.stream_csv(db, course, scope))
    teacher = app.test_client()
    assert sign_in(teacher, "teach@hill.test").status_code == 303
    response = report_by_job(app, teacher, {"scope": str(school["class_b"]), "format": "csv"})  # the worker's build
    assert response.status_code == 200 and "Ava Brown" in response.data.decode("utf-8-sig")


def test_xlsx_and_pdf_still_get_the_reteach_they_print(db, course, school):
    scope = Scope(school["hill"], school["class_b"], "9B")
    assert len(reports.collect(db, course, scope, fmt="xlsx").questions) > 0
    pdf = reports.collect(db, course, scope, fmt="pdf")
    assert len(pdf.questions) > 0 and len(pdf.topics) > 0


def test_class_scoped_queries_return_only_the_class(db, course, school):
    scope = Scope(school["hill"], school["class_c"], "9C")
    ids = {row["id"] for row in progress_queries.pupils_in_scope(db, scope)}
    assert ids == set(school["c"])
    assert progress_queries.count_pupils(db, scope) == 2
    assert {row.pupil_id for row in progress_queries.grid_for(db, course, scope).rows} == set(school["c"])


def query_plan(db, sql, scope, course):
    rows = db.execute(f"EXPLAIN QUERY PLAN {sql}", _params(scope, course.id)).fetchall()
    return "\n".join(row[3] for row in rows)


@pytest.mark.sqlite_only  # SQLite's query planner; PostgreSQL plans joins itself
@pytest.mark.parametrize("sql", [PUPILS, SUMMARIES])
def test_class_queries_start_from_class_pupils(db, course, school, sql):
    scope = Scope(school["hill"], school["class_b"], "9B")
    plan = query_plan(db, scoped(sql, scope), scope, course)
    # The class's pupils come from class_pupils' primary key by class_id, not every pupil of the school.
    assert "SEARCH cp USING COVERING INDEX sqlite_autoindex_class_pupils_1 (class_id=?)" in plan, plan
    assert "people_school_role" not in plan, plan


@pytest.mark.sqlite_only  # SQLite's query planner
def test_class_confidence_totals_use_the_class_link_index(db, course, school):
    scope = Scope(school["hill"], school["class_b"], "9B")
    plan = query_plan(db, CONFIDENCE_FOR_CLASS, scope, course)
    assert "confidence_response_classes_class (class_id=?)" in plan, plan


def make_attempts(db, course, pupils):
    """Stored work for each pupil: lesson 1 opened and passed, both checks taken, with answers."""
    lesson = course.lessons[0]
    rng = random.Random(9)
    with write_transaction(db):
        for n, pupil in enumerate(pupils):
            for quiz, phase in ((lesson.quiz, "lesson"), (course.checks, "baseline"), (course.checks, "final")):
                attempt = (
                    db["attempts"]
                    .insert(
                        {
                            "pupil_id": pupil,
                            "course_id": course.id,
                            "quiz_id": quiz.id if phase == "lesson" else course.checks.id,
                            "phase": phase,
                            "content_version": "1",
                            "token": f"t{pupil}{phase}",
                            "score": 4,
                            "max_score": 5,
                            "percent": 80 + n % 20,
                            "passed": 1,
                            "submitted_at": "2026-03-02T10:00:00+00:00",
                        }  # fmt: skip
                    )
                    .last_pk
                )
                for question in quiz.marked_questions:
                    response, correct = _answer(rng, question, rng.random() < 0.6)
                    db["answers"].insert(
                        {
                            "attempt_id": attempt,
                            "question_id": question.id,
                            "question_type": question.type,
                            "topic": question.topic,
                            "response": json.dumps(response),
                            "correct": correct,
                        }  # fmt: skip
                    )
            db["lesson_progress"].insert(
                {
                    "pupil_id": pupil,
                    "course_id": course.id,
                    "lesson_id": lesson.id,
                    "current_step": 2,
                    "furthest_step": 2,
                    "started_at": "2026-03-01T10:00:00+00:00",
                    "updated_at": "2026-03-02T10:00:00+00:00",
                }  # fmt: skip
            )


def test_streamed_csv_equals_the_built_csv(db, course, school):
    make_attempts(db, course, school["b"] + school["c"])
    whole = Scope(school["hill"], None, "Hillside School")
    for scope in (Scope(school["hill"], school["class_b"], "9B"), whole):
        built = reports.to_csv(reports.collect(db, course, scope))
        streamed = list(reports.stream_csv(db, course, scope))
        assert b"".join(streamed) == built
    # Small chunks cut the same rows at chunk boundaries and still join to the same bytes.
    header = reports.header_for(course.lessons, True)
    rows = [
        reports.grid_cells(r, True, course.route_label) for r in progress_queries.grid_rows_streamed(db, course, whole)
    ]
    assert b"".join(reports._csv_chunks(header, rows, rows_per_chunk=2)) == built
    rows = list(csv.reader(io.StringIO(built.decode("utf-8-sig"))))
    assert any(row[0] == "'=Ben Clark" for row in rows)  # still neutralised (OWASP)
    assert len(rows) == 1 + len(school["b"]) + len(school["c"]) + 1  # and Gus, in no class
    assert {row[-6] for row in rows[1:]} >= {"80", "81"}  # the baseline best percents were read


def test_streamed_csv_download_keeps_no_store(app, school):
    app.config["REPORT_BACKGROUND_ABOVE"] = {"csv": 1000, "xlsx": 0, "pdf": 0}  # a school that keeps small CSVs
    teacher = app.test_client()
    assert sign_in(teacher, "teach@hill.test").status_code == 303
    response = teacher.post("/reports", data={"scope": str(school["class_b"]), "format": "csv"})
    assert response.is_streamed
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=progress-9B-")
    body = response.data.decode("utf-8-sig")
    assert "'=Ben Clark" in body and "\n=Ben" not in body
    response.close()


def page_lines(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    return [len([line for line in (page.extract_text() or "").splitlines() if line.strip()]) for page in reader.pages]


@pytest.mark.parametrize("pupils", [2, 61])
def test_report_pdf_has_no_near_empty_page(db, course, make_school, make_staff, make_pupil, make_class, pupils):
    hill = make_school("Hillside School")
    teacher = make_staff(hill, "teach@hill.test")
    ids = [make_pupil(hill, f"p{n}.x", first_name=f"Pupil{n:03d}", last_name="Test") for n in range(pupils)]
    class_id = make_class(hill, "9B", teacher, ids)
    make_attempts(db, course, ids)
    scope = Scope(hill, class_id, "9B")
    lines = page_lines(reports.build(reports.collect(db, course, scope, fmt="pdf"), "pdf"))
    # Short or long, no page is a spill of a row or two: each holds at least a third of the
    # fullest page's lines (before the fix the most-missed table spilled 12 lines onto a page).
    assert min(lines) >= max(12, max(lines) / 3), lines
    if pupils == 2:
        assert len(lines) == 2, lines  # the summary page and one page of grid
