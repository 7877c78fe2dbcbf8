"""Pages of legal aid: the lawyer's offers and appointments, the bar's roster, and the
appointment of a defender from a case. Every change goes through the services; pages
work without JavaScript."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tergeu.cases.access import Perm, get_case
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, Conflict, NotFound, ServiceError, ValidationFailed
from tergeu.integrity.journal import service

from . import roster as roster_services
from . import services
from .forms import AppointForm, DeclineForm, SlotForm, apply_error
from .models import OfferStatus
from .rules import DEFENDED_STATUSES, is_overdue

FORM_ERRORS = (ValidationFailed, Conflict)


@contextmanager
def http_errors() -> Iterator[None]:
    """A service's NotFound becomes a 404 page, AccessDenied a 403 page."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.text()) from exc
    except AccessDenied as exc:
        raise PermissionDenied(exc.text()) from exc


@login_required
def my_offers(request: HttpRequest) -> HttpResponse:
    """My offers and appointments: open offers to answer, then the answered ones."""
    now = clock.now()
    rows = list(services.offers_of(request.user)[:200])
    for row in rows:
        appointment = row.appointment
        row.overdue = is_overdue(appointment.due_at, appointment.filled_at, now)  # type: ignore[attr-defined]
        row.open = row.status == OfferStatus.OFFERED and row.expires_at > now  # type: ignore[attr-defined]
    context = {
        "open_offers": [r for r in rows if r.open],  # type: ignore[attr-defined]
        "accepted": [r for r in rows if r.status == OfferStatus.ACCEPTED],
        "others": [r for r in rows if not r.open and r.status != OfferStatus.ACCEPTED],  # type: ignore[attr-defined]
        "decline_form": DeclineForm(),
        "now": now,
        "nav_section": "legalaid",
    }
    return render(request, "legalaid/mine.html", context)


@login_required
def offer(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    """One offer (the link of the SMS): the case in brief and the buttons to answer."""
    with http_errors():
        row = services.get_offer(request.user, offer_id)
    return _offer_page(request, row, DeclineForm())


def _offer_page(
    request: HttpRequest, row: Any, form: DeclineForm, status: int = 200
) -> HttpResponse:
    now = clock.now()
    appointment = row.appointment
    context = {
        "offer": row,
        "appointment": appointment,
        "open": row.status == OfferStatus.OFFERED and row.expires_at > now,
        "overdue": is_overdue(appointment.due_at, appointment.filled_at, now),
        "decline_form": form,
    }
    return render(request, "legalaid/offer.html", context, status=status)


@login_required
@require_POST
def accept(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    """Accept an offer: the case opens to the lawyer."""
    with http_errors():
        try:
            row = services.accept_offer(request.user, offer_id)
        except FORM_ERRORS as exc:
            messages.error(request, exc.text())
            return redirect("legalaid:offer", offer_id)
    messages.success(request, _("You are the defender in this case now."))
    return redirect("web:case", row.case_id)


@login_required
@require_POST
def decline(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    """Decline an offer; the next duty lawyer is asked."""
    form = DeclineForm(request.POST)
    with http_errors():
        if form.is_valid():
            try:
                services.decline_offer(request.user, offer_id, reason=form.cleaned_data["reason"])
            except FORM_ERRORS as exc:
                messages.error(request, exc.text())
                return redirect("legalaid:offer", offer_id)
            messages.success(request, _("You declined the offer."))
            return redirect("legalaid:mine")
        row = services.get_offer(request.user, offer_id)
    return _offer_page(request, row, form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest) -> HttpResponse:
    """The bar's duty roster and the form to put a lawyer on duty."""
    bar = roster_services.bar_of(request.user)
    if bar is None:
        with http_errors():
            roster_services.roster(request.user)  # refuses, journaled
    lawyers = list(roster_services.lawyers_of(bar))  # type: ignore[arg-type]
    form = SlotForm(request.POST or None, lawyers=lawyers)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                roster_services.add_slot(request.user, **form.service_kwargs())
            except FORM_ERRORS as exc:
                apply_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The lawyer is on the roster."))
                return redirect("legalaid:roster")
    context = {
        "bar": bar,
        "slots": list(roster_services.roster(request.user)[:500]),
        "form": form,
        "now": clock.now(),
        "nav_section": "roster",
    }
    return render(request, "legalaid/roster.html", context, status=status)


@login_required
@require_POST
def cancel(request: HttpRequest, slot_id: uuid.UUID) -> HttpResponse:
    """Take a slot off the roster."""
    with http_errors():
        roster_services.cancel_slot(request.user, slot_id)
    messages.success(request, _("The duty slot is cancelled."))
    return redirect("legalaid:roster")


@service
def _workable_case(user: Any, case_id: uuid.UUID) -> Any:
    return get_case(user, case_id, Perm.WORK)


def defended_people(case: Any) -> list[Any]:
    """The participants a defender may be appointed for."""
    return list(
        case.participants.filter(status__in=DEFENDED_STATUSES, removed_at__isnull=True).order_by(
            "last_name"
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def appoint(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Appoint a defender from the case: the form, and on success back to the card."""
    with http_errors():
        case = _workable_case(request.user, case_id)
    form = AppointForm(request.POST or None, people=defended_people(case))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            with http_errors():
                try:
                    row = services.appoint_defender(request.user, case.pk, **form.cleaned_data)
                except FORM_ERRORS as exc:
                    apply_error(form, exc)
                    status = exc.status
                else:
                    if row.status == "searching":
                        messages.success(
                            request,
                            _("The resolution is signed and the case is offered to a duty lawyer."),
                        )
                    else:
                        messages.warning(
                            request,
                            _(
                                "The resolution is signed, but no duty lawyer is available "
                                "now; the offer will be made when one comes on duty."
                            ),
                        )
                    return redirect(reverse("web:case", args=[case.pk]) + "#defender")
    context = {"case": case, "form": form, "nav_section": "cases"}
    return render(request, "legalaid/appoint.html", context, status=status)


@login_required
@require_POST
def retry(request: HttpRequest, appointment_id: uuid.UUID) -> HttpResponse:
    """Offer an unfilled appointment again."""
    with http_errors():
        try:
            row = services.retry_appointment(request.user, appointment_id)
        except ServiceError as exc:
            if isinstance(exc, NotFound | AccessDenied):
                raise
            messages.error(request, exc.text())
            return redirect("web:home")
    if row.status == "searching":
        messages.success(request, _("The case is offered to a duty lawyer."))
    else:
        messages.warning(request, _("No duty lawyer is available now."))
    return redirect(reverse("web:case", args=[row.case_id]) + "#defender")
