"""The staff course's completion rules, as plain functions: due again after a year, asked for before teaching."""

from datetime import date, timedelta

from training.staff_rules import (
    DONE,
    DUE_AGAIN,
    NOT_DONE,
    REFRESH_DAYS,
    completion_status,
    due_again,
    due_on,
    must_take_first,
    renews,
)

COMPLETED = date(2025, 3, 1)


def test_a_completion_is_due_again_only_once_it_is_older_than_365_days():
    assert REFRESH_DAYS == 365
    assert not due_again(COMPLETED, COMPLETED)
    assert not due_again(COMPLETED, COMPLETED + timedelta(days=365))  # a year to the day still counts
    assert due_again(COMPLETED, COMPLETED + timedelta(days=366))
    assert due_on(COMPLETED) == COMPLETED + timedelta(days=366)
    assert due_again(COMPLETED, due_on(COMPLETED)) and not due_again(COMPLETED, due_on(COMPLETED) - timedelta(days=1))


def test_a_leap_year_counts_its_days():
    leap = date(2028, 1, 10)  # 2028 has 29 February: 10 January 2029 is 366 days on
    assert due_again(leap, date(2029, 1, 10)) and not due_again(leap, date(2029, 1, 9))


def test_the_status_the_dsl_sees():
    today = COMPLETED + timedelta(days=100)
    assert completion_status(None, today) == NOT_DONE
    assert completion_status(COMPLETED, today) == DONE
    assert completion_status(COMPLETED, COMPLETED + timedelta(days=366)) == DUE_AGAIN


def test_the_course_is_asked_for_only_when_the_school_requires_it_and_it_is_not_current():
    today = COMPLETED + timedelta(days=30)
    assert not must_take_first(False, None, today)
    assert must_take_first(True, None, today)
    assert not must_take_first(True, COMPLETED, today)
    assert must_take_first(True, COMPLETED, COMPLETED + timedelta(days=366))


def test_a_passed_final_check_renews_only_a_completion_due_again():
    late = COMPLETED + timedelta(days=400)
    assert renews(COMPLETED, late, passed_final=True)
    assert not renews(COMPLETED, late, passed_final=False)
    assert not renews(COMPLETED, COMPLETED + timedelta(days=10), passed_final=True)
    assert not renews(None, late, passed_final=True)
