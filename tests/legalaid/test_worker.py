"""``tergeu worker --once`` moves an unanswered offer to the next duty lawyer."""

from __future__ import annotations

import datetime as dt

import pytest

from tergeu.accounts.models import OrgKind, Role
from tergeu.cases.services import add_participant
from tergeu.core import clock
from tergeu.legalaid import services
from tergeu.legalaid.models import OfferStatus
from tests import factories as f

from .conftest import lawyer, on_duty


@pytest.mark.django_db(transaction=True)  # db_worker closes the connection
def test_worker_once_expires_offers() -> None:
    from tergeu.cli import main

    unit = f.Unit()
    bar = f.org(OrgKind.BAR, region_code="75")
    head = f.user(Role.HEAD_OF_UNIT, bar)
    first, second = lawyer(bar), lawyer(bar)
    on_duty(head, first)
    on_duty(head, second)
    case = unit.case()
    person = add_participant(
        unit.investigator, case.pk, status="suspect", last_name="Нұров", first_name="Арман"
    )
    appointment = services.appoint_defender(unit.investigator, case.pk, person.pk)
    offer = appointment.offers.get()
    with clock.frozen(offer.expires_at + dt.timedelta(seconds=1)):
        assert main(["worker", "--once"]) == 0
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert appointment.offers.get(status=OfferStatus.OFFERED).lawyer != offer.lawyer
