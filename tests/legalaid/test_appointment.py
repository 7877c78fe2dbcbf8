"""Appointing a defender: the resolution, offers, accept, decline, expiry, unfilled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.accounts.models import User
from tergeu.cases.access import Perm, get_case, perms_of
from tergeu.cases.models import Case, GrantRole, Participant, ParticipantStatus
from tergeu.core import clock
from tergeu.core.errors import Conflict, NotFound, ValidationFailed
from tergeu.integrity.models import Event
from tergeu.legalaid import services
from tergeu.legalaid.models import AppointmentStatus, OfferStatus
from tergeu.notifications.models import Message
from tests import factories as f

from .conftest import lawyer, on_duty

pytestmark = pytest.mark.django_db


def _actions(case: Case) -> list[str]:
    return list(
        Event.objects.filter(case_id=case.pk, action__startswith="legalaid.")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_accept_gives_the_lawyer_the_case_and_tells_the_investigator(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    first = lawyers[0]
    on_duty(bar_head, first)
    appointment = services.appoint_defender(
        unit.investigator, case.pk, suspect.pk, reason="Подозреваемый просит защитника."
    )
    doc = appointment.document
    assert doc is not None
    assert doc.doc_type == "resolution_defender_appointment"
    assert doc.is_final
    assert "Подозреваемый просит защитника." in doc.body
    offer = appointment.offers.get()
    assert offer.lawyer == first
    assert offer.status == OfferStatus.OFFERED
    assert offer.expires_at - offer.offered_at == dt.timedelta(minutes=15)
    sms = Message.objects.get(kind="legalaid_offer", recipient=first.phone)
    assert f"/legalaid/offers/{offer.pk}/" in sms.body
    assert case.erdr_number in sms.body

    # nothing before acceptance: the case does not exist for the lawyer
    with pytest.raises(NotFound):
        get_case(first, case.pk)

    services.accept_offer(first, offer.pk)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.FILLED
    assert appointment.defender == first
    assert Perm.VIEW in perms_of(first, case)
    assert case.grants.filter(user=first, role=GrantRole.DEFENDER).exists()
    defender = case.participants.get(status=ParticipantStatus.DEFENDER)
    assert defender.user == first
    assert defender.represents == suspect
    assert _actions(case) == [
        "legalaid.appointment_requested",
        "legalaid.offered",
        "legalaid.offer_accepted",
    ]


@pytest.fixture
def investigator_phone(unit: f.Unit) -> None:
    User.objects.filter(pk=unit.investigator.pk).update(phone="+77010000001", language="en")
    unit.investigator.refresh_from_db()


def test_investigator_is_notified_in_their_language(
    unit: f.Unit,
    case: Case,
    suspect: Participant,
    bar_head: User,
    lawyers: list[User],
    investigator_phone: None,
) -> None:
    on_duty(bar_head, lawyers[0])
    appointment = services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    services.accept_offer(lawyers[0], appointment.offers.get().pk)
    notice = Message.objects.get(kind="legalaid_accepted")
    assert notice.recipient == "+77010000001"
    assert notice.language == "en"
    assert "accepted the defence" in notice.body


def test_decline_moves_to_the_next_lawyer(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    for who in lawyers[:2]:
        on_duty(bar_head, who)
    appointment = services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    first = appointment.offers.get()
    services.decline_offer(first.lawyer, first.pk, reason="Занят в процессе")
    offers = list(appointment.offers.order_by("offered_at", "created_at"))
    assert [o.status for o in offers] == [OfferStatus.DECLINED, OfferStatus.OFFERED]
    assert offers[1].lawyer != first.lawyer
    assert offers[0].answer_reason == "Занят в процессе"
    assert "legalaid.offer_declined" in _actions(case)


def test_silence_past_the_time_escalates(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    for who in lawyers[:2]:
        on_duty(bar_head, who)
    appointment = services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    first = appointment.offers.get()
    assert services.expire_offers() == 0  # not yet
    later = clock.now() + dt.timedelta(minutes=16)
    with clock.frozen(later):
        assert services.expire_offers() == 1
        first.refresh_from_db()
        assert first.status == OfferStatus.EXPIRED
        second = appointment.offers.get(status=OfferStatus.OFFERED)
        assert second.lawyer != first.lawyer
        assert second.offered_at == later
        # the silent lawyer can no longer answer
        with pytest.raises(Conflict, match="already answered"):
            services.accept_offer(first.lawyer, first.pk)
    assert "legalaid.offer_expired" in _actions(case)


def test_offer_minutes_are_configurable(
    settings: Any,
    unit: f.Unit,
    case: Case,
    suspect: Participant,
    bar_head: User,
    lawyers: list[User],
) -> None:
    settings.TERGEU_LEGALAID_OFFER_MINUTES = 40
    on_duty(bar_head, lawyers[0])
    appointment = services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    offer = appointment.offers.get()
    assert offer.expires_at - offer.offered_at == dt.timedelta(minutes=40)


def test_answering_after_the_time_is_a_clear_error(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    on_duty(bar_head, lawyers[0])
    appointment = services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    offer = appointment.offers.get()
    with clock.frozen(offer.expires_at + dt.timedelta(seconds=1)):
        with pytest.raises(Conflict, match="The time to answer this offer ran out"):
            services.accept_offer(lawyers[0], offer.pk)
        with pytest.raises(Conflict, match="ran out"):
            services.decline_offer(lawyers[0], offer.pk)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED  # expire_offers will settle it


def test_answering_twice_is_a_clear_error(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    on_duty(bar_head, lawyers[0])
    appointment = services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    offer = appointment.offers.get()
    services.accept_offer(lawyers[0], offer.pk)
    with pytest.raises(Conflict) as err:
        services.decline_offer(lawyers[0], offer.pk)
    assert err.value.text() == "This offer was already answered: Accepted."


def test_only_the_offered_lawyer_can_answer(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    on_duty(bar_head, lawyers[0])
    appointment = services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    offer = appointment.offers.get()
    for intruder in (lawyers[1], unit.investigator, bar_head):
        with pytest.raises(NotFound):
            services.accept_offer(intruder, offer.pk)
    assert Event.objects.filter(action="access.denied", actor=lawyers[1]).exists()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


def test_nobody_available_leaves_it_unfilled_and_retries_when_a_lawyer_comes(
    unit: f.Unit,
    case: Case,
    suspect: Participant,
    bar_head: User,
    lawyers: list[User],
    investigator_phone: None,
) -> None:
    appointment = services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    assert appointment.status == AppointmentStatus.UNFILLED
    assert not appointment.offers.exists()
    notice = Message.objects.get(kind="legalaid_unfilled")
    assert case.erdr_number in notice.body
    assert _actions(case) == ["legalaid.appointment_requested", "legalaid.unfilled"]
    # the worker finds nobody either, and does not notify again
    services.expire_offers()
    assert Message.objects.filter(kind="legalaid_unfilled").count() == 1
    # a lawyer comes on duty: the appointment is offered at once
    on_duty(bar_head, lawyers[0])
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SEARCHING
    assert appointment.offers.get().lawyer == lawyers[0]


def test_a_slot_starting_later_is_used_by_the_worker(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    start = clock.now() + dt.timedelta(hours=2)
    on_duty(bar_head, lawyers[0], start=start)
    appointment = services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    assert appointment.status == AppointmentStatus.UNFILLED
    with clock.frozen(start + dt.timedelta(minutes=1)):
        services.expire_offers()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SEARCHING


def test_all_decline_then_unfilled_and_the_investigator_may_rerun(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    on_duty(bar_head, lawyers[0])
    appointment = services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    offer = appointment.offers.get()
    with clock.frozen(offer.expires_at):
        services.expire_offers()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.UNFILLED
    with pytest.raises(NotFound):
        services.retry_appointment(lawyers[0], appointment.pk)
    services.retry_appointment(unit.investigator, appointment.pk)  # the silent one again
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SEARCHING
    second = appointment.offers.get(status=OfferStatus.OFFERED)
    services.decline_offer(lawyers[0], second.pk)
    services.retry_appointment(unit.investigator, appointment.pk)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.UNFILLED  # who declined is not asked again
    with pytest.raises(Conflict):
        services.accept_offer(lawyers[0], second.pk)


def test_fair_order_least_load_then_longest_wait(
    unit: f.Unit, bar_head: User, lawyers: list[User]
) -> None:
    a, b = lawyers[:2]
    on_duty(bar_head, a, capacity=3)
    on_duty(bar_head, b, capacity=3)
    chosen = []
    for _i in range(4):
        case = unit.case()
        person = f_suspect(unit, case)
        appointment = services.appoint_defender(unit.investigator, case.pk, person.pk)
        chosen.append(appointment.offers.get().lawyer)
    assert chosen[0] != chosen[1]  # the second goes to the one with no load
    assert chosen[2] != chosen[3]
    assert {chosen[0], chosen[1]} == {a, b}


def f_suspect(unit: f.Unit, case: Case) -> Participant:
    from tergeu.cases.services import add_participant

    return add_participant(
        unit.investigator, case.pk, status="suspect", last_name="Иванов", first_name="Иван"
    )


def test_capacity_is_respected(unit: f.Unit, bar_head: User, bar: Any) -> None:
    solo = lawyer(bar)
    on_duty(bar_head, solo, capacity=1)
    first_case, second_case = unit.case(), unit.case()
    one = services.appoint_defender(
        unit.investigator, first_case.pk, f_suspect(unit, first_case).pk
    )
    two = services.appoint_defender(
        unit.investigator, second_case.pk, f_suspect(unit, second_case).pk
    )
    assert one.status == AppointmentStatus.SEARCHING
    assert two.status == AppointmentStatus.UNFILLED


def test_who_may_be_defended_and_by_whom(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    from tergeu.cases.services import add_participant

    victim = add_participant(
        unit.investigator, case.pk, status="victim", last_name="Ли", first_name="Анна"
    )
    with pytest.raises(ValidationFailed) as err:
        services.appoint_defender(unit.investigator, case.pk, victim.pk)
    assert "CPC art. 66(1)" in str(err.value.fields["participant_id"][0])
    with pytest.raises(ValidationFailed) as err:
        services.appoint_defender(unit.investigator, case.pk, "nonsense", detained_at="yesterday")
    assert set(err.value.fields) == {"participant_id", "detained_at"}
    with pytest.raises(NotFound):
        services.appoint_defender(lawyers[0], case.pk, suspect.pk)
    services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    with pytest.raises(Conflict, match="already being sought"):
        services.appoint_defender(unit.investigator, case.pk, suspect.pk)


def test_the_24_hour_deadline_of_a_detained_person(
    unit: f.Unit, case: Case, suspect: Participant, bar_head: User, lawyers: list[User]
) -> None:
    detained = clock.now().replace(microsecond=0) - dt.timedelta(hours=2)
    on_duty(bar_head, lawyers[0])
    appointment = services.appoint_defender(
        unit.investigator, case.pk, suspect.pk, detained_at=detained.isoformat()
    )
    assert appointment.detained_at == detained
    assert appointment.due_at == detained + dt.timedelta(hours=24)
    sms = Message.objects.get(kind="legalaid_offer")
    assert "ч. 4 ст. 68 УПК" in sms.body  # the lawyer reads Russian
    doc = appointment.document
    assert doc is not None
    assert "двадцати четырёх часов" in doc.body


@pytest.mark.parametrize(
    ("index", "words"),
    [(0, "Вам предлагается защита"), (1, "қорғау ұсынылады"), (2, "You are offered the defence")],
)
def test_the_offer_is_in_the_lawyers_language(
    unit: f.Unit,
    case: Case,
    suspect: Participant,
    bar_head: User,
    lawyers: list[User],
    index: int,
    words: str,
) -> None:
    who = lawyers[index]
    on_duty(bar_head, who)
    services.appoint_defender(unit.investigator, case.pk, suspect.pk)
    messages = list(Message.objects.filter(kind="legalaid_offer"))
    assert {m.language for m in messages} == {who.language}
    assert all(words in m.body for m in messages)
    channels = {m.channel for m in messages}
    assert channels == ({"sms", "email"} if who.email else {"sms"})
