"""`flask content check`: load and validate the course, then report on it."""

import click
from flask import current_app
from flask.cli import AppGroup

content_command = AppGroup("content", help="Work with the course content.")


@content_command.command("check")
def check_command():
    """Validate every content file (the app already refused to start if one is broken)."""
    course = current_app.extensions["course"]
    click.echo(f"{course.title}: {len(course.lessons)} lessons")
    for lesson in course.lessons:
        click.echo(f"  {lesson.number}. {lesson.title} ({lesson.minutes} min, {len(lesson.steps)} steps, "
                   f"{len(lesson.quiz.questions)} questions)")  # fmt: skip
    click.echo(f"  Checks: {len(course.checks.questions)} questions")
    click.echo("Structure: OK")
