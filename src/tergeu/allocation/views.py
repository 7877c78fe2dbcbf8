"""The administrator's page for an officer's specialisation, which allocation prefers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tergeu.accounts.admin_services import get_user
from tergeu.core.errors import ServiceError
from tergeu.web.forms import apply_error
from tergeu.web.views.common import http_errors

from .forms import SpecialisationForm
from .services import get_specialisation, set_specialisation


@login_required
@require_http_methods(["GET", "POST"])
def specialisation(request: HttpRequest, pk: int) -> HttpResponse:
    """Show and set what an investigating officer specialises in (administrators only)."""
    with http_errors():
        account = get_user(request.user, pk)
        current = get_specialisation(request.user, pk)
    initial: dict[str, Any] = {
        "chapters": ", ".join(current.chapters) if current else "",
        "articles": ", ".join(current.articles) if current else "",
    }
    form = SpecialisationForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            with http_errors():
                set_specialisation(request.user, pk, **form.service_kwargs())
        except ServiceError as exc:
            apply_error(form, exc, {"user_id": "articles"})
        else:
            messages.success(request, _("The specialisation is saved."))
            return redirect("allocation:specialisation", pk=pk)
    context = {"account": account, "form": form, "current": current, "nav_section": "admin"}
    return render(request, "allocation/specialisation.html", context)
