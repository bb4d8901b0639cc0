"""Progress dashboards, re-teach, reports and class certificates."""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from flask import template_rendered
from openpyxl import load_workbook
from pypdf import PdfReader

from db import write_transaction
from jobs import run_pending
from progress import dashboard, reports, reteach
from progress.queries import Period, Scope, grid_for, reteach_for
from training.progress import COMPLETE, IN_PROGRESS, NOT_STARTED

from helpers import CHECK_URL, QUIZ_URL, report_by_job, right_answers, sign_in, submit_quiz, wrong_answers

# ---------------------------------------------------------------- arrangement


@pytest.fixture
def world(app, db, make_school, make_staff, make_pupil, make_class):
    """Two schools. Hillside: 9B (Ms Teach, six pupils), 9C (another teacher, one pupil),
    an admin and a DSL. Valley: a teacher, class 9B and one pupil."""
    hill = make_school("Hillside School")
    valley = make_school("Valley School")
    teacher = make_staff(hill, "teach@hill.test", first_name="Tess", last_name="Teach")
    other_teacher = make_staff(hill, "other@hill.test")
    admin = make_staff(hill, "admin@hill.test", role="admin")
    dsl = make_staff(hill, "dsl@hill.test", role="dsl")
    valley_teacher = make_staff(valley, "teach@valley.test")
    names = [("ava.b", "Ava", "Brown"), ("ben.c", "Ben", "Clark"), ("cal.d", "Cal", "Day"),
             ("dee.e", "Dee", "Ellis"), ("eli.f", "Eli", "Fox"), ("fay.g", "Fay", "Grant")]  # fmt: skip
    pupils = {u: make_pupil(hill, u, first_name=f, last_name=last) for u, f, last in names}
    class_b = make_class(hill, "9B", teacher, list(pupils.values()))
    lone = make_pupil(hill, "gus.h", first_name="Gus", last_name="Hall")
    class_c = make_class(hill, "9C", other_teacher, [lone])
    valley_pupil = make_pupil(valley, "vic.v", first_name="Vic", last_name="Vale")
    valley_class = make_class(valley, "9B", valley_teacher, [valley_pupil])
    return {
        "hill": hill, "valley": valley, "teacher": teacher, "other_teacher": other_teacher,
        "admin": admin, "dsl": dsl, "valley_teacher": valley_teacher, "pupils": pupils,
        "class_b": class_b, "class_c": class_c, "lone": lone, "valley_pupil": valley_pupil,
        "valley_class": valley_class,
    }  # fmt: skip


def pupil_client(app, username):
    """A test client signed in as the pupil."""
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def staff_client(app, email):
    """A test client signed in as a member of staff."""
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client


def finish_course(client, course, baseline_right=False):
    """Baseline (wrong or right), every lesson passed at the first go, the final check right."""
    baseline = right_answers if baseline_right else wrong_answers
    submit_quiz(client, CHECK_URL.format("baseline"), course.checks, baseline(course.checks))
    for lesson in course.lessons:
        url = QUIZ_URL.format(lesson.id)
        assert submit_quiz(client, url, lesson.quiz, right_answers(lesson.quiz)).status_code == 303
    submit_quiz(client, CHECK_URL.format("final"), course.checks, right_answers(course.checks))


@pytest.fixture
def activity(app, course, world):
    """Ava finishes the course; Ben fails lesson 1 then passes it; Cal opens lesson 2; the rest nothing."""
    ava = pupil_client(app, "ava.b")
    finish_course(ava, course)
    ben = pupil_client(app, "ben.c")
    first = course.lessons[0]
    submit_quiz(ben, QUIZ_URL.format(first.id), first.quiz, wrong_answers(first.quiz))
    submit_quiz(ben, QUIZ_URL.format(first.id), first.quiz, right_answers(first.quiz))
    cal = pupil_client(app, "cal.d")
    assert cal.get(f"/courses/{course.id}/lessons/{course.lessons[1].id}/steps/1").status_code == 200
    return {"ava": ava, "ben": ben, "cal": cal}


def class_scope(world):
    return Scope(world["hill"], world["class_b"], "9B")


# ---------------------------------------------------------------- dashboard rules


def fake_pupil(pupil_id, first, last, active=None):
    return {"id": pupil_id, "first_name": first, "last_name": last, "last_active_at": active}


def test_build_grid_statuses_totals_and_not_started(course):
    l1, l2 = course.lessons[0].id, course.lessons[1].id
    pupils = [fake_pupil(1, "Ann", "Ames"), fake_pupil(2, "Bo", "Bell"), fake_pupil(3, "Cy", "Cole")]
    progress = [{"pupil_id": 2, "lesson_id": l2, "current_step": 2, "furthest_step": 3},
                {"pupil_id": 99, "lesson_id": l1, "current_step": 1, "furthest_step": 1}]  # fmt: skip
    summaries = [
        {"pupil_id": 1, "key": l1, "best_percent": 90, "passed": 1, "attempts": 2},
        {"pupil_id": 1, "key": "baseline", "best_percent": 40, "passed": 0, "attempts": 1},
        {"pupil_id": 2, "key": l1, "best_percent": 50, "passed": 0, "attempts": 1},
    ]
    grid = dashboard.build_grid(course, pupils, progress, summaries, {1: "AAAA-BBBB-CCCC"})
    ann, bo, cy = grid.rows
    assert ann.state(l1).status == COMPLETE and ann.state(l1).best_percent == 90
    assert ann.baseline == 40 and ann.final is None and ann.certificate == "AAAA-BBBB-CCCC"
    assert bo.state(l1).status == IN_PROGRESS and bo.state(l1).best_percent == 50
    assert bo.state(l2).status == IN_PROGRESS and bo.state(l2).best_percent is None
    assert cy.state(l1).status == NOT_STARTED and not cy.started
    assert [r.name for r in grid.not_started] == ["Cy Cole"]
    assert (grid.totals[0].complete, grid.totals[0].in_progress, grid.totals[0].not_started) == (1, 1, 1)
    assert (grid.totals[1].complete, grid.totals[1].in_progress) == (0, 1)
    assert ann.complete == 1 and grid.certificates == 1 and grid.finished == 0


def test_sort_rows_puts_empty_values_last_both_ways(course):
    l1 = course.lessons[0].id
    pupils = [fake_pupil(1, "Ann", "Zed"), fake_pupil(2, "Bo", "Ames"), fake_pupil(3, "Cy", "Moss")]
    summaries = [
        {"pupil_id": 1, "key": "final", "best_percent": 70, "passed": 0, "attempts": 1},
        {"pupil_id": 3, "key": "final", "best_percent": 95, "passed": 1, "attempts": 1},
        {"pupil_id": 3, "key": l1, "best_percent": 100, "passed": 1, "attempts": 1},
        {"pupil_id": 1, "key": l1, "best_percent": 60, "passed": 0, "attempts": 1},
    ]
    rows = dashboard.build_grid(course, pupils, [], summaries, {}).rows
    assert [r.first_name for r in dashboard.sort_rows(rows, "name")] == ["Bo", "Cy", "Ann"]
    assert [r.first_name for r in dashboard.sort_rows(rows, "name", True)] == ["Ann", "Cy", "Bo"]
    assert [r.first_name for r in dashboard.sort_rows(rows, "final")] == ["Ann", "Cy", "Bo"]
    assert [r.first_name for r in dashboard.sort_rows(rows, "final", True)] == ["Cy", "Ann", "Bo"]
    # A lesson: not started, then in progress, then complete.
    assert [r.first_name for r in dashboard.sort_rows(rows, l1)] == ["Bo", "Ann", "Cy"]


def test_parse_sort_accepts_known_columns_only(course):
    ids = [lesson.id for lesson in course.lessons]
    assert dashboard.parse_sort("-final", ids) == ("final", True)
    assert dashboard.parse_sort(ids[2], ids) == (ids[2], False)
    assert dashboard.parse_sort("password_hash", ids) == ("name", False)
    assert dashboard.parse_sort(None, ids) == ("name", False)


def test_response_text_uses_option_texts(course):
    questions = {q.type: q for quiz in course.quizzes() for q in quiz.questions}
    single = questions["single"]
    right = next(o for o in single.options if o.correct)
    assert dashboard.response_text(single, right.id) == right.text
    multiple = questions["multiple"]
    chosen = [o.id for o in multiple.options[:2]]
    assert dashboard.response_text(multiple, chosen) == "; ".join(o.text for o in multiple.options[:2])
    order = questions["order"]
    reverse = {o.id: len(order.options) + 1 - o.position for o in order.options}
    assert dashboard.response_text(order, reverse).startswith(max(order.options, key=lambda o: o.position).text)
    assert dashboard.response_text(None, "a") == ""


# ---------------------------------------------------------------- re-teach rules


def test_question_stats_first_attempt_share_and_common_wrong_option(course):
    lesson = course.lessons[0]
    question = next(q for q in lesson.quiz.marked_questions if q.type == "single")
    wrong = [o for o in question.options if not o.correct]
    right = next(o for o in question.options if o.correct)

    def row(pupil_id, option, correct):
        return {"pupil_id": pupil_id, "quiz_id": lesson.id, "phase": "lesson", "question_id": question.id,
                "response": option.id, "correct": correct}  # fmt: skip

    rows = [row(1, wrong[0], 0), row(2, wrong[0], 0), row(3, wrong[-1], 0), row(4, right, 1)]
    stats = reteach.question_stats(course, rows)
    first = stats[0]
    assert first.question.id == question.id  # the only answered question comes first
    assert (first.answered, first.correct, first.share) == (4, 1, 25)
    assert (first.wrong_choice, first.wrong_count) == (wrong[0].text, 2)
    assert all(s.answered == 0 and s.share is None for s in stats[1:])
    # A baseline answer to a check question does not count: the checks count from the final.
    check_q = course.checks.marked_questions[0]
    base = [{"pupil_id": 1, "quiz_id": course.checks.id, "phase": "baseline", "question_id": check_q.id,
             "response": "x", "correct": 0}]  # fmt: skip
    assert all(s.answered == 0 for s in reteach.question_stats(course, base))


def test_wrong_choices_names_missed_options_and_misplaced_steps(course):
    questions = {q.type: q for quiz in course.quizzes() for q in quiz.questions}
    multiple = questions["multiple"]
    one_right = [next(o.id for o in multiple.options if o.correct)]
    missed = reteach.wrong_choices(multiple, one_right)
    assert missed and all(text.startswith("Missed: ") for text in missed)
    order = questions["order"]
    swapped = {o.id: o.position for o in order.options}
    a, b = order.options[0].id, order.options[1].id
    swapped[a], swapped[b] = swapped[b], swapped[a]
    assert len(reteach.wrong_choices(order, swapped)) == 2


def test_topic_gains_count_only_pupils_who_took_both_checks(course):
    q = course.checks.marked_questions[0]

    def row(pupil, phase, correct):
        return {"pupil_id": pupil, "quiz_id": "checks", "phase": phase, "question_id": q.id,
                "topic": q.topic, "response": "a", "correct": correct}  # fmt: skip

    rows = [
        row(1, "baseline", 0),
        row(1, "final", 1),
        row(2, "baseline", 1),
        row(2, "final", 1),
        row(3, "baseline", 0),
    ]  # fmt: skip  (pupil 3 never took the final: left out)
    gains = {g.topic: g for g in reteach.topic_gains(course, rows)}
    assert (gains[q.topic].pupils, gains[q.topic].baseline, gains[q.topic].final) == (2, 50, 100)
    assert gains[q.topic].gain == 50


def test_confidence_totals_hidden_below_five_and_mean(course):
    rows = [
        {"item_key": "know-what-to-do", "phase": "baseline", "value": 2, "n": 3},
        {"item_key": "know-what-to-do", "phase": "baseline", "value": 4, "n": 2},
        {"item_key": "know-what-to-do", "phase": "final", "value": 5, "n": 4},
    ]
    stats = {(s.key, s.phase): s for s in reteach.confidence_totals(course, rows)}
    before, after = stats[("know-what-to-do", "baseline")], stats[("know-what-to-do", "final")]
    assert before.counts == (0, 3, 0, 2, 0) and before.answered == 5 and not before.hidden
    assert before.mean == 2.8
    assert after.hidden and after.answered == 4


# ---------------------------------------------------------------- reports, read back


def test_csv_report_reads_back_with_the_dashboards_numbers(app, db, course, world, activity):
    grid = grid_for(db, course, class_scope(world))
    data = reports.collect(db, course, class_scope(world))
    raw = reports.to_csv(data)
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel's BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header == reports.grid_header(data)
    assert [r[0] for r in body] == [r.name for r in grid.rows]
    ava = body[[r[0] for r in body].index("Ava Brown")]
    ava_row = next(r for r in grid.rows if r.first_name == "Ava")
    assert ava[header.index("Lessons complete")] == str(len(course.lessons)) == str(ava_row.complete)
    assert ava[header.index("Final check %")] == "100"
    assert ava[header.index("Certificate code")] == ava_row.certificate
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ", ava[header.index("Last active (UTC)")])
    ben = body[[r[0] for r in body].index("Ben Clark")]
    assert ben[1:3] == ["Complete", "100"]
    assert re.fullmatch(r"progress-9B-\d{8}-\d{4}\.csv", reports.filename(data, "csv"))


def test_xlsx_report_has_a_sheet_per_view_with_numbers_as_numbers(db, course, world, activity):
    data = reports.collect(db, course, class_scope(world))
    book = load_workbook(io.BytesIO(reports.to_xlsx(data)))
    assert book.sheetnames == ["Summary", "Progress grid", "Re-teach", "Certificates"]
    grid_sheet = list(book["Progress grid"].values)
    header = list(grid_sheet[0])
    assert header == reports.grid_header(data)
    ava = next(r for r in grid_sheet[1:] if r[0] == "Ava Brown")
    assert ava[header.index("Lessons complete")] == len(course.lessons)  # a number, not text
    assert ava[header.index("Final check %")] == 100
    assert ava[header.index("Last active (UTC)")].year >= 2024  # a real date cell
    summary = dict(list(book["Summary"].values)[1:])
    assert summary["Pupils"] == 6 and summary["Not started yet"] == 3
    assert summary["Hold a certificate"] == 1
    certificates = list(book["Certificates"].values)
    assert certificates[1][0] == "Ava Brown" and certificates[1][4] == "Valid"
    reteach_rows = list(book["Re-teach"].values)[1:]
    assert reteach_rows[0][4] == data.questions[0].share


def test_the_summary_says_when_it_was_generated_in_uk_local_time(db, course, world, activity):
    summer = datetime(2026, 7, 1, 13, 30, tzinfo=UTC)  # 14:30 on a UK clock (BST)
    data = reports.collect(db, course, class_scope(world), generated_at=summer)
    assert ("Generated", "1 Jul 2026, 14:30") in reports.summary_rows(data)
    summary = dict(list(load_workbook(io.BytesIO(reports.to_xlsx(data)))["Summary"].values)[1:])
    assert summary["Generated"] == "1 Jul 2026, 14:30"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(reports.to_pdf(data))).pages)
    assert "1 Jul 2026, 14:30" in text and "(UTC)" not in text.split("Progress grid")[0]


def test_pdf_report_has_summary_then_landscape_grid(db, course, world, activity):
    data = reports.collect(db, course, class_scope(world))
    reader = PdfReader(io.BytesIO(reports.to_pdf(data)))
    first = reader.pages[0]
    assert float(first.mediabox.width) < float(first.mediabox.height)  # portrait summary
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Progress report: 9B" in text
    grid_page = next(p for p in reader.pages if "Progress grid" in p.extract_text())
    assert float(grid_page.mediabox.width) > float(grid_page.mediabox.height)  # landscape
    ava = next(r for r in data.grid.rows if r.first_name == "Ava")
    assert ava.certificate in text and "Fay Grant" in text
    assert re.search(r"Not started yet\s*3", text)


def test_date_range_limits_attempts(db, course, world, activity):
    with write_transaction(db):
        db.execute("UPDATE attempts SET submitted_at = '2020-01-15T10:00:00+00:00' WHERE pupil_id = ?",
                   [world["pupils"]["ben.c"]])  # fmt: skip
    before = grid_for(db, course, class_scope(world), Period(date(2020, 1, 1), date(2020, 1, 31)))
    ben = next(r for r in before.rows if r.first_name == "Ben")
    ava = next(r for r in before.rows if r.first_name == "Ava")
    assert ben.lessons[0].status == COMPLETE and ava.complete == 0
    later = grid_for(db, course, class_scope(world), Period(date(2020, 2, 1), None))
    assert next(r for r in later.rows if r.first_name == "Ben").lessons[0].best_percent is None


def test_whole_school_report_includes_every_class_and_no_other_school(db, course, world, activity):
    data = reports.collect(db, course, Scope(world["hill"], None, "Hillside School"))
    names = [r.name for r in data.grid.rows]
    assert "Gus Hall" in names and "Vic Vale" not in names and len(names) == 7
    assert "Classes" in reports.grid_header(data)
    assert reports.filename(data, "pdf").startswith("progress-whole-school-")


# ---------------------------------------------------------------- pages and access


def test_dashboard_shows_the_numbers_the_pupil_sees(app, world, course, activity):
    teacher = staff_client(app, "teach@hill.test")
    page = teacher.get(f"/classes/{world['class_b']}/progress")
    assert page.status_code == 200
    html = page.text
    assert 'id="count-not-started">3<' in html and 'id="count-certificates">1<' in html
    first = course.lessons[0].id
    assert f'data-total="{first}">2 of 6<' in html  # Ava and Ben completed lesson 1
    # Ben's own course page says lesson 1 is complete at 100%: so does the dashboard.
    assert re.search(r"Complete\s*\(100%\)", activity["ben"].get("/course").text)
    ben_row = re.search(rf'data-pupil="{world["pupils"]["ben.c"]}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(rf'data-lesson="{first}">Complete <span class="cell-score">100%', ben_row)
    # Not started: Dee, Eli, Fay, listed by name.
    assert re.search(r"Not started yet \(3\).*Dee Ellis.*Eli Fox.*Fay Grant", html, re.S)


def test_dashboard_sorts_server_side_with_aria_sort(app, world, activity):
    teacher = staff_client(app, "teach@hill.test")
    html = teacher.get(f"/classes/{world['class_b']}/progress?sort=-complete").text
    assert 'aria-sort="descending"' in html
    order = re.findall(r'data-pupil="(\d+)"', html)
    assert int(order[0]) == world["pupils"]["ava.b"]
    assert '?sort=complete"' in html  # the active column's link flips the direction
    plain = teacher.get(f"/classes/{world['class_b']}/progress").text
    assert 'aria-sort="ascending"' in plain  # by name


@pytest.fixture
def grids_rendered(app):
    """How many times the progress grid's template was rendered (not taken from the worker's store)."""
    names = []

    def record(_sender, template, **_extra):
        names.append(template.name)

    with template_rendered.connected_to(record, app):
        yield lambda: names.count("progress/_progress_grid.html")


def grid_part(html):
    return html[html.index('id="count-pupils"') : html.index("</table>")]


def test_dashboard_reuses_its_grid_until_the_class_work_changes(app, db, world, course, grids_rendered):
    teacher = staff_client(app, "teach@hill.test")
    url = f"/classes/{world['class_b']}/progress"
    first = teacher.get(url).text
    assert grid_part(teacher.get(url).text) == grid_part(first)
    assert grids_rendered() == 1  # the refresh with nothing new rendered nothing
    # A pupil's quiz: the next refresh shows it (the rows read are the key, never a stale grid).
    ava = pupil_client(app, "ava.b")
    lesson = course.lessons[0]
    submit_quiz(ava, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    after = teacher.get(url).text
    assert grids_rendered() == 2
    ava_row = re.search(rf'data-pupil="{world["pupils"]["ava.b"]}">(.*?)</tr>', after, re.S).group(1)
    assert re.search(rf'data-lesson="{lesson.id}">Complete', ava_row)
    # A pupil renamed by the school: shown at once too.
    with write_transaction(db):
        db.execute("UPDATE people SET first_name = 'Avery' WHERE id = ?", [world["pupils"]["ava.b"]])
    assert "Avery Brown" in teacher.get(url).text
    # Another sort order is another rendering; going back to the first reuses it.
    by_final = teacher.get(url + "?sort=-final").text
    assert 'aria-sort="descending"' in by_final and '?sort=-final">Refresh<' in by_final  # refresh keeps the order
    assert grids_rendered() == 4
    teacher.get(url)
    assert grids_rendered() == 4


def test_dashboard_grid_is_rendered_every_time_when_the_store_is_off(app, world, grids_rendered):
    app.config["GRID_HTML_CACHE"] = 0
    teacher = staff_client(app, "teach@hill.test")
    for _ in range(2):
        assert teacher.get(f"/classes/{world['class_b']}/progress").status_code == 200
    assert grids_rendered() == 2


def test_lesson_cell_is_the_grid_cell_with_its_text_escaped(course):
    from progress.views import lesson_cell
    from training.progress import LessonState

    lesson = course.lessons[0]
    assert lesson_cell(LessonState(lesson, IN_PROGRESS, 2, 3, None)) == (
        f'<td class="cell-in-progress" data-lesson="{lesson.id}">In progress</td>'
    )
    assert lesson_cell(LessonState(lesson, COMPLETE, 9, 9, 80)) == (
        f'<td class="cell-complete" data-lesson="{lesson.id}">Complete <span class="cell-score">80%</span></td>'
    )
    odd = type(lesson)(**{**lesson.__dict__, "id": 'a"<b>'})
    assert 'data-lesson="a&#34;&lt;b&gt;"' in lesson_cell(LessonState(odd, NOT_STARTED, 1, 0, None))


def test_last_used_forgets_the_least_recently_used():
    store = dashboard.LastUsed(2)
    store.put("a", 1)
    store.put("b", 2)
    assert store.get("a") == 1  # now "b" is the oldest
    store.put("c", 3)
    assert (store.get("a"), store.get("b"), store.get("c")) == (1, None, 3)
    empty = dashboard.LastUsed(0)
    empty.put("a", 1)
    assert empty.get("a") is None


@pytest.mark.parametrize("path", ["/classes/{cls}/progress", "/classes/{cls}/reteach",
                                  "/classes/{cls}/certificates.pdf", "/classes/{cls}/pupils/{pupil}"])  # fmt: skip
def test_access_rules_for_class_pages(app, world, path):
    own = path.format(cls=world["class_b"], pupil=world["pupils"]["ava.b"])
    colleague = path.format(cls=world["class_c"], pupil=world["lone"])
    other_school = path.format(cls=world["valley_class"], pupil=world["valley_pupil"])
    teacher = staff_client(app, "teach@hill.test")
    ok = (200, 303)  # certificates.pdf redirects when there are none yet
    assert teacher.get(own).status_code in ok
    assert teacher.get(colleague).status_code == 404
    assert teacher.get(other_school).status_code == 404
    for email in ("admin@hill.test", "dsl@hill.test"):
        whole = staff_client(app, email)
        assert whole.get(own).status_code in ok and whole.get(colleague).status_code in ok
        assert whole.get(other_school).status_code == 404
    assert staff_client(app, "teach@valley.test").get(own).status_code == 404
    assert pupil_client(app, "ava.b").get(own).status_code == 403
    assert app.test_client().get(own).status_code in (302, 401)


def test_pupil_page_of_a_pupil_not_in_the_class_is_404(app, world):
    teacher = staff_client(app, "teach@hill.test")
    assert teacher.get(f"/classes/{world['class_b']}/pupils/{world['lone']}").status_code == 404
    assert teacher.get(f"/classes/{world['class_b']}/pupils/{world['valley_pupil']}").status_code == 404


def test_pupil_page_shows_every_attempt_and_answer_but_no_confidence(app, world, course, activity):
    teacher = staff_client(app, "teach@hill.test")
    html = teacher.get(f"/classes/{world['class_b']}/pupils/{world['pupils']['ben.c']}").text
    lesson = course.lessons[0]
    assert html.count(f"Lesson 1: {lesson.title}:") == 2  # both attempts
    assert "not passed yet" in html and ", passed" in html
    question = lesson.quiz.marked_questions[0]
    assert html.count(question.prompt.replace("'", "&#39;").replace('"', "&#34;")) == 2
    assert ">Wrong<" in html and ">Right<" in html
    for q in lesson.quiz.questions:
        if q.type == "confidence":
            assert q.prompt.replace("'", "&#39;") not in html


def test_reteach_hides_confidence_below_five_pupils(app, world, course):
    teacher = staff_client(app, "teach@hill.test")
    for username in ("ava.b", "ben.c", "cal.d", "dee.e"):
        client = pupil_client(app, username)
        submit_quiz(client, CHECK_URL.format("baseline"), course.checks, right_answers(course.checks))
    html = teacher.get(f"/classes/{world['class_b']}/reteach").text
    assert "Hidden: fewer than 5 pupils" in html and 'data-col="mean"' not in html
    client = pupil_client(app, "eli.f")
    submit_quiz(client, CHECK_URL.format("baseline"), course.checks, right_answers(course.checks))
    html = teacher.get(f"/classes/{world['class_b']}/reteach").text
    assert 'data-col="mean">4.0<' in html  # right_answers answers every confidence item with 4
    assert "Before the course" in html


def test_reteach_lists_most_missed_first_and_topic_gain(app, world, course, activity):
    teacher = staff_client(app, "teach@hill.test")
    html = teacher.get(f"/classes/{world['class_b']}/reteach").text
    shares = [int(s) for s in re.findall(r'data-col="share">(\d+)%', html)]
    assert shares == sorted(shares) and shares[0] == 50  # Ben got lesson 1 wrong at first, Ava right
    # Ava: baseline all wrong, final all right -> every topic gains 100 points.
    gains = re.findall(r'data-col="gain">([^<]+)<', html)
    assert gains and all(g == "+100" for g in gains)


def test_reports_form_downloads_a_class_csv(app, world, activity):
    teacher = staff_client(app, "teach@hill.test")
    form = teacher.get(f"/reports?class_id={world['class_b']}")
    assert form.status_code == 200 and "Whole school" not in form.text
    assert f'<option selected value="{world["class_b"]}">' in form.text
    # Built by the job worker, a class's CSV too: the request only queues it (report_by_job checks the 303).
    response = report_by_job(app, teacher, {"scope": str(world["class_b"]), "format": "csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert re.search(r"filename=progress-9B-\d{8}-\d{4}\.csv", disposition)
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 7


@pytest.mark.parametrize("fmt,check", [("xlsx", b"PK"), ("pdf", b"%PDF")])
def test_reports_form_other_formats(app, world, fmt, check):
    teacher = staff_client(app, "teach@hill.test")
    response = report_by_job(app, teacher, {"scope": str(world["class_b"]), "format": fmt})
    assert response.status_code == 200 and response.data.startswith(check)


def test_reports_scope_access(app, world):
    teacher = staff_client(app, "teach@hill.test")
    for class_id in (world["class_c"], world["valley_class"]):
        assert teacher.post("/reports", data={"scope": str(class_id), "format": "csv"}).status_code == 404
    assert teacher.post("/reports", data={"scope": "school", "format": "csv"}).status_code == 404
    admin = staff_client(app, "admin@hill.test")
    assert "Whole school" in admin.get("/reports").text
    assert admin.post("/reports", data={"scope": str(world["valley_class"]), "format": "csv"}).status_code == 404
    whole = report_by_job(app, admin, {"scope": "school:online-blackmail-11-13", "format": "csv"})
    assert whole.status_code == 200 and "progress-whole-school-" in whole.headers["Content-Disposition"]
    assert pupil_client(app, "ava.b").get("/reports").status_code == 403


def test_reports_rejects_an_inverted_date_range_and_keeps_what_was_typed(app, world):
    teacher = staff_client(app, "teach@hill.test")
    data = {"scope": str(world["class_b"]), "format": "xlsx", "date_from": "2026-03-10", "date_to": "2026-03-01"}
    response = teacher.post("/reports", data=data)
    assert response.status_code == 400
    assert "before the ‘From’ date" in response.text
    assert 'value="2026-03-10"' in response.text and 'value="2026-03-01"' in response.text
    assert (
        'value="xlsx" checked' in response.text
        or 'checked type="radio" value="xlsx"' in response.text
        or re.search(r'<input[^>]*checked[^>]*value="xlsx"', response.text)
    )
    bad = teacher.post("/reports", data=dict(data, date_from="10/03/2026", date_to=""))
    assert bad.status_code == 400 and "Enter a date such as 2026-11-21" in bad.text


def test_large_reports_are_built_in_the_background(app, world, activity):
    app.config["REPORT_BACKGROUND_ABOVE"] = {"csv": 0, "xlsx": 0, "pdf": 0}
    admin = staff_client(app, "admin@hill.test")
    response = admin.post("/reports", data={"scope": "school:online-blackmail-11-13", "format": "xlsx"})
    assert response.status_code == 303
    job_url = response.headers["Location"]
    assert "job-progress.js" in admin.get(job_url).text  # queued: the page follows the job's progress
    assert run_pending(app.extensions["huey"]) >= 1  # the job worker builds it
    page = admin.get(job_url)
    assert "job-progress.js" not in page.text and "data-job-running" not in page.text
    assert "Your report is ready" in page.text
    assert admin.get(f"{job_url}/status").json == {"status": "done", "progress": 100}
    download = admin.get(f"{job_url}/download")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.data))
    assert len(list(book["Progress grid"].values)) == 8  # header and seven pupils
    # Only the school (and, for a teacher, their own jobs) can see it.
    assert staff_client(app, "teach@valley.test").get(job_url).status_code == 404
    assert staff_client(app, "teach@valley.test").get(f"{job_url}/download").status_code == 404
    assert staff_client(app, "teach@hill.test").get(job_url).status_code == 404
    assert staff_client(app, "dsl@hill.test").get(job_url).status_code == 200


def test_job_page_before_it_finishes_offers_a_refresh_link(app, db, world):
    from progress.queries import create_job, set_job_progress

    class Teacher:
        id, school_id = world["teacher"], world["hill"]

    job_id = create_job(db, Teacher, Scope(world["hill"], world["class_b"], "9B"), "pdf", Period())
    set_job_progress(db, job_id, 40)
    html = staff_client(app, "teach@hill.test").get(f"/reports/{job_id}").text
    assert 'value="40"' in html and "Check again" in html
    # Progress without a timed reload (WCAG 2.2.1): a script follows it, "Check again" works without one.
    assert "data-job-running" in html and "job-progress.js" in html and "http-equiv" not in html


# ---------------------------------------------------------------- certificates


def make_class_certificates(app, teacher, class_id):
    """Ask for the class's certificates PDF, run the job worker's jobs; the job page's URL."""
    asked = teacher.get(f"/classes/{class_id}/certificates.pdf")
    assert asked.status_code == 200 and "Make the PDF" in asked.text
    job_url = teacher.post(f"/classes/{class_id}/certificates.pdf").headers["Location"]
    assert job_url.startswith("/reports/")
    run_pending(app.extensions["huey"])
    return job_url


def test_class_certificates_merge_one_page_each(app, world, course, activity):
    finish_course(pupil_client(app, "ben.c"), course)
    teacher = staff_client(app, "teach@hill.test")
    job_url = make_class_certificates(app, teacher, world["class_b"])
    page = teacher.get(job_url).text
    assert "Certificates of 9B" in page and "certificates-9B.pdf" in page and "http-equiv" not in page
    response = teacher.get(f"{job_url}/download")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Ava Brown" in text and "Ben Clark" in text


def test_class_certificates_are_made_by_the_job_worker_with_progress(app, db, world, activity):
    teacher = staff_client(app, "teach@hill.test")
    job_url = teacher.post(f"/classes/{world['class_b']}/certificates.pdf").headers["Location"]
    waiting = teacher.get(job_url).text  # nothing merged in the request: the page follows the job's progress
    assert "data-job-running" in waiting and "job-progress.js" in waiting and "http-equiv" not in waiting
    assert "waiting to be made" in waiting and 'value="0"' in waiting
    assert teacher.get(f"{job_url}/download").status_code == 404
    # Another teacher of the school cannot see it; the school's DSL can.
    assert staff_client(app, "other@hill.test").get(job_url).status_code == 404
    assert staff_client(app, "dsl@hill.test").get(job_url).status_code == 200
    run_pending(app.extensions["huey"])
    row = db.execute("SELECT kind, status, progress FROM report_jobs").fetchone()
    assert tuple(row) == ("certificates", "done", 100)


def test_class_certificates_revoked_before_the_job_runs_fail_with_a_message(app, db, world, activity):
    teacher = staff_client(app, "teach@hill.test")
    job_url = teacher.post(f"/classes/{world['class_b']}/certificates.pdf").headers["Location"]
    with write_transaction(db):
        db.execute("UPDATE certificates SET revoked_at = '2026-01-01T00:00:00+00:00'")
    run_pending(app.extensions["huey"])
    page = teacher.get(job_url).text
    assert "No pupil in the class holds a certificate now" in page and "Back to the class" in page


def test_class_certificates_without_any_redirects_with_a_message(app, world):
    teacher = staff_client(app, "teach@hill.test")
    response = teacher.get(f"/classes/{world['class_b']}/certificates.pdf", follow_redirects=True)
    assert "No pupil in 9B holds a certificate yet." in response.text


def test_revoke_then_reissue_and_the_verify_page_says_revoked(app, db, world, course, activity):
    teacher = staff_client(app, "teach@hill.test")
    ava = world["pupils"]["ava.b"]
    old = db.execute("SELECT id, code FROM certificates WHERE pupil_id = ?", [ava]).fetchone()
    base = f"/classes/{world['class_b']}/pupils/{ava}/certificates"
    # No reason: nothing changes.
    empty = teacher.post(f"{base}/{old[0]}/revoke", data={"reason": "  "}, follow_redirects=True)
    assert "Say why the certificate is being revoked." in empty.text
    assert "Valid." in app.test_client().get(f"/verify/{old[1]}").text
    # Another school's teacher cannot.
    valley = staff_client(app, "teach@valley.test")
    assert valley.post(f"{base}/{old[0]}/revoke", data={"reason": "x"}).status_code == 404
    revoked = teacher.post(f"{base}/{old[0]}/revoke", data={"reason": "Name spelt wrongly"})
    assert revoked.status_code == 303
    row = db.execute(
        "SELECT revoked_at, revoked_reason, revoked_by FROM certificates WHERE id = ?", [old[0]]
    ).fetchone()
    assert row[0] and row[1] == "Name spelt wrongly" and row[2] == world["teacher"]
    assert "Revoked." in app.test_client().get(f"/verify/{old[1]}").text
    assert old[1] not in teacher.get(f"/classes/{world['class_b']}/progress").text
    assert teacher.post(f"{base}/{old[0]}/revoke", data={"reason": "again"}).status_code == 404
    # The new certificate is rendered by the job worker: the click leads to its job page.
    job_url = teacher.post(f"{base}/reissue").headers["Location"]
    assert "The new certificate is waiting to be made." in teacher.get(job_url).text
    assert (
        db.execute("SELECT count(*) FROM certificates WHERE pupil_id = ? AND revoked_at IS NULL", [ava]).fetchone()[0]
        == 0
    )  # nothing rendered in the web request
    run_pending(app.extensions["huey"])
    reissued = teacher.get(job_url)
    new_code = db.execute("SELECT code FROM certificates WHERE pupil_id = ? AND revoked_at IS NULL", [ava]).fetchone()[
        0
    ]
    assert new_code != old[1] and "A new certificate was issued:" in reissued.text and new_code in reissued.text
    download = teacher.get(re.search(r'href="([^"]+/download)"', reissued.text).group(1))
    assert download.data.startswith(b"%PDF") and new_code in download.headers["Content-Disposition"]
    assert "Valid." in app.test_client().get(f"/verify/{new_code}").text
    assert "Revoked." in app.test_client().get(f"/verify/{old[1]}").text
    assert new_code in teacher.get(f"/classes/{world['class_b']}/progress").text
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE staff_id = ?", [world["teacher"]])]
    assert actions == ["certificate-revoke", "certificate-reissue"]


def test_reissue_refused_while_a_certificate_is_held_or_not_earned(app, db, world, activity):
    teacher = staff_client(app, "teach@hill.test")
    for username in ("ava.b", "ben.c"):
        pupil = world["pupils"][username]
        teacher.post(f"/classes/{world['class_b']}/pupils/{pupil}/certificates/reissue")
        run_pending(app.extensions["huey"])
        count = db.execute("SELECT count(*) FROM certificates WHERE pupil_id = ?", [pupil]).fetchone()[0]
        assert count == (1 if username == "ava.b" else 0)


def test_a_reissue_clicked_twice_issues_one_certificate_and_its_page_is_the_teacher_s_own(app, db, world, activity):
    teacher = staff_client(app, "teach@hill.test")
    ava = world["pupils"]["ava.b"]
    base = f"/classes/{world['class_b']}/pupils/{ava}/certificates"
    old = db.execute("SELECT id FROM certificates WHERE pupil_id = ?", [ava]).fetchone()[0]
    assert teacher.post(f"{base}/{old}/revoke", data={"reason": "Name spelt wrongly"}).status_code == 303
    first, second = (teacher.post(f"{base}/reissue").headers["Location"] for _ in range(2))
    run_pending(app.extensions["huey"])
    current = db.execute("SELECT code FROM certificates WHERE pupil_id = ? AND revoked_at IS NULL", [ava]).fetchall()
    assert len(current) == 1  # the second job found the first one's certificate
    assert all(current[0][0] in teacher.get(url).text for url in (first, second))
    audits = db.execute("SELECT count(*) FROM audit_log WHERE action = 'certificate-reissue'").fetchone()[0]
    assert audits == 1
    assert staff_client(app, "teach@valley.test").get(first).status_code == 404  # another school's teacher
    assert teacher.get(first.replace(f"/pupils/{ava}/", f"/pupils/{world['pupils']['ben.c']}/")).status_code == 404


def test_revoke_needs_the_csrf_token(app, db, world, activity):
    teacher = staff_client(app, "teach@hill.test")
    app.config["WTF_CSRF_ENABLED"] = True
    ava = world["pupils"]["ava.b"]
    cert_id = db.execute("SELECT id FROM certificates WHERE pupil_id = ?", [ava]).fetchone()[0]
    response = teacher.post(f"/classes/{world['class_b']}/pupils/{ava}/certificates/{cert_id}/revoke",
                            data={"reason": "no token"})  # fmt: skip
    assert response.status_code in (303, 400)
    assert db.execute("SELECT revoked_at FROM certificates WHERE id = ?", [cert_id]).fetchone()[0] is None


def test_reteach_for_matches_dashboard_scope(db, course, world, activity):
    questions, topics, _ = reteach_for(db, course, class_scope(world))
    lesson_one_first = [s for s in questions if s.quiz_title == course.lessons[0].title]
    # Ava and Ben took lesson 1; Ben's first attempt was wrong: each question 1 of 2 at most.
    assert all(s.answered == 2 for s in lesson_one_first)


def test_the_collector_is_paused_only_inside_the_block_and_left_as_found():
    import gc

    assert gc.isenabled()
    with dashboard.collector_paused():
        assert not gc.isenabled()
        with dashboard.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves it off for the outer one
    assert gc.isenabled()
