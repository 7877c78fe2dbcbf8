"""The detention API: create, actions, list; 422 with field errors, 409 with the rule, 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.cases.models import Detention, ParticipantStatus
from tergeu.cases.services import add_participant
from tergeu.core import clock
from tests import factories as f
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


def setup() -> tuple[f.Unit, Any, Any]:
    unit = f.Unit()
    with clock.frozen(clock.now() - dt.timedelta(days=2)):
        case = unit.case()
    person = add_participant(
        unit.investigator,
        case.pk,
        status=ParticipantStatus.SUSPECT,
        last_name="Ахметов",
        first_name="Ерлан",
    )
    return unit, case, person


def at(moment: dt.datetime) -> str:
    return clock.local(moment).isoformat()


def test_detention_flow_over_the_api() -> None:
    unit, case, person = setup()
    api = client_for(unit.investigator)
    base = f"/cases/{case.erdr_number}/detentions"
    t0 = clock.now() - 10 * H
    r = api.post(base, {"participant_id": str(person.pk), "detained_at": at(t0), "place": "ТЦ"})
    assert r.status_code == 201, r.json()
    assert r.json()["detained_now"] is True
    for name, hours in (("delivered", 1), ("protocol", 2), ("prosecutor-notified", 3)):
        r = api.post(f"{base}/{person.pk}/{name}", {"at": at(t0 + hours * H)})
        assert r.status_code == 200, r.json()
    assert r.json()["prosecutor_notified_at"] is not None
    until = (clock.local(t0).date() + dt.timedelta(days=30)).isoformat()
    r = api.post(
        f"{base}/{person.pk}/custody",
        {"from": at(t0), "until": until, "court_order_ref": "№ 5"},
    )
    assert r.status_code == 200, r.json()
    assert r.json()["in_custody"] is True
    later = (clock.local(t0).date() + dt.timedelta(days=50)).isoformat()
    r = api.post(f"{base}/{person.pk}/custody/extend", {"until": later})
    assert r.status_code == 200, r.json()
    r = api.post(f"{base}/{person.pk}/custody/end", {"at": at(clock.now() - H), "ground": "153.1"})
    assert r.status_code == 200, r.json()
    listed = api.get(base).json()
    assert listed["total"] == 1
    assert listed["items"][0]["custody_end_ground"] == "153.1"
    grounds = api.get("/detention-grounds").json()
    assert {g["code"] for g in grounds["release"]} >= {"133.1.1", "133.2"}


def test_errors_have_fields_and_rules() -> None:
    unit, case, person = setup()
    api = client_for(unit.investigator)
    base = f"/cases/{case.pk}/detentions"
    r = api.post(base, {"participant_id": "nope", "detained_at": "soon"})
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"participant_id", "detained_at"}
    r = api.post(
        base,
        {"participant_id": str(person.pk), "detained_at": at(clock.now() + 3 * H)},
    )
    assert r.status_code == 422
    assert r.json()["fields"] == {"detained_at": ["This time is in the future."]}
    r = api.post(
        base,
        {"participant_id": str(person.pk), "detained_at": at(case.registered_at - H)},
    )
    assert r.status_code == 409
    assert r.json()["rule"] == "CPC art. 179(1), 128(1)"
    r = api.post(f"{base}/{person.pk}/release", {"at": at(clock.now()), "ground": "133.1.1"})
    assert r.status_code == 409
    assert r.json()["rule"] == "CPC art. 133"
    assert not Detention.objects.filter(case=case).exists()


def test_other_unit_gets_404() -> None:
    _unit, case, person = setup()
    api = client_for(f.Unit().investigator)
    base = f"/cases/{case.pk}/detentions"
    assert api.get(base).status_code == 404
    r = api.post(base, {"participant_id": str(person.pk), "detained_at": at(clock.now() - H)})
    assert r.status_code == 404
    assert not Detention.objects.filter(case=case).exists()
