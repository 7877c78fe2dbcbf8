"""The operators' page of the outbox (``/notifications/``): queue depth, failures, dead
letters and their retry. Works without JavaScript; with HTMX a retry replaces its row."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tergeu.core.errors import ServiceError
from tergeu.core.pagination import paginate
from tergeu.web.forms import apply_error
from tergeu.web.views.common import PAGE_SIZE, http_errors, page_number, query_without_page

from .forms import OutboxFilterForm
from .models import MessageStatus
from .operators import outbox_messages, outbox_overview, retry_message

#: How many recent failures the page lists above the filtered list.
RECENT = 10


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """The outbox at a glance and the messages the filters choose (dead letters first)."""
    with http_errors():
        overview = outbox_overview(request.user)
        recent = list(outbox_messages(request.user, status=MessageStatus.FAILED)[:RECENT])
    data = request.GET.copy() if request.GET else {"status": MessageStatus.DEAD}
    form = OutboxFilterForm(data)
    page = None
    if form.is_valid():
        try:
            with http_errors():
                qs = outbox_messages(request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_error(form, exc, {})
        else:
            page = paginate(qs, page_number(request), PAGE_SIZE)
    context: dict[str, Any] = {
        "overview": overview,
        "statuses": MessageStatus.choices,
        "recent": recent,
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "nav_section": "admin",
        "admin_section": "outbox",
    }
    return render(request, "notifications/outbox.html", context)


@login_required
@require_POST
def retry(request: HttpRequest, pk: str) -> HttpResponse:
    """Retry a dead letter; back to the page (or, for HTMX, the message's new row)."""
    try:
        with http_errors():
            message = retry_message(request.user, pk)
    except ServiceError as exc:
        messages.error(request, exc.text())
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(status=204, headers={"HX-Refresh": "true"})  # show the refusal
    else:
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "notifications/_message_row.html", {"message": message})
        messages.success(request, _("The message is queued again."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = ""
    return redirect(back or "notifications:outbox")
