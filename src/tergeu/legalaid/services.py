"""Appointment of a defender through the bar's duty lawyers (CPC art. 66-68).

``appoint_defender`` finalises the resolution (art. 67(3), 68(2)) and offers the case to
the first available duty lawyer of the case's region: on duty now, under the capacity of
their slot, not yet asked for this appointment; the least loaded first, then the one who
waited longest since their last offer. The slots of the region are locked while one is
chosen, so concurrent appointments never over-fill a lawyer. A lawyer accepts (and gets
the defender's grant to the case), declines, or stays silent until the offer expires
(:func:`expire_offers`, run by the worker); then the next lawyer is asked. With nobody
available the appointment is ``unfilled``, the investigator is told, and it is retried
when a lawyer comes on duty or when the investigator asks again. Every step is journaled.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import Region, Role
from tergeu.cases.access import Perm, get_case
from tergeu.cases.models import Case, GrantRole, Participant, ParticipantStatus
from tergeu.cases.register import grant
from tergeu.core import clock
from tergeu.core.errors import Conflict, NotFound, ValidationFailed
from tergeu.core.validation import Checker
from tergeu.documents import services as documents
from tergeu.integrity.journal import deny, record, service
from tergeu.notifications.models import Channel
from tergeu.notifications.services import enqueue

from .common import as_uuid, local_text, moment
from .models import Appointment, AppointmentStatus, DutySlot, Offer, OfferStatus
from .rules import (
    DEFAULT_GROUNDS,
    DEFENDED_STATUSES,
    RESOLUTION_TYPE,
    base_url,
    defence_deadline,
    offer_minutes,
)

#: Offers that take a place of a slot's capacity.
_BUSY = (OfferStatus.OFFERED, OfferStatus.ACCEPTED)
#: Appointments still looking for a defender.
_OPEN = (AppointmentStatus.SEARCHING, AppointmentStatus.UNFILLED)
#: How many expired offers or unfilled appointments one run of the worker handles.
BATCH = 200

KIND_OFFER = "legalaid_offer"
KIND_ACCEPTED = "legalaid_accepted"
KIND_UNFILLED = "legalaid_unfilled"


# ---------------------------------------------------------------- messages


def _notify(person: Any, kind: str, context: dict[str, Any], case_id: Any) -> int:
    """Queue an SMS (and an e-mail when there is an address) in the person's language."""
    sent = 0
    for channel, address in ((Channel.SMS, person.phone), (Channel.EMAIL, person.email)):
        if not address:
            continue
        try:
            enqueue(
                channel=channel,
                recipient=address,
                language=person.language or "ru",
                kind=kind,
                context=context,
                case_id=case_id,
            )
        except ValidationFailed:
            # A malformed address in the person's profile must not undo the appointment.
            record(
                "legalaid.notice_skipped",
                case_id=case_id,
                obj=person,
                data={"kind": kind, "channel": channel},
            )
        else:
            sent += 1
    return sent


def _investigator(appointment: Appointment) -> Any:
    return appointment.case.investigator or appointment.requested_by


def offer_url(offer: Offer) -> str:
    """The absolute address of the offer's page (sign-in required)."""
    return base_url() + reverse("legalaid:offer", args=[offer.pk])


# ---------------------------------------------------------------- choosing a lawyer


def available_slots(region: Region, now: dt.datetime, exclude: Any = ()) -> QuerySet[DutySlot]:
    """Slots of the region on duty at ``now`` with room, in the order lawyers are asked."""
    last_offer = (
        Offer.objects.filter(lawyer=OuterRef("lawyer"))
        .order_by("-offered_at")
        .values("offered_at")[:1]
    )
    return (
        DutySlot.objects.filter(
            region=region,
            cancelled_at__isnull=True,
            starts_at__lte=now,
            ends_at__gt=now,
            lawyer__is_active=True,
            lawyer__role=Role.DEFENDER,
        )
        .exclude(lawyer__in=list(exclude))
        .annotate(
            load=Count("offers", filter=Q(offers__status__in=_BUSY)),
            last_offer=Subquery(last_offer),
        )
        .filter(load__lt=F("capacity"))
        .order_by("load", F("last_offer").asc(nulls_first=True), "starts_at", "pk")
        .select_related("lawyer")
    )


def _offer_next(
    appointment: Appointment, now: dt.datetime, actor: Any, *, rerun: bool = False
) -> Offer | None:
    """Offer the appointment to the next available lawyer, or mark it unfilled.

    The on-duty slots of the region are locked first (in key order), so two appointments
    choosing at once queue up and the second sees the first one's offer.
    """
    list(
        DutySlot.objects.select_for_update()
        .filter(
            region=appointment.region,
            cancelled_at__isnull=True,
            starts_at__lte=now,
            ends_at__gt=now,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    asked = (OfferStatus.DECLINED,) if rerun else (OfferStatus.DECLINED, OfferStatus.EXPIRED)
    exclude = appointment.offers.filter(status__in=asked).values_list("lawyer_id", flat=True)
    slot = available_slots(appointment.region, now, exclude).first()
    case = appointment.case
    if slot is None:
        was = appointment.status
        appointment.status = AppointmentStatus.UNFILLED
        appointment.save(update_fields=["status", "updated_at"])
        if was != AppointmentStatus.UNFILLED or rerun:
            record(
                "legalaid.unfilled",
                actor=actor,
                case_id=case.pk,
                obj=appointment,
                data={"region": appointment.region_id},
            )
            _notify(
                _investigator(appointment),
                KIND_UNFILLED,
                {
                    "erdr_number": case.erdr_number,
                    "link": base_url() + reverse("web:case", args=[case.pk]),
                    "due": local_text(appointment.due_at),
                },
                case.pk,
            )
        return None
    offer = Offer.objects.create(
        appointment=appointment,
        case_id=case.pk,
        slot=slot,
        lawyer=slot.lawyer,
        offered_at=now,
        expires_at=now + dt.timedelta(minutes=offer_minutes()),
    )
    appointment.status = AppointmentStatus.SEARCHING
    appointment.save(update_fields=["status", "updated_at"])
    record(
        "legalaid.offered",
        actor=actor,
        case_id=case.pk,
        obj=offer,
        data={
            "appointment": str(appointment.pk),
            "lawyer": str(slot.lawyer_id),
            "slot": str(slot.pk),
            "expires_at": offer.expires_at,
        },
    )
    _notify(
        slot.lawyer,
        KIND_OFFER,
        {
            "erdr_number": case.erdr_number,
            "body": case.organisation.name,
            "link": offer_url(offer),
            "expires": local_text(offer.expires_at),
            "due": local_text(appointment.due_at),
        },
        case.pk,
    )
    return offer


# ---------------------------------------------------------------- appointing


def _defended(check: Checker, case: Case, participant_id: Any) -> Participant | None:
    pk = as_uuid(participant_id)
    person = case.participants.filter(pk=pk, removed_at__isnull=True).first() if pk else None
    if person is None:
        check.add("participant_id", _("Choose a participant of the case."))
        return None
    if person.status not in DEFENDED_STATUSES:
        check.add(
            "participant_id",
            _(
                "A defender is appointed for a suspect, an accused or a witness with the "
                "right to defence (CPC art. 66(1))."
            ),
        )
    return person


@service
def appoint_defender(
    user: Any,
    case_id: uuid.UUID | str,
    participant_id: uuid.UUID | str,
    *,
    detained_at: Any = None,
    reason: str = "",
) -> Appointment:
    """Appoint a defender: sign the resolution and offer the case to a duty lawyer."""
    case = get_case(user, case_id, Perm.WORK, lock=True)
    check = Checker()
    person = _defended(check, case, participant_id)
    detained = moment(check, "detained_at", detained_at)
    check.not_future("detained_at", detained)
    reason = (reason or "").strip()
    check.max_length("reason", reason, 5000)
    check.done()
    assert person is not None
    if Appointment.objects.filter(participant=person, status__in=_OPEN).exists():
        raise Conflict(_("A defender is already being sought for this person."))
    region = case.region or case.organisation.region
    fields: dict[str, Any] = {
        "participant": str(person.pk),
        "grounds": reason or str(DEFAULT_GROUNDS),
    }
    if detained is not None:
        fields["detained_at"] = detained
    language = user.language if user.language in ("kk", "ru", "en") else "ru"
    draft = documents.create_draft(user, case.pk, RESOLUTION_TYPE, fields, language)
    resolution = documents.finalise(user, draft.pk, draft.version)
    now = clock.now()
    appointment = Appointment.objects.create(
        case=case,
        participant=person,
        region=region,
        requested_by=user,
        reason=reason,
        document=resolution,
        detained_at=detained,
        due_at=defence_deadline(detained),
    )
    record(
        "legalaid.appointment_requested",
        actor=user,
        case_id=case.pk,
        obj=appointment,
        data={
            "participant": str(person.pk),
            "document": str(resolution.pk),
            "detained_at": detained,
            "due_at": appointment.due_at,
            "region": region.pk,
        },
    )
    _offer_next(appointment, now, user)
    return appointment


@service
def retry_appointment(user: Any, appointment_id: uuid.UUID | str) -> Appointment:
    """The investigator asks again for an unfilled appointment (lawyers who only let an
    earlier offer expire are asked again; those who declined are not)."""
    appointment = _appointment(user, appointment_id, Perm.WORK)
    if appointment.status != AppointmentStatus.UNFILLED:
        raise Conflict(_("Only an appointment without a defender can be offered again."))
    _offer_next(appointment, clock.now(), user, rerun=True)
    return appointment


def _appointment(user: Any, appointment_id: Any, perm: Perm) -> Appointment:
    pk = as_uuid(appointment_id)
    row = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("case", "case__organisation", "region")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if row is None:
        raise deny(NotFound(), user, "legalaid.appointment", None, str(appointment_id)[:40])
    get_case(user, row.case_id, perm)
    return row


@service
def appointments_of(user: Any, case_key: uuid.UUID | str) -> QuerySet[Appointment]:
    """The defender appointments of a case, newest first, with their offers."""
    case = get_case(user, case_key, Perm.VIEW)
    return (
        Appointment.objects.filter(case=case)
        .select_related("participant", "defender", "case")
        .prefetch_related("offers__lawyer")
        .order_by("-created_at")
    )


# ---------------------------------------------------------------- the lawyer's answer


def offers_of(user: Any) -> QuerySet[Offer]:
    """The offers made to the user, newest first."""
    return (
        Offer.objects.filter(lawyer=user)
        .select_related(
            "appointment",
            "appointment__case",
            "appointment__case__organisation",
            "appointment__participant",
        )
        .order_by("-offered_at")
    )


@service
def get_offer(user: Any, offer_id: uuid.UUID | str, *, lock: bool = False) -> Offer:
    """An offer made to the user; anyone else is told it does not exist (journaled)."""
    pk = as_uuid(offer_id)
    rows = Offer.objects.select_related(
        "appointment", "appointment__case", "appointment__participant", "lawyer"
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    offer = rows.filter(pk=pk).first() if pk else None
    if offer is None or offer.lawyer_id != getattr(user, "pk", None):
        case_id = offer.case_id if offer is not None else None
        raise deny(NotFound(), user, "legalaid.offer", case_id, str(offer_id)[:40])
    return offer


def _open_offer(user: Any, offer_id: Any, now: dt.datetime) -> Offer:
    offer = get_offer(user, offer_id, lock=True)
    if offer.status != OfferStatus.OFFERED:
        raise Conflict(
            _("This offer was already answered: %(status)s."),
            status=offer.get_status_display(),
        )
    if offer.expires_at <= now:
        raise Conflict(
            _("The time to answer this offer ran out at %(time)s."),
            time=local_text(offer.expires_at),
        )
    return offer


@service
def accept_offer(user: Any, offer_id: uuid.UUID | str) -> Offer:
    """The lawyer accepts: the defender's grant to the case, the investigator is told."""
    now = clock.now()
    offer = _open_offer(user, offer_id, now)
    appointment = Appointment.objects.select_for_update().get(pk=offer.appointment_id)
    case = Case.objects.select_related("investigator").get(pk=appointment.case_id)
    offer.status = OfferStatus.ACCEPTED
    offer.answered_at = now
    offer.save(update_fields=["status", "answered_at", "updated_at"])
    appointment.status = AppointmentStatus.FILLED
    appointment.defender = user
    appointment.filled_at = now
    appointment.save(update_fields=["status", "defender", "filled_at", "updated_at"])
    grant(case, user, GrantRole.DEFENDER, user)
    defender = Participant.objects.create(
        case=case,
        status=ParticipantStatus.DEFENDER,
        last_name=user.last_name or user.username,
        first_name=user.first_name or "-",
        patronymic=user.patronymic,
        iin=user.iin or "",
        phone=user.phone,
        email=user.email,
        language=user.language,
        user=user,
        represents_id=appointment.participant_id,
        added_by=user,
    )
    record(
        "legalaid.offer_accepted",
        actor=user,
        case_id=case.pk,
        obj=offer,
        data={
            "appointment": str(appointment.pk),
            "participant": str(defender.pk),
            "represents": str(appointment.participant_id),
            "due_at": appointment.due_at,
        },
    )
    appointment.case = case
    _notify(
        _investigator(appointment),
        KIND_ACCEPTED,
        {
            "erdr_number": case.erdr_number,
            "lawyer": user.full_name or user.username,
            "phone": user.phone,
            "link": base_url() + reverse("web:case", args=[case.pk]),
        },
        case.pk,
    )
    return offer


@service
def decline_offer(user: Any, offer_id: uuid.UUID | str, *, reason: str = "") -> Offer:
    """The lawyer declines: the next duty lawyer is asked."""
    now = clock.now()
    offer = _open_offer(user, offer_id, now)
    check = Checker()
    reason = (reason or "").strip()
    check.max_length("reason", reason, 500)
    check.done()
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("case", "case__organisation", "region")
        .get(pk=offer.appointment_id)
    )
    offer.status = OfferStatus.DECLINED
    offer.answered_at = now
    offer.answer_reason = reason
    offer.save(update_fields=["status", "answered_at", "answer_reason", "updated_at"])
    record(
        "legalaid.offer_declined",
        actor=user,
        case_id=offer.case_id,
        obj=offer,
        data={"appointment": str(appointment.pk), "reason": reason},
    )
    _offer_next(appointment, now, user)
    return offer


# ---------------------------------------------------------------- periodic work


@service
def _expire_one(offer_id: uuid.UUID, now: dt.datetime) -> int:
    offer = (
        Offer.objects.select_for_update()
        .filter(pk=offer_id, status=OfferStatus.OFFERED, expires_at__lte=now)
        .first()
    )
    if offer is None:
        return 0  # answered meanwhile
    offer.status = OfferStatus.EXPIRED
    offer.save(update_fields=["status", "updated_at"])
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("case", "case__organisation", "region")
        .get(pk=offer.appointment_id)
    )
    record(
        "legalaid.offer_expired",
        case_id=offer.case_id,
        obj=offer,
        data={"appointment": str(appointment.pk), "lawyer": str(offer.lawyer_id)},
    )
    _offer_next(appointment, now, None)
    return 1


@service
def _retry_one(appointment_id: uuid.UUID, now: dt.datetime) -> bool:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("case", "case__organisation", "region")
        .filter(pk=appointment_id, status=AppointmentStatus.UNFILLED)
        .first()
    )
    if appointment is None:
        return False
    return _offer_next(appointment, now, None) is not None


def retry_unfilled_in(region: Region, now: dt.datetime) -> int:
    """Offer the unfilled appointments of a region again (a lawyer came on duty)."""
    ids = list(
        Appointment.objects.filter(status=AppointmentStatus.UNFILLED, region=region)
        .order_by("created_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(1 for pk in ids if _retry_one(pk, now))


def expire_offers(now: dt.datetime | None = None) -> int:
    """Expire the offers not answered in time and ask the next lawyers; then offer the
    unfilled appointments of regions where a lawyer is now on duty. Returns how many
    offers expired. Run periodically by ``tergeu worker``; each offer in its own
    transaction."""
    now = now or clock.now()
    ids = list(
        Offer.objects.filter(status=OfferStatus.OFFERED, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    expired = sum(_expire_one(pk, now) for pk in ids)
    regions = (
        DutySlot.objects.filter(cancelled_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
        .values("region")
        .distinct()
    )
    waiting = list(
        Appointment.objects.filter(status=AppointmentStatus.UNFILLED, region__in=regions)
        .order_by("created_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in waiting:
        _retry_one(pk, now)
    return expired
