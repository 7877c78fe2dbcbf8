"""Counting of procedural terms, CPC art. 48 — pure functions of times and a calendar.

- art. 48(1): terms run in hours, days (сутки), months (and years);
- art. 48(2): the hour and the day in which a term starts are not counted — except for
  detention, custody, house arrest ("custodial" counting);
- art. 48(3): non-working time is included;
- art. 48(4): a day term ends at 24:00 of its last day; a month term on the same date of
  its last month, or on that month's last day when it has no such date; a last day that
  is a non-working day moves to the next working day — except custodial terms;
- art. 48(5): detention runs from the minute it happened; the first day of custody counts.

All moments are aware datetimes; the days are those of Kazakhstan local time
(:data:`tergeu.core.clock.KZ_TZ`). Results are in UTC. ``is_working`` is injectable
(default: :func:`tergeu.deadlines.calendar.is_working_day`).

Hour terms never move to a working day: art. 48(4) moves the *last day* of a term, and
an hour term (24 hours to decide on a report, 3 hours to deliver a detainee) runs
through non-working time (art. 48(3)).
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Callable

from tergeu.core.clock import KZ_TZ

IsWorking = Callable[[dt.date], bool]
UTC = dt.UTC


def _is_working(day: dt.date) -> bool:
    from .calendar import is_working_day

    return is_working_day(day)


def local_date(moment: dt.datetime) -> dt.date:
    """The Kazakhstan calendar date of ``moment``."""
    return moment.astimezone(KZ_TZ).date()


def start_of_day(day: dt.date) -> dt.datetime:
    """00:00 local of ``day``, in UTC."""
    return dt.datetime.combine(day, dt.time(0), KZ_TZ).astimezone(UTC)


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 local of ``day`` (= 00:00 of the next day), in UTC."""
    return start_of_day(day + dt.timedelta(days=1))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same date ``months`` later, or that month's last day if it has no such date."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def next_working_day(day: dt.date, is_working: IsWorking | None = None) -> dt.date:
    """``day`` if it is a working day, else the first working day after it."""
    check = is_working or _is_working
    for _ in range(60):
        if check(day):
            return day
        day += dt.timedelta(days=1)
    raise ValueError(f"no working day within 60 days after {day}")


def last_day(start: dt.datetime, amount: int, unit: str) -> dt.date:
    """The last day of a procedural day or month term starting at ``start`` (unmoved)."""
    first = local_date(start)
    if unit == "days":
        return first + dt.timedelta(days=amount)
    if unit == "months":
        return add_months(first, amount)
    raise ValueError(f"last_day is for days and months, not {unit}")


def due_at(
    start: dt.datetime,
    amount: int,
    unit: str,
    counting: str = "procedural",
    is_working: IsWorking | None = None,
) -> dt.datetime:
    """When a term of ``amount`` ``unit`` starting at ``start`` runs out (UTC)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if amount < 0:
        raise ValueError("amount must not be negative")
    if counting == "custodial":
        return custodial_due(start, amount, unit)
    if counting != "procedural":
        raise ValueError(f"unknown counting {counting!r}")
    if unit == "hours":
        # art. 48(2): the starting hour is not counted; count from the next full hour.
        local = start.astimezone(KZ_TZ)
        next_hour = local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        return (next_hour + dt.timedelta(hours=amount)).astimezone(UTC)
    day = next_working_day(last_day(start, amount, unit), is_working)
    return end_of_day(day)


def custodial_due(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    """Detention, custody, house arrest (art. 48(2), 48(5)): from the minute, the first day
    counted, never moved. ``amount`` months of custody from day D end at 00:00 of the same
    date ``amount`` months later (the period [D, D + n months)), or at 00:00 of the 1st of
    the following month when that month has no such date."""
    if unit == "hours":
        return (start + dt.timedelta(hours=amount)).astimezone(UTC)
    first = local_date(start)
    if unit == "days":
        return start_of_day(first + dt.timedelta(days=amount))
    if unit == "months":
        index = first.month - 1 + amount
        year, month = first.year + index // 12, index % 12 + 1
        if first.day <= _cal.monthrange(year, month)[1]:
            return start_of_day(dt.date(year, month, first.day))
        return start_of_day(add_months(dt.date(year, month, 1), 1))
    raise ValueError(f"unknown unit {unit!r}")


def remaining(due: dt.datetime, paused_at: dt.datetime, unit: str) -> dt.timedelta:
    """What is left of a term interrupted at ``paused_at`` (art. 45(7)).

    Hour terms keep the exact time left. Day and month terms keep whole days: the days
    after the day of the interruption up to the term's last day (the day of the
    interruption is spent, art. 48(2) reads on the day of the resumption instead).
    """
    if unit == "hours":
        return max(due - paused_at, dt.timedelta(0))
    last = local_date(due - dt.timedelta(microseconds=1))
    return dt.timedelta(days=max((last - local_date(paused_at)).days, 0))


def resumed_due(
    resumed_at: dt.datetime,
    left: dt.timedelta,
    unit: str,
    counting: str = "procedural",
    is_working: IsWorking | None = None,
) -> dt.datetime:
    """The new expiry of a term resumed at ``resumed_at`` with ``left`` remaining (45(9))."""
    if unit == "hours" or counting == "custodial":
        return (resumed_at + left).astimezone(UTC)
    return due_at(resumed_at, left.days, "days", counting, is_working)


def time_left(due: dt.datetime, now: dt.datetime) -> dt.timedelta:
    """Time until ``due`` (negative when past)."""
    return due - now
