"""The allocation API: proposals (journaled), specialisations (administrators), and the
override reason on registration through /reports/{id}/register."""

from __future__ import annotations

from typing import Any

import pytest

from tergeu.accounts.models import Role
from tergeu.allocation.models import Specialisation
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def test_proposal_with_reasons_is_journaled(unit: f.Unit) -> None:
    r = client_for(unit.duty).post(
        "/allocation/proposals",
        {"region_code": "75", "district_code": "01", "article": "188", "part": "1"},
    )
    assert r.status_code == 200, r.json()
    data = r.json()
    assert data["body"]["organisation"]["code"] == unit.police.code
    assert data["body"]["form"] == "inquiry"
    assert "CPC art. 191 part 2, sentence 1" in data["body"]["citations"]
    assert data["officer"]["user"] == unit.inquiry_officer.pk
    event = Event.objects.get(action="allocation.proposed")
    assert payload_of(event)["data"]["officer"]["user"] == unit.inquiry_officer.pk


def test_proposal_in_russian_and_bad_input(unit: f.Unit) -> None:
    client = client_for(unit.duty)
    r = client.post(
        "/allocation/proposals",
        {"region_code": "75", "article": "188", "part": "1"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert any("Дознание производится" in x for x in r.json()["body"]["reasons"])
    journaled = Event.objects.filter(action="allocation.proposed").count()
    r = client.post(
        "/allocation/proposals",
        {"region_code": "99", "article": "9999"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert r.status_code == 422
    fields = r.json()["fields"]
    assert fields["region_code"] == ["Неизвестный код региона 99."]
    assert "article" in fields
    assert Event.objects.filter(action="allocation.proposed").count() == journaled


def test_judge_may_not_ask(unit: f.Unit) -> None:
    r = client_for(unit.judge).post("/allocation/proposals", {"region_code": "75"})
    assert r.status_code == 403


def test_specialisation_by_administrator(unit: f.Unit) -> None:
    admin = f.user(Role.ADMINISTRATOR)
    client = client_for(admin)
    path = f"/allocation/specialisations/{unit.investigator.pk}"
    assert client.get(path).json() == {
        "user_id": unit.investigator.pk,
        "chapters": [],
        "articles": [],
    }
    r = client.call("put", path, {"chapters": ["6"], "articles": ["366", "188"]})
    assert r.status_code == 200, r.json()
    assert r.json()["articles"] == ["188", "366"]
    assert Specialisation.objects.get(user=unit.investigator).chapters == ["6"]
    event = payload_of(Event.objects.get(action="allocation.specialisation_set"))
    assert event["data"]["after"] == {"chapters": ["6"], "articles": ["188", "366"]}

    r = client.call("put", path, {"chapters": ["99"], "articles": ["9999"]})
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"chapters", "articles"}
    r = client.call("put", f"/allocation/specialisations/{unit.judge.pk}", {"chapters": ["6"]})
    assert r.status_code == 422
    assert "user_id" in r.json()["fields"]
    r = client_for(unit.head).call("put", path, {"chapters": ["1"]})
    assert r.status_code == 403
    assert Specialisation.objects.get(user=unit.investigator).chapters == ["6"]


def test_register_override_through_the_api(unit: f.Unit) -> None:
    other = f.user(Role.INQUIRY_OFFICER, unit.police, username="zz-other")
    duty = client_for(unit.duty)

    def register(**extra: Any) -> Any:
        report = unit.report()
        body = {"article": "188", "part": "1", "investigator_id": other.pk, **extra}
        return duty.post(f"/reports/{report.pk}/register", body)

    r = register()
    assert r.status_code == 422
    assert list(r.json()["fields"]) == ["allocation_reason"]
    r = register(allocation_reason="Duty roster of the week.")
    assert r.status_code == 201, r.json()
    event = payload_of(Event.objects.get(action="allocation.overridden"))
    assert event["data"]["reason"] == "Duty roster of the week."
