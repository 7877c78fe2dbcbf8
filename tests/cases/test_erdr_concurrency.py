"""ERDR numbers stay gap-free and unique when many reports are registered at once.

Reports are recorded first, then registered by 8 threads with one database connection
each, racing for the counter row of the body and year as concurrent requests do. On
PostgreSQL they share the test database and ``SELECT ... FOR UPDATE`` serialises the
takers of a number; on SQLite they work on a file copy of the test database with the
production options (WAL, ``BEGIN IMMEDIATE``, busy timeout): the in-memory shared-cache
database of the suite refuses a second writer at once. See
:class:`tests.intake.test_kui_concurrency.Parallel`.

A registration that fails, before or after it has taken its number, rolls back whole
and gives the number back: the next registration gets it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tergeu.cases import register
from tergeu.cases.models import Case
from tergeu.cases.services import register_report
from tergeu.core import clock
from tergeu.core.errors import ValidationFailed
from tergeu.core.models import Counter
from tergeu.intake.models import Report, ReportStatus
from tergeu.integrity.models import Event
from tests import factories as f
from tests.intake.test_kui_concurrency import Parallel

pytestmark = pytest.mark.django_db(transaction=True)

#: Kazakhstan local time 2026-03-10 17:00: ERDR numbers of this moment start with "26".
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
REPORTS_PER_BODY = 30
BAD_INVESTIGATOR = "Choose an investigator or inquiry officer of your body."


class Boom(Exception):
    """A failure injected after the ERDR number is taken."""


@pytest.fixture
def fail_after_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations whose fabula starts with 'boom' fail after taking their number.

    The failure comes from granting access to the new case, which happens after the case
    row with its ERDR number is written and the registration is journaled.
    """
    real_grant = register.grant_new_case

    def grant(case: Case, *args: Any, **kwargs: Any) -> Any:
        if case.fabula.startswith("boom"):
            raise Boom(case.erdr_number)
        return real_grant(case, *args, **kwargs)

    monkeypatch.setattr(register, "grant_new_case", grant)


def _register(unit: f.Unit, report: Report, **fields: Any) -> Case:
    data: dict[str, Any] = {
        "article": "188",
        "part": "1",
        "form": "preliminary",
        "investigator_id": unit.investigator.pk,
    }
    data.update(fields)
    return register_report(unit.duty, report.pk, **data)


def _erdr_numbers(unit: f.Unit) -> list[str]:
    return list(
        Case.objects.filter(organisation=unit.police)
        .order_by("erdr_number")
        .values_list("erdr_number", flat=True)
    )


def _expected(unit: f.Unit, count: int, yy: str = "26") -> list[str]:
    """ERDR numbers 1..count of the unit's body: YY RR DD BB NNNNNNN (15 digits)."""
    org = unit.police
    body = org.code[4:6]
    return [f"{yy}{org.region_id}{org.district.code}{body}{n:07d}" for n in range(1, count + 1)]


def test_parallel_registration_gives_every_number_once_in_sequence(tmp_path: Path) -> None:
    units = [f.Unit(), f.Unit()]
    with clock.frozen(NOW):
        jobs = [(u, u.report(description=f"№{i}")) for i in range(REPORTS_PER_BODY) for u in units]
    parallel = Parallel(tmp_path)

    with clock.frozen(NOW):
        results = parallel.map(lambda job: _register(*job), jobs)

    assert [r for r in results if not isinstance(r, Case)] == []
    assert len({case.pk for case in results}) == len(jobs)
    for unit in units:
        numbers = parallel.call(lambda unit=unit: _erdr_numbers(unit))
        expected = _expected(unit, REPORTS_PER_BODY)
        assert numbers == expected
        assert all(len(n) == 15 and n.isdigit() for n in numbers)
        counter = parallel.call(
            lambda unit=unit: Counter.objects.get(scope=f"erdr:{unit.police.code}:2026")
        )
        assert counter.value == REPORTS_PER_BODY
    # Each registered case carries its own report and every report is closed as registered.
    assert {case.report_id for case in results} == {report.pk for _, report in jobs}
    statuses = parallel.call(lambda: set(Report.objects.values_list("status", flat=True)))
    assert statuses == {ReportStatus.REGISTERED}
    events = parallel.call(lambda: Event.objects.filter(action="case.registered").count())
    assert events == len(jobs)


@pytest.mark.usefixtures("fail_after_number")
def test_failures_in_the_crowd_leave_no_gap(tmp_path: Path) -> None:
    unit, other = f.Unit(), f.Unit()
    with clock.frozen(NOW):
        reports = [unit.report(description="boom" if i % 7 == 3 else f"№{i}") for i in range(42)]
    parallel = Parallel(tmp_path)

    def job(i: int) -> Case:
        # Every fifth names an investigator of another body: refused before any number.
        if i % 5 == 0:
            return _register(unit, reports[i], investigator_id=other.investigator.pk)
        return _register(unit, reports[i])

    with clock.frozen(NOW):
        results = parallel.map(job, range(len(reports)))

    refused = [i for i, r in enumerate(results) if isinstance(r, ValidationFailed)]
    boomed = [i for i, r in enumerate(results) if isinstance(r, Boom)]
    done = [i for i, r in enumerate(results) if isinstance(r, Case)]
    assert refused == [i for i in range(42) if i % 5 == 0]
    assert boomed == [i for i in range(42) if i % 5 and i % 7 == 3]
    assert len(done) + len(refused) + len(boomed) == 42
    assert all(
        [str(m) for m in results[i].fields["investigator_id"]] == [BAD_INVESTIGATOR]
        for i in refused
    )
    assert parallel.call(lambda: _erdr_numbers(unit)) == _expected(unit, len(done))
    waiting = parallel.call(
        lambda: set(Report.objects.filter(status=ReportStatus.NEW).values_list("pk", flat=True))
    )
    assert waiting == {reports[i].pk for i in refused + boomed}


def test_failed_registration_gives_its_number_back(fail_after_number: None) -> None:
    unit, other = f.Unit(), f.Unit()
    with clock.frozen(NOW):
        first, second, third = (unit.report() for _ in range(3))
        bomb = unit.report(description="boom: fails after its number")
        assert _register(unit, first).erdr_number == _expected(unit, 1)[0]

        with pytest.raises(ValidationFailed) as refused:
            _register(unit, second, investigator_id=other.investigator.pk)
        assert [str(m) for m in refused.value.fields["investigator_id"]] == [BAD_INVESTIGATOR]

        with pytest.raises(Boom) as boom:
            _register(unit, bomb)
        assert str(boom.value) == _expected(unit, 2)[1]  # it had taken number 2 ...

        assert Counter.objects.get(scope=f"erdr:{unit.police.code}:2026").value == 1
        assert _erdr_numbers(unit) == _expected(unit, 1)  # ... and gave it back
        for report in (second, bomb):
            report.refresh_from_db()
            assert report.status == ReportStatus.NEW
            assert not Case.objects.filter(report=report).exists()
        assert Event.objects.filter(action="case.registered").count() == 1

        assert _register(unit, second).erdr_number == _expected(unit, 2)[1]
        assert _register(unit, third).erdr_number == _expected(unit, 3)[2]
    assert _erdr_numbers(unit) == _expected(unit, 3)


def test_numbers_restart_with_the_local_year() -> None:
    unit = f.Unit()
    # 31 December 19:30 UTC is already 1 January 00:30 in Kazakhstan (UTC+5).
    new_year = dt.datetime(2026, 12, 31, 19, 30, tzinfo=dt.UTC)
    with clock.frozen(new_year - dt.timedelta(hours=1)):
        old = _register(unit, unit.report())
    with clock.frozen(new_year):
        new = _register(unit, unit.report())
    assert old.erdr_number == _expected(unit, 1, yy="26")[0]
    assert new.erdr_number == _expected(unit, 1, yy="27")[0]
