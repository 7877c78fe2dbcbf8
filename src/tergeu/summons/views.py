"""The summons pages: the case's summonses and notices for the team, and the person's link.

The person's page ``/s/<token>/`` needs no account: it shows the summons in the person's
language (or the one they switch to), records the first opening, takes the confirmation
(a POST form, no JavaScript needed) and gives the signed PDF. Requests are counted per
address with the public pages' limit ``lookup_ip`` (:mod:`tergeu.intake.ratelimit`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tergeu.cases.access import Perm, get_case, perms_of
from tergeu.cases.models import Case
from tergeu.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from tergeu.intake import config
from tergeu.intake.ratelimit import RateLimited, consume
from tergeu.web.forms import apply_error

from . import notices, services
from .forms import FamiliarisationForm, SendForm
from .models import Summons
from .rules import FAMILIARISATION_RULE, FAMILIARISATION_STATUSES, SUMMONS_RULE

#: The rate limit of the public pages the person's link counts against.
LIMIT = "lookup_ip"


@contextmanager
def http_errors() -> Iterator[None]:
    """A service's NotFound becomes a 404 page, AccessDenied a 403 page."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.text()) from exc
    except AccessDenied as exc:
        raise PermissionDenied(exc.text()) from exc


# --- the case team ---------------------------------------------------------------------


def _send_form(case: Case, data: Any = None) -> SendForm:
    documents = [
        (str(d.pk), f"№ {d.number} · {d.title}") for d in services.sendable_documents(case)
    ]
    return SendForm(data, documents=documents)


def _familiarisation_form(case: Case, data: Any = None) -> FamiliarisationForm:
    people = [
        (str(p.pk), f"{p.full_name} ({p.get_status_display()})")
        for p in case.participants.filter(
            removed_at__isnull=True, status__in=FAMILIARISATION_STATUSES
        )
    ]
    return FamiliarisationForm(data, people=people)


def _page(
    request: HttpRequest,
    case: Case,
    send_form: SendForm | None = None,
    familiarisation_form: FamiliarisationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows: list[Summons] = list(services.summonses_of(request.user, case.pk))
    can_work = Perm.WORK in perms_of(request.user, case)
    context = {
        "case": case,
        "rows": rows,
        "can_work": can_work,
        "send_form": send_form or _send_form(case) if can_work else None,
        "familiarisation_form": familiarisation_form or _familiarisation_form(case)
        if can_work
        else None,
        "summons_rule": SUMMONS_RULE,
        "familiarisation_rule": FAMILIARISATION_RULE,
    }
    return render(request, "summons/case.html", context, status=status)


@login_required
@require_GET
def case_summonses(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The summonses of a case with their delivery, and the forms to send and notify."""
    with http_errors():
        case = get_case(request.user, case_id)
        return _page(request, case)


@login_required
@require_http_methods(["POST"])
def send(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Send a finalised summons (the form comes back with the reasons if refused)."""
    with http_errors():
        case = get_case(request.user, case_id)
        form = _send_form(case, request.POST)
        if form.is_valid():
            try:
                services.send_summons(
                    request.user,
                    case.pk,
                    form.cleaned_data["document_id"],
                    form.cleaned_data["channels"],
                    site_url=request.build_absolute_uri("/"),
                )
            except (ValidationFailed, Conflict) as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The summons is queued for sending."))
                return redirect("summons:case", case_id=case.pk)
        return _page(request, case, send_form=form, status=422)


@login_required
@require_http_methods(["POST"])
def familiarisation(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Tell the chosen participants that the file is ready to study."""
    with http_errors():
        case = get_case(request.user, case_id)
        form = _familiarisation_form(case, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notices.notify_familiarisation(
                    request.user,
                    case.pk,
                    data["participant_ids"],
                    place=data["place"],
                    until=data["until"],
                )
            except ValidationFailed as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The notices are queued for sending."))
                return redirect("summons:case", case_id=case.pk)
        return _page(request, case, familiarisation_form=form, status=422)


# --- the person's link -----------------------------------------------------------------


def _language(request: HttpRequest, summons: Summons) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in ("kk", "ru", "en") else summons.language


def _limited(request: HttpRequest) -> HttpResponse | None:
    try:
        consume(LIMIT, "summons:" + config.client_ip(request.META))
    except RateLimited as exc:
        return render(
            request, "summons/429.html", {"bare": True, "message": exc.text()}, status=429
        )
    return None


@require_http_methods(["GET", "POST"])
def public(request: HttpRequest, token: str) -> HttpResponse:
    """The person's summons: opened on the first view, confirmed by the button."""
    refused = _limited(request)
    if refused is not None:
        return refused
    with http_errors():
        if request.method == "POST":
            summons = services.confirm_summons(token)
            with translation.override(_language(request, summons)):
                messages.success(request, _("Thank you: your confirmation is recorded."))
            return redirect("summons:public", token=token)
        summons = services.open_summons(token)
    language = _language(request, summons)
    with translation.override(language):
        context = {
            "bare": True,
            "summons": summons,
            "s": services.details(summons, language),
            "token": token,
        }
        response = render(request, "summons/public.html", context)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def public_pdf(request: HttpRequest, token: str) -> FileResponse | HttpResponse:
    """The signed PDF of the summons (journaled as a reading of the document)."""
    refused = _limited(request)
    if refused is not None:
        return refused
    with http_errors():
        summons, data = services.summons_pdf(token)
    response = FileResponse(
        iter([data]),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"summons-{summons.case.erdr_number}-{summons.document.number}.pdf",
    )
    response["Cache-Control"] = "no-store"
    return response
