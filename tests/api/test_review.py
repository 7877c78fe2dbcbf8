"""The review queue through the API: reports awaiting a decision by time left, each with the
software's proposals (triage, candidates, allocation) for the official to accept or change."""

from __future__ import annotations

import datetime as dt

import pytest

from tergeu.core import clock
from tests import factories as f

from .conftest import client_for

pytestmark = pytest.mark.django_db

THEFT = "Ночью неизвестный проник в мою квартиру через окно и похитил ноутбук и золотые серьги."


def test_the_queue_and_the_proposals(unit: f.Unit) -> None:
    now = clock.now()
    fresh = unit.report(received_at=now - dt.timedelta(hours=1), description=THEFT)
    urgent = unit.report(received_at=now - dt.timedelta(hours=23), description=THEFT)
    duty = client_for(unit.duty)
    items = duty.get("/reports?status=new").json()["items"]
    assert [i["kui_number"] for i in items] == [urgent.kui_number, fresh.kui_number]
    newest_first = duty.get("/reports").json()["items"]
    assert [i["kui_number"] for i in newest_first] == [fresh.kui_number, urgent.kui_number]
    one = duty.get(f"/reports/{urgent.pk}").json()
    assert one["assessment"]["kind"] == "crime"
    top = one["assessment"]["candidates"][0]
    assert (top["article"], top["part"]) == ("188", "3")
    assert one["allocation_proposal"]["body"]["organisation"]["code"] == unit.police.code
    assert set(one["allocation_proposal"]["reasons"]) == {"kk", "ru", "en"}
    # The official changes the qualification: registered as proposed but in part 1.
    response = duty.post(
        f"/reports/{urgent.pk}/register", {"article": "188", "part": "1", "form": "preliminary"}
    )
    assert response.status_code == 201, response.content
    assert duty.get("/reports?status=new").json()["total"] == 1
