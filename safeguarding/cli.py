"""`flask retention apply`: erase pupils' records a set time after they leave. Safe to run daily."""

import click
from flask import current_app
from flask.cli import AppGroup

from db import connect
from safeguarding.records import apply_retention

retention_command = AppGroup("retention", help="Delete pupils' records when the retention period ends.")


@retention_command.command("apply")
@click.option("--dry-run", is_flag=True, help="Only list who would be erased.")
def apply_command(dry_run):
    """Erase pupils archived more than RETENTION_MONTHS_AFTER_LEAVING months ago (idempotent)."""
    months = int(current_app.config["RETENTION_MONTHS_AFTER_LEAVING"])
    db = connect(current_app.config["DATABASE"])
    try:
        due, cutoff = apply_retention(db, months, dry_run=dry_run)
    finally:
        db.close()
    verb = "Would erase" if dry_run else "Erased"
    click.echo(f"Retention: {months} months after leaving; cutoff {cutoff.isoformat(timespec='seconds')}.")
    # Ids only: a log of erasures must not keep the names it erased.
    for row in due:
        click.echo(f"{verb} pupil {row['id']} (school {row['school_id']}, left {row['archived_at'][:10]}).")
    click.echo(f"{verb} {len(due)} pupil record{'s' if len(due) != 1 else ''}." if due else "Nothing to erase.")
