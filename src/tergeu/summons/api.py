"""JSON API of summons: ``GET``/``POST /cases/{key}/summons`` (id or ERDR number).

Sending answers the summons without its link: the token is in the person's message only.
Notices that the file is ready to study: ``POST /cases/{key}/familiarisation``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tergeu.core.api_helpers import ERRORS, PageOut, PageParams, actor, labelled, paged

from . import notices, services
from .models import Summons, SummonsStatus

router = Router(tags=["summons"])


class SummonsOut(Schema):
    """A summons sent in the case and where its delivery stands."""

    id: uuid.UUID
    case_id: uuid.UUID
    document_id: uuid.UUID
    document_number: int
    participant_id: uuid.UUID
    participant: str = Field(..., description="The person summoned.")
    appear_at: dt.datetime
    channels: list[str] = Field(..., description="The channels in the order they are tried.")
    channel: str = Field(..., description="The channel of the current message.")
    message_status: str = Field(..., description="The outbox status of the current message.")
    status: str = Field(..., description="queued, sent, delivered, opened, confirmed, failed")
    status_label: str
    language: str
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    opened_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    failed_at: dt.datetime | None
    created_at: dt.datetime


class SummonsIn(Schema):
    """A finalised summons document of the case to send, and the channels to try in order."""

    document_id: uuid.UUID
    channels: list[str] = Field(["sms", "email"], description="sms and/or email, in order.")


class FamiliarisationIn(Schema):
    """Participants to tell that the file is ready to study (CPC art. 294(1))."""

    participant_ids: list[uuid.UUID]
    place: str = Field(..., max_length=500, description="Where the file may be studied.")
    until: dt.date = Field(..., description="The last day of the term.")


class NoticesOut(Schema):
    """How many messages were queued."""

    messages: int


def summons_out(row: Summons) -> dict[str, Any]:
    """The API representation of a summons."""
    return {
        "id": row.pk,
        "case_id": row.case_id,
        "document_id": row.document_id,
        "document_number": row.document.number,
        "participant_id": row.participant_id,
        "participant": row.participant.full_name,
        "appear_at": row.appear_at,
        "channels": row.channels,
        "channel": row.channel,
        "message_status": row.message.status if row.message else "",
        "status": row.status,
        "status_label": labelled(row.status, SummonsStatus.choices),
        "language": row.language,
        "sent_at": row.sent_at,
        "delivered_at": row.delivered_at,
        "opened_at": row.opened_at,
        "confirmed_at": row.confirmed_at,
        "failed_at": row.failed_at,
        "created_at": row.created_at,
    }


@router.get(
    "/cases/{key}/summons", response={200: PageOut[SummonsOut], **ERRORS}, summary="Summons"
)
def list_summons(request: HttpRequest, key: str, params: Query[PageParams]) -> dict[str, Any]:
    """The summonses of a case, newest first, with their delivery and the person's answers."""
    return paged(services.summonses_of(actor(request), key), params, summons_out)


@router.post("/cases/{key}/summons", response={201: SummonsOut, **ERRORS}, summary="Send a summons")
def send_summons(request: HttpRequest, key: str, payload: SummonsIn) -> tuple[int, dict[str, Any]]:
    """Send a finalised summons document of the case to the person it names (case team)."""
    summons, _token = services.send_summons(
        actor(request),
        key,
        payload.document_id,
        payload.channels,
        site_url=request.build_absolute_uri("/"),
    )
    return 201, summons_out(summons)


@router.post(
    "/cases/{key}/familiarisation",
    response={201: NoticesOut, **ERRORS},
    summary="Tell participants the file is ready to study",
)
def familiarisation(
    request: HttpRequest, key: str, payload: FamiliarisationIn
) -> tuple[int, dict[str, Any]]:
    """Queue the notice of CPC art. 294(1) to each participant, in their language."""
    sent = notices.notify_familiarisation(
        actor(request), key, payload.participant_ids, place=payload.place, until=payload.until
    )
    return 201, {"messages": len(sent)}
