"""Offboarding a school: export everything it holds as one ZIP (a job), then erase every row
of its people and records in one transaction; its certificates then verify as issued by a school that no longer
holds its records. The schema is iterated, so a new table holding school data that offboarding misses fails here."""

import csv
import io
import json
import zipfile

import pytest

import jobs
from accounts.queries import create_person
from certificates import codes
from console import holdings
from console.queries import ensure_operator_org
from db import write_transaction

from helpers import PASSWORD, complete_course, sign_in

OPERATOR = "olu@service.test"
SKIP = {"_sqlite_migrations"}
# Columns that name a person or a school even where no foreign key says so.
PERSONAL = {"person_id", "pupil_id", "staff_id", "teacher_id", "school_id", "requested_by", "made_by", "revoked_by",
            "sent_by"}  # fmt: skip


def foreign_keys(db, table):
    """(column, referenced table) of each foreign key of `table` (sqlite-utils reads the schema)."""
    return [(key.column, key.other_table) for key in db[table].foreign_keys]


def school_tables(db):
    """Every table that holds a school's data: it refers (directly or through other such tables) to people,
    classes or schools, or has a column named like a person or a school."""
    found = {"people", "classes", "schools"}
    tables = [t for t in db.table_names() if t not in SKIP]
    changed = True
    while changed:
        changed = False
        for table in tables:
            if table in found:
                continue
            columns = {c.name for c in db[table].columns}
            if columns & PERSONAL or any(ref in found for _, ref in foreign_keys(db, table)):
                found.add(table)
                changed = True
    return found


def uncovered(db):
    """School tables that offboarding neither erases nor keeps on purpose."""
    covered = {table for table, _ in holdings.SCHOOL_TABLES} | set(holdings.KEPT)
    return school_tables(db) - covered


def test_every_table_holding_school_data_is_erased_or_kept_on_purpose(db):
    assert uncovered(db) == set()
    assert {table for table, _ in holdings.SCHOOL_TABLES} <= set(db.table_names())  # no stale entry


def test_every_column_that_refers_to_a_person_is_indexed(db):
    # Deleting a person checks each such column: without an index, a table scan per person deleted (an erase
    # of a 1,040-person school held the write lock for 44 s before m022's indexes).
    missing = []
    for table in db.table_names():
        leading = {index.columns[0] for index in db[table].indexes if index.columns} | set(db[table].pks[:1])
        missing += [f"{table}.{column}" for column, ref in foreign_keys(db, table) if ref == "people"
                    and column not in leading]  # fmt: skip
    assert missing == []


def test_a_new_table_with_a_person_column_is_caught(db):
    db.execute("CREATE TABLE pupil_notes (id INTEGER PRIMARY KEY, person_id INTEGER, note TEXT)")
    db.execute("CREATE TABLE note_tags (note_id INTEGER REFERENCES pupil_notes(id), tag TEXT)")
    assert uncovered(db) == {"pupil_notes", "note_tags"}


@pytest.fixture
def schools(client, db, course, make_school, make_staff, make_pupil, make_class):
    """Hillside (to offboard): a pupil who finished the course and asked to talk, a DSL who noted it, an
    operator's session; Lakeside (to keep) with a pupil."""
    a = make_school("Hillside School", dsl_name="Mr Jones", dsl_where="Room 12")
    b = make_school("Lakeside School")
    ids = {"a": a, "b": b, "dsl": make_staff(a, "dsl@a.test", role="dsl"), "teacher": make_staff(a, "teacher@a.test"),
           "b_admin": make_staff(b, "admin@b.test", role="admin")}  # fmt: skip
    class_id = make_class(a, "9B", teacher_id=ids["teacher"])
    ids["pupil"] = make_pupil(a, "zara.q", first_name="Zara", last_name="Quinn", class_id=class_id)
    ids["b_pupil"] = make_pupil(b, "ben.b", first_name="Ben", last_name="Bell")
    sign_in(client, "zara.q")
    complete_course(client, course)
    client.post("/talk", data={"who": "dsl", "urgency": "soon", "message": "can we talk"})
    client.post("/sign-out")
    sign_in(client, "dsl@a.test")
    client.post("/safeguarding/requests/1", data={"status": "in-progress", "note": "Meeting on Tuesday"})
    client.post("/sign-out")
    ids["code"] = next(db.query("SELECT code FROM certificates WHERE pupil_id = ?", [ids["pupil"]]))["code"]
    ids["operator_org"] = ensure_operator_org(db)
    create_person(db, ids["operator_org"], "admin", "Olu", PASSWORD, email=OPERATOR)
    assert sign_in(client, OPERATOR).status_code == 303
    return ids


def rows_left(db, school_id, people, classes):
    """{table: n} of rows anywhere that still name the school, one of its people or one of its classes."""
    left = {}
    for table in db.table_names():
        if table in SKIP or table in holdings.KEPT:
            continue
        columns = {c.name for c in db[table].columns}
        checks = [("school_id", [school_id])] + [(c, people) for c in columns & (PERSONAL - {"school_id"})]
        checks += [("class_id", classes)]
        if table == "people":
            checks.append(("id", people))
        for column, ids in checks:
            if column in columns and ids:
                marks = ", ".join("?" * len(ids))
                n = db.execute(f"SELECT count(*) FROM {table} WHERE {column} IN ({marks})", ids).fetchone()[0]
                if n:
                    left[f"{table}.{column}"] = n
    return left


def test_offboarding_exports_then_erases_everything_and_certificates_verify_as_no_longer_held(app, client, db, schools):
    a = schools["a"]
    people = [r["id"] for r in db.query("SELECT id FROM people WHERE school_id = ?", [a])]
    classes = [r["id"] for r in db.query("SELECT id FROM classes WHERE school_id = ?", [a])]
    before = rows_left(db, a, people, classes)
    for table in ("answers", "attempts", "lesson_progress", "certificates", "talk_requests", "audit_log", "sessions",
                  "class_pupils", "help_routes", "people"):  # fmt: skip
        assert any(key.startswith(f"{table}.") for key in before) or table == "answers", table
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] > 0

    page = client.get(f"/console/schools/{a}/offboard")
    assert page.status_code == 200 and "Erasing is possible once an export is ready" in page.text
    refused = client.post(f"/console/schools/{a}/offboard/erase", data={"confirm_name": "Hillside School"})
    assert refused.status_code == 303 and db["people"].count_where("school_id = ?", [a]) == len(people)

    assert client.post(f"/console/schools/{a}/offboard/export").status_code == 303
    assert "waiting to be made" in client.get(f"/console/schools/{a}/offboard").text
    jobs.run_pending(app.extensions["huey"])
    page = client.get(f"/console/schools/{a}/offboard")
    assert "The export is ready" in page.text
    export_id = next(db.query("SELECT id FROM school_exports WHERE school_id = ?", [a]))["id"]
    download = client.get(f"/console/schools/{a}/offboard/export/{export_id}")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = set(archive.namelist())
    assert {"tables/people.csv", "tables/people.json", "tables/answers.json", "tables/talk_requests.csv",
            f"certificates/{schools['code']}.pdf", "README.txt"} <= names  # fmt: skip
    exported = json.loads(archive.read("tables/people.json"))
    assert {p["first_name"] for p in exported} >= {"Zara"} and all("password_hash" not in p for p in exported)
    assert "Ben" not in archive.read("tables/people.csv").decode()  # the other school's pupil is not in it
    assert archive.read(f"certificates/{schools['code']}.pdf").startswith(b"%PDF")
    assert json.loads(archive.read("tables/talk_requests.json"))[0]["message"] == "can we talk"
    pupil = json.loads(archive.read(f"pupils/{schools['pupil']}.json"))  # safeguarding.records' own export
    assert pupil["person"]["username"] == "zara.q" and pupil["talk_requests"][0]["message"] == "can we talk"

    wrong = client.post(f"/console/schools/{a}/offboard/erase", data={"confirm_name": "Lakeside School"})
    assert wrong.status_code == 400 and "not the school&#39;s name" in wrong.text
    assert db["people"].count_where("school_id = ?", [a]) == len(people)

    done = client.post(f"/console/schools/{a}/offboard/erase", data={"confirm_name": " hillside  school"})
    assert done.status_code == 303
    assert rows_left(db, a, people, classes) == {}
    school = db["schools"].get(a)
    assert school["offboarded_at"] and school["name"] == "Hillside School" and school["dsl_name"] is None
    kept = list(db.query("SELECT * FROM offboarded_certificates"))
    assert kept == [{"code_hash": codes.code_hash(schools["code"]), "school_id": a, "revoked_at": None}]
    # The other school is untouched.
    assert db["people"].count_where("school_id = ?", [schools["b"]]) == 2
    assert db["help_routes"].count_where("school_id = ?", [schools["b"]]) > 0
    # The operators' own log keeps that it happened.
    log = [(r["school_id"], r["action"]) for r in db.query("SELECT school_id, action FROM audit_log ORDER BY id")]
    assert (schools["operator_org"], "console-school-erase") in log and all(s != a for s, _ in log)

    verify = client.get(f"/verify/{schools['code']}")
    assert verify.status_code == 200
    assert "issued by Hillside School, which no longer holds its records" in verify.text
    assert "Zara" not in verify.text and "Z. Q" not in verify.text
    assert "Offboarded" in client.get("/console/").text
    assert client.post(f"/console/schools/{a}/offboard/export").status_code == 303
    assert db["school_exports"].count_where("school_id = ?", [a]) == 0  # nothing more is exported


def test_an_export_expires_and_is_for_operators_only(app, client, db, schools):
    a = schools["a"]
    client.post(f"/console/schools/{a}/offboard/export")
    jobs.run_pending(app.extensions["huey"])
    export_id = next(db.query("SELECT id FROM school_exports"))["id"]
    url = f"/console/schools/{a}/offboard/export/{export_id}"
    other = app.test_client()
    sign_in(other, "admin@b.test")
    assert other.get(url).status_code == 403
    assert client.get(f"/console/schools/{schools['b']}/offboard/export/{export_id}").status_code == 404
    db.execute("UPDATE school_exports SET expires_at = '2000-01-01T00:00:00+00:00'")
    db.conn.commit()
    assert client.get(url).status_code == 404
    assert "has expired" in client.get(f"/console/schools/{a}/offboard").text
    from console.tasks import sweep_exports

    with app.app_context():
        assert sweep_exports()[1] == 1
    assert db["school_exports"].count == 0


def test_the_export_takes_each_tables_columns_from_its_schema_not_its_first_row(db, make_school, make_pupil):
    # A pupil's records erased earlier leave a certificate with no PDF; a report job queued after a finished one
    # has no file yet. Columns read from the first row then met a row with others, and the export failed (so the
    # school could never be erased, which needs a finished export).
    school = make_school("Hillside School")
    pupil = make_pupil(school, "zara.q")
    certificate = {"school_id": school, "pupil_id": pupil, "course_id": "c", "course_title": "Online safety",
                   "school_name": "Hillside School", "issued_at": "2026-01-01T00:00:00+00:00"}  # fmt: skip
    job = {"school_id": school, "format": "csv", "created_at": "2026-01-01T00:00:00+00:00"}
    with write_transaction(db):
        db["certificates"].insert({**certificate, "code": "AAAA-BBBB-CCCC", "pdf": b"%PDF-1.7 kept"})
        db["certificates"].insert({**certificate, "code": "AAAA-BBBB-CCCD", "pdf": None, "erased_at": "2026-02-01"})
        db["report_jobs"].insert({**job, "status": "done", "filename": "r.csv", "content": b"a,b\n"})
        db["report_jobs"].insert(job)

    archive = zipfile.ZipFile(io.BytesIO(holdings.export_zip(db, school)))
    for table in ("certificates", "report_jobs", "people"):
        schema = [c.name for c in db[table].columns]
        header = next(csv.reader(io.StringIO(archive.read(f"tables/{table}.csv").decode())))
        assert header == [name for name in schema if name in header], table  # the schema's order
        rows = json.loads(archive.read(f"tables/{table}.json"))
        assert all(list(row) == header for row in rows), table  # every row has the same columns, in both files
    assert "erased_at" in next(csv.reader(io.StringIO(archive.read("tables/certificates.csv").decode())))
    # Files are not cells: a certificate's PDF goes in on its own, a report's bytes and secrets not at all.
    for table, left_out in (("certificates", "pdf"), ("report_jobs", "content"), ("people", "password_hash")):
        assert left_out not in json.loads(archive.read(f"tables/{table}.json"))[0], table
    assert archive.read("certificates/AAAA-BBBB-CCCC.pdf") == b"%PDF-1.7 kept"
    assert len(list(csv.DictReader(io.StringIO(archive.read("tables/report_jobs.csv").decode())))) == 2


def test_a_revoked_certificate_still_verifies_as_revoked_after_its_school_is_offboarded(client, db, make_school):
    school = make_school("Hillside School")
    certificate = {"school_id": school, "course_id": "c", "course_title": "Online safety", "pupil_initials": "Z. Q.",
                   "school_name": "Hillside School", "issued_at": "2026-01-01T00:00:00+00:00"}  # fmt: skip
    with write_transaction(db):
        db["certificates"].insert({**certificate, "code": "AAAA-BBBB-CCCC"})
        db["certificates"].insert({**certificate, "code": "AAAA-BBBB-CCCD", "revoked_at": "2026-11-20T10:00:00+00:00",
                                   "revoked_reason": "Issued in error"})  # fmt: skip
    assert "Revoked" in client.get("/verify/AAAA-BBBB-CCCD").text

    holdings.erase_school(db, school)
    assert db["certificates"].count == 0
    revoked = client.get("/verify/AAAA-BBBB-CCCD")
    assert revoked.status_code == 200
    assert "Revoked." in revoked.text and "20 November 2026" in revoked.text and "genuine" not in revoked.text
    assert "Hillside School" in revoked.text and "Issued in error" not in revoked.text  # the reason is not kept
    valid = client.get("/verify/AAAA-BBBB-CCCC").text
    assert "The code is genuine" in valid and "Revoked" not in valid
