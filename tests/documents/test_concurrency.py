"""Concurrent drafts and double submissions against a real database server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from tergeu.cases.models import Case
from tergeu.core.errors import Conflict
from tergeu.documents import services
from tergeu.documents.models import DocStatus, Document
from tergeu.integrity.models import Event

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks between threads need PostgreSQL"
    ),
]

THREADS = 8


def _in_threads(work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in THREADS threads that start together; results or exceptions."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected for the assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_drafts_get_distinct_numbers_without_gaps(case: Case, investigator: Any) -> None:
    results = _in_threads(
        lambda i: (
            services.create_draft(
                investigator, case.pk, "resolution_acceptance", {"established": f"Черновик {i}"}
            ).number
        )
    )
    assert sorted(results) == list(range(1, THREADS + 1))
    assert Document.objects.filter(case=case).count() == THREADS


def test_a_double_finalisation_finalises_once(case: Case, investigator: Any) -> None:
    doc = services.create_draft(
        investigator, case.pk, "resolution_acceptance", {"established": "Принять дело."}
    )
    results = _in_threads(lambda i: services.finalise(investigator, doc.pk, version=1))
    finalised = [r for r in results if isinstance(r, Document)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert (len(finalised), len(conflicts)) == (1, THREADS - 1)
    assert Document.objects.get(pk=doc.pk).status == DocStatus.FINAL
    assert Event.objects.filter(action="document.finalised").count() == 1
