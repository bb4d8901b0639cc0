"""Who has earned a certificate: pure rules, no Flask or database here."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Eligibility:
    """Whether a pupil has earned the certificate, and what is left if not."""

    eligible: bool
    lessons_to_pass: tuple[str, ...]
    final_check_done: bool
    score: int | None  # mean of the best score in each lesson quiz, once eligible


def check_eligibility(lesson_ids, best_percent_by_quiz, passed_quiz_ids, final_check_done):
    """A pupil is eligible once every lesson's quiz is passed and the final check is done.

    `best_percent_by_quiz` maps a lesson id to the pupil's best quiz percentage so far;
    `passed_quiz_ids` is the set of lesson ids whose quiz the pupil has passed.
    """
    to_pass = tuple(lesson_id for lesson_id in lesson_ids if lesson_id not in passed_quiz_ids)
    eligible = not to_pass and final_check_done and bool(lesson_ids)
    score = None
    if eligible:
        score = round(sum(best_percent_by_quiz[i] for i in lesson_ids) / len(lesson_ids))
    return Eligibility(eligible, to_pass, final_check_done, score)
