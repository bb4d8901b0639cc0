"""The evidence pack: for each RSHE statement, which classes were taught it, when, and how many pupils;
and for a class, what it learned (baseline to final check, topic by topic, with an honest margin).

Pure rules over completion records, no Flask or database. A class was taught a statement when the route
it follows has a lesson naming the statement (the curriculum map, training/curriculum.py). A pupil of the
class has been taught it when they completed at least one of those lessons. Every count goes through the
small-number rule (small_numbers.py), and no pupil is named: the pack is for governors and inspectors.

When a class is taught a lesson live (together, with its teacher), `live` holds the day for that class and
lesson, and the pack says "taught live on <day>"; until then it says when pupils completed it on their own.
"""

import math
from dataclasses import dataclass
from datetime import date

from dates import day, uk_day
from small_numbers import Figure, count


@dataclass(frozen=True)
class ClassTaught:
    """One class's evidence for one statement."""

    class_id: int
    class_name: str
    route_label: str
    lessons: tuple  # the lessons of the class's route that teach the statement (training Lesson objects)
    live_days: tuple[date, ...]  # the days it was taught live, if any (live lessons someone took part in)
    first_day: date | None  # the first and latest day a pupil completed one of those lessons
    last_day: date | None
    pupils: Figure  # pupils of the class who completed at least one of them
    class_size: Figure

    @property
    def days_shown(self):
        """The completion days are shown only when the pupils behind them are not too few to show."""
        return self.first_day is not None and not self.pupils.hidden

    @property
    def taught(self):
        """Whether the class's route teaches the statement at all."""
        return bool(self.lessons)

    @property
    def when(self):
        """When, in words: 'Taught live on 12 May 2026', 'Completed on their own between 3 Mar 2026 and ...'."""
        parts = []
        if self.live_days:
            parts.append("Taught live on " + ", ".join(day(d.isoformat()) for d in self.live_days))
        if self.days_shown:
            if self.first_day == self.last_day:
                parts.append(f"Completed on their own on {day(self.first_day.isoformat())}")
            else:
                first, last = day(self.first_day.isoformat()), day(self.last_day.isoformat())
                parts.append(f"Completed on their own between {first} and {last}")
        elif self.first_day and not self.live_days:
            parts.append("Completed on their own (dates not shown)")
        if not parts:
            return "Not yet" if self.taught else ""
        return "; ".join(parts)

    @property
    def lessons_text(self):
        """'Lesson 1: What is online blackmail?; Lesson 5: ...', or that the route does not teach it."""
        return "; ".join(f"Lesson {lesson.number}: {lesson.title}" for lesson in self.lessons) or (
            "Not taught on this route"
        )


@dataclass(frozen=True)
class StatementEvidence:
    """One statement and every class's evidence for it."""

    statement: object  # training.curriculum.Statement
    classes: tuple[ClassTaught, ...]

    @property
    def classes_taught(self):
        """The classes whose route teaches it."""
        return [row for row in self.classes if row.taught]


def tally(statements, classes, completions, live=None):
    """The raw counts behind the pack, before any rule: {(statement id, class id): Cell}.

    `classes`: dicts with id and course (its training Course). `completions`: (class_id, pupil_id, lesson_id,
    completed day) for each lesson a pupil of the class completed. `live`: {(class_id, lesson_id): [day, ...]}
    from the live lesson, when there is one. Only statements a class's route teaches have a cell.
    """
    live = live or {}
    done = {}  # (class_id, lesson_id) -> {pupil_id: completed day}
    for class_id, pupil_id, lesson_id, completed in completions:
        done.setdefault((class_id, lesson_id), {})[pupil_id] = completed
    cells = {}
    for statement in statements:
        for klass in classes:
            lessons = [lesson for lesson in klass["course"].lessons if statement.id in lesson.rshe]
            if not lessons:
                continue
            pupils, days, live_days = set(), [], set()
            for lesson in lessons:
                completed = done.get((klass["id"], lesson.id), {})
                pupils.update(completed)
                days.extend(completed.values())
                live_days.update(live.get((klass["id"], lesson.id), ()))
            cells[statement.id, klass["id"]] = Cell(
                len(pupils), min(days) if days else None, max(days) if days else None, tuple(sorted(live_days))
            )
    return cells


@dataclass(frozen=True)
class Cell:
    """The raw count for one statement and one class (or school): pupils, first and last day, live days."""

    pupils: int
    first_day: date | None
    last_day: date | None
    live_days: tuple[date, ...] = ()

    def as_json(self):
        """[pupils, first, last, [live days]] with ISO days, as the evidence job stores it."""
        iso = [d.isoformat() if d else None for d in (self.first_day, self.last_day)]
        return [self.pupils, *iso, [d.isoformat() for d in self.live_days]]

    @classmethod
    def from_json(cls, cells):
        """A Cell from as_json's list."""
        pupils, first, last, live = cells
        read = date.fromisoformat
        return cls(pupils, read(first) if first else None, read(last) if last else None, tuple(map(read, live)))


def pack_from(statements, classes, cells, minimum):
    """The evidence pack from `tally`'s cells: a StatementEvidence per statement, in the statements file's order.

    `classes`: dicts with id, name, course and pupils (active pupils in it). The small-number rule runs here,
    so a stored tally is shown under today's minimum."""
    pack = []
    for statement in statements:
        rows = []
        for klass in classes:
            lessons = tuple(lesson for lesson in klass["course"].lessons if statement.id in lesson.rshe)
            cell = cells.get((statement.id, klass["id"])) or Cell(0, None, None)
            rows.append(
                ClassTaught(
                    class_id=klass["id"],
                    class_name=klass["name"],
                    route_label=klass["course"].route_label,
                    lessons=lessons,
                    live_days=cell.live_days,
                    first_day=cell.first_day,
                    last_day=cell.last_day,
                    pupils=count(cell.pupils, minimum),
                    class_size=count(klass["pupils"], minimum),
                )
            )
        pack.append(StatementEvidence(statement=statement, classes=tuple(rows)))
    return pack


def build_pack(statements, classes, completions, minimum, live=None):
    """The evidence pack straight from completion records (a class's page): `tally`, then `pack_from`."""
    return pack_from(statements, classes, tally(statements, classes, completions, live), minimum)


def tally_json(classes, cells):
    """What the evidence job stores for a school: its classes (no pupils) and each cell's raw counts."""
    keep = ("id", "name", "course_id", "year_group", "pupils")
    return {
        "classes": [{key: klass[key] for key in keep} for klass in classes],
        "cells": [[statement_id, class_id, *cell.as_json()] for (statement_id, class_id), cell in cells.items()],
    }


def cells_from_json(rows):
    """tally_json's (or trust_tally_json's) cells back as {(statement id, class or school id): Cell}."""
    return {(row[0], row[1]): Cell.from_json(row[2:]) for row in rows}


CSV_HEADER = (
    "Statement", "Statement wording", "Topic", "Paragraph", "Class", "Route", "Taught in", "When",
    "Pupils who completed a lesson on it", "Pupils in the class",
)  # fmt: skip


def csv_rows(pack):
    """The pack as CSV rows (a header, then a row per statement and class), in the screen's words."""
    yield CSV_HEADER
    for item in pack:
        statement = item.statement
        paragraph = str(statement.paragraph) if statement.paragraph else "to be checked"
        for row in item.classes:
            yield (
                statement.id, statement.wording, statement.topic.label, paragraph, row.class_name, row.route_label,
                row.lessons_text, row.when, row.pupils.text, row.class_size.text,
            )  # fmt: skip


# ---------------------------------------------------------------- a trust's pack

# A trust's pack stops at the school: which schools taught each statement and how many of their pupils completed
# a lesson on it. No class and no pupil is named (the trust lead sees figures only, as the trust figures are).


@dataclass(frozen=True)
class SchoolTaught:
    """One school's evidence for one statement, in a trust's pack."""

    school_id: int
    school_name: str
    routes: tuple[str, ...]  # labels of the school's routes (those its classes follow) that teach the statement
    first_day: date | None
    last_day: date | None
    pupils: Figure  # pupils of the school who completed at least one lesson teaching it
    school_size: Figure

    @property
    def taught(self):
        """Whether a route the school's classes follow teaches the statement."""
        return bool(self.routes)

    @property
    def when(self):
        """When pupils completed a lesson on it, in words; days only when the pupils behind them are enough."""
        if self.first_day is None:
            return "Not yet" if self.taught else ""
        if self.pupils.hidden:
            return "Completed (dates not shown)"
        first, last = day(self.first_day.isoformat()), day(self.last_day.isoformat())
        return f"Completed on {first}" if first == last else f"Completed between {first} and {last}"

    @property
    def routes_text(self):
        """'ages 11 to 13; ages 14 to 18', or that none of the school's routes teaches it."""
        return "; ".join(self.routes) or "Not taught on the school's routes"


@dataclass(frozen=True)
class TrustStatement:
    """One statement and every school's evidence for it."""

    statement: object
    schools: tuple[SchoolTaught, ...]

    @property
    def schools_taught(self):
        """The schools with a route that teaches it."""
        return [row for row in self.schools if row.taught]


def trust_tally(statements, courses, completions):
    """A trust's raw counts per statement and school: {(statement id, school id): Cell}.

    `courses`: {course id: Course}. `completions`: (school_id, pupil_id, course_id, lesson_id, completed_at as
    stored) for each lesson a pupil of the trust's schools completed; the day is read only for the first and
    last of each cell (a UTC timestamp's order is its UK day's order)."""
    wanted = {statement.id for statement in statements}
    teaches = {
        (course.id, lesson.id): [s for s in lesson.rshe if s in wanted]
        for course in courses.values()
        for lesson in course.lessons
    }
    pupils, first, last = {}, {}, {}
    for school_id, pupil_id, course_id, lesson_id, completed in completions:
        for statement_id in teaches.get((course_id, lesson_id), ()):
            key = (statement_id, school_id)
            pupils.setdefault(key, set()).add(pupil_id)
            if key not in first or completed < first[key]:
                first[key] = completed
            if key not in last or completed > last[key]:
                last[key] = completed
    return {key: Cell(len(ids), uk_day(first[key]), uk_day(last[key])) for key, ids in pupils.items()}


def trust_tally_json(schools, cells):
    """What the evidence job stores for a trust: its schools (id, name, pupils, routes in use) and the cells."""
    keep = ("school_id", "name", "pupils", "course_ids")
    return {
        "schools": [{key: school[key] for key in keep} for school in schools],
        "cells": [[statement_id, school_id, *cell.as_json()] for (statement_id, school_id), cell in cells.items()],
    }


def trust_pack_from(statements, courses, schools, cells, minimum):
    """A trust's pack: a TrustStatement per statement, every school of the trust by name, small numbers hidden."""
    pack = []
    for statement in statements:
        rows = []
        for school in schools:
            routes = tuple(
                courses[course_id].route_label
                for course_id in school["course_ids"]
                if course_id in courses and any(statement.id in lesson.rshe for lesson in courses[course_id].lessons)
            )
            cell = cells.get((statement.id, school["school_id"])) or Cell(0, None, None)
            rows.append(
                SchoolTaught(
                    school_id=school["school_id"], school_name=school["name"], routes=routes,
                    first_day=cell.first_day, last_day=cell.last_day, pupils=count(cell.pupils, minimum),
                    school_size=count(school["pupils"], minimum),
                )
            )  # fmt: skip
        pack.append(TrustStatement(statement=statement, schools=tuple(rows)))
    return pack


TRUST_CSV_HEADER = (
    "Statement", "Statement wording", "Topic", "Paragraph", "School", "Routes teaching it", "When",
    "Pupils who completed a lesson on it", "Pupils at the school",
)  # fmt: skip


def trust_csv_rows(pack):
    """A trust's pack as CSV rows (a header, then a row per statement and school), in the screen's words."""
    yield TRUST_CSV_HEADER
    for item in pack:
        statement = item.statement
        paragraph = str(statement.paragraph) if statement.paragraph else "to be checked"
        for row in item.schools:
            yield (
                statement.id, statement.wording, statement.topic.label, paragraph, row.school_name, row.routes_text,
                row.when, row.pupils.text, row.school_size.text,
            )  # fmt: skip


# ---------------------------------------------------------------- what the class learned

# A rough, cautious 95% margin for a change in percent correct between two checks over n pupils: the margin of
# a difference of two proportions at 50% (the widest), 1.96 * sqrt(0.25/n + 0.25/n) = 1.39 / sqrt(n). The real
# margin is smaller (the same pupils answer both, several questions per topic); this errs on the side of saying
# "may be chance". 30 pupils: about 25 points; 200: about 10.
MARGIN_FACTOR = 139


def margin_points(pupils):
    """The rough 95% margin, in percentage points, of a gain measured on `pupils` pupils (None for none)."""
    return math.ceil(MARGIN_FACTOR / math.sqrt(pupils)) if pupils else None


@dataclass(frozen=True)
class TopicLearning:
    """One topic's baseline, final check and re-check, with the pupils behind them and the margin."""

    title: str
    pupils: Figure  # pupils who took the baseline and the final check
    baseline: int | None
    final: int | None
    gain: int | None
    margin: int | None
    recheck_pupils: Figure  # pupils who took the final check and the re-check
    recheck: int | None
    kept: int | None

    @property
    def hidden(self):
        """Too few pupils took both checks for the figures to mean anything (or to be shown safely)."""
        return self.pupils.hidden

    @property
    def meaningful(self):
        """Whether the gain is larger than its margin: more than chance could give."""
        return self.gain is not None and self.margin is not None and abs(self.gain) > self.margin


def learning(topics, minimum):
    """TopicLearning for each of the progress part's TopicGain rows, with the small-number rule applied."""
    return [
        TopicLearning(
            title=t.title, pupils=count(t.pupils, minimum), baseline=t.baseline, final=t.final, gain=t.gain,
            margin=margin_points(t.pupils), recheck_pupils=count(t.recheck_pupils, minimum), recheck=t.recheck,
            kept=t.kept,
        )
        for t in topics
    ]  # fmt: skip
