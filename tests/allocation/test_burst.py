"""Fair under a burst: reports registered at once in one body spread over its officers.

Each registration locks the body's allocation row before it reads the loads, so the
next one sees the case the previous one gave; without the lock all eight would read the
same empty loads and give every case to the same officer.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tergeu.accounts.models import Role
from tergeu.allocation.models import BodyState, OfficerState
from tergeu.cases.models import Case
from tergeu.cases.services import register_report
from tergeu.integrity.models import Event
from tests import factories as f
from tests.concurrency import POSTGRES_THREADS, in_threads
from tests.intake.test_kui_concurrency import Parallel


def _unit_with_four_investigators() -> f.Unit:
    unit = f.Unit()
    for _ in range(3):
        f.user(Role.INVESTIGATOR, unit.police)
    return unit


def _register(unit: f.Unit, report_id: Any) -> Case:
    return register_report(unit.duty, report_id, article="188", part="2", form="preliminary")


def _spread(unit: f.Unit) -> dict[int, int]:
    return dict(
        Counter(
            Case.objects.filter(organisation=unit.police).values_list("investigator", flat=True)
        )
    )


@pytest.mark.django_db(transaction=True)
def test_eight_at_once_over_four_equal_officers(tmp_path: Path) -> None:
    """On both engines (SQLite: a file copy with production options, see Parallel)."""
    unit = _unit_with_four_investigators()
    reports = [unit.report(description=f"№{i}").pk for i in range(8)]
    parallel = Parallel(tmp_path)
    results = parallel.map(lambda report_id: _register(unit, report_id), reports)
    assert [r for r in results if not isinstance(r, Case)] == []
    spread = parallel.call(lambda: _spread(unit))
    assert sorted(spread.values()) == [2, 2, 2, 2]
    state = parallel.call(lambda: BodyState.objects.get(organisation=unit.police))
    assert state.allocations == 8
    assert parallel.call(
        lambda: sorted(OfficerState.objects.values_list("allocations", flat=True))
    ) == [
        2,
        2,
        2,
        2,
    ]
    accepted = parallel.call(lambda: Event.objects.filter(action="allocation.accepted").count())
    assert accepted == 8


@pytest.mark.parametrize("_", [None], ids=["postgres"])
def test_burst_with_in_threads_on_postgres(_: None) -> None:
    unit = _unit_with_four_investigators()
    reports = [unit.report(description=f"№{i}").pk for i in range(8)]
    results = in_threads(lambda i: _register(unit, reports[i]), threads=8)
    assert [r for r in results if not isinstance(r, Case)] == []
    assert sorted(_spread(unit).values()) == [2, 2, 2, 2]


for _mark in POSTGRES_THREADS:
    test_burst_with_in_threads_on_postgres = _mark(test_burst_with_in_threads_on_postgres)
