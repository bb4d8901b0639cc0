"""Where a pupil is in the course: pure functions over their progress and quiz results."""

from dataclasses import dataclass
from typing import NamedTuple

NOT_STARTED, IN_PROGRESS, COMPLETE = "not started", "in progress", "complete"


class LessonState(NamedTuple):
    """A lesson as the course page shows it (a named tuple: a report makes one per lesson per pupil, and a
    frozen dataclass took three times as long to make)."""

    lesson: object
    status: str
    current_step: int  # the step to resume at, from 1
    steps_seen: int
    best_percent: int | None
    taught_live: str | None = None  # the first day (ISO, UK) it was taught live with the pupil there
    without_device: bool = False  # they were there only without a device (the quiz is still theirs to answer)


# How a lesson reached a pupil, for the dashboard and reports: live (with the day), alone, or not yet.
TAUGHT_LIVE, ON_THEIR_OWN, NOT_YET = "taught live", "done on their own", "not yet"


def how_taught(state):
    """TAUGHT_LIVE if the pupil was there when it was taught live, ON_THEIR_OWN if they completed it alone, else
    NOT_YET."""
    if state.taught_live:
        return TAUGHT_LIVE
    return ON_THEIR_OWN if state.status == COMPLETE else NOT_YET


@dataclass(frozen=True)
class NextAction:
    """The one clear thing the course page offers next."""

    kind: str  # baseline, lesson, quiz, final, certificate
    label: str
    lesson_id: str | None = None
    step: int | None = None
    # For pages that say it in another language (a whole sentence each, never pieced together from `label`):
    # the lesson's title, and whether the pupil carries on with something they began.
    title: str | None = None
    resume: bool = False


def lesson_states(course, progress_by_lesson, summaries, taught_live=None):
    """Each lesson's status: complete once its quiz is passed; in progress once opened.

    `taught_live` maps lesson id to (the first day it was taught live with the pupil there, whether they were
    there only without a device)."""
    taught_live = taught_live or {}
    states = []
    for lesson in course.lessons:
        progress = progress_by_lesson.get(lesson.id)
        summary = summaries.get(lesson.id)
        if summary and summary["passed"]:
            status = COMPLETE
        elif progress or summary:
            status = IN_PROGRESS
        else:
            status = NOT_STARTED
        states.append(
            LessonState(
                lesson,
                status,
                progress["current_step"] if progress else 1,  # current_step
                progress["furthest_step"] if progress else 0,  # steps_seen
                summary["best_percent"] if summary else None,  # best_percent
                *taught_live.get(lesson.id, (None, False)),  # taught_live, without_device
            )
        )
    return states


def next_action(states, baseline_done, final_done, has_certificate):
    """The next thing to do: baseline, the first unfinished lesson, the final check, the certificate."""
    if not baseline_done and all(s.status == NOT_STARTED for s in states):
        return NextAction("baseline", "Start with a quick check (not marked)")
    for state in states:
        if state.status == COMPLETE:
            continue
        title = state.lesson.title
        if state.steps_seen >= len(state.lesson.steps):
            return NextAction("quiz", f"Continue: the quiz for “{title}”", state.lesson.id, title=title, resume=True)
        resume = state.status == IN_PROGRESS
        verb = "Continue" if resume else "Start"
        return NextAction("lesson", f"{verb}: {title}", state.lesson.id, state.current_step, title, resume)
    if not final_done:
        return NextAction("final", "Take the final check")
    if has_certificate:
        return NextAction("certificate", "See your certificate", resume=True)
    return NextAction("certificate", "Get your certificate")


@dataclass(frozen=True)
class CourseProgress:
    """How far through the course's lessons a pupil is, as the course and lesson pages show it."""

    done: int
    total: int

    @property
    def text(self):
        """'3 of 6 lessons done'."""
        return f"{self.done} of {self.total} {'lesson' if self.total == 1 else 'lessons'} done"


def course_progress(course, summaries):
    """Lessons done (quiz passed, as on the course page) out of the course's lessons."""
    done = sum(1 for lesson in course.lessons if (summaries.get(lesson.id) or {}).get("passed"))
    return CourseProgress(done, len(course.lessons))
