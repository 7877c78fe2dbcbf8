"""Kazakhstan's production calendar: which days are working days (CPC art. 48(4)).

A year's calendar is a TOML file (``data/calendar/YEAR.toml``, see docs/deadlines.md):
``days_off`` are holidays and days off moved onto weekdays, ``working_days`` are Saturdays
or Sundays declared working by a Government resolution on transfers. Saturdays and Sundays
are otherwise days off (five-day week). An administrator loads next year's file with
``tergeu deadlines calendar load FILE``; it is stored in :class:`CalendarYear` and
overrides the shipped file.

A date of a year with no calendar raises :class:`UnknownCalendarYear`: a term must not be
computed silently on a guessed calendar. The engine catches it, counts with weekends only,
marks the clock ``provisional`` and journals ``deadline.calendar_missing``
(:mod:`tergeu.deadlines.engine`); loading the year recomputes those clocks.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "calendar"
#: Seconds a process keeps a year read from the database before looking again.
CACHE_SECONDS = 300


class UnknownCalendarYear(LookupError):
    """No calendar is loaded for this year."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"No production calendar for {year}: load it with "
            f"'tergeu deadlines calendar load {year}.toml' (docs/deadlines.md)."
        )


class CalendarError(ValueError):
    """A calendar file is invalid; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass(frozen=True)
class YearCalendar:
    """Days off and working weekend days of one year."""

    year: int
    source: str
    days_off: dict[dt.date, str] = field(default_factory=dict)
    working_days: dict[dt.date, str] = field(default_factory=dict)
    to_check: str = ""

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5


def parse(text: str, *, expected_year: int | None = None) -> YearCalendar:
    """Parse and validate a calendar file; :class:`CalendarError` lists every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError([f"not valid TOML: {exc}"]) from exc
    errors: list[str] = []
    unknown = set(data) - {"year", "source", "to_check", "days_off", "working_days"}
    errors += [f"unknown key '{k}'" for k in sorted(unknown)]
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append("'year' must be a year between 2000 and 2100")
        year = None
    elif expected_year is not None and year != expected_year:
        errors.append(f"the file is for {year}, expected {expected_year}")
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        errors.append("'source' must name the law or resolution the days come from")
    days: dict[str, dict[dt.date, str]] = {"days_off": {}, "working_days": {}}
    for key in days:
        rows = data.get(key, [])
        if not isinstance(rows, list):
            errors.append(f"'{key}' must be a list of {{ date = YYYY-MM-DD, name = \"...\" }}")
            continue
        for i, row in enumerate(rows, 1):
            where = f"{key}[{i}]"
            if not isinstance(row, dict) or set(row) - {"date", "name"}:
                errors.append(f'{where}: expected {{ date = YYYY-MM-DD, name = "..." }}')
                continue
            day = row.get("date")
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                errors.append(f"{where}: 'date' must be a date like 2027-01-01")
                continue
            if year is not None and day.year != year:
                errors.append(f"{where}: {day} is not in {year}")
            if not isinstance(row.get("name"), str) or not row["name"].strip():
                errors.append(f"{where}: 'name' must say what the day is")
            if day in days[key]:
                errors.append(f"{where}: {day} is listed twice")
            if key == "working_days" and day.weekday() < 5:
                errors.append(
                    f"{where}: {day} is a weekday; only a weekend day can be declared working"
                )
            days[key][day] = str(row.get("name", ""))
    for day in sorted(set(days["days_off"]) & set(days["working_days"])):
        errors.append(f"{day} is both a day off and a working day")
    if errors:
        raise CalendarError(errors)
    assert year is not None
    return YearCalendar(
        year=year,
        source=str(source).strip(),
        days_off=days["days_off"],
        working_days=days["working_days"],
        to_check=str(data.get("to_check", "")).strip(),
    )


def shipped_years() -> list[int]:
    """Years with a calendar file shipped in the package."""
    return sorted(int(p.stem) for p in DATA.glob("*.toml") if p.stem.isdigit())


_lock = threading.Lock()
_cache: dict[int, tuple[float, YearCalendar | None]] = {}


def reset_cache() -> None:
    """Forget the years read so far (after a load; in tests)."""
    with _lock:
        _cache.clear()


def _from_db(year: int) -> YearCalendar | None:
    from django.db import DatabaseError

    from .models import CalendarYear

    try:
        row = CalendarYear.objects.filter(year=year).only("content").first()
    except DatabaseError:  # no table yet (before migrations)
        return None
    return parse(row.content, expected_year=year) if row else None


def _from_file(year: int) -> YearCalendar | None:
    path = DATA / f"{year}.toml"
    return parse(path.read_text(encoding="utf-8"), expected_year=year) if path.exists() else None


def year_calendar(year: int) -> YearCalendar:
    """The calendar of ``year``: the loaded one, else the shipped file, else an error."""
    now = time.monotonic()
    hit = _cache.get(year)
    if hit is None or now - hit[0] > CACHE_SECONDS:
        cal = _from_db(year) or _from_file(year)
        with _lock:
            _cache[year] = (now, cal)
        hit = _cache[year]
    if hit[1] is None:
        raise UnknownCalendarYear(year)
    return hit[1]


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day in Kazakhstan (UnknownCalendarYear if not loaded)."""
    return year_calendar(day.year).is_working_day(day)


def weekends_only(day: dt.date) -> bool:
    """The fallback when a year has no calendar: Monday to Friday are working days."""
    return day.weekday() < 5


def next_working_day(day: dt.date, is_working: Any = None) -> dt.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    check = is_working or is_working_day
    for _ in range(60):
        if check(day):
            return day
        day += dt.timedelta(days=1)
    raise CalendarError([f"no working day within 60 days after {day}"])


def load(text: str, *, loaded_by: str = "", expected_year: int | None = None) -> YearCalendar:
    """Validate a calendar file and store it, overriding the shipped one; journaled.

    Clocks computed on the weekends-only fallback for that year are recomputed.
    """
    from django.db import transaction

    from tergeu.core import clock
    from tergeu.integrity.journal import record

    from .models import CalendarYear

    cal = parse(text, expected_year=expected_year)
    with transaction.atomic():
        CalendarYear.objects.update_or_create(
            year=cal.year,
            defaults={
                "content": text,
                "source": cal.source[:500],
                "loaded_at": clock.now(),
                "loaded_by": loaded_by[:150],
            },
        )
        record(
            "deadline.calendar_loaded",
            data={
                "year": cal.year,
                "source": cal.source,
                "days_off": sorted(d.isoformat() for d in cal.days_off),
                "working_days": sorted(d.isoformat() for d in cal.working_days),
                "loaded_by": loaded_by,
            },
        )
        reset_cache()
        from .rebuild import recompute_provisional

        recompute_provisional()
    return cal


def command(path: str, *, out: Any = None) -> int:
    """``tergeu deadlines calendar load FILE``: 0 when loaded, 2 with the errors printed."""
    import sys

    out = out or sys.stdout
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        cal = load(text, loaded_by="cli")
    except CalendarError as exc:
        print(f"error: {path} is not a valid calendar:", file=sys.stderr)
        for line in exc.errors:
            print(f"  - {line}", file=sys.stderr)
        return 2
    print(
        f"calendar {cal.year} loaded: {len(cal.days_off)} days off, "
        f"{len(cal.working_days)} working weekend days",
        file=out,
    )
    return 0
