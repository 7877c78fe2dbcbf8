"""JSON API of legal aid: appointments of a defender in a case, the lawyer's offers and
their answers, and the bar's duty roster. Every endpoint calls the services; a case or an
offer the caller may not know of is 'not found' (journaled)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tergeu.core import clock
from tergeu.core.api_helpers import ERRORS, PageOut, PageParams, actor, labelled, paged

from . import roster, services
from .models import Appointment, AppointmentStatus, DutySlot, Offer, OfferStatus
from .rules import is_overdue

router = Router(tags=["legal aid"])


class OfferOut(Schema):
    """An appointment offered to one duty lawyer."""

    id: uuid.UUID
    appointment_id: uuid.UUID
    case_id: uuid.UUID
    erdr_number: str
    lawyer_id: int
    lawyer: str
    status: str = Field(..., description="offered, accepted, declined, expired")
    status_label: str
    offered_at: dt.datetime
    expires_at: dt.datetime = Field(..., description="The lawyer answers by this moment.")
    answered_at: dt.datetime | None
    due_at: dt.datetime | None = Field(
        None, description="For a detained person: the defender is due by (CPC art. 68(4))."
    )


class AppointmentOut(Schema):
    """The appointment of a defender for a participant of the case."""

    id: uuid.UUID
    case_id: uuid.UUID
    participant_id: uuid.UUID
    participant: str
    status: str = Field(..., description="searching, filled, unfilled, cancelled")
    status_label: str
    document_id: uuid.UUID | None = Field(None, description="The signed resolution.")
    detained_at: dt.datetime | None
    due_at: dt.datetime | None = Field(None, description="detained_at + 24 h (CPC art. 68(4)).")
    overdue: bool
    defender_id: int | None
    defender: str | None
    filled_at: dt.datetime | None
    offers: list[OfferOut]


class AppointIn(Schema):
    """Appoint a defender for a suspect, an accused or a witness with the right to defence."""

    participant_id: uuid.UUID
    detained_at: dt.datetime | None = Field(
        None, description="When the person was detained (starts the 24 hours of art. 68(4))."
    )
    reason: str = Field("", max_length=5000, description="Grounds written into the resolution.")


class DeclineIn(Schema):
    """Why the lawyer declines (optional)."""

    reason: str = Field("", max_length=500)


class SlotIn(Schema):
    """A lawyer of the caller's bar on duty between two moments."""

    lawyer_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = Field(1, description="Most appointments taken during this duty (1-50).")
    region: str | None = Field(None, description="Region code (default: the bar's region).")


class SlotOut(Schema):
    """A slot of the duty roster."""

    id: uuid.UUID
    bar: str
    region: str
    lawyer_id: int
    lawyer: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    cancelled_at: dt.datetime | None


def offer_out(row: Offer) -> dict[str, Any]:
    appointment = row.appointment
    return {
        "id": row.pk,
        "appointment_id": appointment.pk,
        "case_id": row.case_id,
        "erdr_number": appointment.case.erdr_number,
        "lawyer_id": row.lawyer_id,
        "lawyer": str(row.lawyer),
        "status": row.status,
        "status_label": labelled(row.status, OfferStatus.choices),
        "offered_at": row.offered_at,
        "expires_at": row.expires_at,
        "answered_at": row.answered_at,
        "due_at": appointment.due_at,
    }


def appointment_out(row: Appointment) -> dict[str, Any]:
    now = clock.now()
    offers = []
    for offer in row.offers.all():
        offer.appointment = row
        offers.append(offer_out(offer))
    return {
        "id": row.pk,
        "case_id": row.case_id,
        "participant_id": row.participant_id,
        "participant": row.participant.full_name,
        "status": row.status,
        "status_label": labelled(row.status, AppointmentStatus.choices),
        "document_id": row.document_id,
        "detained_at": row.detained_at,
        "due_at": row.due_at,
        "overdue": is_overdue(row.due_at, row.filled_at, now),
        "defender_id": row.defender_id,
        "defender": str(row.defender) if row.defender else None,
        "filled_at": row.filled_at,
        "offers": offers,
    }


def slot_out(row: DutySlot) -> dict[str, Any]:
    return {
        "id": row.pk,
        "bar": row.bar.code,
        "region": row.region_id,
        "lawyer_id": row.lawyer_id,
        "lawyer": str(row.lawyer),
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "capacity": row.capacity,
        "cancelled_at": row.cancelled_at,
    }


@router.post(
    "/cases/{key}/defender-appointments",
    response={201: AppointmentOut, **ERRORS},
    summary="Appoint a defender",
)
def appoint(request: HttpRequest, key: str, payload: AppointIn) -> tuple[int, dict[str, Any]]:
    """Sign the resolution appointing a defender (CPC art. 67(3), 68(2)) and offer the case
    to the first available duty lawyer of the case's region; status ``unfilled`` when
    nobody is available."""
    row = services.appoint_defender(
        actor(request),
        key,
        payload.participant_id,
        detained_at=payload.detained_at,
        reason=payload.reason,
    )
    return 201, appointment_out(_reloaded(row.pk))


def _reloaded(pk: uuid.UUID) -> Appointment:
    return (
        Appointment.objects.select_related("participant", "defender", "case")
        .prefetch_related("offers__lawyer")
        .get(pk=pk)
    )


@router.get(
    "/cases/{key}/defender-appointments",
    response={200: PageOut[AppointmentOut], **ERRORS},
    summary="Defender appointments of a case",
)
def list_appointments(request: HttpRequest, key: str, params: Query[PageParams]) -> dict[str, Any]:
    """The appointments of a case, newest first, with their offers."""
    return paged(services.appointments_of(actor(request), key), params, appointment_out)


@router.post(
    "/legalaid/appointments/{appointment_id}/retry",
    response={200: AppointmentOut, **ERRORS},
    summary="Offer an unfilled appointment again",
)
def retry(request: HttpRequest, appointment_id: uuid.UUID) -> dict[str, Any]:
    """The case team asks the duty lawyers again (those who declined are not asked)."""
    row = services.retry_appointment(actor(request), appointment_id)
    return appointment_out(_reloaded(row.pk))


@router.get("/legalaid/offers", response={200: PageOut[OfferOut], **ERRORS}, summary="My offers")
def my_offers(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """The offers made to the caller (a duty lawyer), newest first."""
    return paged(services.offers_of(actor(request)).select_related("lawyer"), params, offer_out)


@router.post(
    "/legalaid/offers/{offer_id}/accept",
    response={200: OfferOut, **ERRORS},
    summary="Accept an offer",
)
def accept(request: HttpRequest, offer_id: uuid.UUID) -> dict[str, Any]:
    """Accept: the caller becomes the defender and gets access to the case."""
    return offer_out(services.accept_offer(actor(request), offer_id))


@router.post(
    "/legalaid/offers/{offer_id}/decline",
    response={200: OfferOut, **ERRORS},
    summary="Decline an offer",
)
def decline(request: HttpRequest, offer_id: uuid.UUID, payload: DeclineIn) -> dict[str, Any]:
    """Decline: the next duty lawyer is asked."""
    return offer_out(services.decline_offer(actor(request), offer_id, reason=payload.reason))


@router.get("/legalaid/roster", response={200: PageOut[SlotOut], **ERRORS}, summary="Duty roster")
def list_slots(
    request: HttpRequest, params: Query[PageParams], past: bool = False
) -> dict[str, Any]:
    """The slots of the caller's bar (its head or administrator), current and future."""
    rows = roster.roster(actor(request), include_past=past).select_related("bar")
    return paged(rows, params, slot_out)


@router.post("/legalaid/roster", response={201: SlotOut, **ERRORS}, summary="Put a lawyer on duty")
def add_slot(request: HttpRequest, payload: SlotIn) -> tuple[int, dict[str, Any]]:
    """Put a defender of the caller's bar on duty; field errors name what is wrong."""
    row = roster.add_slot(actor(request), **payload.dict())
    return 201, slot_out(row)


@router.delete(
    "/legalaid/roster/{slot_id}", response={200: SlotOut, **ERRORS}, summary="Cancel a slot"
)
def cancel_slot(request: HttpRequest, slot_id: uuid.UUID) -> dict[str, Any]:
    """Take a slot off the roster."""
    return slot_out(roster.cancel_slot(actor(request), slot_id))
