"""A trust's figures across its schools: pure rules over per-school counts. No Flask here.

A trust lead sees figures, never a pupil: every number is a count of a school's pupils or an average
over them. Small-number suppression: a figure that counts fewer than `minimum` pupils is shown as
"fewer than N" instead of the number. In a class of three a count of 1 ("1 has not started") or an
average over two pupils is close to naming someone to anyone who knows the class, and a trust lead
usually does; published statistics suppress small cells for the same reason. Zero is suppressed too:
"none of the 3 passed" says something about each of them.
"""

from dataclasses import dataclass

from progress.reteach import question_stats

# Most-missed questions shown across the trust.
TOP_QUESTIONS = 5


@dataclass(frozen=True)
class Figure:
    """One cell: a count of pupils, or an average (percent) over `pupils` pupils."""

    value: int | None
    pupils: int  # how many pupils the figure counts or averages over
    minimum: int
    percent: bool = False  # an average score, shown with '%'

    @property
    def hidden(self):
        """Too few pupils behind it to show without risk of pointing at one."""
        return self.pupils < self.minimum

    @property
    def text(self):
        """What the screen and the CSV show: '12', '64%', 'fewer than 5', or 'none yet' for an average of nobody."""
        if self.hidden:
            return f"fewer than {self.minimum}"
        if self.value is None:
            return "none yet"
        return f"{self.value}%" if self.percent else str(self.value)


def count(n, minimum):
    """A count of pupils as a Figure."""
    return Figure(n, n, minimum)


def average(total, pupils, minimum):
    """An average percent (rounded) of `pupils` pupils' scores summing to `total`."""
    return Figure(round(total / pupils) if pupils else None, pupils, minimum, percent=True)


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
