"""Online, consistent backups of the SQLite database, and restoring one (`flask backup ...`).

SQLite's backup API copies the database page by page inside one read transaction. In WAL mode
that transaction sees one committed state while pupils and the job worker go on writing, so a
backup taken at 10:00 under load is exactly the database as committed at one instant: never a
half-written answer, never a torn file (copying the file with `cp` can be both).

Only the main database is copied. The job queue's file holds nothing that is not also in the
database: every job's state lives in its row, and the worker's sweep puts a queued job whose
queue entry is missing back on the queue.
"""

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from db import is_postgres

BACKUP_NAME = "training-{stamp}.sqlite"
BACKUP_GLOB = "training-*.sqlite"


class BackupError(Exception):
    """A backup or restore that must not be used, with the reason in plain words."""


def integrity_problems(path):
    """What `PRAGMA integrity_check` finds wrong with the database at `path` ([] when sound)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def copy_database(source_path, target_path):
    """Copy `source_path` into `target_path` through SQLite's backup API, in one step.

    One step keeps one read transaction for the whole copy: a consistent snapshot, while writers
    carry on (WAL). Smaller steps would restart whenever another connection wrote, and under load
    might never finish.
    """
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def back_up(database_path, folder, when=None):
    """Back up `database_path` into `folder` as a new, checked file; returns its path.

    The copy is written beside its final name and renamed only once its integrity check passes,
    so the folder never holds a half-made or unsound backup under a backup's name.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    final = folder / BACKUP_NAME.format(stamp=stamp)
    partial = final.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    copy_database(database_path, partial)
    problems = integrity_problems(partial)
    if problems:
        partial.unlink()
        raise BackupError(f"The copy failed its integrity check: {'; '.join(problems[:3])}")
    os.replace(partial, final)
    return final


def prune(folder, keep):
    """Delete all but the newest `keep` backups in `folder`; returns the paths deleted."""
    backups = sorted(Path(folder).glob(BACKUP_GLOB))
    old = backups[:-keep] if keep > 0 else backups
    for path in old:
        path.unlink()
    return old


def restore(backup_path, database_path):
    """Replace the database at `database_path` with the backup at `backup_path`, after checking it.

    Written through the backup API into the live file, so its WAL is handled by SQLite rather than
    left beside a file it no longer matches. Stop the web server and the job worker first.
    """
    if not Path(backup_path).is_file():
        raise BackupError(f"There is no backup at {backup_path}.")
    problems = integrity_problems(backup_path)
    if problems:
        raise BackupError(f"{backup_path} failed its integrity check, so nothing was restored: {problems[0]}")
    copy_database(backup_path, database_path)


backup_command = AppGroup("backup", help="Back up the database while the site runs, or restore a backup.")


def _default_folder():
    return os.path.join(current_app.instance_path, "backups")


def _sqlite_only():
    """These commands copy a SQLite file; PostgreSQL has its own tools (README: Backups)."""
    if is_postgres(current_app.config["DATABASE"]):
        raise click.ClickException(
            "The database is PostgreSQL: back it up with pg_dump and restore with pg_restore (README, section Backups)."
        )


@backup_command.command("make")
@click.option("--to", "folder", default=None, help="Folder for backups (default: instance/backups).")
@click.option("--keep", default=14, show_default=True, help="How many backups to keep in the folder.")
def make_command(folder, keep):
    """Back up the database now (safe while pupils use the site); keep the newest --keep."""
    _sqlite_only()
    folder = folder or _default_folder()
    try:
        path = back_up(current_app.config["DATABASE"], folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    removed = prune(folder, keep)
    click.echo(f"Backed up to {path} ({path.stat().st_size // 1024} KB); integrity check ok.")
    if removed:
        click.echo(f"Removed {len(removed)} older backup{'s' if len(removed) != 1 else ''} (keeping {keep}).")


@backup_command.command("restore")
@click.argument("backup_path")
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore_command(backup_path, yes):
    """Replace the database with BACKUP_PATH. Stop the web server and the job worker first."""
    _sqlite_only()
    database = current_app.config["DATABASE"]
    if not yes:
        click.confirm(f"Replace {database} with {backup_path}? Everything since that backup is lost", abort=True)
    try:
        restore(backup_path, database)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {backup_path} into {database}. Run `flask init-db` to apply newer migrations.")
