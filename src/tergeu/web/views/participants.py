"""Adding, editing and removing the participants of a case (through the case services)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tergeu.cases.access import Perm, perms_of
from tergeu.cases.models import Case, Participant
from tergeu.cases.services import add_participant, remove_participant, update_participant
from tergeu.core.errors import ServiceError

from ..forms import ParticipantForm, ReasonForm, apply_error
from .cases import render_card
from .common import load_case


def _participants_tab(case: Case) -> str:
    return reverse("web:case", args=[case.pk]) + "?tab=participants"


def _participant(request: HttpRequest, case: Case, pid: Any) -> Participant:
    """A current participant of ``case`` the user may change (else 404 / 403)."""
    person = Participant.objects.filter(pk=pid, case=case, removed_at__isnull=True).first()
    if person is None:
        raise Http404
    if Perm.WORK not in perms_of(request.user, case):
        raise PermissionDenied(_("You are not allowed to do this."))
    return person


@login_required
@require_POST
def add(request: HttpRequest, pk: Any) -> HttpResponse:
    """Add a participant; errors are shown on the form in the Participants tab."""
    case = load_case(request.user, pk)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            person = add_participant(request.user, case.pk, **form.cleaned_data)
        except ServiceError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%(name)s added to the case.") % {"name": person})
            return redirect(_participants_tab(case))
    return render_card(request, case, "participants", participant_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: Any, pid: Any) -> HttpResponse:
    """Change a participant's status or data."""
    case = load_case(request.user, pk)
    person = _participant(request, case, pid)
    if request.method == "POST":
        form = ParticipantForm(request.POST)
        if form.is_valid():
            try:
                update_participant(request.user, person.pk, **form.cleaned_data)
            except ServiceError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The participant's data are saved."))
                return redirect(_participants_tab(case))
    else:
        form = ParticipantForm(
            initial={name: getattr(person, name) for name in ParticipantForm.base_fields}
        )
    context = {"case": case, "person": person, "form": form, "nav_section": "cases"}
    return render(request, "web/cases/participant_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, pk: Any, pid: Any) -> HttpResponse:
    """Take a participant out of the case, with the reasons."""
    case = load_case(request.user, pk)
    person = _participant(request, case, pid)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            remove_participant(request.user, person.pk, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%(name)s removed from the case.") % {"name": person})
            return redirect(_participants_tab(case))
    context = {"case": case, "person": person, "form": form, "nav_section": "cases"}
    return render(request, "web/cases/participant_remove.html", context)
