"""JSON API of detention and custody: ``/cases/{key}/detentions`` and its actions.

Every write calls :mod:`tergeu.cases.detention`; a refusal is the API's one error shape
(422 with field messages, 409 with the article of the CPC, 404 for a case that is not the
caller's to know).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from tergeu.core.api_helpers import ERRORS, PageOut, PageParams, actor, paged

from . import detention as services
from .models import Detention

router = Router(tags=["detention"])


class GroundOut(Schema):
    """A ground of release or of the end of custody, with its article."""

    code: str
    label: str
    article: str


class DetentionOut(Schema):
    """A detention and/or custody of a participant; times are UTC."""

    id: uuid.UUID
    participant: uuid.UUID
    participant_name: str
    detained_at: dt.datetime | None
    place: str
    minor: bool
    grounds_72h: bool = Field(..., description="The 72-hour term of CPC art. 131(4) applies.")
    delivered_at: dt.datetime | None
    protocol_at: dt.datetime | None
    prosecutor_notified_at: dt.datetime | None
    released_at: dt.datetime | None
    release_ground: str
    custody_from: dt.datetime | None
    custody_until: dt.datetime | None
    court_order_ref: str
    custody_ended_at: dt.datetime | None
    custody_end_ground: str
    detained_now: bool
    in_custody: bool


class DetainIn(Schema):
    """A detention (CPC art. 128, 131) from the minute it happened."""

    participant_id: uuid.UUID = Field(..., description="A participant of the case.")
    detained_at: AwareDatetime = Field(..., description="Time of the actual detention.")
    minor: bool = False
    grounds_72h: bool = Field(False, description="One of the cases of CPC art. 131(4).")
    place: str = Field("", max_length=500)


class MomentIn(Schema):
    """When it happened."""

    at: AwareDatetime


class ReleaseIn(Schema):
    """A release on a ground of CPC art. 133 (codes: GET /detention-grounds)."""

    at: AwareDatetime
    ground: str


class CustodyIn(Schema):
    """Custody sanctioned by the investigating judge (CPC art. 147, 151(1))."""

    from_: AwareDatetime = Field(..., alias="from")
    until: dt.date | AwareDatetime = Field(
        ..., description="Last day (the term ends at 24:00 local time) or a moment."
    )
    court_order_ref: str = Field(..., max_length=200, description="The judge's order.")


class ExtendIn(Schema):
    """An extension of custody (CPC art. 151)."""

    until: dt.date | AwareDatetime
    court_order_ref: str = Field("", max_length=200)


def detention_out(row: Detention) -> dict[str, Any]:
    """The API representation of a detention row."""
    return {
        "id": row.pk,
        "participant": row.participant_id,
        "participant_name": row.participant.full_name,
        "detained_at": row.detained_at,
        "place": row.place,
        "minor": row.minor,
        "grounds_72h": row.grounds_72h,
        "delivered_at": row.delivered_at,
        "protocol_at": row.protocol_at,
        "prosecutor_notified_at": row.prosecutor_notified_at,
        "released_at": row.released_at,
        "release_ground": row.release_ground,
        "custody_from": row.custody_from,
        "custody_until": row.custody_until,
        "court_order_ref": row.court_order_ref,
        "custody_ended_at": row.custody_ended_at,
        "custody_end_ground": row.custody_end_ground,
        "detained_now": row.detained_now,
        "in_custody": row.in_custody,
    }


@router.get(
    "/detention-grounds",
    response={200: dict[str, list[GroundOut]], **ERRORS},
    summary="Grounds of release and of the end of custody",
    operation_id="detention_grounds",
)
def grounds(request: HttpRequest) -> dict[str, list[dict[str, str]]]:
    """``release``: CPC art. 133; ``custody_end``: art. 151, 153."""
    actor(request)

    def out(items: Any) -> list[dict[str, str]]:
        return [{"code": g.code, "label": str(g.label), "article": g.article} for g in items]

    return {
        "release": out(services.RELEASE_GROUNDS),
        "custody_end": out(services.CUSTODY_END_GROUNDS),
    }


@router.get(
    "/cases/{key}/detentions",
    response={200: PageOut[DetentionOut], **ERRORS},
    summary="Detentions and custody in the case",
    operation_id="detention_list",
)
def list_detentions(request: HttpRequest, key: str, params: Query[PageParams]) -> dict[str, Any]:
    """Newest first."""
    return paged(services.detentions(actor(request), key), params, detention_out)


@router.post(
    "/cases/{key}/detentions",
    response={201: DetentionOut, **ERRORS},
    summary="Detain a participant",
    operation_id="detention_create",
)
def detain(request: HttpRequest, key: str, payload: DetainIn) -> tuple[int, dict[str, Any]]:
    """Journals ``participant.detained``; a witness detained becomes a suspect (art. 64)."""
    row = services.detain(
        actor(request),
        key,
        payload.participant_id,
        detained_at=payload.detained_at,
        minor=payload.minor,
        grounds_72h=payload.grounds_72h,
        place=payload.place,
    )
    return 201, detention_out(row)


def _moment_action(name: str, summary: str, fn: Any) -> None:
    @router.post(
        f"/cases/{{key}}/detentions/{{participant_id}}/{name}",
        response={200: DetentionOut, **ERRORS},
        summary=summary,
        operation_id=f"detention_{name.replace('-', '_')}",
    )
    def action(
        request: HttpRequest, key: str, participant_id: str, payload: MomentIn
    ) -> dict[str, Any]:
        return detention_out(fn(actor(request), key, participant_id, at=payload.at))


_moment_action("delivered", "The detainee was delivered (CPC art. 129)", services.mark_delivered)
_moment_action("protocol", "The detention protocol was drawn (art. 131(2))", services.draw_protocol)
_moment_action(
    "prosecutor-notified",
    "The prosecutor was notified (CPC art. 131(3))",
    services.notify_prosecutor,
)


@router.post(
    "/cases/{key}/detentions/{participant_id}/release",
    response={200: DetentionOut, **ERRORS},
    summary="Release a detainee (CPC art. 133)",
    operation_id="detention_release",
)
def release(
    request: HttpRequest, key: str, participant_id: str, payload: ReleaseIn
) -> dict[str, Any]:
    row = services.release(
        actor(request), key, participant_id, at=payload.at, ground=payload.ground
    )
    return detention_out(row)


@router.post(
    "/cases/{key}/detentions/{participant_id}/custody",
    response={200: DetentionOut, **ERRORS},
    summary="Custody ordered by the court (CPC art. 147)",
    operation_id="detention_custody_order",
)
def order_custody(
    request: HttpRequest, key: str, participant_id: str, payload: CustodyIn
) -> dict[str, Any]:
    row = services.order_custody(
        actor(request),
        key,
        participant_id,
        from_=payload.from_,
        until=payload.until,
        court_order_ref=payload.court_order_ref,
    )
    return detention_out(row)


@router.post(
    "/cases/{key}/detentions/{participant_id}/custody/extend",
    response={200: DetentionOut, **ERRORS},
    summary="Custody extended (CPC art. 151)",
    operation_id="detention_custody_extend",
)
def extend_custody(
    request: HttpRequest, key: str, participant_id: str, payload: ExtendIn
) -> dict[str, Any]:
    row = services.extend_custody(
        actor(request),
        key,
        participant_id,
        until=payload.until,
        court_order_ref=payload.court_order_ref,
    )
    return detention_out(row)


@router.post(
    "/cases/{key}/detentions/{participant_id}/custody/end",
    response={200: DetentionOut, **ERRORS},
    summary="Custody ended (CPC art. 151, 153)",
    operation_id="detention_custody_end",
)
def end_custody(
    request: HttpRequest, key: str, participant_id: str, payload: ReleaseIn
) -> dict[str, Any]:
    row = services.end_custody(
        actor(request), key, participant_id, at=payload.at, ground=payload.ground
    )
    return detention_out(row)
