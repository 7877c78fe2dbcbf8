"""JSON API of the time limits: my clocks, a case's clocks, an extension, the supervisor's
view with the violations per unit, and the outages. Every endpoint calls the services; a
case the caller may not know of is 'not found' (journaled)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tergeu.accounts.models import Role
from tergeu.core import clock
from tergeu.core.api_helpers import ERRORS, PageOut, PageParams, actor, labelled, paged
from tergeu.core.errors import AccessDenied

from . import services
from .alerts import warned_for
from .forms import PeriodForm
from .models import Clock, ClockStatus, Outage, OutageRule
from .views import RELATED, decorate, filtered, period_bounds, violations_per_unit

router = Router(tags=["deadlines"])


class ClockOut(Schema):
    """A time limit running (or run) in a case or a KUI report."""

    id: uuid.UUID
    case_id: uuid.UUID | None
    erdr_number: str | None
    report_id: uuid.UUID | None
    rule: str = Field(..., description="The rule's code, e.g. 'detention_48h'.")
    rule_name: str
    article: str = Field(..., description="The article of the CPC the rule comes from.")
    subject_participant_id: uuid.UUID | None
    started_at: dt.datetime
    due_at: dt.datetime
    extended_until: dt.datetime | None
    status: str = Field(..., description="running, paused, met, expired, ended")
    status_label: str
    seconds_left: int = Field(..., description="Negative when the term is overdue.")
    state: str = Field(
        ...,
        description="expired (red until resolved), soon (inside the warning window: amber), "
        "ok, paused, done",
    )
    responsible_user_id: int | None
    responsible_role: str
    escalated_at: dt.datetime | None
    warned: list[int] = Field(..., description="Warning thresholds sent (hours before due).")


class ClockFilter(Schema):
    """Filters of the lists of clocks."""

    status: Literal["", "running", "paused", "met", "expired", "ended"] = Field(
        "", description="Only clocks of this status ('': all)."
    )
    rule: str = Field("", description="Only clocks of this rule (its code).")


class ExtendIn(Schema):
    """Extend a term until a moment, on grounds, by an authority."""

    until: dt.datetime
    reason: str = Field(..., max_length=5000)
    authority: str = Field(..., max_length=200)


class UnitStatOut(Schema):
    """Terms due in the period in one body, and how many of them were violated."""

    organisation_id: uuid.UUID | None
    organisation_code: str
    organisation: str
    total: int
    violations: int


class StatsOut(Schema):
    """Violations per unit for a period."""

    date_from: dt.datetime
    date_to: dt.datetime
    units: list[UnitStatOut]


class OutageIn(Schema):
    """An outage of the system and the rule by which the terms are extended."""

    started_at: dt.datetime
    ended_at: dt.datetime
    reason: str = Field(..., max_length=5000)
    rule: Literal["extend_by_duration", "extend_to_next_working_day"]


class OutageOut(Schema):
    """A recorded outage (downtime certificate)."""

    id: uuid.UUID
    started_at: dt.datetime
    ended_at: dt.datetime
    reason: str
    rule: str
    rule_label: str
    recorded_by: str
    clocks_adjusted: int


def clock_out(row: Clock, now: dt.datetime | None = None) -> dict[str, Any]:
    """The API representation of a clock."""
    now = now or clock.now()
    if not hasattr(row, "state"):
        decorate([row], now)
    return {
        "id": row.pk,
        "case_id": row.case_id,
        "erdr_number": row.case.erdr_number if row.case is not None else None,
        "report_id": row.report_id,
        "rule": row.rule,
        "rule_name": str(row.rule_name),  # type: ignore[attr-defined]
        "article": str(row.rule_article),  # type: ignore[attr-defined]
        "subject_participant_id": row.subject_participant_id,
        "started_at": row.started_at,
        "due_at": row.due_at,
        "extended_until": row.extended_until,
        "status": row.status,
        "status_label": labelled(row.status, ClockStatus.choices),
        "seconds_left": int(services.time_left(row, now).total_seconds()),
        "state": row.state,  # type: ignore[attr-defined]
        "responsible_user_id": row.responsible_user_id,
        "responsible_role": row.responsible_role,
        "escalated_at": row.escalated_at,
        "warned": warned_for(row.warned, row.due_at),
    }


def outage_out(row: Outage) -> dict[str, Any]:
    return {
        "id": row.pk,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "reason": row.reason,
        "rule": row.rule,
        "rule_label": labelled(row.rule, OutageRule.choices),
        "recorded_by": str(row.recorded_by),
        "clocks_adjusted": row.clocks_adjusted,
    }


@router.get("/deadlines/mine", response={200: PageOut[ClockOut], **ERRORS}, summary="My deadlines")
def mine(
    request: HttpRequest, params: Query[PageParams], filters: Query[ClockFilter]
) -> dict[str, Any]:
    """The caller's clocks, the least time left first (overdue ones on top)."""
    qs = filtered(services.my_clocks(actor(request)), filters.dict())
    return paged(qs.select_related(*RELATED), params, clock_out)


@router.get(
    "/cases/{key}/deadlines", response={200: PageOut[ClockOut], **ERRORS}, summary="Case clocks"
)
def case_clocks(
    request: HttpRequest, key: str, params: Query[PageParams], filters: Query[ClockFilter]
) -> dict[str, Any]:
    """The clocks of a case (by id or ERDR number), by due time."""
    rows = [
        row
        for row in services.clocks_for_case(actor(request), key)
        if (not filters.status or row.status == filters.status)
        and (not filters.rule or row.rule == filters.rule)
    ]
    page = paginate_list(rows, params)
    return {**page, "items": [clock_out(row) for row in page["items"]]}


def paginate_list(rows: list[Any], params: PageParams) -> dict[str, Any]:
    """One page of a list already in memory, in the shape of :func:`paged`."""
    total = len(rows)
    pages = max(1, -(-total // params.size))
    page = min(params.page, pages)
    start = (page - 1) * params.size
    return {
        "items": rows[start : start + params.size],
        "page": page,
        "size": params.size,
        "total": total,
    }


@router.post(
    "/deadlines/clocks/{clock_id}/extend",
    response={200: ClockOut, **ERRORS},
    summary="Extend a term",
)
def extend(request: HttpRequest, clock_id: uuid.UUID, payload: ExtendIn) -> dict[str, Any]:
    """Extend a term (the responsible official, within what the authority may grant)."""
    row = services.extend_clock(actor(request), clock_id, **payload.dict())
    return clock_out(Clock.objects.select_related(*RELATED).get(pk=row.pk))


def _prosecutor(request: HttpRequest) -> Any:
    user = actor(request)
    if user.role != Role.PROSECUTOR:
        raise AccessDenied()
    return user


@router.get(
    "/deadlines/supervision",
    response={200: PageOut[ClockOut], **ERRORS},
    summary="Supervised deadlines",
)
def supervision(
    request: HttpRequest, params: Query[PageParams], filters: Query[ClockFilter]
) -> dict[str, Any]:
    """Every term of the cases the caller (a prosecutor) supervises, violations first."""
    now = clock.now()
    qs = filtered(services.supervised_clocks(_prosecutor(request)), filters.dict())
    return paged(qs.select_related(*RELATED), params, lambda row: clock_out(row, now))


@router.get(
    "/deadlines/supervision/stats",
    response={200: StatsOut, **ERRORS},
    summary="Violations per unit",
)
def stats(
    request: HttpRequest, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[str, Any]:
    """Terms due in the period (local dates, default the last 30 days) per body of the
    supervised cases, and how many were violated."""
    user = _prosecutor(request)
    now = clock.now()
    form = PeriodForm({"date_from": date_from or "", "date_to": date_to or ""})
    start, end = period_bounds(form, now)
    units = violations_per_unit(services.supervised_clocks(user), start, end, now)
    return {
        "date_from": start,
        "date_to": end,
        "units": [
            {
                "organisation_id": u["organisation"].pk if u["organisation"] else None,
                "organisation_code": u["organisation"].code if u["organisation"] else "",
                "organisation": u["organisation"].name if u["organisation"] else "",
                "total": u["total"],
                "violations": u["violations"],
            }
            for u in units
        ],
    }


def _administrator(request: HttpRequest) -> Any:
    user = actor(request)
    if user.role != Role.ADMINISTRATOR:
        raise AccessDenied()
    return user


@router.get("/deadlines/outages", response={200: PageOut[OutageOut], **ERRORS}, summary="Outages")
def list_outages(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """The recorded outages, newest first (administrators)."""
    _administrator(request)
    return paged(Outage.objects.select_related("recorded_by"), params, outage_out)


@router.post("/deadlines/outages", response={201: OutageOut, **ERRORS}, summary="Record an outage")
def record_outage(request: HttpRequest, payload: OutageIn) -> tuple[int, dict[str, Any]]:
    """Record an outage of the system; the terms that ran during it are extended by the
    chosen rule, each change visible on its clock and journaled."""
    row = services.record_outage(_administrator(request), **payload.dict())
    return 201, outage_out(row)
