"""The pages: the lawyer's offers (the SMS link), the roster, the case card's panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tergeu.accounts.models import User
from tergeu.cases.models import Case, Participant
from tergeu.core import clock
from tergeu.legalaid import services
from tergeu.legalaid.models import AppointmentStatus, DutySlot, OfferStatus
from tests import factories as f

from .conftest import on_duty

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_sms_link_needs_sign_in_and_leads_to_the_offer(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    on_duty(bar_head, lawyers[0])
    detained = clock.now() - dt.timedelta(hours=25)
    appointment = services.appoint_defender(
        unit.investigator, case.pk, suspect.pk, detained_at=detained
    )
    offer = appointment.offers.get()
    url = f"/legalaid/offers/{offer.pk}/"
    assert url in services.offer_url(offer)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert "next=" in anonymous["Location"]
    assert Client().get(url).status_code == 302
    assert _client(lawyers[1]).get(url).status_code == 404
    page = _client(lawyers[0]).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert case.erdr_number in text
    assert "Overdue" in text  # detained 25 hours ago: the 24 hours of art. 68(4) are over
    assert "CPC art. 68(4)" in text
    mine = _client(lawyers[0]).get("/legalaid/")
    assert 'class="overdue"' in mine.content.decode()

    answer = _client(lawyers[0]).post(f"/legalaid/offers/{offer.pk}/accept/")
    assert answer.status_code == 302
    assert answer["Location"] == f"/cases/{case.pk}/"
    card = _client(lawyers[0]).get(f"/cases/{case.pk}/")
    assert card.status_code == 200


def test_decline_from_the_page(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    on_duty(bar_head, lawyers[0])
    offer = services.appoint_defender(unit.investigator, case.pk, suspect.pk).offers.get()
    answer = _client(lawyers[0]).post(
        f"/legalaid/offers/{offer.pk}/decline/", {"reason": "в процессе"}
    )
    assert answer.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    again = _client(lawyers[0]).post(f"/legalaid/offers/{offer.pk}/accept/", follow=True)
    assert "already answered" in again.content.decode()


def test_the_case_card_shows_the_appointment_and_the_action(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    investigator = _client(unit.investigator)
    card = investigator.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/defender/" in card
    form = investigator.get(f"/cases/{case.pk}/defender/")
    assert form.status_code == 200
    assert suspect.last_name in form.content.decode()
    detained = clock.local(clock.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    done = investigator.post(
        f"/cases/{case.pk}/defender/",
        {"participant_id": str(suspect.pk), "detained_at": detained, "reason": ""},
    )
    assert done.status_code == 302
    card = investigator.get(f"/cases/{case.pk}/").content.decode()
    assert "No duty lawyer available" in card
    assert "Offer again" in card
    on_duty(bar_head, lawyers[0])  # comes on duty: offered at once
    card = investigator.get(f"/cases/{case.pk}/").content.decode()
    assert "Offered to a duty lawyer" in card
    assert str(lawyers[0]) in card


def test_the_appointment_form_shows_errors(unit: f.Unit, case: Case, suspect: Participant) -> None:
    answer = _client(unit.investigator).post(
        f"/cases/{case.pk}/defender/",
        {"participant_id": str(suspect.pk), "detained_at": "2999-01-01T10:00"},
    )
    assert answer.status_code == 422
    assert "This time is in the future." in answer.content.decode()


def test_the_roster_page(bar_head: User, lawyers: list[User]) -> None:
    keeper = _client(bar_head)
    page = keeper.get("/legalaid/roster/").content.decode()
    assert '<a href="/legalaid/roster/" aria-current="page">Duty roster</a>' in page
    # A lawyer finds their offers in the menu; the roster is the bar head's.
    lawyer_page = _client(lawyers[0]).get("/legalaid/").content.decode()
    assert '<a href="/legalaid/" aria-current="page">My offers and appointments</a>' in lawyer_page
    assert 'href="/legalaid/roster/"' not in lawyer_page
    bad = keeper.post(
        "/legalaid/roster/",
        {
            "lawyer_id": lawyers[0].pk,
            "starts_at": "2026-12-01T18:00",
            "ends_at": "2026-12-01T09:00",
            "capacity": 1,
        },
    )
    assert bad.status_code == 422
    assert "The end must be after the start." in bad.content.decode()
    good = keeper.post(
        "/legalaid/roster/",
        {
            "lawyer_id": lawyers[0].pk,
            "starts_at": "2030-12-01T09:00",
            "ends_at": "2030-12-01T18:00",
            "capacity": 2,
        },
    )
    assert good.status_code == 302
    slot = DutySlot.objects.get()
    assert str(lawyers[0]) in keeper.get("/legalaid/roster/").content.decode()
    assert keeper.post(f"/legalaid/roster/{slot.pk}/cancel/").status_code == 302
    assert _client(lawyers[0]).get("/legalaid/roster/").status_code == 403


def test_nobody_available_message(unit: f.Unit, case: Case, suspect: Participant) -> None:
    services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    assert (
        services.appointments_of(unit.investigator, case.pk).get().status
        == AppointmentStatus.UNFILLED
    )
