"""The class progress grid: pure rules over the rows the pupils' own pages use. No Flask here.

A pupil's lesson status comes from training.progress.lesson_states, the same function the
pupil's course page calls, so the teacher and the pupil always see the same thing.
"""

import contextlib
import gc
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

from quizzes.shuffle import ordered_options
from training.progress import COMPLETE, IN_PROGRESS, NOT_STARTED, lesson_states

STATUS_RANK = {NOT_STARTED: 0, IN_PROGRESS: 1, COMPLETE: 2}
# Columns the grid can be sorted by, besides each lesson's id.
SORT_KEYS = ("name", "baseline", "final", "complete", "last-active", "certificate")
DEFAULT_SORT = "name"


class PupilProgress(NamedTuple):
    """One row of the grid (a named tuple: a whole school's report makes thousands)."""

    pupil_id: int
    first_name: str
    last_name: str
    classes: str  # class names, for whole-school reports
    lessons: tuple  # LessonState per lesson, in course order
    baseline: int | None  # best percent in the baseline check
    final: int | None  # best percent in the final check
    last_active: str | None  # ISO timestamp (UTC)
    certificate: str | None  # the current certificate's code

    @property
    def name(self):
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def complete(self):
        """How many lessons are complete."""
        return sum(1 for s in self.lessons if s.status == COMPLETE)

    @property
    def started(self):
        """Whether the pupil has done anything at all: opened a lesson or taken a check."""
        return any(s.status != NOT_STARTED for s in self.lessons) or self.baseline is not None or self.final is not None

    def state(self, lesson_id):
        """The LessonState for one lesson."""
        return next(s for s in self.lessons if s.lesson.id == lesson_id)


@dataclass(frozen=True)
class LessonTotal:
    """How a class is doing on one lesson."""

    lesson: object
    complete: int
    in_progress: int
    not_started: int


@dataclass(frozen=True)
class Grid:
    """The whole grid: lessons, a row per pupil, totals per lesson."""

    lessons: tuple
    rows: tuple
    totals: tuple

    @property
    def not_started(self):
        """Pupils who have not opened a lesson or taken a check yet."""
        return tuple(r for r in self.rows if not r.started)

    @property
    def finished(self):
        """Pupils who have completed every lesson."""
        return sum(1 for r in self.rows if r.complete == len(self.lessons))

    @property
    def certificates(self):
        """How many pupils hold a current certificate."""
        return sum(1 for r in self.rows if r.certificate)

    @property
    def final_done(self):
        """How many pupils have taken the final check."""
        return sum(1 for r in self.rows if r.final is not None)


def build_grid(course, pupils, progress_rows, summary_rows, certificates, taught_rows=()):
    """The grid for `pupils` (dicts: id, first_name, last_name, last_active_at, classes).

    `progress_rows` are lesson_progress rows and `summary_rows` the per-pupil quiz summaries
    (pupil_id, key, best_percent, passed, attempts), both possibly for other pupils too;
    `certificates` maps pupil id to the current certificate code; `taught_rows` (pupil_id, lesson_id,
    taught_on) the first day each lesson was taught live with the pupil there.
    """
    rows = tuple(pupil_rows(course, pupils, progress_rows, summary_rows, certificates, taught_rows))
    totals = tuple(
        LessonTotal(
            lesson=lesson,
            complete=sum(1 for r in rows if r.lessons[i].status == COMPLETE),
            in_progress=sum(1 for r in rows if r.lessons[i].status == IN_PROGRESS),
            not_started=sum(1 for r in rows if r.lessons[i].status == NOT_STARTED),
        )
        for i, lesson in enumerate(course.lessons)
    )
    return Grid(lessons=tuple(course.lessons), rows=rows, totals=totals)


def pupil_rows(course, pupils, progress_rows, summary_rows, certificates, taught_rows=()):
    """The grid's rows one by one, in the order of `pupils` (which may be a cursor still being read).

    The other rows are grouped by pupil first; then each pupil's row is made as it is read.
    """
    progress, summaries, taught = {}, {}, {}
    with collector_paused():
        for row in progress_rows:
            progress.setdefault(row["pupil_id"], {})[row["lesson_id"]] = row
        for row in summary_rows:
            summaries.setdefault(row["pupil_id"], {})[row["key"]] = row
        for row in taught_rows:
            taught.setdefault(row["pupil_id"], {})[row["lesson_id"]] = (row["taught_on"], not row["on_device"])
    for pupil in pupils:
        own = summaries.get(pupil["id"], {})
        yield PupilProgress(
            pupil_id=pupil["id"],
            first_name=pupil["first_name"],
            last_name=pupil["last_name"] or "",
            classes=pupil.get("classes") or "",
            lessons=tuple(lesson_states(course, progress.get(pupil["id"], {}), own, taught.get(pupil["id"]))),
            baseline=own["baseline"]["best_percent"] if "baseline" in own else None,
            final=own["final"]["best_percent"] if "final" in own else None,
            last_active=pupil.get("last_active_at"),
            certificate=certificates.get(pupil["id"]),
        )


@contextlib.contextmanager
def collector_paused():
    """Python's cycle collector off for a block that keeps many new objects and frees none (reference counting
    still frees as usual). Each full collection walks every live object, so while a whole school's rows were
    grouped the collections cost more the larger the school: a 20,000-pupil report took half as long again per
    pupil as a 2,000-pupil one (measured here). Nested use leaves the collector as it found it."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


class LastUsed:
    """A small thread-safe store that forgets the least recently used entry beyond `size`."""

    def __init__(self, size):
        self.size = size
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The value kept for `key`, or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value):
        """Keep `value` for `key`, forgetting the oldest entry if full."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def parse_sort(value, lesson_ids):
    """('key', descending) from a ?sort= value such as 'final' or '-final'; unknown -> name."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.removeprefix("-")
    if key not in SORT_KEYS and key not in lesson_ids:
        return DEFAULT_SORT, False
    return key, descending


def sort_rows(rows, key, descending=False):
    """The rows sorted by a column; empty values (no score, never active) always go last."""

    def name_key(row):
        return (row.last_name.casefold(), row.first_name.casefold(), row.pupil_id)

    def value(row):
        if key == "name":
            return name_key(row)
        if key == "baseline":
            return row.baseline
        if key == "final":
            return row.final
        if key == "complete":
            return row.complete
        if key == "last-active":
            return row.last_active
        if key == "certificate":
            return row.certificate
        state = row.state(key)
        return (STATUS_RANK[state.status], state.best_percent or 0)

    by_name = sorted(rows, key=name_key)  # ties keep name order
    present = [r for r in by_name if value(r) is not None]
    empty = [r for r in by_name if value(r) is None]
    return sorted(present, key=value, reverse=descending) + empty


def response_text(question, response, order=None):
    """A stored response in words, chosen options in the order the pupil saw them; '' if the question is gone."""
    if question is None:
        return ""
    if question.type == "order":
        placed = sorted(response.items(), key=lambda item: int(item[1]))
        texts = [question.option(option_id) for option_id, _ in placed]
        return " → ".join(o.text for o in texts if o) or "No order given"
    chosen = {response} if isinstance(response, str) else {str(r) for r in response}
    texts = [o.text for o in ordered_options(question, order) if o.id in chosen]
    return "; ".join(texts) or "Nothing chosen"
