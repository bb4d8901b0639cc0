"""Backups: taken while the site writes, consistent, checked, pruned; and a restore drill."""

import sqlite3
import threading
import time

import pytest

from backups import back_up, integrity_problems, prune
from db import connect, write_transaction

from helpers import QUIZ_URL, pairs_writer, right_answers, sign_in, submit_quiz

# The file backup and restore drill; PostgreSQL is backed up with pg_dump (README: Backups).
pytestmark = pytest.mark.sqlite_only


def test_a_backup_taken_while_the_site_writes_is_one_committed_moment(app, runner, make_school, tmp_path):
    make_school()
    stop, written, errors = threading.Event(), [], []
    writer = threading.Thread(target=pairs_writer, args=(app.config["DATABASE"], stop, written, errors))
    writer.start()
    try:
        while len(written) < 50:
            threading.Event().wait(0.01)
        before = len(written)
        result = runner.invoke(args=["backup", "make", "--to", str(tmp_path / "backups")])
        after = len(written)
        # The backup holds no lock once done: the writer goes on committing (5 s at most to show it).
        deadline = time.monotonic() + 5
        while len(written) <= after + 10 and time.monotonic() < deadline and not errors:
            time.sleep(0.01)
        resumed = len(written) > after + 10
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output
    assert errors == []
    [backup] = list((tmp_path / "backups").glob("training-*.sqlite"))
    assert integrity_problems(backup) == []
    copy = sqlite3.connect(backup)
    firsts, seconds = (
        copy.execute("SELECT count(*) FROM audit_log WHERE subject_type = ?", [half]).fetchone()[0]
        for half in ("first", "second")
    )
    copy.close()
    # Every transaction wrote both halves: a torn copy would hold a first without its second.
    assert firsts == seconds
    assert before <= firsts <= after
    # Writers were never stopped by the backup (no error), and go on after it.
    assert resumed


def test_restore_drill_brings_back_a_pupil_and_their_progress(
    app, runner, client, signed_in_pupil, db, course, tmp_path
):
    pupil = signed_in_pupil
    lesson = course.lessons[0]
    assert submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz)).status_code == 303
    answers = "SELECT count(*) FROM answers JOIN attempts ON attempts.id = answers.attempt_id WHERE pupil_id = ?"
    done = db.execute(answers, [pupil["id"]]).fetchone()[0]
    assert done > 0
    result = runner.invoke(args=["backup", "make", "--to", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    [backup] = list((tmp_path / "backups").glob("training-*.sqlite"))

    # The disaster: the pupil's records are gone.
    with write_transaction(db):
        db.execute("DELETE FROM people WHERE id = ?", [pupil["id"]])
    db.close()
    client.post("/sign-out")
    assert sign_in(client, pupil["username"]).status_code == 200  # refused: no such pupil

    result = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    restored = connect(app.config["DATABASE"])
    assert restored.execute(answers, [pupil["id"]]).fetchone()[0] == done
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restored.close()
    assert sign_in(app.test_client(), pupil["username"]).status_code == 303


def test_a_damaged_backup_is_refused_and_the_database_is_untouched(app, runner, db, make_school, tmp_path):
    make_school(name="Kept School")
    damaged = tmp_path / "training-20261121-100000.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x07" * 8192)
    result = runner.invoke(args=["backup", "restore", str(damaged), "--yes"])
    assert result.exit_code != 0
    assert "failed its integrity check, so nothing was restored" in result.output
    assert db.execute("SELECT name FROM schools").fetchone()[0] == "Kept School"
    missing = runner.invoke(args=["backup", "restore", str(tmp_path / "nope.sqlite"), "--yes"])
    assert "There is no backup at" in missing.output


def test_old_backups_are_pruned_to_the_newest_few(app, tmp_path):
    from datetime import UTC, datetime

    folder = tmp_path / "backups"
    made = [
        back_up(app.config["DATABASE"], folder, when=datetime(2026, 11, day, 2, tzinfo=UTC)) for day in (18, 19, 20, 21)
    ]
    removed = prune(folder, keep=2)
    assert removed == made[:2]
    assert sorted(folder.glob("training-*.sqlite")) == made[2:]
    assert not list(folder.glob("*.partial"))
