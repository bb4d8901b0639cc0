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

from dates import day
from small_numbers import Figure, count


@dataclass(frozen=True)
class ClassTaught:
    """One class's evidence for one statement."""

    class_id: int
    class_name: str
    route_label: str
    lessons: tuple  # the lessons of the class's route that teach the statement (training Lesson objects)
    live_days: tuple[date, ...]  # the days it was taught live, if any (from the live lesson; none until it exists)
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


def build_pack(statements, classes, completions, minimum, live=None):
    """The evidence pack: a StatementEvidence per statement, in the statements file's order.

    `classes`: dicts with id, name, course (its training Course) and pupils (active pupils in it).
    `completions`: (class_id, pupil_id, lesson_id, completed day) for each lesson a pupil of the class
    completed. `live`: {(class_id, lesson_id): [day, ...]} from the live lesson, when there is one.
    """
    live = live or {}
    done = {}  # (class_id, lesson_id) -> {pupil_id: completed day}
    for class_id, pupil_id, lesson_id, completed in completions:
        done.setdefault((class_id, lesson_id), {})[pupil_id] = completed
    pack = []
    for statement in statements:
        rows = []
        for klass in classes:
            lessons = tuple(lesson for lesson in klass["course"].lessons if statement.id in lesson.rshe)
            pupils, days, live_days = set(), [], set()
            for lesson in lessons:
                completed = done.get((klass["id"], lesson.id), {})
                pupils.update(completed)
                days.extend(completed.values())
                live_days.update(live.get((klass["id"], lesson.id), ()))
            rows.append(
                ClassTaught(
                    class_id=klass["id"],
                    class_name=klass["name"],
                    route_label=klass["course"].route_label,
                    lessons=lessons,
                    live_days=tuple(sorted(live_days)),
                    first_day=min(days) if days else None,
                    last_day=max(days) if days else None,
                    pupils=count(len(pupils), minimum),
                    class_size=count(klass["pupils"], minimum),
                )
            )
        pack.append(StatementEvidence(statement=statement, classes=tuple(rows)))
    return pack


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
