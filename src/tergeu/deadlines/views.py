"""Pages of the time limits: "My deadlines", the extension request, the supervisor's view
and the outages (downtime certificates). Every change goes through
:mod:`tergeu.deadlines.services`; the pages work without JavaScript."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tergeu.accounts.models import Organisation, Role
from tergeu.core import clock
from tergeu.core.clock import KZ_TZ
from tergeu.core.errors import Conflict, RuleViolation, ValidationFailed
from tergeu.core.pagination import paginate
from tergeu.web.views.common import http_errors, load_case, page_number, query_without_page

from . import services
from .alerts import describe, thresholds
from .forms import ClockFilterForm, ExtendForm, OutageForm, PeriodForm, apply_error
from .models import Clock, ClockStatus, Outage
from .rules import RULES

FORM_ERRORS = (ValidationFailed, Conflict, RuleViolation)
PAGE_SIZE = 50
RELATED = ("case", "report", "subject_participant", "responsible_user")


# ---------------------------------------------------------------- how a clock is shown


def left_text(left: dt.timedelta) -> str:
    """A time left (or overdue) as people read it: '2 d 3 h', '5 h 20 min', '40 min'."""
    minutes = int(abs(left.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    elif hours:
        text = _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
    else:
        text = _("%(minutes)d min") % {"minutes": mins}
    if left.total_seconds() < 0:
        return _("overdue by %(time)s") % {"time": text}
    return text


def time_left(row: Clock, now: dt.datetime) -> dt.timedelta:
    """What is left of a clock now (the frozen remainder of an interrupted one)."""
    return services.time_left(row, now)


def state_of(row: Clock, now: dt.datetime, left: dt.timedelta) -> str:
    """'expired' (red until resolved), 'soon' (amber: inside the warning window), 'paused',
    'late' (met after the term: resolved, but a violation), 'done' or 'ok'."""
    if row.status == ClockStatus.EXPIRED:
        return "expired" if row.ended_at is None else "late"
    if row.status == ClockStatus.RUNNING:
        if left <= dt.timedelta(0):
            return "expired"
        window = thresholds(row)
        if window and left <= window[0]:
            return "soon"
        return "ok"
    if row.status == ClockStatus.PAUSED:
        return "paused"
    return "done"


def decorate(rows: list[Clock], now: dt.datetime) -> list[Clock]:
    """Give each clock what the tables show: rule, time left, red/amber state."""
    for row in rows:
        name, article = describe(row.rule)
        left = time_left(row, now)
        row.rule_name = str(name)  # type: ignore[attr-defined]
        row.rule_article = article  # type: ignore[attr-defined]
        row.state = state_of(row, now, left)  # type: ignore[attr-defined]
        row.left_text = left_text(left) if row.state not in ("done", "late") else ""  # type: ignore[attr-defined]
    return rows


def filtered(qs: QuerySet[Clock], filters: dict[str, str]) -> QuerySet[Clock]:
    """Apply the status and rule filters ("" for either: no filter)."""
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("rule"):
        qs = qs.filter(rule=filters["rule"])
    return qs


def violation_q(now: dt.datetime) -> Q:
    """A clock is a violation when it ran out unmet: expired, escalated, or running late."""
    return (
        Q(status=ClockStatus.EXPIRED)
        | Q(escalated_at__isnull=False)
        | Q(status=ClockStatus.RUNNING, due_at__lte=now)
    )


# ---------------------------------------------------------------- my deadlines


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The official's clocks, the least time left first, with red and amber rows."""
    now = clock.now()
    form = ClockFilterForm(request.GET or None, active_only=True)
    qs = filtered(services.my_clocks(request.user), form.filters())
    page = paginate(qs.select_related(*RELATED), page_number(request), PAGE_SIZE)
    decorate(page.items, now)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "now": now,
        "nav_section": "deadlines",
    }
    return render(request, "deadlines/mine.html", context)


# ---------------------------------------------------------------- extension


def _clock_for(user: Any, clock_id: uuid.UUID) -> Clock:
    """The clock if the user may see its case (404 otherwise; the denial is journaled)."""
    row = Clock.objects.select_related(*RELATED).filter(pk=clock_id).first()
    if row is None or row.case_id is None:
        raise Http404
    row.case = load_case(user, row.case_id)
    return row


@login_required
@require_http_methods(["GET", "POST"])
def extend(request: HttpRequest, clock_id: uuid.UUID) -> HttpResponse:
    """Request an extension of a term; the service's refusals are shown on the fields."""
    row = _clock_for(request.user, clock_id)
    form = ExtendForm(request.POST if request.method == "POST" else None, rule=RULES.get(row.rule))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            with http_errors():
                try:
                    services.extend_clock(request.user, row.pk, **form.cleaned_data)
                except FORM_ERRORS as exc:
                    apply_error(form, exc)
                    status = exc.status
                else:
                    messages.success(request, _("The term is extended."))
                    return redirect(reverse("web:case", args=[row.case_id]) + "#deadlines")
    decorate([row], clock.now())
    context = {"clock": row, "case": row.case, "form": form, "nav_section": "deadlines"}
    return render(request, "deadlines/extend.html", context, status=status)


# ---------------------------------------------------------------- supervision


def period_bounds(form: PeriodForm, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The statistics' period in UTC: the chosen local dates, by default the last 30 days."""
    today = now.astimezone(KZ_TZ).date()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    start = data.get("date_from") or today - dt.timedelta(days=30)
    end = data.get("date_to") or today
    begin = dt.datetime.combine(start, dt.time(), KZ_TZ)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), KZ_TZ)
    return begin.astimezone(dt.UTC), finish.astimezone(dt.UTC)


def violations_per_unit(
    qs: QuerySet[Clock], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[dict[str, Any]]:
    """For each body: terms due in the period and how many of them were violated."""
    rows = list(
        qs.filter(due_at__gte=start, due_at__lt=end, case__isnull=False)
        .order_by()
        .values("case__organisation")
        .annotate(total=Count("pk"), violations=Count("pk", filter=violation_q(now)))
        .order_by("-violations", "case__organisation")
    )
    bodies = Organisation.objects.in_bulk([r["case__organisation"] for r in rows])
    return [
        {
            "organisation": bodies.get(r["case__organisation"]),
            "total": r["total"],
            "violations": r["violations"],
        }
        for r in rows
    ]


@login_required
@require_GET
def supervision(request: HttpRequest) -> HttpResponse:
    """The prosecutor's view: every term of the supervised cases, violations first, and the
    violations per unit for a period."""
    if request.user.role != Role.PROSECUTOR:  # type: ignore[union-attr]
        raise PermissionDenied(_("Only a prosecutor supervises time limits."))
    now = clock.now()
    form = ClockFilterForm(request.GET or None)
    period = PeriodForm(request.GET or None)
    qs = filtered(services.supervised_clocks(request.user), form.filters())
    page = paginate(qs.select_related(*RELATED), page_number(request), PAGE_SIZE)
    decorate(page.items, now)
    start, end = period_bounds(period, now)
    context = {
        "form": form,
        "period": period,
        "page": page,
        "query": query_without_page(request),
        "stats": violations_per_unit(services.supervised_clocks(request.user), start, end, now),
        "start": start,
        "end": end - dt.timedelta(seconds=1),
        "nav_section": "deadlines",
    }
    return render(request, "deadlines/supervision.html", context)


# ---------------------------------------------------------------- outages


@login_required
@require_http_methods(["GET", "POST"])
def outages(request: HttpRequest) -> HttpResponse:
    """Record an outage of the system (administrators) and list the past ones."""
    if request.user.role != Role.ADMINISTRATOR:  # type: ignore[union-attr]
        raise PermissionDenied(_("Only an administrator records outages."))
    form = OutageForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            with http_errors():
                try:
                    row = services.record_outage(request.user, **form.cleaned_data)
                except FORM_ERRORS as exc:
                    apply_error(form, exc)
                    status = exc.status
                else:
                    messages.success(
                        request,
                        _("The outage is recorded; %(count)d terms were extended.")
                        % {"count": row.clocks_adjusted},
                    )
                    return redirect("deadlines:outages")
    rows = list(Outage.objects.select_related("recorded_by")[:100])
    adjusted = adjusted_clocks(rows)
    for row in rows:
        row.clocks = adjusted.get(str(row.pk), [])  # type: ignore[attr-defined]
    context = {"form": form, "outages": rows, "nav_section": "deadlines"}
    return render(request, "deadlines/outages.html", context, status=status)


def adjusted_clocks(rows: list[Outage]) -> dict[str, list[dict[str, Any]]]:
    """The clocks each outage extended, with the due time before and after (from the
    adjustments each clock lists); one query for all the outages of the page."""
    if not rows:
        return {}
    match = Q()
    for outage in rows:
        match |= Q(
            due_at__gte=outage.started_at,
            started_at__lt=outage.ended_at,
            adjustments__icontains=str(outage.pk),
        )
    found: dict[str, list[dict[str, Any]]] = {}
    for row in Clock.objects.filter(match).select_related("case", "report").order_by("due_at"):
        for item in row.adjustments:
            key = str(item.get("outage") or "")
            if item.get("kind") != "outage" or not key:
                continue
            found.setdefault(key, []).append(
                {
                    "case_id": row.case_id,
                    "erdr_number": row.case.erdr_number if row.case is not None else "",
                    "kui_number": row.report.kui_number if row.report is not None else "",
                    "rule": str(describe(row.rule)[0]),
                    "before": parse_datetime(str(item.get("before") or "")),
                    "after": parse_datetime(str(item.get("after") or "")),
                }
            )
    return found
