"""Concurrent drafts and double submissions against a real database server."""

from __future__ import annotations

from typing import Any

from tergeu.cases.models import Case
from tergeu.core.errors import Conflict
from tergeu.documents import services
from tergeu.documents.models import DocStatus, Document
from tergeu.integrity.models import Event
from tests.concurrency import POSTGRES_THREADS, THREADS, in_threads

pytestmark = POSTGRES_THREADS


def test_concurrent_drafts_get_distinct_numbers_without_gaps(case: Case, investigator: Any) -> None:
    results = in_threads(
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
    results = in_threads(lambda i: services.finalise(investigator, doc.pk, version=1))
    finalised = [r for r in results if isinstance(r, Document)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert (len(finalised), len(conflicts)) == (1, THREADS - 1)
    assert Document.objects.get(pk=doc.pk).status == DocStatus.FINAL
    assert Event.objects.filter(action="document.finalised").count() == 1
