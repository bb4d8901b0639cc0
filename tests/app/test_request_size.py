"""One size limit for every request, with a clear page that keeps help to hand; a roster of nearly 1 MB still fits."""

import io

from classroom import roster

from helpers import sign_in


def staff(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client


def test_an_oversized_request_gets_a_clear_page_that_keeps_help_to_hand(app, client, signed_in_pupil):
    assert app.config["MAX_CONTENT_LENGTH"] >= 1_100_000  # the 1 MB roster upload and its form fit
    response = client.post("/talk", data={"who": "dsl", "urgency": "soon", "message": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too much to send" in response.text and "nothing was saved" in response.text
    assert 'href="/help"' in response.text  # the header and help panel are still there


def test_a_roster_of_nearly_1_mb_still_uploads(app, db, make_school, make_staff, make_class):
    school_id = make_school()
    make_staff(school_id, "teach@hill.test")
    teacher_id = db.execute("SELECT id FROM people WHERE email = 'teach@hill.test'").fetchone()[0]
    class_id = make_class(school_id, "9B", teacher_id)
    lines = ["First name,Last name,Year group,Notes"] + [f"Pupil{i},Test,9,{'n' * 2400}" for i in range(400)]
    data = ("\n".join(lines) + "\n").encode()
    assert 950_000 < len(data) < roster.MAX_BYTES
    client = staff(app, "teach@hill.test")
    response = client.post(
        f"/classes/{class_id}/import",
        data={"file": (io.BytesIO(data), "class.csv", "text/csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303 and "/import/" in response.headers["Location"]
