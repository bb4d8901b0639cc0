"""Staff screens show times in UK local time, in one format: '21 Nov 2026, 14:30'."""

from datetime import UTC, datetime

import pytest

from dates import day, long_date, when

from helpers import sign_in


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2026-11-21T14:30:00+00:00", "21 Nov 2026, 14:30"),  # GMT in winter: the same as UTC
        ("2026-07-01T13:30:00+00:00", "1 Jul 2026, 14:30"),  # BST in summer: an hour ahead
        ("2026-03-29T00:59:00+00:00", "29 Mar 2026, 00:59"),  # the minute before the clocks go forward
        ("2026-03-29T01:00:00+00:00", "29 Mar 2026, 02:00"),  # and the minute they do
        ("2026-10-25T00:30:00+00:00", "25 Oct 2026, 01:30"),  # BST's last half hour
        ("2026-10-25T01:30:00+00:00", "25 Oct 2026, 01:30"),  # the same wall time again, in GMT
        ("2026-11-21T14:30:00", "21 Nov 2026, 14:30"),  # a stored time without an offset is UTC
        (datetime(2026, 7, 1, 13, 30, tzinfo=UTC), "1 Jul 2026, 14:30"),
        (None, ""),
        ("", ""),
    ],
)
def test_when_is_uk_local_time_in_one_format(stored, shown):
    assert when(stored) == shown


def test_day_is_the_uk_day():
    assert day("2026-06-30T23:30:00+00:00") == "1 Jul 2026"  # already tomorrow in London (BST)
    assert day("2026-12-31T23:30:00+00:00") == "31 Dec 2026"  # GMT: still today
    assert day("2026-11-21") == "21 Nov 2026"
    assert day(None) == ""


def test_long_date_stays_for_certificates():
    assert long_date("2026-11-21T09:30:00+00:00") == "21 November 2026"


@pytest.fixture
def hill(db, make_school, make_staff, make_class, make_pupil):
    """A teacher's class 8B with one pupil, last active on a summer afternoon (13:30 UTC)."""
    school = make_school("Hillside School")
    teacher = make_staff(school, "teacher@hill.test")
    class_id = make_class(school, "8B", teacher_id=teacher)
    pupil = make_pupil(school, "sam.t", first_name="Sam", last_name="Taylor", class_id=class_id)
    db.execute("UPDATE people SET last_active_at = '2026-06-30T23:30:00+00:00' WHERE id = ?", [pupil])
    db.conn.commit()
    return {"class": class_id, "pupil": pupil}


def test_the_class_page_shows_the_uk_day(client, hill):
    sign_in(client, "teacher@hill.test")
    page = client.get(f"/classes/{hill['class']}").text
    assert "1 Jul 2026" in page and "30 Jun 2026" not in page


def test_the_progress_grid_shows_uk_time_in_the_one_format(client, course, hill):
    sign_in(client, "teacher@hill.test")
    page = client.get(f"/classes/{hill['class']}/progress").text
    assert ">1 Jul 2026, 00:30</time>" in page
    assert "2026-06-30 23:30" not in page


def test_the_overdue_email_says_when_in_uk_time():
    from safeguarding.talk_rules import overdue_notification

    _, body = overdue_notification("today", "2026-07-01T13:30:00+00:00", "https://training.example.test/q")
    assert "Asked at: 1 Jul 2026, 14:30 (UK time)." in body and "UTC" not in body
