"""Trusts: the aggregate rules as plain functions: suppression, totals, the table, re-teach."""

from types import SimpleNamespace

from progress import reteach
from trusts.rules import (
    Figure,
    average,
    build_table,
    column_total,
    count,
    csv_rows,
    reteach_figures,
)

MIN = 5


def test_a_count_under_the_minimum_is_hidden_zero_too():
    assert count(4, MIN).text == "fewer than 5"
    assert count(0, MIN).text == "fewer than 5"  # "none of the 3" says something about each of them
    assert count(5, MIN).text == "5"
    assert count(1, 2).text == "fewer than 2"  # the minimum is the configured one


def test_an_average_over_too_few_pupils_is_hidden():
    assert average(4 * 90, 4, MIN).text == "fewer than 5"
    assert average(353, 5, MIN).text == "71%"  # rounded
    assert Figure(None, 7, MIN, percent=True).text == "none yet"


def test_a_total_with_a_hidden_cell_says_at_least_the_shown_cells():
    total = column_total([count(20, MIN), count(3, MIN), count(1200, MIN)], MIN)
    # The exact 1,223 less the shown 1,220 would give the hidden 3 back.
    assert (total.exact, total.text) == (1223, "at least 1,220")
    assert column_total([count(20, MIN), count(6, MIN)], MIN).text == "26"
    assert column_total([count(2, MIN), count(1, MIN)], MIN).text == "fewer than 5 in each school"


def lessons(n=2):
    return [SimpleNamespace(id=f"l{i}", number=i, title=f"Lesson {i}") for i in range(1, n + 1)]


def table(minimum=MIN):
    return build_table(
        lessons(),
        schools=[
            {"school_id": 1, "name": "Zeta Academy", "pupils": 30},
            {"school_id": 2, "name": "alpha school", "pupils": 3},
        ],
        started=[{"school_id": 1, "n": 25}, {"school_id": 2, "n": 3}],
        lesson_rows=[
            {"school_id": 1, "lesson_id": "l1", "n": 20},
            {"school_id": 1, "lesson_id": "l2", "n": 12},
            {"school_id": 2, "lesson_id": "l1", "n": 2},
        ],
        completed=[{"school_id": 1, "n": 12}],
        certificates=[{"school_id": 1, "n": 10}, {"school_id": 2, "n": 1}],
        scores=[
            {"school_id": 1, "phase": "baseline", "pupils": 20, "total": 20 * 50},
            {"school_id": 1, "phase": "final", "pupils": 10, "total": 10 * 80},
            {"school_id": 2, "phase": "baseline", "pupils": 2, "total": 2 * 20},
        ],
        minimum=minimum,
    )


def test_the_table_has_a_row_per_school_by_name_with_small_figures_hidden():
    t = table()
    assert [r.name for r in t.rows] == ["alpha school", "Zeta Academy"]  # by name, any case
    small, big = t.rows
    assert [f.text for f in (big.pupils, big.started, *big.lessons, big.completed, big.certificates)] == [
        "30", "25", "20", "12", "12", "10",
    ]  # fmt: skip
    assert (big.baseline.text, big.final.text) == ("50%", "80%")
    assert {f.text for f in (small.pupils, small.started, *small.lessons, small.completed, small.certificates)} == {
        "fewer than 5"
    }
    assert small.baseline.text == "fewer than 5"
    # Totals: hidden cells make them "at least"; the trust's averages are over every pupil.
    assert t.totals["pupils"].text == "at least 30"
    assert [x.text for x in t.lesson_totals()] == ["at least 20", "at least 12"]
    assert t.totals["baseline"].text == f"{round((1000 + 40) / 22)}%"
    assert t.totals["final"].text == "80%"


def test_a_lower_minimum_shows_the_small_school():
    small = table(minimum=2).rows[0]
    assert (small.pupils.text, small.started.text, small.baseline.text) == ("3", "3", "20%")
    assert small.certificates.text == "fewer than 2"


def test_the_csv_rows_are_the_tables_words():
    rows = list(csv_rows(table()))
    assert rows[0][:5] == ["School", "Pupils", "Started", "Lesson 1 complete", "Lesson 2 complete"]
    assert rows[1][:3] == ["alpha school", "fewer than 5", "fewer than 5"]
    assert rows[2][:3] == ["Zeta Academy", "30", "25"]
    assert rows[-1][:2] == ["All schools in the trust", "at least 30"]
    assert len({len(r) for r in rows}) == 1


# Re-teach across schools: progress/reteach.py's rules over grouped answers -------------------------
def single_question(course):
    lesson = course.lessons[0]
    question = next(q for q in lesson.quiz.marked_questions if q.type == "single")
    return lesson, question


def grouped(school_id, lesson, question, option, correct, n):
    return {"school_id": school_id, "quiz_id": lesson.id, "phase": "lesson", "question_id": question.id,
            "response": option.id, "correct": correct, "n": n}  # fmt: skip


def test_question_stats_counts_grouped_answers_as_that_many_pupils(course):
    lesson, question = single_question(course)
    wrong = next(o for o in question.options if not o.correct)
    right = next(o for o in question.options if o.correct)
    one_by_one = [grouped(1, lesson, question, wrong, 0, 1)] * 3 + [grouped(1, lesson, question, right, 1, 1)]
    as_counts = [grouped(1, lesson, question, wrong, 0, 3), grouped(1, lesson, question, right, 1, 1)]
    a, b = reteach.question_stats(course, one_by_one)[0], reteach.question_stats(course, as_counts)[0]
    assert (b.answered, b.correct, b.share, b.wrong_choice, b.wrong_count) == (4, 1, 25, wrong.text, 3)
    assert (a.answered, a.correct, a.wrong_count) == (b.answered, b.correct, b.wrong_count)


def test_reteach_figures_only_count_questions_enough_pupils_answered(course):
    lesson, question = single_question(course)
    wrong = next(o for o in question.options if not o.correct)
    right = next(o for o in question.options if o.correct)
    rows = [
        grouped(1, lesson, question, wrong, 0, 6),
        grouped(1, lesson, question, right, 1, 4),
        grouped(2, lesson, question, wrong, 0, 2),  # a school where only 3 answered
        grouped(2, lesson, question, right, 1, 1),
    ]
    missed, per_school = reteach_figures(course, [{"school_id": 1}, {"school_id": 2}, {"school_id": 3}], rows, MIN)
    assert [m.stat.question.id for m in missed] == [question.id]
    top = missed[0]
    assert (top.stat.answered, top.share.text, top.wrong_choice) == (13, f"{round(100 * 5 / 13)}%", wrong.text)
    assert per_school[1].share.text == "40%"
    assert per_school[2] is None and per_school[3] is None  # too few answers; no answers
    # The most chosen wrong answer is named only when at least the minimum chose it.
    assert reteach_figures(course, [], rows, 9)[0][0].wrong_choice is None
