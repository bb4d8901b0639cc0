"""`flask copy-to-postgres`: a SQLite deployment moved into PostgreSQL, whole, and the app works on the copy.

Runs on both suite engines: the source is always a SQLite file and the target a new database on the
run's PostgreSQL server (started for this test on a SQLite run).
"""

import engines

from app import create_app
from db import connect, migrate

from helpers import QUIZ_URL, TEST_CONFIG, right_answers, sign_in, submit_quiz


def _sqlite_app(path):
    app = create_app({**TEST_CONFIG, "DATABASE": str(path)})
    database = connect(app.config["DATABASE"])
    migrate(database)
    database.close()
    return app


def _counts(db):
    return {name: db[name].count for name in db.table_names() if name != "_sqlite_migrations"}


def test_a_sqlite_deployment_is_copied_whole_and_the_app_runs_on_the_copy(tmp_path):
    source_app = _sqlite_app(tmp_path / "school.sqlite")
    runner = source_app.test_cli_runner()
    assert "created" in runner.invoke(args=["seed-demo"]).output
    # Real use first: a pupil's answers, a session and a certificate-free attempt, so the copy has rows to move.
    client = source_app.test_client()
    sign_in(client, "maya.s", "demo-password")
    lesson = source_app.extensions["courses"]["online-blackmail-11-13"].lessons[0]
    submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz))
    target_url = engines.server().create_database(f"copy_{id(tmp_path)}")

    result = runner.invoke(args=["copy-to-postgres", target_url])

    assert result.exit_code == 0, result.output
    assert "the counts match" in result.output
    source, target = connect(source_app.config["DATABASE"]), connect(target_url)
    assert _counts(target) == _counts(source)
    assert _counts(target)["answers"] > 0
    assert target["people"].get(1) == source["people"].get(1)
    # New rows continue after the copied ids instead of colliding with them.
    before = max(row["id"] for row in target.query("SELECT id FROM schools"))
    target_app = create_app({**TEST_CONFIG, "DATABASE": target_url})
    made = target_app.test_cli_runner().invoke(
        args=["create-school", "Riverside", "--admin-email", "a@river.test", "--admin-first-name", "Ada"]
    )
    assert made.exit_code == 0, made.output
    assert max(row["id"] for row in target.query("SELECT id FROM schools")) == before + 1
    # The pupil signs in on PostgreSQL with the password they had, and their answers are there.
    copied_client = target_app.test_client()
    signed_in = sign_in(copied_client, "maya.s", "demo-password")
    assert signed_in.status_code == 303
    assert signed_in.location.endswith("/course")
    attempts = target.execute("SELECT count(*) FROM attempts a JOIN people p ON p.id = a.pupil_id "
                              "WHERE p.username = 'maya.s'").fetchone()[0]  # fmt: skip
    assert attempts == 1
    assert copied_client.get("/course").status_code == 200
    source.close()
    target.close()


def test_the_copy_refuses_a_database_that_is_not_empty(tmp_path):
    source_app = _sqlite_app(tmp_path / "school.sqlite")
    runner = source_app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    target_url = engines.server().create_database(f"full_{id(tmp_path)}")
    assert runner.invoke(args=["copy-to-postgres", target_url]).exit_code == 0

    again = runner.invoke(args=["copy-to-postgres", target_url])

    assert again.exit_code != 0
    assert "is not empty" in again.output


def test_the_copy_needs_a_postgresql_url(tmp_path):
    runner = _sqlite_app(tmp_path / "school.sqlite").test_cli_runner()
    result = runner.invoke(args=["copy-to-postgres", str(tmp_path / "other.sqlite")])
    assert result.exit_code != 0
    assert "must be a PostgreSQL URL" in result.output
