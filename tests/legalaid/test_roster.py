"""The duty roster: who keeps it, and its checks with clear field errors."""

from __future__ import annotations

import datetime as dt

import pytest

from tergeu.accounts.models import Organisation, OrgKind, Role, User
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, NotFound, ValidationFailed
from tergeu.legalaid import roster
from tergeu.legalaid.models import DutySlot
from tests import factories as f

from .conftest import lawyer, on_duty

pytestmark = pytest.mark.django_db


def _errors(exc: ValidationFailed) -> dict[str, list[str]]:
    return exc.field_texts()


def test_the_head_of_the_bar_keeps_the_roster(bar_head: User, lawyers: list[User]) -> None:
    slot = on_duty(bar_head, lawyers[0], capacity=2)
    assert slot.region_id == "75"
    assert list(roster.roster(bar_head)) == [slot]
    roster.cancel_slot(bar_head, slot.pk)
    assert list(roster.roster(bar_head)) == []


def test_others_may_not_keep_it(bar: Organisation, lawyers: list[User], unit: f.Unit) -> None:
    for outsider in (lawyers[0], unit.head, f.user(Role.ADMINISTRATOR, unit.police)):
        with pytest.raises(AccessDenied):
            roster.add_slot(
                outsider,
                lawyer_id=lawyers[0].pk,
                starts_at=clock.now(),
                ends_at=clock.now() + dt.timedelta(hours=1),
            )


def test_bad_input_is_named_field_by_field(bar_head: User, lawyers: list[User]) -> None:
    now = clock.now()
    with pytest.raises(ValidationFailed) as err:
        roster.add_slot(bar_head, lawyer_id="", starts_at="tomorrow", ends_at=None, capacity="many")
    assert _errors(err.value) == {
        "lawyer_id": ["This field is required."],
        "starts_at": ["Enter a date and time as YYYY-MM-DDTHH:MM."],
        "ends_at": ["This field is required."],
        "capacity": ["Enter a whole number."],
    }
    with pytest.raises(ValidationFailed) as err:
        roster.add_slot(
            bar_head,
            lawyer_id=lawyers[0].pk,
            starts_at=now,
            ends_at=now - dt.timedelta(hours=1),
            capacity=0,
        )
    assert _errors(err.value) == {
        "ends_at": ["The end must be after the start."],
        "capacity": ["Enter a number from 1 to 50."],
    }


def test_the_lawyer_must_be_a_defender_of_this_bar(bar_head: User, unit: f.Unit) -> None:
    other_bar = f.org(OrgKind.BAR, region_code="75")
    stranger = lawyer(other_bar)
    now = clock.now()
    for who in (stranger, unit.investigator):
        with pytest.raises(ValidationFailed) as err:
            roster.add_slot(
                bar_head, lawyer_id=who.pk, starts_at=now, ends_at=now + dt.timedelta(hours=2)
            )
        assert _errors(err.value) == {"lawyer_id": ["Choose a defender of your bar."]}


def test_no_overlapping_slots_of_one_lawyer(bar_head: User, lawyers: list[User]) -> None:
    start = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)  # 09:00 in Almaty
    on_duty(bar_head, lawyers[0], start=start, hours=8)
    with pytest.raises(ValidationFailed) as err:
        on_duty(bar_head, lawyers[0], start=start + dt.timedelta(hours=7), hours=8)
    assert _errors(err.value) == {
        "starts_at": ["This lawyer is already on duty from 01.12.2026 09:00 to 01.12.2026 17:00."]
    }
    on_duty(bar_head, lawyers[0], start=start + dt.timedelta(hours=8))  # back to back is fine
    on_duty(bar_head, lawyers[1], start=start)  # another lawyer at the same time is fine
    assert DutySlot.objects.count() == 3


def test_local_times_without_a_zone_are_kazakhstan_time(
    bar_head: User, lawyers: list[User]
) -> None:
    slot = roster.add_slot(
        bar_head,
        lawyer_id=str(lawyers[0].pk),
        starts_at="2026-12-01T09:00",
        ends_at="2026-12-01T18:00",
        capacity="3",
    )
    assert slot.starts_at == dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)
    assert slot.capacity == 3


def test_another_bar_cannot_cancel_a_slot(bar_head: User, lawyers: list[User]) -> None:
    slot = on_duty(bar_head, lawyers[0])
    other_head = f.user(Role.ADMINISTRATOR, f.org(OrgKind.BAR))
    with pytest.raises(NotFound):
        roster.cancel_slot(other_head, slot.pk)


def test_a_refused_look_at_the_roster_is_journaled(lawyers: list[User]) -> None:
    from tergeu.integrity.models import Event

    with pytest.raises(AccessDenied):
        roster.roster(lawyers[0])
    assert Event.objects.filter(action="access.denied", actor=lawyers[0]).exists()
