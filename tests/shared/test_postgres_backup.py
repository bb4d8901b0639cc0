"""The PostgreSQL restore drill (README: Backups on PostgreSQL): pg_dump while the site writes, pg_restore.

Runs on both suite engines against the run's PostgreSQL server, with Debian's pg_dump and pg_restore.
"""

import subprocess
import threading

import engines
from postgres_server import bin_dir

from app import create_app
from db import connect, migrate, write_transaction

from helpers import QUIZ_URL, TEST_CONFIG, pairs_writer, right_answers, sign_in, submit_quiz

ANSWERS = """
SELECT count(*) FROM answers a JOIN attempts t ON t.id = a.attempt_id JOIN people p ON p.id = t.pupil_id
WHERE p.username = ?
"""


def test_a_pg_dump_taken_while_the_site_writes_restores_a_deleted_pupil(tmp_path):
    server = engines.server()
    live_url = server.create_database(f"live_{id(tmp_path)}")
    app = create_app({**TEST_CONFIG, "DATABASE": live_url})
    live = connect(live_url)
    migrate(live)
    app.test_cli_runner().invoke(args=["seed-demo"])
    client = app.test_client()
    sign_in(client, "maya.s", "demo-password")
    lesson = app.extensions["courses"]["online-blackmail-11-13"].lessons[0]
    assert submit_quiz(client, QUIZ_URL.format(lesson.id), lesson.quiz, right_answers(lesson.quiz)).status_code == 303
    done = live.execute(ANSWERS, ["maya.s"]).fetchone()[0]
    assert done > 0

    stop, written, errors = threading.Event(), [], []
    writer = threading.Thread(target=pairs_writer, args=(live_url, stop, written, errors))
    writer.start()
    dump = tmp_path / "training.dump"
    try:
        while len(written) < 20 and not errors:
            threading.Event().wait(0.01)
        subprocess.run([str(bin_dir() / "pg_dump"), "--format=custom", f"--file={dump}", live_url], check=True)
    finally:
        stop.set()
        writer.join()
    assert errors == []

    # The disaster: the pupil's records are gone from the live database.
    with write_transaction(live):
        live.execute("DELETE FROM people WHERE username = 'maya.s'")
    assert live.execute(ANSWERS, ["maya.s"]).fetchone()[0] == 0
    live.close()

    restored_url = server.create_database(f"restored_{id(tmp_path)}")
    subprocess.run([str(bin_dir() / "pg_restore"), "--no-owner", f"--dbname={restored_url}", str(dump)], check=True)
    restored = connect(restored_url)
    assert restored.execute(ANSWERS, ["maya.s"]).fetchone()[0] == done
    firsts, seconds = (
        restored.execute("SELECT count(*) FROM audit_log WHERE subject_type = ?", [half]).fetchone()[0]
        for half in ("first", "second")
    )
    # One consistent snapshot: every pair whole, none torn by the writer going on during the dump.
    assert firsts == seconds > 0
    migrate(restored)  # what the README says to run after a restore: nothing to do, and no error
    restored.close()
    restored_client = create_app({**TEST_CONFIG, "DATABASE": restored_url}).test_client()
    assert sign_in(restored_client, "maya.s", "demo-password").status_code == 303
    assert restored_client.get("/course").status_code == 200
    for name in (live_url, restored_url):
        server.drop_database(name.rsplit("/", 1)[1])
