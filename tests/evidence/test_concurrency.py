"""Concurrent registrations and double submissions against a real database server."""

from __future__ import annotations

from typing import Any

from tergeu.core.errors import Conflict
from tergeu.evidence import services
from tergeu.evidence.models import CustodyEvent, EvidenceFile, EvidenceItem
from tests import factories as f
from tests.concurrency import POSTGRES_THREADS, THREADS, in_threads

from .conftest import attach, jpeg, register

pytestmark = POSTGRES_THREADS


def test_concurrent_registrations_get_distinct_numbers_without_gaps(
    unit: f.Unit, case: Any
) -> None:
    results = in_threads(lambda i: register(unit, case, description=f"Предмет {i}").number)
    assert sorted(results) == list(range(1, THREADS + 1))
    assert EvidenceItem.objects.filter(case=case).count() == THREADS


def test_a_double_submitted_move_happens_once(unit: f.Unit, item: EvidenceItem) -> None:
    results = in_threads(
        lambda i: services.transfer(unit.investigator, item.pk, to_holder=f"Склад {i}", version=1)
    )
    moved = [r for r in results if isinstance(r, EvidenceItem)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert (len(moved), len(conflicts)) == (1, THREADS - 1)
    assert CustodyEvent.objects.filter(item=item).count() == 2


def test_the_same_file_uploaded_at_once_is_attached_once(unit: f.Unit, item: EvidenceItem) -> None:
    data = jpeg(b"twice")
    results = in_threads(lambda i: attach(unit.investigator, item, data, name=f"{i}.jpg"))
    rows = [r for r in results if isinstance(r, EvidenceFile)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert (len(rows), len(conflicts)) == (1, THREADS - 1)
    assert EvidenceFile.objects.filter(item=item).count() == 1
