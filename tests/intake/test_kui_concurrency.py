"""KUI numbers stay gap-free and unique when many officers record reports at once.

The services run in real threads, each with its own database connection, so they race
for the counter row exactly as concurrent requests of the server do.

* PostgreSQL: the threads share the test database; ``SELECT ... FOR UPDATE`` on the
  counter row serialises the takers of a number (real row locks).
* SQLite: the test database of the suite is an in-memory database in shared-cache mode,
  where a second writer fails at once with "database table is locked" (shared-cache
  locks ignore the busy timeout), so it cannot show what production does. The threads
  therefore work on a file copy of the test database (SQLite's backup API) opened with
  the production options: WAL, ``BEGIN IMMEDIATE`` and the busy timeout, under which
  writers queue instead of failing.

:class:`Parallel` is shared with the ERDR test (tests/cases/test_erdr_concurrency.py).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connection, connections

from tergeu.core import clock
from tergeu.core.errors import ValidationFailed
from tergeu.core.models import Counter
from tergeu.intake.models import Report
from tergeu.integrity.models import Event
from tests import factories as f

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741

THREADS = 8
REPORTS = 60
#: A fixed "now" (Kazakhstan local time 2026-03-10 17:00): numbers carry the year.
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


class Parallel:
    """Runs work in threads with one database connection each, on the database under test."""

    def __init__(self, tmp_path: Path) -> None:
        self.settings: dict[str, Any] | None = None
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            path = tmp_path / "parallel.sqlite3"
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)  # type: ignore[union-attr]
            finally:
                target.close()
            self.settings = {**connection.settings_dict, "NAME": str(path)}

    def _connect(self) -> None:
        """Give the current thread its own connection to the database under test."""
        if self.settings is not None:
            connections["default"] = type(connections["default"])(self.settings, "default")

    def map(self, fn: Callable[[I], T], items: Sequence[I], threads: int = THREADS) -> list[Any]:
        """``fn(item)`` for every item, spread over ``threads`` threads started together.

        Returns, in the order of ``items``, each result or the exception it raised.
        """
        results: list[Any] = [None] * len(items)
        start = threading.Barrier(threads)

        def worker(k: int) -> None:
            self._connect()
            try:
                start.wait()
                for i in range(k, len(items), threads):
                    try:
                        results[i] = fn(items[i])
                    except Exception as exc:
                        results[i] = exc
            finally:
                connections.close_all()

        pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in pool), "a worker hangs"
        return results

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` in a fresh thread on the database under test (to read what the threads did)."""
        (result,) = self.map(lambda _: fn(), [None], threads=1)
        if isinstance(result, Exception):
            raise result
        return result  # type: ignore[no-any-return]


@pytest.fixture
def parallel(tmp_path: Path) -> Parallel:
    return Parallel(tmp_path)


def _kui_numbers(org_code: str) -> list[str]:
    return list(
        Report.objects.filter(organisation__code=org_code)
        .order_by("kui_number")
        .values_list("kui_number", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_recording_gives_every_number_once_in_sequence(tmp_path: Path) -> None:
    units = [f.Unit(), f.Unit()]
    parallel = Parallel(tmp_path)  # after the reference data exists, so SQLite's copy has it
    officers = [u.duty for u in units] + [u.investigator for u in units]

    def record(i: int) -> Report:
        return f.Unit.report(units[i % 2], by=officers[i % len(officers)], description=f"№{i}")

    with clock.frozen(NOW):
        results = parallel.map(record, range(REPORTS))

    assert [r for r in results if not isinstance(r, Report)] == []
    for unit in units:
        code = unit.police.code
        numbers = parallel.call(lambda code=code: _kui_numbers(code))
        count = REPORTS // 2
        assert numbers == [f"2026-{code}-{n:06d}" for n in range(1, count + 1)]
        assert all(re.fullmatch(rf"2026-{code}-\d{{6}}", n) for n in numbers)
        counter = parallel.call(lambda code=code: Counter.objects.get(scope=f"kui:{code}:2026"))
        assert counter.value == count
    events = parallel.call(lambda: Event.objects.filter(action="report.recorded").count())
    assert events == REPORTS


@pytest.mark.django_db(transaction=True)
def test_refused_reports_in_the_crowd_leave_no_gap(tmp_path: Path) -> None:
    unit = f.Unit()
    parallel = Parallel(tmp_path)

    def record(i: int) -> Report:
        # Every fifth report has no description: refused by validation, nothing recorded.
        return unit.report(description="" if i % 5 == 0 else f"№{i}")

    with clock.frozen(NOW):
        results = parallel.map(record, range(40))

    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(refused) == 8
    assert all("description" in exc.fields for exc in refused)
    assert len([r for r in results if isinstance(r, Report)]) == 32
    numbers = parallel.call(lambda: _kui_numbers(unit.police.code))
    assert numbers == [f"2026-{unit.police.code}-{n:06d}" for n in range(1, 33)]
