"""JSON API of the outbox for operators: the overview, the messages, retry of a dead letter.

Administrators only (403 for anyone else, journaled); the text of a message is never
returned. Every change goes through :mod:`tergeu.notifications.operators`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tergeu.core.api_helpers import ERRORS, PageOut, PageParams, actor, labelled, paged

from . import operators
from .models import Channel, Kind, Message, MessageStatus

router = Router(tags=["notifications"])


class DepthOut(Schema):
    """How many messages of a channel are in a status."""

    channel: str
    status: str
    count: int


class OverviewOut(Schema):
    """The outbox at a glance."""

    depth: list[DepthOut] = Field(..., description="Every channel and status, zeros included.")
    totals: dict[str, int] = Field(..., description="Messages by status, all channels.")
    waiting: int = Field(..., description="Messages pending, failed (retry due) or sending.")
    oldest_waiting_at: dt.datetime | None = Field(
        None, description="When the oldest waiting message was queued."
    )
    oldest_waiting_seconds: int | None = Field(None, description="How long it has waited.")


class MessageOut(Schema):
    """A message of the outbox, without its text."""

    id: uuid.UUID
    channel: str
    kind: str
    kind_label: str
    recipient: str
    language: str
    subject: str
    status: str = Field(..., description="pending, sending, sent, delivered, failed or dead.")
    status_label: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str = Field(..., description="The peer's answer or the connection error.")
    peer_id: str = Field(..., description="The SMSC's message_id or the e-mail's Message-ID.")
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    case_id: uuid.UUID | None


class MessageFilter(PageParams):
    """Filters of the list of messages."""

    status: str = Field("", description="pending, sending, sent, delivered, failed or dead.")
    channel: str = Field("", description="sms or email.")
    q: str = Field("", max_length=254, description="Beginning of the recipient or peer id.")


def message_out(message: Message) -> dict[str, Any]:
    """The API's view of a message (no text: it may hold a one-time code)."""
    return {
        "id": message.pk,
        "channel": message.channel,
        "kind": message.kind,
        "kind_label": labelled(message.kind, Kind.choices),
        "recipient": message.recipient,
        "language": message.language,
        "subject": "" if message.kind == Kind.OTP else message.subject,
        "status": message.status,
        "status_label": labelled(message.status, MessageStatus.choices),
        "attempts": message.attempts,
        "next_attempt_at": message.next_attempt_at,
        "last_error": message.last_error,
        "peer_id": message.peer_id,
        "created_at": message.created_at,
        "sent_at": message.sent_at,
        "delivered_at": message.delivered_at,
        "case_id": message.case_id,
    }


@router.get(
    "/notifications/overview",
    response={200: OverviewOut, **ERRORS},
    summary="Queue depth of the outbox",
)
def overview(request: HttpRequest) -> dict[str, Any]:
    """Messages by channel and status, and the age of the oldest waiting one."""
    found = operators.outbox_overview(actor(request))
    return {
        "depth": [
            {"channel": channel, "status": status, "count": count}
            for channel in Channel.values
            for status, count in found.counts[channel].items()
        ],
        "totals": found.totals,
        "waiting": found.waiting,
        "oldest_waiting_at": found.oldest_waiting_at,
        "oldest_waiting_seconds": found.oldest_waiting_seconds,
    }


@router.get(
    "/notifications/messages",
    response={200: PageOut[MessageOut], **ERRORS},
    summary="Messages of the outbox",
)
def messages(request: HttpRequest, filters: Query[MessageFilter]) -> dict[str, Any]:
    """Messages, newest change first; e.g. ``?status=dead`` for the dead letters."""
    qs = operators.outbox_messages(
        actor(request), status=filters.status, channel=filters.channel, q=filters.q
    )
    return paged(qs, filters, message_out)


@router.post(
    "/notifications/messages/{message_id}/retry",
    response={200: MessageOut, **ERRORS},
    summary="Retry a dead letter",
)
def retry(request: HttpRequest, message_id: str) -> dict[str, Any]:
    """Queue a dead letter again (attempts reset, due now); 409 if it is not dead."""
    return message_out(operators.retry_message(actor(request), message_id))
