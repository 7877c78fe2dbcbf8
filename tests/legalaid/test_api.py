"""The legal-aid API: appointments of a case, offers and their answers, the roster."""

from __future__ import annotations

import pytest

from tergeu.accounts.models import User
from tergeu.cases.models import Case, Participant
from tergeu.legalaid.models import Offer
from tests import factories as f
from tests.api.conftest import client_for

from .conftest import on_duty

pytestmark = pytest.mark.django_db


def test_appoint_accept_and_see_the_case(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    on_duty(bar_head, lawyers[0])
    team = client_for(unit.investigator)
    answer = team.post(
        f"/cases/{case.erdr_number}/defender-appointments",
        {"participant_id": str(suspect.pk), "detained_at": "2026-11-28T10:00:00+05:00"},
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "searching"
    assert body["due_at"].startswith("2026-11-29T05:00")
    assert body["document_id"]
    offer_id = body["offers"][0]["id"]

    lawyer = client_for(lawyers[0])
    assert lawyer.get(f"/cases/{case.pk}").status_code == 404  # nothing before acceptance
    mine = lawyer.get("/legalaid/offers").json()
    assert [o["id"] for o in mine["items"]] == [offer_id]
    assert client_for(lawyers[1]).post(f"/legalaid/offers/{offer_id}/accept").status_code == 404
    accepted = lawyer.post(f"/legalaid/offers/{offer_id}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert lawyer.get(f"/cases/{case.pk}").status_code == 200
    again = lawyer.post(f"/legalaid/offers/{offer_id}/decline", {"reason": ""})
    assert again.status_code == 409
    assert again.json()["message"] == "This offer was already answered: Accepted."

    listed = team.get(f"/cases/{case.pk}/defender-appointments").json()
    assert listed["items"][0]["status"] == "filled"
    assert listed["items"][0]["defender_id"] == lawyers[0].pk


def test_decline_through_the_api_goes_to_the_next(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    on_duty(bar_head, lawyers[0])
    on_duty(bar_head, lawyers[1])
    team = client_for(unit.investigator)
    body = team.post(
        f"/cases/{case.pk}/defender-appointments", {"participant_id": str(suspect.pk)}
    ).json()
    first = Offer.objects.get(pk=body["offers"][0]["id"])
    answer = client_for(first.lawyer).post(
        f"/legalaid/offers/{first.pk}/decline", {"reason": "болен"}
    )
    assert answer.status_code == 200
    assert Offer.objects.filter(status="offered").exclude(lawyer=first.lawyer).count() == 1


def test_roster_endpoints_and_field_errors(bar_head: User, lawyers: list[User]) -> None:
    keeper = client_for(bar_head)
    bad = keeper.post(
        "/legalaid/roster",
        {
            "lawyer_id": lawyers[0].pk,
            "starts_at": "2026-12-01T18:00:00+05:00",
            "ends_at": "2026-12-01T09:00:00+05:00",
            "capacity": 0,
        },
    )
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"ends_at", "capacity"}
    good = keeper.post(
        "/legalaid/roster",
        {
            "lawyer_id": lawyers[0].pk,
            "starts_at": "2026-12-01T09:00:00+05:00",
            "ends_at": "2026-12-01T18:00:00+05:00",
            "capacity": 2,
        },
    )
    assert good.status_code == 201, good.content
    slot = good.json()
    listed = keeper.get("/legalaid/roster?past=true").json()
    assert [s["id"] for s in listed["items"]] == [slot["id"]]
    assert keeper.delete(f"/legalaid/roster/{slot['id']}").json()["cancelled_at"]
    assert client_for(lawyers[0]).get("/legalaid/roster").status_code == 403


def test_a_victim_gets_no_defender(unit: f.Unit, case: Case) -> None:
    from tergeu.cases.services import add_participant

    victim = add_participant(
        unit.investigator, case.pk, status="victim", last_name="Ли", first_name="Анна"
    )
    answer = client_for(unit.investigator).post(
        f"/cases/{case.pk}/defender-appointments",
        {"participant_id": str(victim.pk)},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert answer.status_code == 422
    assert "participant_id" in answer.json()["fields"]
