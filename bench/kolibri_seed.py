"""Seeds Kolibri for bench/kolibri.py: run with KOLIBRI's python (`kolibri manage shell`), never with ours.

After `kolibri manage provisiondevice` has made the facility, this makes a coach, a class of 30
learners (learner0, learner1, ..., all with the coach's password, so each can sign in to the learner
home) and the same shape of work our class dashboard shows: a channel with one exercise per lesson
(as many questions as our lesson quiz) and one video per lesson (our lesson's steps), six lessons
assigned to the class, a baseline and a final quiz (exams), and per learner the summary, session,
mastery and attempt logs a learner leaves by doing them, with the same kind of spread as the bench of
our school: some not started, most part-way, some finished. Prints one JSON line for the caller.

Settings arrive in the environment: BENCH_COACH, BENCH_PASSWORD, BENCH_QUIZ_SIZES (comma-separated
question counts, one per lesson), BENCH_CHECK_SIZE, BENCH_LEARNERS, BENCH_SEED.
"""

import json
import os
import random
import uuid
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from kolibri.core.auth.constants import role_kinds
from kolibri.core.auth.models import Classroom, Facility, FacilityUser
from kolibri.core.content.models import ChannelMetadata, ContentNode
from kolibri.core.exams.models import Exam, ExamAssignment
from kolibri.core.lessons.models import Lesson, LessonAssignment
from kolibri.core.logger.models import AttemptLog, ContentSessionLog, ContentSummaryLog, MasteryLog

COACH = os.environ["BENCH_COACH"]
PASSWORD = os.environ["BENCH_PASSWORD"]
QUIZ_SIZES = [int(n) for n in os.environ["BENCH_QUIZ_SIZES"].split(",")]
CHECK_SIZE = int(os.environ["BENCH_CHECK_SIZE"])
LEARNERS = int(os.environ["BENCH_LEARNERS"])
rng = random.Random(int(os.environ["BENCH_SEED"]))


def uid():
    """A random uuid as Kolibri stores them (32 hex digits)."""
    return uuid.UUID(int=rng.getrandbits(128)).hex


def when(days):
    """Some time in the last `days` days."""
    return timezone.now() - timedelta(seconds=rng.randrange(days * 86400))


def channel():
    """A channel: a root topic holding an exercise and a video per lesson. Returns [(exercise, video)]."""
    channel_id = uid()
    root = ContentNode.objects.create(
        id=channel_id, channel_id=channel_id, content_id=uid(), title="Bench channel", kind="topic", available=True
    )
    ChannelMetadata.objects.create(id=channel_id, name="Bench channel", root=root, version=1)
    pairs = []
    for number, size in enumerate(QUIZ_SIZES, 1):
        exercise = ContentNode.objects.create(
            id=uid(), parent=root, channel_id=channel_id, content_id=uid(), title=f"Lesson {number} quiz",
            kind="exercise", available=True, options={"completion_criteria": {"model": "mastery"}},
        )  # fmt: skip
        video = ContentNode.objects.create(
            id=uid(), parent=root, channel_id=channel_id, content_id=uid(), title=f"Lesson {number} steps",
            kind="video", available=True,
        )  # fmt: skip
        pairs.append((exercise, video, size))
    return pairs


def attempts(user, summary, items, skill, at, mastery_level):
    """One try at an exercise or quiz: a session log, a mastery log and an attempt log per item."""
    session = ContentSessionLog.objects.create(
        user=user, content_id=summary.content_id, channel_id=summary.channel_id, start_timestamp=at,
        end_timestamp=at, time_spent=120, progress=1, kind=summary.kind,
    )  # fmt: skip
    right = [rng.random() < skill for _ in items]
    mastery = MasteryLog.objects.create(
        user=user, summarylog=summary, start_timestamp=at, end_timestamp=at, completion_timestamp=at,
        mastery_level=mastery_level, complete=True, time_spent=120,
        mastery_criterion={"type": "m_of_n", "m": len(items), "n": len(items)},
    )  # fmt: skip
    for item, ok in zip(items, right, strict=True):
        AttemptLog.objects.create(
            user=user, masterylog=mastery, sessionlog=session, item=item, start_timestamp=at, end_timestamp=at,
            completion_timestamp=at, time_spent=10, complete=True, correct=int(ok), answer={"response": "x"},
            simple_answer="x", interaction_history=[],
        )  # fmt: skip
    return sum(right) / len(items)


def summary(user, content_id, channel_id, kind, progress, at):
    """A learner's summary log for one resource."""
    return ContentSummaryLog.objects.create(
        user=user, content_id=content_id, channel_id=channel_id, kind=kind, progress=progress,
        start_timestamp=at, end_timestamp=at, completion_timestamp=at if progress >= 1 else None, time_spent=300,
    )  # fmt: skip


def exam(classroom, coach, title, exercises):
    """A quiz (Kolibri's exam) of CHECK_SIZE questions drawn from the lesson exercises, assigned to the class."""
    questions = [
        {"exercise_id": exercises[n % len(exercises)].id, "question_id": f"q{n}",
         "item": f"{exercises[n % len(exercises)].id}:q{n}", "title": title, "counter_in_exercise": n + 1}
        for n in range(CHECK_SIZE)
    ]  # fmt: skip
    quiz = Exam.objects.create(
        title=title, question_count=CHECK_SIZE, collection=classroom, creator=coach, active=True,
        question_sources=[{"section_id": uid(), "section_title": "", "description": "",
                           "question_count": CHECK_SIZE, "learners_see_fixed_order": False,
                           "questions": questions}],
    )  # fmt: skip
    ExamAssignment.objects.create(exam=quiz, collection=classroom, assigned_by=coach)
    return quiz, [q["item"] for q in questions]


@transaction.atomic
def seed():
    """Everything, in one transaction. Returns what the caller needs."""
    facility = Facility.get_default_facility()
    coach = FacilityUser.objects.create(username=COACH, full_name="Bench Coach", facility=facility)
    coach.set_password(PASSWORD)
    coach.save()
    facility.add_role(coach, role_kinds.ASSIGNABLE_COACH)
    classroom = Classroom.objects.create(name="Bench class", parent=facility)
    classroom.add_coach(coach)
    learners = []
    password = make_password(PASSWORD)  # one hash for all: 30 slow hashes prove nothing here
    for n in range(LEARNERS):
        learner = FacilityUser.objects.create(
            username=f"learner{n}", full_name=f"Learner{n} Surname{n % 97}", facility=facility, password=password
        )
        classroom.add_member(learner)
        learners.append(learner)

    pairs = channel()
    lessons = []
    for number, (exercise, video, _) in enumerate(pairs, 1):
        lesson = Lesson.objects.create(
            title=f"Lesson {number}", collection=classroom, created_by=coach, is_active=True,
            resources=[{"contentnode_id": node.id, "content_id": node.content_id, "channel_id": node.channel_id}
                       for node in (video, exercise)],
        )  # fmt: skip
        LessonAssignment.objects.create(lesson=lesson, collection=classroom, assigned_by=coach)
        lessons.append(lesson)
    exercises = [exercise for exercise, _, _ in pairs]
    baseline, baseline_items = exam(classroom, coach, "Baseline check", exercises)
    final, final_items = exam(classroom, coach, "Final check", exercises)

    logs = 0
    for learner in learners:
        if rng.random() < 0.08:
            continue  # not started
        skill = rng.uniform(0.55, 0.98)
        at = when(30)
        quiz = summary(learner, baseline.id, None, "quiz", 1, at)
        attempts(learner, quiz, baseline_items, skill - 0.3, at, -rng.randrange(1, 10**6))
        logs += 1
        done = min(len(pairs), int(rng.triangular(0, len(pairs) + 2, len(pairs))))
        for number, (exercise, video, size) in enumerate(pairs[: done + 1], 1):
            at = when(20)
            summary(learner, video.content_id, video.channel_id, "video", 1 if number <= done else 0.5, at)
            logs += 1
            if number > done:
                break  # opened, quiz not passed yet
            log = summary(learner, exercise.content_id, exercise.channel_id, "exercise", 0, at)
            items = [f"{exercise.id}:q{n}" for n in range(size)]
            level, score = 1, attempts(learner, log, items, skill, at, 1)
            while score < 0.6:
                level += 1
                score = attempts(learner, log, items, min(1.0, skill + 0.3), at, level)
            log.progress = 1
            log.save()
            logs += 1
        if done == len(pairs):
            at = when(10)
            quiz = summary(learner, final.id, None, "quiz", 1, at)
            attempts(learner, quiz, final_items, skill + 0.1, at, -rng.randrange(1, 10**6))
            logs += 1
    return {
        "class_id": classroom.id,
        "facility_id": facility.id,
        "lessons": len(lessons),
        "summary_logs": ContentSummaryLog.objects.count(),
        "mastery_logs": MasteryLog.objects.count(),
        "attempt_logs": AttemptLog.objects.count(),
    }


print("BENCH-SEED " + json.dumps(seed()))
