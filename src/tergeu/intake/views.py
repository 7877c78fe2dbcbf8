"""The public report pages (no staff account): identity and code, the report, its status;
and the staff download of a report's attachments. Plain POST forms that work without
JavaScript; with it, HTMX swaps the questions when the event kind changes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tergeu.core import clock
from tergeu.core.errors import NotFound, ServiceError, ValidationFailed
from tergeu.web.forms import apply_error

from . import attachments, config, facts, public
from .forms import CodeForm, IdentityForm, LookupForm, ReportForm
from .models import Report, ReportStatus
from .ratelimit import RateLimited
from .services import decision_deadline

#: The session keys of the public pages.
CHALLENGE = "public_report_challenge"
DEMO_CODE = "public_report_demo_code"


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, {"bare": True, **context}, status=status)


def _too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return _page(request, "intake/429.html", {"message": exc.text()}, status=429)


def _ip(request: HttpRequest) -> str:
    return config.client_ip(request.META)


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: who files the report; a one-time code goes to their phone or e-mail."""
    language = (translation.get_language() or "ru")[:2]
    form = IdentityForm(
        request.POST if request.method == "POST" else None, initial={"language": language}
    )
    if form.is_bound and form.is_valid():
        try:
            challenge, code = public.request_code(**form.cleaned_data, client_ip=_ip(request))
        except RateLimited as exc:
            return _too_many(request, exc)
        except ServiceError as exc:
            apply_error(form, exc)
        else:
            request.session[CHALLENGE] = str(challenge.pk)
            if config.show_otp():
                request.session[DEMO_CODE] = code
            else:
                request.session.pop(DEMO_CODE, None)
            return redirect("intake:code")
    return _page(request, "intake/start.html", {"form": form})


@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the SMS or e-mail confirms the identity."""
    challenge_id = request.session.get(CHALLENGE)
    if not challenge_id:
        return redirect("intake:start")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            public.verify_code(challenge_id, form.cleaned_data["code"], client_ip=_ip(request))
        except RateLimited as exc:
            return _too_many(request, exc)
        except ServiceError as exc:
            apply_error(form, exc)
        else:
            request.session.pop(DEMO_CODE, None)
            return redirect("intake:new")
    challenge = public._challenge(challenge_id)
    context = {
        "form": form,
        "challenge": challenge,
        "demo_code": request.session.get(DEMO_CODE) if config.show_otp() else None,
        "minutes": public.CODE_MINUTES,
    }
    return _page(request, "intake/code.html", context)


def _kind(request: HttpRequest) -> str:
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("event_kind", "")
    return kind if kind in facts.QUESTIONS else ""


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Step 3: the report. Choosing the kind first shows its questions (POST without JS)."""
    identity = public.verified_identity(request.session.get(CHALLENGE))
    if identity is None:
        messages.info(request, _("Please confirm your phone or e-mail first."))
        return redirect("intake:start")
    kind = _kind(request)
    choosing = request.method == "POST" and request.POST.get("action") == "kind"
    if request.method == "POST" and not choosing:
        form = ReportForm(request.POST, request.FILES, kind=kind)
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = public.submit_report(
                    identity.pk,
                    event_kind=data["event_kind"],
                    description=data["description"],
                    offence_at=data["offence_at"],
                    region_code=form.region(),
                    district_code=form.district_code(),
                    address=data["address"],
                    answers=form.answers(),
                    attachments=request.FILES.getlist("attachments"),
                    confirm_liability=data["confirm_liability"],
                    client_ip=_ip(request),
                    site_url=request.build_absolute_uri("/"),
                )
            except RateLimited as exc:
                return _too_many(request, exc)
            except public.IdentityExpired as exc:
                messages.error(request, exc.text())
                return redirect("intake:start")
            except ServiceError as exc:
                apply_error(form, exc, ReportForm.field_map)
            else:
                messages.success(
                    request,
                    _("Your report is filed: tracking number %(number)s. Keep this page's link.")
                    % {"number": done.report.tracking_number},
                )
                return redirect("intake:status", token=done.token)
    elif choosing:
        form = ReportForm(initial=request.POST.dict(), kind=kind)
    else:
        form = ReportForm(initial={"event_kind": kind}, kind=kind)
    context = {
        "form": form,
        "identity": identity,
        "max_mb": f"{config.max_file_bytes() / (1024 * 1024):g}",
        "max_files": config.max_files(),
    }
    return _page(request, "intake/new.html", context)


@require_GET
def questions(request: HttpRequest) -> HttpResponse:
    """The questions of the chosen kind (an HTMX fragment of the report form)."""
    if public.verified_identity(request.session.get(CHALLENGE)) is None:
        raise Http404
    form = ReportForm(kind=_kind(request))
    return render(request, "intake/_questions.html", {"form": form})


def _status_context(report: Report) -> dict[str, Any]:
    now = clock.now()
    deadline = decision_deadline(report)
    left = deadline - now if report.status == ReportStatus.NEW else None
    minutes = int(left.total_seconds() // 60) if left is not None else 0
    case = getattr(report, "case", None) if report.status == ReportStatus.REGISTERED else None
    return {
        "report": report,
        "deadline": deadline,
        "left_hours": max(0, minutes) // 60,
        "left_mins": f"{max(0, minutes) % 60:02d}",
        "overdue": left is not None and left.total_seconds() <= 0,
        "case": case,
        "kind_label": facts.EventKind(report.facts["event_kind"]).label
        if report.facts.get("event_kind") in facts.EventKind.values
        else "",
        "cards": [facts.mask_card(c) for c in report.facts.get("cards", [])],
        "notices": list(report.messages.exclude(kind="otp").order_by("created_at")),
        "decided": report.status != ReportStatus.NEW,
    }


@require_GET
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's status page, reached by the secret link."""
    try:
        report = public.report_by_token(token)
    except NotFound as exc:
        raise Http404 from exc
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # The link came in a message written in the applicant's language: open it in that
        # language unless they chose another one on the site.
        translation.activate(report.applicant_language)
        request.LANGUAGE_CODE = report.applicant_language
    return _page(request, "intake/status.html", _status_context(report))


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Find one's report by tracking number and IIN; the status is shown at once."""
    form = LookupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            data = form.cleaned_data
            report = public.report_by_tracking(
                data["tracking_number"], data["iin"], client_ip=_ip(request)
            )
        except RateLimited as exc:
            return _too_many(request, exc)
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            return _page(request, "intake/status.html", _status_context(report))
    return _page(request, "intake/lookup.html", {"form": form})


@login_required
@require_GET
def attachment(request: HttpRequest, pk: Any) -> FileResponse:
    """A file of an online report, for staff of the report's body (journaled)."""
    try:
        row, data = attachments.read_attachment(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc
    response = FileResponse(
        iter([data]), content_type=row.content_type, as_attachment=True, filename=row.filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
