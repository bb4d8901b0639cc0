"""/verify is slowed only for an address that tries many unknown codes; real certificates still answer."""

import pytest

from app import create_app
from db import connect, migrate, write_transaction


@pytest.fixture
def limited_app(tmp_path):
    """The app with rate limits on and a small limit for unknown certificate codes."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "s",
            "DATABASE": str(tmp_path / "v.sqlite"),
            "WTF_CSRF_ENABLED": False,
            "VERIFY_UNKNOWN_LIMIT": "3 per minute",
        }
    )
    database = connect(app.config["DATABASE"])
    migrate(database)
    school_id = database["schools"].insert({"name": "Hillside School", "created_at": "2026-01-01"}).last_pk
    with write_transaction(database):
        database["certificates"].insert(
            {"code": "ABCD-EFGH-JKMN", "school_id": school_id, "course_id": "c", "course_title": "Online safety",
             "pupil_initials": "Z. Q.", "school_name": "Hillside School", "issued_at": "2026-01-01T00:00:00+00:00"}
        )  # fmt: skip
    database.close()
    return app


def test_verify_is_slowed_only_by_unknown_codes(limited_app):
    client = limited_app.test_client()
    for _ in range(5):  # checking a real certificate is never slowed
        assert client.get("/verify/ABCD-EFGH-JKMN").status_code == 200
    for code in ("AAAA-BBBB-CCCC", "AAAA-BBBB-CCCD", "not-a-code"):
        assert client.get(f"/verify/{code}").status_code == 404
    slowed = client.get("/verify/AAAA-BBBB-CCCE")
    assert slowed.status_code == 429
    assert "Please wait a few minutes" in slowed.text and 'action="/verify"' in slowed.text
    other = limited_app.test_client()  # the limit is per address
    assert other.get("/verify/ABCD-EFGH-JKMN", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_real_certificates_still_answer_after_an_address_has_tried_many_unknown_codes(limited_app):
    # A whole school shares one address: one pupil guessing codes must not stop anyone checking a real one.
    client = limited_app.test_client()
    for code in ("AAAA-BBBB-CCCC", "AAAA-BBBB-CCCD", "AAAA-BBBB-CCCE"):
        assert client.get(f"/verify/{code}").status_code == 404
    assert client.get("/verify/AAAA-BBBB-CCCF").status_code == 429  # guessing is slowed
    for _ in range(3):
        real = client.get("/verify/ABCD-EFGH-JKMN")
        assert real.status_code == 200 and "This certificate is genuine" in real.text
    assert client.get("/verify/abcd efgh jkmn").status_code == 301  # typed loosely, still found
    assert client.get("/verify/AAAA-BBBB-CCCG").status_code == 429  # and unknown codes stay slowed
