"""My cases (search, filters, pages) and the case card with its tabs and stage moves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tergeu.cases.access import Perm, perms_of
from tergeu.cases.models import Case, Stage
from tergeu.cases.services import (
    assignable_officers,
    available_transitions,
    cases_page,
    history,
    move,
)
from tergeu.cases.stages import TRANSITIONS
from tergeu.core.errors import ServiceError

from ..forms import (
    AssignForm,
    CaseFilterForm,
    MoveForm,
    ParticipantForm,
    RequalifyForm,
    apply_error,
)
from ..history import describe_events
from .common import PAGE_SIZE, http_errors, load_case, page_number, query_without_page

#: The tabs of the case card, in order.
TABS = [
    ("card", gettext_lazy("Card")),
    ("participants", gettext_lazy("Participants")),
    ("documents", gettext_lazy("Documents")),
    ("history", gettext_lazy("History")),
]


#: Stages in which the qualification may change (CPC art. 203; the service decides).
REQUALIFIABLE = frozenset({Stage.REGISTERED, Stage.INVESTIGATION})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page is the list of the user's cases."""
    return redirect("web:cases")


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user has a grant to, searched and filtered, one page at a time."""
    form = CaseFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    page = cases_page(request.user, page_number(request), PAGE_SIZE, **filters)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "nav_section": "cases",
    }
    htmx = getattr(request, "htmx", None)  # set by django_htmx's middleware
    if htmx and htmx.target == "case-results":
        return render(request, "web/cases/_results.html", {**context, "partial": True})
    return render(request, "web/cases/list.html", context)


def _move_forms(user: Any, case: Case, bound: MoveForm | None = None) -> list[tuple[Any, MoveForm]]:
    """A form for each move the user may make now; ``bound`` replaces its blank form."""
    forms = []
    for t in available_transitions(user, case):
        if bound is not None and bound.transition.name == t.name:
            forms.append((t, bound))
        else:
            forms.append((t, MoveForm(transition=t, initial={"version": case.version})))
    if bound is not None and all(t.name != bound.transition.name for t, _f in forms):
        forms.append((bound.transition, bound))
    return forms


def render_card(
    request: HttpRequest,
    case: Case,
    tab: str,
    *,
    move_form: MoveForm | None = None,
    participant_form: ParticipantForm | None = None,
    assign_form: AssignForm | None = None,
    requalify_form: RequalifyForm | None = None,
) -> HttpResponse:
    """The case card with the tab ``tab``; bound forms carry the errors of a failed action."""
    user = request.user
    perms = perms_of(user, case)
    context: dict[str, Any] = {
        "case": case,
        "tab": tab,
        "tabs": TABS,
        "can_work": Perm.WORK in perms,
        "nav_section": "cases",
    }
    if tab == "card":
        context["report"] = case.report
        context["moves"] = _move_forms(user, case, move_form)
        context["open_move"] = move_form.transition.name if move_form is not None else ""
        if assign_form is None and Perm.MANAGE in perms:
            assign_form = AssignForm(
                officers=assignable_officers(user), initial={"investigator": case.investigator_id}
            )
        if requalify_form is None and Perm.WORK in perms and case.stage in REQUALIFIABLE:
            requalify_form = RequalifyForm(
                initial={
                    "article": case.article_id,
                    "part": case.part.number if case.part_id else "",  # type: ignore[union-attr]
                    "paragraph": case.paragraph,
                }
            )
        context["assign_form"] = assign_form
        context["requalify_form"] = requalify_form
        context["open_action"] = (
            "assign" if assign_form is not None and assign_form.is_bound else ""
        ) or ("requalify" if requalify_form is not None and requalify_form.is_bound else "")
    elif tab == "participants":
        context["participants"] = list(
            case.participants.filter(removed_at__isnull=True).order_by("status", "last_name")
        )
        context["add_form"] = participant_form or ParticipantForm()
        context["add_open"] = participant_form is not None
        context["show_add"] = context["can_work"] or participant_form is not None
    elif tab == "history":
        with http_errors():
            events = history(user, case.pk)
        context["events"] = describe_events(events)
    elif tab == "documents":
        context["documents_url"] = reverse("documents:case_documents", args=[case.pk])
    return render(request, "web/cases/card.html", context)


@login_required
@require_GET
def case_card(request: HttpRequest, pk: Any) -> HttpResponse:
    """The case card; a case without a grant is a 404 page (and a journaled denial)."""
    case = load_case(request.user, pk)
    tab = request.GET.get("tab", "card")
    if tab not in dict(TABS):
        tab = "card"
    return render_card(request, case, tab)


@login_required
@require_POST
def case_move(request: HttpRequest, pk: Any, name: str) -> HttpResponse:
    """Make a stage move; the refusal of the service is shown on the move's form."""
    case = load_case(request.user, pk)
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    form = MoveForm(request.POST, transition=transition)
    if form.is_valid():
        data = form.cleaned_data
        try:
            move(
                request.user,
                case.pk,
                name,
                ground=data.get("ground", ""),
                reason=data.get("reason", ""),
                form=data.get("form", ""),
                target_case=data.get("target_case", ""),
                version=data.get("version"),
            )
        except ServiceError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": transition.label})
            return redirect(reverse("web:case", args=[case.pk]))
    return render_card(request, case, "card", move_form=form)
