"""Every list is paginated, filtered in SQL, and never larger than 200 items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tergeu.core.iin import make_iin
from tests import factories as f

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_reports_are_paginated_and_filtered(unit: f.Unit) -> None:
    for _ in range(5):
        unit.report()
    duty = client_for(unit.duty)
    first = duty.get("/reports?size=2").json()
    assert (first["page"], first["size"], first["total"], len(first["items"])) == (1, 2, 5, 2)
    third = duty.get("/reports?size=2&page=3").json()
    assert len(third["items"]) == 1
    past = duty.get("/reports?size=2&page=99").json()
    assert past["page"] == 3
    numbers = [
        item["kui_number"]
        for page in (1, 2, 3)
        for item in duty.get(f"/reports?size=2&page={page}").json()["items"]
    ]
    assert len(set(numbers)) == 5
    decided = numbers[0]
    report_id = next(r["id"] for r in first["items"] if r["kui_number"] == decided)
    duty.post(f"/reports/{report_id}/incident", {"reason": "Не преступление"})
    assert duty.get("/reports?status=new").json()["total"] == 4
    assert duty.get("/reports?status=incident").json()["items"][0]["kui_number"] == decided


def test_cases_are_searched_and_paginated(unit: f.Unit) -> None:
    cases = [unit.case() for _ in range(3)]
    other = unit.case(article="190", part="1")
    inv = client_for(unit.investigator)
    page = inv.get("/cases?size=2").json()
    assert (page["total"], len(page["items"])) == (4, 2)
    assert inv.get("/cases?article=190").json()["items"][0]["erdr_number"] == other.erdr_number
    assert inv.get("/cases?stage=interrupted").json()["total"] == 0
    assert inv.get(f"/cases?q={cases[0].erdr_number}").json()["total"] == 1
    iin = make_iin(dt.date(1990, 1, 1), True, 7)
    inv.post(
        f"/cases/{cases[1].pk}/participants",
        {"status": "suspect", "last_name": "Жұмабаев", "first_name": "Нұрлан", "iin": iin},
    )
    found = inv.get(f"/cases?q={iin}").json()
    assert [c["erdr_number"] for c in found["items"]] == [cases[1].erdr_number]
    assert inv.get("/cases?q=Жұмабаев").json()["total"] == 1
    today = timezone.localtime(cases[0].registered_at).date().isoformat()
    assert inv.get(f"/cases?date_from={today}&date_to={today}").json()["total"] == 4
    assert inv.get("/cases?date_to=2000-01-01").json()["total"] == 0


def test_history_and_tokens_are_paginated(unit: f.Unit) -> None:
    case = unit.case()
    inv = client_for(unit.investigator)
    everything = inv.get(f"/cases/{case.pk}/history?size=200").json()
    assert everything["total"] >= 3
    first = inv.get(f"/cases/{case.pk}/history?size=1").json()
    assert first["items"][0]["action"] == "case.registered"
    assert first["items"][0]["payload"]["data"]["erdr_number"] == case.erdr_number
    assert inv.get("/tokens?size=1").json()["total"] == 1
    assert inv.get(f"/cases/{case.pk}/participants?size=201").status_code == 422
