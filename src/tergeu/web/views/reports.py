"""KUI: the reports of the user's body, a new report, and the decisions on a report
(register in ERDR, move to incidents, refer, administrative action; CPC art. 179-181)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tergeu.cases.services import assignable_officers, register_report
from tergeu.core import clock
from tergeu.core.errors import ServiceError
from tergeu.core.pagination import paginate
from tergeu.intake.models import Report, ReportStatus
from tergeu.intake.services import (
    decision_deadline,
    get_report,
    move_to_incident,
    record_report,
    refer,
    reports_for,
    send_administrative,
)
from tergeu.integrity.journal import service
from tergeu.qualification.services import search_articles

from ..forms import ReasonForm, ReferForm, RegisterForm, ReportForm, apply_error
from ..proposals import ProposalView, present, register_initial
from .common import PAGE_SIZE, http_errors, page_number, query_without_page

#: Under this many hours left the time is shown as running out.
SOON_HOURS = 4

DECISIONS = ("register", "incident", "refer", "administrative")


@dataclass
class Row:
    """A report with the time left of the 24 hours for deciding on it, and the proposals."""

    report: Report
    deadline: dt.datetime
    left: dt.timedelta | None
    proposal: ProposalView | None = None

    @property
    def overdue(self) -> bool:
        """The 24 hours have run out and no decision is taken."""
        return self.left is not None and self.left <= dt.timedelta(0)

    @property
    def soon(self) -> bool:
        """Fewer than :data:`SOON_HOURS` hours are left."""
        return (
            self.left is not None
            and not self.overdue
            and self.left.total_seconds() < SOON_HOURS * 3600
        )

    @property
    def left_text(self) -> str:
        """'5 h 07 min', or how long ago the deadline passed."""
        if self.left is None:
            return ""
        minutes = int(abs(self.left).total_seconds() // 60)
        text = _("%(hours)d h %(minutes)02d min") % {
            "hours": minutes // 60,
            "minutes": minutes % 60,
        }
        if self.overdue:
            return _("overdue by %(time)s") % {"time": text}
        return text


def _row(report: Report, now: dt.datetime) -> Row:
    deadline = decision_deadline(report)
    left = deadline - now if report.status == ReportStatus.NEW else None
    return Row(report=report, deadline=deadline, left=left, proposal=present(report))


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """Reports of the user's body, newest first, with the time left to decide.

    The reports awaiting a decision are the review queue: least time left first.
    """
    status = request.GET.get("status", "")
    qs = reports_for(request.user)
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    if status == ReportStatus.NEW:
        qs = qs.order_by("received_at", "id")
    page = paginate(qs, page_number(request), PAGE_SIZE)
    now = clock.now()
    context = {
        "page": page,
        "rows": [_row(r, now) for r in page.items],
        "status": status,
        "statuses": ReportStatus.choices,
        "query": query_without_page(request),
        "nav_section": "reports",
    }
    return render(request, "web/reports/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """Record a new report in the KUI of the user's body."""
    form = ReportForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            report = record_report(request.user, **form.service_kwargs())
        except ServiceError as exc:
            apply_error(form, exc, ReportForm.field_map)
        else:
            messages.success(
                request,
                _("The report is recorded in the KUI under No. %(number)s.")
                % {"number": report.kui_number},
            )
            return redirect("web:report", pk=report.pk)
    return render(request, "web/reports/new.html", {"form": form, "nav_section": "reports"})


@service
def _report_for_view(user: Any, pk: Any) -> Report:
    """A report of the user's body through the service runner (a denial is journaled)."""
    return get_report(user, pk)


def _decision_forms(
    request: HttpRequest, report: Report, proposal: ProposalView | None, use: int | None
) -> dict[str, Any]:
    """Decision forms for a report awaiting a decision, filled in with the proposals."""
    officers = list(assignable_officers(request.user))
    body = (proposal.body or {}).get("organisation") if proposal else None
    refer_to = body["code"] if body and proposal and not proposal.own_body else ""
    return {
        "register": RegisterForm(
            prefix="register",
            officers=officers,
            initial={
                "fabula": report.description,
                "offence_at": report.offence_at,
                **register_initial(proposal, use),
            },
        ),
        "incident": ReasonForm(prefix="incident"),
        "refer": ReferForm(
            prefix="refer",
            exclude_org=report.organisation_id,
            initial={"to_organisation": refer_to},
        ),
        "administrative": ReasonForm(prefix="administrative"),
    }


def _use(request: HttpRequest) -> int | None:
    """The candidate the officer chose to fill the register form with (``?use=N``)."""
    try:
        return int(request.GET.get("use", ""))
    except ValueError:
        return None


def _proposed_decision(proposal: ProposalView | None) -> str:
    """The decision form opened first: register a crime of this body, refer one of another."""
    if proposal is None or not proposal.is_crime:
        return ""
    return "register" if proposal.own_body else "refer"


def _render_report(
    request: HttpRequest, report: Report, bound: tuple[str, Any] | None = None
) -> HttpResponse:
    forms: dict[str, Any] = {}
    row = _row(report, clock.now())
    use = _use(request)
    if report.status == ReportStatus.NEW:
        forms = _decision_forms(request, report, row.proposal, use)
        if bound is not None:
            forms[bound[0]] = bound[1]
    context = {
        "report": report,
        "row": row,
        "proposal": row.proposal,
        "use": use if use is not None else 0,
        "case": getattr(report, "case", None) if report.status == ReportStatus.REGISTERED else None,
        "forms": forms,
        "open_decision": bound[0] if bound else _proposed_decision(row.proposal),
        "nav_section": "reports",
    }
    return render(request, "web/reports/detail.html", context)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    """A report with its decision forms while it awaits a decision."""
    with http_errors():
        report = _report_for_view(request.user, pk)
    return _render_report(request, report)


@login_required
@require_POST
def report_decide(request: HttpRequest, pk: Any, decision: str) -> HttpResponse:
    """Take one of the four decisions on a report; errors are shown on its form."""
    if decision not in DECISIONS:
        raise Http404
    with http_errors():
        report = _report_for_view(request.user, pk)
    user = request.user
    form: Any
    if decision == "register":
        form = RegisterForm(request.POST, prefix="register", officers=assignable_officers(user))
    elif decision == "refer":
        form = ReferForm(request.POST, prefix="refer", exclude_org=report.organisation_id)
    else:
        form = ReasonForm(request.POST, prefix=decision)
    if report.status == ReportStatus.NEW and form.is_valid():
        data = form.cleaned_data
        try:
            if decision == "register":
                case = register_report(
                    user,
                    report.pk,
                    article=data["article"],
                    part=data["part"],
                    paragraph=data["paragraph"],
                    fabula=data["fabula"],
                    offence_at=data["offence_at"],
                    investigator_id=data["investigator"] or None,
                    form=data["form"],
                    allocation_reason=data["allocation_reason"],
                )
                messages.success(
                    request,
                    _("Registered in ERDR under No. %(number)s.") % {"number": case.erdr_number},
                )
                return redirect(reverse("web:case", args=[case.pk]))
            if decision == "refer":
                refer(
                    user,
                    report.pk,
                    reason=data["reason"],
                    to_organisation_code=data["to_organisation"],
                    to_text=data["to_text"],
                )
            elif decision == "incident":
                move_to_incident(user, report.pk, reason=data["reason"])
            else:
                send_administrative(user, report.pk, reason=data["reason"])
        except ServiceError as exc:
            apply_error(form, exc, getattr(form, "field_map", None))
        else:
            messages.success(request, _("The decision on the report is recorded."))
            return redirect("web:report", pk=report.pk)
    elif report.status != ReportStatus.NEW:
        messages.error(request, _("This report has already been decided."))
        return redirect("web:report", pk=report.pk)
    return _render_report(request, report, (decision, form))


@login_required
@require_GET
def article_search(request: HttpRequest) -> HttpResponse:
    """Articles of the Criminal Code matching the typed text (an HTMX fragment)."""
    # The field sends itself under its own (prefixed) name, e.g. ``register-article``.
    query = request.GET.get("q") or next(
        (request.GET[k] for k in request.GET if k.endswith("article")), ""
    )
    articles = search_articles(query, limit=15) if query.strip() else []
    return render(
        request, "web/reports/_articles.html", {"articles": articles, "query": query.strip()}
    )
