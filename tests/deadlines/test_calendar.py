"""The production calendar: shipped years, a loaded year overriding them, bad files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tergeu.cli import main
from tergeu.deadlines import calendar
from tergeu.deadlines.calendar import CalendarError, UnknownCalendarYear
from tergeu.deadlines.models import CalendarYear, Clock
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests.deadlines.conftest import kz, one

GOOD_2028 = """
year = 2028
source = "Labour Code art. 84; Government resolution on transfers in 2028 (test)"
days_off = [
  { date = 2028-01-01, name = "New Year" },
  { date = 2028-01-03, name = "Moved from 2 January" },
  { date = 2028-03-06, name = "Transferred from Saturday 4 March" },
]
working_days = [ { date = 2028-03-04, name = "Working Saturday" } ]
"""


def test_shipped_years_and_transfers(db) -> None:
    assert calendar.shipped_years() == [2025, 2026, 2027]
    assert not calendar.is_working_day(dt.date(2026, 3, 24))  # Nauryz moved from 21 March
    assert calendar.is_working_day(dt.date(2026, 3, 26))
    assert not calendar.is_working_day(dt.date(2026, 5, 27))  # Kurban ait
    assert calendar.next_working_day(dt.date(2026, 3, 21)) == dt.date(2026, 3, 26)
    assert not calendar.is_working_day(dt.date(2025, 1, 3))  # transferred day off
    assert calendar.is_working_day(dt.date(2025, 1, 4))  # working Saturday
    for year in calendar.shipped_years():
        cal = calendar.year_calendar(year)
        assert "Labour Code" in cal.source


def test_unknown_year_is_a_clear_error(db) -> None:
    with pytest.raises(UnknownCalendarYear, match=r"tergeu deadlines calendar load 2031\.toml"):
        calendar.is_working_day(dt.date(2031, 1, 5))


def test_load_command_stores_and_journals(db, tmp_path: Path, capsys) -> None:
    path = tmp_path / "2028.toml"
    path.write_text(GOOD_2028, encoding="utf-8")
    assert main(["deadlines", "calendar", "load", str(path)]) == 0
    assert "calendar 2028 loaded: 3 days off, 1 working weekend days" in capsys.readouterr().out
    assert CalendarYear.objects.get(year=2028).source.startswith("Labour Code")
    assert not calendar.is_working_day(dt.date(2028, 3, 6))
    assert calendar.is_working_day(dt.date(2028, 3, 4))
    event = Event.objects.get(action="deadline.calendar_loaded")
    assert payload_of(event)["data"]["working_days"] == ["2028-03-04"]


def test_loaded_year_overrides_the_shipped_one(db) -> None:
    assert calendar.is_working_day(dt.date(2027, 3, 1))
    calendar.load(
        'year = 2027\nsource = "resolution (test)"\n'
        'days_off = [ { date = 2027-03-01, name = "Transferred" } ]\n'
    )
    assert not calendar.is_working_day(dt.date(2027, 3, 1))
    assert calendar.is_working_day(dt.date(2027, 3, 8))  # no longer listed


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("year = ", "not valid TOML"),
        ('year = 1900\nsource = "x"', "'year' must be"),
        ("year = 2028", "'source'"),
        (
            'year = 2028\nsource = "x"\ndays_off = [ { date = 2029-01-01, name = "x" } ]',
            "2029-01-01 is not in 2028",
        ),
        (
            'year = 2028\nsource = "x"\nworking_days = [ { date = 2028-03-06, name = "x" } ]',
            "is a weekday",
        ),
        (
            'year = 2028\nsource = "x"\ndays_off = [ { date = 2028-03-06, name = "x" },'
            ' { date = 2028-03-06, name = "y" } ]',
            "listed twice",
        ),
        ('year = 2028\nsource = "x"\ndays_off = [ { date = "soon", name = "x" } ]', "'date'"),
        ('year = 2028\nsource = "x"\nholidays = []', "unknown key 'holidays'"),
    ],
)
def test_bad_files_are_refused(db, text: str, fragment: str) -> None:
    with pytest.raises(CalendarError) as exc:
        calendar.load(text)
    assert fragment in str(exc.value)
    assert not CalendarYear.objects.exists()


def test_load_command_bad_file(db, tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('year = 2028\nsource = ""\nworking_days = [ { date = 2028-03-06 } ]\n')
    assert main(["deadlines", "calendar", "load", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is not a valid calendar" in err
    assert "'source'" in err
    assert main(["deadlines", "calendar", "load", str(tmp_path / "missing.toml")]) == 2


def test_terms_in_an_unloaded_year_are_provisional_until_loaded(unit, caplog) -> None:
    from tergeu.core import clock

    with clock.frozen(kz(2028, 12, 1, 10)):
        case = unit.case(form="preliminary")
    term = one(case, "investigation.preliminary")
    assert term.provisional
    assert "calendar_missing" in caplog.text
    # weekends only: 1 February 2029 is a Thursday
    assert term.due_at == kz(2029, 2, 2)
    calendar.load(GOOD_2028)
    calendar.load(
        'year = 2029\nsource = "test"\ndays_off = [ { date = 2029-02-01, name = "x" } ]\n'
    )
    term = Clock.objects.get(pk=term.pk)
    assert not term.provisional
    assert term.due_at == kz(2029, 2, 3)
