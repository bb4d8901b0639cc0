"""`flask content check`: the structure (checked at load), then help routes, reading level, blame, learning cues."""

import click
from flask import current_app
from flask.cli import AppGroup

import safeguarding.help_routes
from languages import DEFAULT, LANGUAGES
from safeguarding.help_routes import DEFAULT_HELP_ROUTES
from training.courses import courses, in_language, staff_courses
from training.translations import translated_files

content_command = AppGroup("content", help="Work with the course content.")

CHECKS = (
    ("topics", "Every topic tested by a lesson quiz"),
    ("help routes", "Help routes (phone numbers and web addresses)"),
    ("blame", "Victim-blaming language"),
    ("give-aways", "Give-aways in quiz answers (position, length, true/false balance, choose-all)"),
    ("absolute words", "Learning cues: absolute words (only, never, always...) in wrong answers, not right ones"),
    ("help words", "Learning cues: the right answer is the one that tells, reports or gets help"),
    ("choose-all", "Learning cues: how many options are right in choose-all questions"),
    ("practice chats", "Learning cues: practice chats (share of red flags, a plain request for a picture)"),
    ("near-copies", "Learning cues: check items that near-copy a lesson quiz item"),
    ("curriculum", "RSHE statements: every key statement taught by a lesson of this route"),
)

CUE_HEADINGS = (
    "Quiz", "Absolute right", "Absolute wrong", "Help right", "Help wrong", "Choose-all right",
    "Chat flags", "Plain request", "Near-copies",
)  # fmt: skip


@content_command.command("check")
def check_command():
    """Check every course's content files; exits 1 if anything needs fixing, 0 when all is well."""
    # Structure (and ids unique across courses) was validated when the app loaded the courses:
    # a broken file stops start-up. Imported here, not at the top: textstat pulls in NLTK
    # (~150 ms), which every web worker and test app would otherwise pay for a command only
    # this needs.
    from training.quality import check_course

    problems = 0
    # The staff course too, at its own reading level (course.yaml's max_reading_grade: adults).
    for course in (*courses().values(), *staff_courses().values()):
        problems += check_one(course, check_course)
    problems += check_resources()
    problems += check_translations()
    statements_to_check()
    if problems:
        click.echo(f"\n{problems} problem(s) to fix.", err=True)
        raise SystemExit(1)
    click.echo("\nAll checks passed.")


def check_one(course, check_course):
    """Print one course's structure and findings; returns how many problems it has."""
    max_grade = course.max_reading_grade
    click.echo(f"== Course {course.id} (route {course.route_label}) ==")
    click.echo(f"{course.title}: {len(course.lessons)} lessons")
    for lesson in course.lessons:
        click.echo(f"  {lesson.number}. {lesson.title} ({lesson.minutes} min, {len(lesson.steps)} steps, "
                   f"{len(lesson.quiz.questions)} questions)")  # fmt: skip
    click.echo(f"  Checks: {len(course.checks.questions)} questions")
    click.echo("Structure: OK\n")
    findings, levels = check_course(course, max_grade, DEFAULT_HELP_ROUTES, safeguarding.help_routes.__file__)
    click.echo(f"Reading level (Flesch-Kincaid grade; the most allowed is {max_grade}):")
    click.echo(reading_table(levels))
    click.echo()
    click.echo("Learning cues (n/N: marked answers with the cue words; help: single/next_step options only):")
    click.echo(cues_table(course))
    click.echo()
    for check, title in CHECKS:
        found = [f for f in findings if f.check == check]
        click.echo(f"{title}: {'OK' if not found else f'{len(found)} problem(s)'}")
        for finding in found:
            click.echo(f"  {finding}")
    if findings:
        click.echo(f"{course.id}: {len(findings)} problem(s).\n")
    else:
        click.echo(f"{course.id}: all checks passed.\n")
    return len(findings)


def check_resources():
    """Print the findings in the parents' letter, sheet and page; returns how many problems they have."""
    from training.quality import resource_findings

    resources = [*current_app.extensions["resources"].values(), current_app.extensions["for_parents"]]
    findings = resource_findings([resource.path for resource in resources])
    click.echo("== Resources for parents and carers ==")
    click.echo(f"Help routes and victim-blaming language: {'OK' if not findings else f'{len(findings)} problem(s)'}")
    for finding in findings:
        click.echo(f"  {finding}")
    click.echo()
    return len(findings)


def check_translations():
    """Print each course's translations: parity (held at start-up), give-aways in the translated answers (a right
    answer can become the longest in translation), and how many files are reviewed; returns how many problems."""
    from training.quality import giveaway_findings

    problems = 0
    click.echo("== Translations ==")
    english = [*current_app.extensions["courses"].values(), *current_app.extensions["staff_courses"].values()]
    for code, language in LANGUAGES.items():
        if code == DEFAULT:
            continue
        for course in english:
            translated = in_language(course, code)
            if translated.language != code:
                click.echo(f"  {course.id} in {language}: not translated (shown in English)")
                continue
            files = translated_files(course, code)
            reviewed = sum(1 for file in files if file.is_reviewed)
            findings = giveaway_findings(translated)
            click.echo(f"  {course.id} in {language}: in parity; {reviewed} of {len(files)} files reviewed; "
                       f"give-aways: {'OK' if not findings else f'{len(findings)} problem(s)'}")  # fmt: skip
            for finding in findings:
                click.echo(f"    {finding}")
            problems += len(findings)
    click.echo()
    return problems


def statements_to_check():
    """List the RSHE statements whose wording or paragraph number is still to check (a notice, not a problem)."""
    statements = next(iter(courses().values())).statements
    waiting = [statement for statement in statements if statement.to_check]
    click.echo(f"== RSHE statements ({statements.path.name}) ==")
    click.echo(f"{len(waiting)} of {len(statements.by_id)} still to check against the published guidance:")
    for statement in waiting:
        click.echo(f"  {statements.path}, line {statement.line}: '{statement.id}': {statement.to_check}")
    click.echo()


def reading_table(levels):
    """The reading levels as a plain-text table: lesson, words, grade, ease, verdict."""
    rows = [("Lesson", "Words", "Grade", "Ease", "Verdict")]
    rows += [
        (level.lesson_id, str(level.words), f"{level.grade:.1f}", f"{level.ease:.1f}",
         "OK" if level.ok else f"too hard (line {level.line})")
        for level in levels
    ]  # fmt: skip
    return text_table(rows, left=(0, 4))


def cues_table(course):
    """The course's learning cue figures as a plain-text table: a row per quiz, then the course total."""
    # Imported here for the reason check_course is: the cues build on quality (and textstat).
    from training.cues import cue_figures, figure_cells

    return text_table([CUE_HEADINGS] + [figure_cells(row) for row in cue_figures(course)], left=(0, 5, 6, 7))


def text_table(rows, left=(0,)):
    """Rows of cells as aligned text under a ruled header; columns in `left` align left, others right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i in left else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
        if index == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)
