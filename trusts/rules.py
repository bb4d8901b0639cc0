"""A trust's figures across its schools: pure rules over per-school counts. No Flask here.

A trust lead sees figures, never a pupil: every number is a count of a school's pupils or an average
over them, with the small-number rule (small_numbers.py) applied to each.
"""

from dataclasses import dataclass

from progress.reteach import question_stats
from small_numbers import Figure, average, count  # the small-number rule, shared with the evidence pack

# Most-missed questions shown across the trust.
TOP_QUESTIONS = 5


@dataclass(frozen=True)
class Total:
    """A column's total across the trust. When a school's cell in the column is suppressed, the total
    says "at least" the sum of the shown cells: the exact total less the shown cells would give the
    suppressed number back."""

    exact: int
    shown: int
    any_hidden: bool
    minimum: int

    @property
    def text(self):
        """'1,200', 'at least 1,150', or 'fewer than 5 in each school'."""
        if not self.any_hidden:
            return f"fewer than {self.minimum}" if self.exact < self.minimum else f"{self.exact:,}"
        if self.shown == 0:
            return f"fewer than {self.minimum} in each school"
        return f"at least {self.shown:,}"


def column_total(figures, minimum):
    """The Total of a column of count Figures."""
    figures = list(figures)
    return Total(
        exact=sum(f.value or 0 for f in figures),
        shown=sum(f.value or 0 for f in figures if not f.hidden),
        any_hidden=any(f.hidden for f in figures),
        minimum=minimum,
    )


@dataclass(frozen=True)
class SchoolRow:
    """One school's row of the trust's table: figures only."""

    school_id: int
    name: str
    pupils: Figure
    started: Figure
    lessons: tuple  # Figure per lesson, in course order: pupils who completed it
    completed: Figure  # pupils who completed every lesson
    certificates: Figure
    baseline: Figure  # average of each pupil's best baseline check score
    final: Figure  # average of each pupil's best final check score


@dataclass(frozen=True)
class Table:
    """The trust's table: a row per school and a totals row."""

    lessons: tuple
    rows: tuple
    totals: dict  # column -> Total (counts) or Figure (averages)

    def lesson_totals(self):
        """The total for each lesson column, in course order."""
        return [self.totals[("lesson", lesson.id)] for lesson in self.lessons]


def _by_school(rows, key="n"):
    return {row["school_id"]: row[key] for row in rows}


def build_table(lessons, schools, started, lesson_rows, completed, certificates, scores, minimum):
    """The trust's table from grouped rows, each for the trust's schools only.

    `schools`: (school_id, name, pupils); `started`, `completed`, `certificates`: (school_id, n);
    `lesson_rows`: (school_id, lesson_id, n); `scores`: (school_id, phase, pupils, total) where
    total is the sum of each pupil's best percent in that check.
    """
    started, completed, certificates = _by_school(started), _by_school(completed), _by_school(certificates)
    per_lesson = {(r["school_id"], r["lesson_id"]): r["n"] for r in lesson_rows}
    score = {(r["school_id"], r["phase"]): (r["total"], r["pupils"]) for r in scores}
    rows = []
    for school in sorted(schools, key=lambda s: (s["name"].casefold(), s["school_id"])):
        sid = school["school_id"]
        rows.append(
            SchoolRow(
                school_id=sid,
                name=school["name"],
                pupils=count(school["pupils"], minimum),
                started=count(started.get(sid, 0), minimum),
                lessons=tuple(count(per_lesson.get((sid, lesson.id), 0), minimum) for lesson in lessons),
                completed=count(completed.get(sid, 0), minimum),
                certificates=count(certificates.get(sid, 0), minimum),
                baseline=average(*score.get((sid, "baseline"), (0, 0)), minimum),
                final=average(*score.get((sid, "final"), (0, 0)), minimum),
            )
        )
    totals = {
        name: column_total((getattr(r, name) for r in rows), minimum)
        for name in ("pupils", "started", "completed", "certificates")
    }
    for i, lesson in enumerate(lessons):
        totals[("lesson", lesson.id)] = column_total((r.lessons[i] for r in rows), minimum)
    # Averages across the trust: over every pupil of every school. Without each school's number of
    # pupils behind its average (never shown) a hidden school's average cannot be worked back out.
    for phase in ("baseline", "final"):
        total = sum(t for (_, p), (t, _) in score.items() if p == phase)
        pupils = sum(n for (_, p), (_, n) in score.items() if p == phase)
        totals[phase] = average(total, pupils, minimum)
    return Table(lessons=tuple(lessons), rows=tuple(rows), totals=totals)


def csv_rows(table):
    """The same table as rows for a CSV: a header, a row per school, the totals; the screen's words for hidden cells."""
    header = ["School", "Pupils", "Started"]
    header += [f"Lesson {lesson.number} complete" for lesson in table.lessons]
    header += ["Completed every lesson", "Certificates", "Baseline check average", "Final check average"]
    yield header
    for row in table.rows:
        yield [
            row.name,
            row.pupils.text,
            row.started.text,
            *(f.text for f in row.lessons),
            row.completed.text,
            row.certificates.text,
            row.baseline.text,
            row.final.text,
        ]
    t = table.totals
    yield [
        "All schools in the trust",
        t["pupils"].text,
        t["started"].text,
        *(total.text for total in table.lesson_totals()),
        t["completed"].text,
        t["certificates"].text,
        t["baseline"].text,
        t["final"].text,
    ]


@dataclass(frozen=True)
class MostMissed:
    """A question most often missed: across the trust, or at one school."""

    stat: object  # progress.reteach.QuestionStat
    share: Figure  # percent correct at the first attempt, over the pupils who answered
    wrong_choice: str | None  # the most chosen wrong answer, only if at least `minimum` pupils chose it


def _most_missed(course, rows, minimum, limit):
    stats = [s for s in question_stats(course, rows) if s.answered >= minimum and s.correct < s.answered]
    return [
        MostMissed(
            stat=s,
            share=Figure(s.share, s.answered, minimum, percent=True),
            wrong_choice=s.wrong_choice if s.wrong_count >= minimum else None,
        )
        for s in stats[:limit]
    ]


def reteach_figures(course, schools, answer_rows, minimum, limit=TOP_QUESTIONS):
    """(most missed across the trust, {school_id: the school's most missed question or None}).

    `answer_rows` are first-attempt answers grouped by school, question, response and correctness,
    each with a count `n` (reteach.question_stats's rules, over counts). Only questions at least
    `minimum` pupils answered count, at a school and across the trust.
    """
    by_school = {}
    for row in answer_rows:
        by_school.setdefault(row["school_id"], []).append(row)
    per_school = {}
    for school in schools:
        missed = _most_missed(course, by_school.get(school["school_id"], []), minimum, 1)
        per_school[school["school_id"]] = missed[0] if missed else None
    return _most_missed(course, answer_rows, minimum, limit), per_school
