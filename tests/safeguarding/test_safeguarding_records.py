"""A pupil's records: export (JSON and PDF), erase (certificates then verify as "no longer held"), retention."""

import io
import json
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from safeguarding.records import apply_retention, erase_pupil, export_pupil, months_before

from helpers import complete_course, sign_in

MESSAGE = "can we talk about a chat I had"


@pytest.fixture
def two_schools(make_school, make_staff, make_pupil, make_class):
    """School A with a pupil who has done the whole course and asked to talk; school B with a pupil."""
    a = make_school("Hillside School")
    b = make_school("Lakeside School")
    ids = {
        "a": a,
        "b": b,
        "dsl": make_staff(a, "dsl@a.test", role="dsl"),
        "admin": make_staff(a, "admin@a.test", role="admin"),
        "teacher": make_staff(a, "teacher@a.test"),
        "b_admin": make_staff(b, "admin@b.test", role="admin"),
    }
    class_id = make_class(a, "9B", teacher_id=ids["teacher"])
    ids["pupil"] = make_pupil(a, "zara.q", first_name="Zara", last_name="Quinn", class_id=class_id)
    ids["b_pupil"] = make_pupil(b, "ben.b", first_name="Ben", last_name="Bell")
    return ids


@pytest.fixture
def busy_pupil(client, two_schools, course, db):
    """Zara has completed the course (so holds a certificate) and asked the DSL to talk; the DSL noted it."""
    sign_in(client, "zara.q")
    lesson = course.lessons[0]
    client.get(f"/courses/{course.id}/lessons/{lesson.id}/steps/1")
    complete_course(client, course)
    client.post("/talk", data={"who": "dsl", "urgency": "soon", "message": MESSAGE})
    client.post("/sign-out")
    sign_in(client, "dsl@a.test")
    client.post("/safeguarding/requests/1", data={"status": "in-progress", "note": "Meeting on Tuesday"})
    client.post("/sign-out")
    certificate = next(db.query("SELECT * FROM certificates WHERE pupil_id = ?", [two_schools["pupil"]]))
    return dict(two_schools, code=certificate["code"])


def test_export_holds_everything_about_the_pupil_and_no_password_hash(db, busy_pupil, course):
    data = export_pupil(db, busy_pupil["pupil"])
    assert data["person"]["username"] == "zara.q" and data["person"]["first_name"] == "Zara"
    assert "password_hash" not in data["person"] and "one-way hash" in data["person"]["password"]
    assert data["school"] == "Hillside School"
    assert [c["name"] for c in data["classes"]] == ["9B"]
    assert {p["lesson_id"] for p in data["lesson_progress"]} == {lesson.id for lesson in course.lessons}
    quizzes = {a["quiz_id"] for a in data["quiz_attempts"]}
    assert {lesson.quiz.id for lesson in course.lessons} <= quizzes
    assert all(a["answers"] for a in data["quiz_attempts"] if a["phase"] == "lesson")
    assert data["certificates"][0]["code"] == busy_pupil["code"] and data["certificates"][0]["pdf_held"] is True
    request = data["talk_requests"][0]
    assert request["message"] == MESSAGE and request["urgency"] == "soon"
    assert [a["note"] for a in request["actions"]] == ["Opened.", "Meeting on Tuesday"][-len(request["actions"]) :]
    json.dumps(data)  # plain data all the way down
    assert export_pupil(db, 99999) is None


def test_export_routes_for_admin_and_dsl_only_and_own_school_only(client, busy_pupil, db):
    pupil_id = busy_pupil["pupil"]
    sign_in(client, "admin@a.test")
    response = client.get(f"/safeguarding/pupils/{pupil_id}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert "talk_requests" not in data and MESSAGE not in response.text  # the DSL's, not the admin's
    assert client.get(f"/safeguarding/pupils/{busy_pupil['b_pupil']}/export.json").status_code == 404
    assert client.get(f"/safeguarding/pupils/{busy_pupil['b_pupil']}").status_code == 404
    pdf = client.get(f"/safeguarding/pupils/{pupil_id}/export.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    flat = "".join(text.split())  # table cells wrap: compare without spaces and line breaks
    assert "Records held about Zara Quinn" in text
    assert busy_pupil["code"].replace("-", "") in flat.replace("-", "") and MESSAGE.replace(" ", "") not in flat
    actions = [r["action"] for r in db.query("SELECT action FROM audit_log WHERE subject_type = 'pupil'")]
    assert actions == ["export-json", "export-pdf"]
    client.post("/sign-out")
    sign_in(client, "teacher@a.test")
    assert client.get(f"/safeguarding/pupils/{pupil_id}/export.json").status_code == 403
    client.post("/sign-out")
    sign_in(client, "dsl@a.test")
    assert client.get(f"/safeguarding/pupils/{pupil_id}/export.json").status_code == 200
    assert "Zara Quinn" in client.get("/safeguarding/pupils?q=quinn").text
    assert "Ben Bell" not in client.get("/safeguarding/pupils").text


def test_erase_needs_confirming_then_removes_everything_and_the_certificate_is_no_longer_held(client, busy_pupil, db):
    pupil_id = busy_pupil["pupil"]
    assert "Z.Q" in client.get(f"/verify/{busy_pupil['code']}").text.replace(" ", "")
    sign_in(client, "dsl@a.test")
    confirm = client.get(f"/safeguarding/pupils/{pupil_id}/erase")
    assert confirm.status_code == 200 and "1 talk request" in confirm.text
    wrong = client.post(f"/safeguarding/pupils/{pupil_id}/erase", data={"confirm": "yes"})
    assert wrong.status_code == 400 and "Type the word ERASE" in wrong.text
    assert db["people"].get(pupil_id)
    assert (
        client.post(f"/safeguarding/pupils/{busy_pupil['b_pupil']}/erase", data={"confirm": "ERASE"}).status_code == 404
    )
    assert client.post(f"/safeguarding/pupils/{pupil_id}/erase", data={"confirm": "erase"}).status_code == 303

    for table in ("lesson_progress", "attempts"):
        assert db.execute(f"SELECT count(*) FROM {table} WHERE pupil_id = ?", [pupil_id]).fetchone()[0] == 0
    assert db["answers"].count == 0
    assert db["talk_requests"].count == 0 and db["talk_request_actions"].count == 0
    assert db.execute("SELECT count(*) FROM class_pupils WHERE person_id = ?", [pupil_id]).fetchone()[0] == 0
    assert not list(db.query("SELECT id FROM people WHERE id = ?", [pupil_id]))
    certificate = next(db.query("SELECT * FROM certificates WHERE code = ?", [busy_pupil["code"]]))
    assert certificate["erased_at"] and certificate["pdf"] is None
    assert (
        certificate["pupil_name"] is None and certificate["pupil_initials"] is None and certificate["pupil_id"] is None
    )

    client.post("/sign-out")
    verify = client.get(f"/verify/{busy_pupil['code']}")
    assert verify.status_code == 200 and "no longer held" in verify.text and "Zara" not in verify.text

    erased = list(db.query("SELECT * FROM audit_log WHERE action = 'erase'"))
    assert [(e["subject_type"], e["subject_id"], e["staff_id"]) for e in erased] == [
        ("pupil", pupil_id, busy_pupil["dsl"])
    ]
    everything = json.dumps(list(db.query("SELECT * FROM audit_log")))
    assert "Zara" not in everything and "Quinn" not in everything


def test_erase_pupil_refuses_staff_and_unknown_people(db, two_schools):
    assert erase_pupil(db, two_schools["admin"]) is None
    assert erase_pupil(db, 99999) is None
    assert db["people"].get(two_schools["admin"])


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2025, 3, 31, 12, tzinfo=UTC), 1, datetime(2025, 2, 28, 12, tzinfo=UTC)),
        (datetime(2024, 3, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2025, 1, 15, tzinfo=UTC), 12, datetime(2024, 1, 15, tzinfo=UTC)),
        (datetime(2025, 1, 15, tzinfo=UTC), 13, datetime(2023, 12, 15, tzinfo=UTC)),
    ],
)
def test_months_before(moment, months, expected):
    assert months_before(moment, months) == expected


def archive(db, pupil_id, when):
    db.execute("UPDATE people SET archived_at = ? WHERE id = ?", [when, pupil_id])
    db.conn.commit()


def test_apply_retention_erases_only_pupils_who_left_long_enough_ago(db, make_school, make_pupil):
    school = make_school()
    left_long_ago = make_pupil(school, "old.a")
    left_recently = make_pupil(school, "new.b")
    still_here = make_pupil(school, "here.c")
    archive(db, left_long_ago, "2024-01-10T09:00:00+00:00")
    archive(db, left_recently, "2024-03-01")
    moment = datetime(2025, 2, 1, tzinfo=UTC)

    due, cutoff = apply_retention(db, 12, moment=moment, dry_run=True)
    assert [r["id"] for r in due] == [left_long_ago] and cutoff == datetime(2024, 2, 1, tzinfo=UTC)
    assert db["people"].get(left_long_ago)  # a dry run erases nothing

    due, _ = apply_retention(db, 12, moment=moment)
    assert [r["id"] for r in due] == [left_long_ago]
    remaining = {r["id"] for r in db.query("SELECT id FROM people")}
    assert left_long_ago not in remaining and {left_recently, still_here} <= remaining
    assert apply_retention(db, 12, moment=moment)[0] == []  # idempotent
    entry = next(db.query("SELECT * FROM audit_log WHERE action = 'erase-retention'"))
    assert entry["subject_id"] == left_long_ago and entry["staff_id"] is None


def test_retention_command_is_fit_for_a_daily_timer(runner, db, make_school, make_pupil, app):
    app.config["RETENTION_MONTHS_AFTER_LEAVING"] = 6
    school = make_school()
    gone = make_pupil(school, "gone.a", first_name="Gwen")
    archive(db, gone, "2020-01-01T00:00:00+00:00")
    dry = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0 and f"Would erase pupil {gone}" in dry.output
    assert db["people"].get(gone)
    first = runner.invoke(args=["retention", "apply"])
    assert first.exit_code == 0, first.output
    assert "6 months after leaving" in first.output and "Erased 1 pupil record." in first.output
    assert "Gwen" not in first.output
    second = runner.invoke(args=["retention", "apply"])
    assert second.exit_code == 0 and "Nothing to erase." in second.output


def test_stored_reports_go_when_a_pupil_is_erased_and_after_a_day(db, make_school, make_pupil):
    school_id = make_school()
    pupil_id = make_pupil(school_id, "gone.p")

    def report(created_at):
        return (
            db["report_jobs"]
            .insert(
                {
                    "school_id": school_id,
                    "format": "csv",
                    "status": "done",
                    "content": b"Gone,P",
                    "created_at": created_at,
                }
            )
            .last_pk
        )

    moment = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    old, fresh = report("2026-11-19T12:00:00+00:00"), report("2026-11-21T11:00:00+00:00")
    apply_retention(db, 12, moment=moment)
    assert [row["id"] for row in db["report_jobs"].rows] == [fresh]
    assert old not in [row["id"] for row in db["report_jobs"].rows]
    erase_pupil(db, pupil_id)
    assert db["report_jobs"].count == 0


def test_retention_purges_expired_previews_and_sign_in_cards(db, make_school, make_staff):
    school_id = make_school()
    staff_id = make_staff(school_id, "t@purge.test")
    class_id = db["classes"].insert({"school_id": school_id, "name": "7A", "created_at": "2026-01-01"}).last_pk
    db["card_batches"].insert(
        {"token": "t", "school_id": school_id, "class_id": class_id, "staff_id": staff_id, "pupils": 1, "pdf": b"x",
         "created_at": "2026-01-01T00:00:00+00:00", "expires_at": "2026-01-01T00:30:00+00:00"}
    )  # fmt: skip
    apply_retention(db, 12)
    assert db["card_batches"].count == 0
