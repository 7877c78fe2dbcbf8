"""Actions on the ERDR card besides stage moves: assign the investigator (head of unit)
and change the qualification (resolution on qualification)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tergeu.cases.services import assign_investigator, assignable_officers, requalify
from tergeu.core.errors import ServiceError

from ..forms import AssignForm, RequalifyForm, apply_error
from .cases import render_card
from .common import load_case


@login_required
@require_POST
def assign(request: HttpRequest, pk: Any) -> HttpResponse:
    """Give the case to another investigator; refusals are shown on the form."""
    case = load_case(request.user, pk)
    form = AssignForm(request.POST, officers=assignable_officers(request.user))
    if form.is_valid():
        try:
            case = assign_investigator(
                request.user, case.pk, investigator_id=form.cleaned_data["investigator"]
            )
        except ServiceError as exc:
            apply_error(form, exc, AssignForm.field_map)
        else:
            messages.success(
                request,
                _("The case is assigned to %(name)s.") % {"name": case.investigator},
            )
            return redirect(reverse("web:case", args=[case.pk]))
    return render_card(request, case, "card", assign_form=form)


@login_required
@require_POST
def change_qualification(request: HttpRequest, pk: Any) -> HttpResponse:
    """Change the article, part and paragraph of the case, with the reasons."""
    case = load_case(request.user, pk)
    form = RequalifyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            requalify(
                request.user,
                case.pk,
                article=data["article"],
                part=data["part"],
                paragraph=data["paragraph"],
                reason=data["reason"],
            )
        except ServiceError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The qualification is changed."))
            return redirect(reverse("web:case", args=[case.pk]))
    return render_card(request, case, "card", requalify_form=form)
