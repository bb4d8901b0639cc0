"""The younger route's lessons carry the course's safety rules: read from the real content files."""

import re
from pathlib import Path

import pytest

from training.course import load_course

ROOT = Path(__file__).parents[2]
COURSE_ID = "online-blackmail-11-13"
THE_FOUR_QUESTIONS = (
    "Will I get a criminal record?",
    "Will my parents be told?",
    "What if it's on my phone?",
    "What if I forwarded it?",
)


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT / "training" / "content" / COURSE_ID, ROOT / "quizzes" / "content" / COURSE_ID)


def step(course, lesson_id, title):
    """One step's Markdown text, found by its heading."""
    return next(s.text for s in course.lesson(lesson_id).steps if s.title == title)


def plain(html):
    """Text without tags, whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def pupil_text(course):
    """Everything a pupil reads in the lessons, the intro and the closing."""
    steps = " ".join(s.text for lesson in course.lessons for s in lesson.steps)
    return " ".join((course.intro_text, steps, course.closing_text))


def test_every_red_flag_list_starts_with_a_request_for_a_nude_picture(course):
    main = [
        line for line in step(course, "spotting-the-signs", "The main red flags").splitlines() if line.startswith("- ")
    ]
    remember = [
        line for line in step(course, "spotting-the-signs", "What to remember").splitlines() if line.startswith("- ")
    ]
    for first in (main[0], remember[0]):
        assert "nude" in first and "undress" in first
    assert "nude" in step(course, "spotting-the-signs", "The clearest red flag")


def test_the_chat_example_has_a_plain_request_for_a_nude_picture(course):
    chat = step(course, "spotting-the-signs", "Chloe's chat")
    assert any("nude" in line for line in chat.splitlines() if line.startswith("> **Sky:**"))


def test_evidence_advice_is_honest_and_never_a_picture(course):
    evidence = step(course, "what-to-do", "Keep the evidence safely")
    for words in ("username", "link to their profile", "payment details", "Don't delete the chat",
                  "Never screenshot, save or forward a nude or sexual picture", "the blackmailer sent",
                  "they deal with it themselves, safely and privately", "may look at a phone"):  # fmt: skip
        assert words in evidence
    text = pupil_text(course)
    for promise in ("never the picture", "look at the words and the account", "Nobody needs to show them"):
        assert promise not in text
    assert "may look at a phone" in step(course, "the-law-and-you", "What happens when someone reports")


def test_telling_a_trusted_adult_first_is_always_fine(course):
    assert "Telling a trusted adult first is always fine." in step(
        course, "what-to-do", "Amir's situation, and the six steps"
    )


def test_take_it_down_is_described_as_a_fingerprint_not_a_take_down(course):
    services = step(course, "what-to-do", "Get the images taken down")
    assert "before it is ever posted" in services
    assert "digital fingerprint" in services and "apps that take part" in services
    text = pupil_text(course).lower()
    assert "takes images down" not in text and "usually come back" not in text
    assert "often come back" in step(course, "what-to-do", "Don't pay")


def test_staff_tell_the_dsl_immediately_and_before_the_pupil_leaves_school(course):
    for text in (course.before_you_teach_text, plain(course.disclosure_guidance_html)):
        assert "immediately, and always before the pupil leaves school" in re.sub(r"\s+", " ", text)
        assert "same day" not in text


def test_before_you_teach_covers_images_shown_seen_the_law_and_the_last_lesson(course):
    text = re.sub(r"\s+", " ", course.before_you_teach_text)
    expected = (
        "please put it away, you don't need to show me",
        "record that it happened",
        "indecent images of children",
        "pseudo-photographs",
        "Threatening to share an intimate image",
        "Designated Senior Person",
        "Keeping learners safe",
        "Scotland and Northern Ireland",
        "self-harm and suicide",
        "bereavement",
        "If your child tells you",
        "course & teacher notes page",
    )
    for words in expected:
        assert words.lower() in text.lower()


def test_the_new_topics_are_listed_and_taught(course):
    assert course.topics["fake-images"] == "AI and fake images"
    assert course.topics["already-shared"] == "If an image was already seen, saved or sent"
    fake = step(course, "what-is-online-blackmail", "Fake images count too")
    assert "ordinary photo" in fake and "not Hana's fault" in fake and "under 18 is a crime" in fake
    shared = step(course, "feelings-and-friends", "If an image was already seen, saved or sent")
    assert "delete it safely" in shared and "not in trouble for asking for help" in shared


def test_the_law_lesson_says_victim_not_suspect_and_keeps_prosecution_out_of_pupils_text(course):
    victim = step(course, "the-law-and-you", "Victim, not in trouble")
    assert "tricked, pressured or threatened into sending an image is treated as a victim, not a suspect" in victim
    assert "prosecut" not in pupil_text(course).lower() and "Outcome 21" not in pupil_text(course)
    notes = course.lesson("the-law-and-you").teacher_notes
    assert any("Outcome 21" in q["answer"] for q in notes["pupil_questions"])
    assert not any("public interest to prosecute" in source for source in notes["sources"])


def test_every_lesson_has_pupil_questions_and_inclusion_notes(course):
    asked = set()
    for lesson in course.lessons:
        notes = lesson.teacher_notes
        assert len(notes["pupil_questions"]) >= 2, lesson.id
        assert all(q["question"] and q["answer"] for q in notes["pupil_questions"])
        asked |= {q["question"] for q in notes["pupil_questions"]}
        assert any(note.startswith("SEND") for note in notes["inclusion"]), lesson.id
        assert any("new to English" in note for note in notes["inclusion"]), lesson.id
    assert set(THE_FOUR_QUESTIONS) <= asked


def test_the_last_lesson_s_notes_say_it_discusses_self_harm_and_suicide(course):
    timing = course.lessons[-1].teacher_notes["timing"]
    assert any(isinstance(item, str) and "self-harm and suicide" in item and "DSL" in item for item in timing)
