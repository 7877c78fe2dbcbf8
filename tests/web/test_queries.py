"""Query-count baselines of the main pages (the NetBox habit): a page costs a fixed number
of queries however many rows it shows, and no more than its baseline."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tergeu.cases.services import add_participant
from tests import factories as f

pytestmark = pytest.mark.django_db

#: Page -> most queries it may make (session, user and the session save included).
BASELINES = {
    "/cases/": 9,
    "/cases/?q=Ахметов&stage=investigation": 9,
    "/cases/{case}/": 21,  # + defender appointments (1), detentions (3), clocks (deadlines, 1)
    "/cases/{case}/?tab=participants": 15,
    "/cases/{case}/?tab=history": 20,
    "/cases/{case}/?tab=documents": 14,
    "/reports/": 9,
    "/reports/?status=new": 9,
    "/reports/{report}/": 14,
    "/reports/new/": 9,
}


def _add_rows(unit: f.Unit, n: int) -> Any:
    case = report = None
    for i in range(n):
        case = unit.case()
        add_participant(
            unit.investigator, case.pk, status="witness", last_name="Ахметов", first_name=str(i)
        )
        report = unit.report()
    return case, report


def _queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200, path
    return len(ctx.captured_queries)


def test_pages_stay_within_their_baselines_as_data_grows(
    unit: f.Unit, signed_in: Any, django_assert_max_num_queries: Any
) -> None:
    case, report = _add_rows(unit, 2)
    client = signed_in(unit.investigator)
    paths = {p: p.format(case=case.pk, report=report.pk) for p in BASELINES}
    few = {p: _queries(client, path) for p, path in paths.items()}
    _add_rows(unit, 12)
    for pattern, path in paths.items():
        with django_assert_max_num_queries(BASELINES[pattern]):
            client.get(path)
        assert _queries(client, path) == few[pattern], f"{pattern}: queries grow with rows"
