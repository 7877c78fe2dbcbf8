"""Concurrent appointments never over-fill a duty lawyer's capacity (PostgreSQL row locks).

Eight investigators appoint a defender at the same moment in eight cases of one region
where two lawyers are on duty with capacity 2 and 1: exactly three appointments get an
offer, the others are unfilled, and no slot holds more open offers than its capacity.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count

from tergeu.accounts.models import OrgKind, Role
from tergeu.cases.services import add_participant
from tergeu.core import clock
from tergeu.legalaid import roster, services
from tergeu.legalaid.models import Appointment, AppointmentStatus, DutySlot
from tests import factories as f
from tests.concurrency import POSTGRES_THREADS, THREADS, in_threads

pytestmark = POSTGRES_THREADS


def test_capacity_holds_under_concurrent_appointments() -> None:
    unit = f.Unit()
    bar = f.org(OrgKind.BAR, region_code="75")
    head = f.user(Role.HEAD_OF_UNIT, bar)
    start = clock.now() - dt.timedelta(hours=1)
    for places in (2, 1):
        who = f.user(Role.DEFENDER, bar, phone="+77015550000")
        roster.add_slot(
            head,
            lawyer_id=who.pk,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
            capacity=places,
        )
    work: list[tuple[Any, Any]] = []
    for _i in range(THREADS):
        case = unit.case()
        person = add_participant(
            unit.investigator, case.pk, status="suspect", last_name="Серіков", first_name="Ән"
        )
        work.append((case.pk, person.pk))

    def appoint(i: int) -> str:
        case_id, person_id = work[i]
        return services.appoint_defender(unit.investigator, case_id, person_id).status

    results = in_threads(appoint)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results).count(AppointmentStatus.SEARCHING) == 3
    assert Appointment.objects.filter(status=AppointmentStatus.UNFILLED).count() == THREADS - 3
    for slot in DutySlot.objects.annotate(n=Count("offers")):
        assert slot.n == slot.capacity


def test_capacity_holds_when_waiting_appointments_are_offered_at_once() -> None:
    """The worker's retries race in their own transactions: only the slot lock keeps the
    choices apart (the journal serialises writers only after the choice is made)."""
    unit = f.Unit()
    bar = f.org(OrgKind.BAR, region_code="75")
    head = f.user(Role.HEAD_OF_UNIT, bar)
    waiting = []
    for _i in range(THREADS):
        case = unit.case()
        person = add_participant(
            unit.investigator, case.pk, status="suspect", last_name="Әлиев", first_name="Бек"
        )
        waiting.append(services.appoint_defender(unit.investigator, case.pk, person.pk).pk)
    start = clock.now() - dt.timedelta(hours=1)
    who = f.user(Role.DEFENDER, bar)
    DutySlot.objects.create(  # on the roster without the immediate retry of add_slot
        bar=bar,
        region_id="75",
        lawyer=who,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=8),
        capacity=2,
        created_by=head,
    )
    now = clock.now()
    results = in_threads(lambda i: services._retry_one(waiting[i], now))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results.count(True) == 2
    assert DutySlot.objects.annotate(n=Count("offers")).get().n == 2
