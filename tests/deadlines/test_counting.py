"""CPC art. 48 counting: pure functions, with properties checked by hypothesis."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tergeu.core.clock import KZ_TZ
from tergeu.deadlines import counting
from tergeu.deadlines.calendar import YearCalendar, parse

UTC = dt.UTC

# A calendar independent of the database: 2026's shipped data, weekends otherwise.
with open(
    counting.__file__.replace("counting.py", "data/calendar/2026.toml"), encoding="utf-8"
) as fh:
    CAL_2026 = parse(fh.read())


def working(day: dt.date) -> bool:
    return CAL_2026.is_working_day(day) if day.year == 2026 else day.weekday() < 5


def kz(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=KZ_TZ)  # type: ignore[misc]


moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31, 23, 59)
).map(lambda d: d.replace(tzinfo=UTC))
days = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31))


def longest_run_of_days_off(start: dt.date) -> int:
    n, day = 0, start
    while not working(day):
        n, day = n + 1, day + dt.timedelta(days=1)
    return n


@given(days)
def test_shift_never_lands_on_a_day_off_nor_moves_further_than_the_run(day: dt.date) -> None:
    moved = counting.next_working_day(day, working)
    assert working(moved)
    assert moved >= day
    assert (moved - day).days == longest_run_of_days_off(day)


@given(moments, st.integers(min_value=1, max_value=30))
def test_day_term_ends_at_local_midnight_on_a_working_day(start: dt.datetime, n: int) -> None:
    due = counting.due_at(start, n, "days", "procedural", working)
    local = due.astimezone(KZ_TZ)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    last = local.date() - dt.timedelta(days=1)
    assert working(last)
    nominal = start.astimezone(KZ_TZ).date() + dt.timedelta(days=n)
    assert last >= nominal
    assert (last - nominal).days == longest_run_of_days_off(nominal)


@given(moments, st.integers(min_value=1, max_value=11))
def test_month_term_same_date_or_last_day_of_month(start: dt.datetime, n: int) -> None:
    first = start.astimezone(KZ_TZ).date()
    nominal = counting.add_months(first, n)
    assert nominal.day == first.day or nominal.month != (nominal + dt.timedelta(days=1)).month
    due = counting.due_at(start, n, "months", "procedural", working)
    assert counting.local_date(due - dt.timedelta(seconds=1)) == counting.next_working_day(
        nominal, working
    )


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # leap year
        (dt.date(2027, 1, 29), dt.date(2027, 2, 28)),
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
        (dt.date(2026, 12, 31), dt.date(2027, 1, 31)),
    ],
)
def test_31_january_plus_one_month(start: dt.date, expected: dt.date) -> None:
    assert counting.add_months(start, 1) == expected


def test_month_term_moves_off_the_weekend() -> None:
    # 28 Feb 2026 is a Saturday: 31 Jan + 1 month ends on Monday 2 March, 24:00
    due = counting.due_at(kz(2026, 1, 31, 9), 1, "months", "procedural", working)
    assert due == kz(2026, 3, 3)


def test_day_term_moves_over_nauryz() -> None:
    # 3 days from Friday 20 March 2026: last day Monday 23 (Nauryz), 24-25 days off -> 26th
    due = counting.due_at(kz(2026, 3, 20, 17, 40), 3, "days", "procedural", working)
    assert due == kz(2026, 3, 27)


@given(moments, st.integers(min_value=1, max_value=96))
def test_procedural_hours_skip_the_starting_hour_and_never_move(start: dt.datetime, n: int) -> None:
    due = counting.due_at(start, n, "hours", "procedural", working)
    assert due.minute == 0
    assert due.second == 0
    assert dt.timedelta(hours=n) < due - start <= dt.timedelta(hours=n + 1)


@given(moments, st.integers(min_value=1, max_value=96))
def test_custodial_hours_count_from_the_minute(start: dt.datetime, n: int) -> None:
    due = counting.due_at(start, n, "hours", "custodial", working)
    assert due - start == dt.timedelta(hours=n)


def test_detention_across_midnight_and_a_holiday_is_not_moved() -> None:
    # detained Thursday 31 Dec 2026 22:47 local: 48 hours end Saturday 2 Jan 22:47
    start = kz(2026, 12, 31, 22, 47)
    assert counting.due_at(start, 48, "hours", "custodial") == kz(2027, 1, 2, 22, 47)


def test_registration_hours_across_midnight() -> None:
    # report recorded 23:20 local on Friday 1 May (holiday): 24 h counted from 00:00
    due = counting.due_at(kz(2026, 5, 1, 23, 20), 24, "hours", "procedural", working)
    assert due == kz(2026, 5, 3, 0, 0)


def test_custody_first_day_counts_and_no_move() -> None:
    # custody from 10 March 2026 for two months: until 24:00 of 9 May (a Saturday)
    due = counting.due_at(kz(2026, 3, 10, 15), 2, "months", "custodial", working)
    assert due == kz(2026, 5, 10)
    # 31 December + 2 months: no 31 February -> through the last day of February
    due = counting.due_at(kz(2026, 12, 31, 9), 2, "months", "custodial", working)
    assert due == kz(2027, 3, 1)


@given(moments)
def test_utc_and_local_agree(start: dt.datetime) -> None:
    """The same moment given in UTC or in local time gives the same expiry."""
    a = counting.due_at(start, 10, "days", "procedural", working)
    b = counting.due_at(start.astimezone(KZ_TZ), 10, "days", "procedural", working)
    assert a == b
    assert a.tzinfo is not None


def test_local_day_decides_not_the_utc_day() -> None:
    # 20:30 UTC on 9 Feb is 01:30 local on 10 Feb: the term starts on 10 Feb
    start = dt.datetime(2026, 2, 9, 20, 30, tzinfo=UTC)
    assert counting.due_at(start, 1, "days", "procedural", working) == kz(2026, 2, 12)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        counting.due_at(dt.datetime(2026, 1, 1), 1, "days")


@given(moments, st.integers(min_value=1, max_value=60))
def test_remaining_then_resumed_keeps_the_days(paused: dt.datetime, left_days: int) -> None:
    due = counting.end_of_day(counting.local_date(paused) + dt.timedelta(days=left_days))
    left = counting.remaining(due, paused, "days")
    assert left == dt.timedelta(days=left_days)
    resumed = paused + dt.timedelta(days=40)
    new_due = counting.resumed_due(resumed, left, "days", "procedural", working)
    nominal = counting.local_date(resumed) + dt.timedelta(days=left_days)
    assert counting.local_date(new_due - dt.timedelta(seconds=1)) == counting.next_working_day(
        nominal, working
    )


def test_year_calendar_transfer() -> None:
    cal = YearCalendar(
        2030,
        "test",
        days_off={dt.date(2030, 1, 3): "moved"},
        working_days={dt.date(2030, 1, 5): "working Saturday"},
    )
    assert not cal.is_working_day(dt.date(2030, 1, 3))  # a Thursday made a day off
    assert cal.is_working_day(dt.date(2030, 1, 5))  # a Saturday made working
    assert not cal.is_working_day(dt.date(2030, 1, 6))  # Sunday
