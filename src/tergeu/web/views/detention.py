"""The Detention panel of the case card: detain, deliver, protocol, notice, release, custody.

Plain HTML forms posted to these views (they work without JavaScript); each calls a
service of :mod:`tergeu.cases.detention`. Times are entered and shown in Kazakhstan local
time. A refusal re-renders the form on its own page with the errors at their fields, or,
for a rule of procedure, on top with the article it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tergeu.cases import detention as services
from tergeu.cases.access import Perm, perms_of
from tergeu.cases.models import Case, Detention, Participant
from tergeu.cases.procedure import DETAINABLE_STATUSES, SUSPECT_STATUSES
from tergeu.core.errors import ServiceError

from ..forms import DATETIME_FORMAT, DateInput, DateTimeInput, apply_error
from .common import http_errors, load_case

_l = gettext_lazy


def _moment_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_l("Local time (Kazakhstan)."),
    )


def _choices(grounds: tuple[services.Ground, ...]) -> list[tuple[str, str]]:
    return [(g.code, f"{g.label} ({g.article})") for g in grounds]


class PersonField(forms.ChoiceField):
    """A participant of the case among ``statuses``."""

    def __init__(self, case: Case, statuses: frozenset[str], **kwargs: Any) -> None:
        people = case.participants.filter(removed_at__isnull=True, status__in=statuses).order_by(
            "last_name", "first_name"
        )
        choices = [(str(p.pk), f"{p.full_name} ({p.get_status_display()})") for p in people]
        super().__init__(choices=choices, **kwargs)


class DetainForm(forms.Form):
    participant_id = forms.ChoiceField(label=_l("Person"))
    detained_at = _moment_field(_l("Time of the actual detention"))
    place = forms.CharField(label=_l("Place of detention"), max_length=500, required=False)
    minor = forms.BooleanField(label=_l("Minor (24 hours)"), required=False)
    grounds_72h = forms.BooleanField(label=_l("72 hours allowed (CPC art. 131(4))"), required=False)

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant_id"] = PersonField(case, DETAINABLE_STATUSES, label=_l("Person"))


class MomentForm(forms.Form):
    at = _moment_field(_l("Time"))


class ReleaseForm(forms.Form):
    at = _moment_field(_l("Time of release"))
    ground = forms.ChoiceField(label=_l("Ground"), choices=_choices(services.RELEASE_GROUNDS))


class CustodyForm(forms.Form):
    from_ = _moment_field(_l("Custody from"))
    until = forms.DateField(label=_l("Custody until (last day)"), widget=DateInput())
    court_order_ref = forms.CharField(label=_l("Court order"), max_length=200)


class NewCustodyForm(CustodyForm):
    """Custody of a suspect or accused who was not detained (CPC art. 147)."""

    participant_id = forms.ChoiceField(label=_l("Person"))
    field_order = ["participant_id", "from_", "until", "court_order_ref"]

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant_id"] = PersonField(case, SUSPECT_STATUSES, label=_l("Person"))
        self.order_fields(self.field_order)


class ExtendForm(forms.Form):
    until = forms.DateField(label=_l("Custody until (last day)"), widget=DateInput())
    court_order_ref = forms.CharField(label=_l("Court order"), max_length=200, required=False)


class EndCustodyForm(forms.Form):
    at = _moment_field(_l("Time custody ended"))
    ground = forms.ChoiceField(label=_l("Ground"), choices=_choices(services.CUSTODY_END_GROUNDS))


@dataclass(frozen=True)
class Action:
    """One action on a participant's detention or custody."""

    name: str
    label: Promise
    rule: str
    form: type[forms.Form]
    run: Callable[..., Detention]
    shown: Callable[[Detention], bool]


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "delivered",
            _l("Delivered to the body"),
            "CPC art. 129(1)",
            MomentForm,
            lambda u, c, p, d: services.mark_delivered(u, c, p, at=d["at"]),
            lambda r: r.detained_now and r.delivered_at is None,
        ),
        Action(
            "protocol",
            _l("Detention protocol drawn up"),
            "CPC art. 131(2)",
            MomentForm,
            lambda u, c, p, d: services.draw_protocol(u, c, p, at=d["at"]),
            lambda r: r.detained_now and r.protocol_at is None,
        ),
        Action(
            "prosecutor-notified",
            _l("Prosecutor notified"),
            "CPC art. 131(3)",
            MomentForm,
            lambda u, c, p, d: services.notify_prosecutor(u, c, p, at=d["at"]),
            lambda r: r.detained_now and r.prosecutor_notified_at is None,
        ),
        Action(
            "release",
            _l("Release"),
            "CPC art. 133",
            ReleaseForm,
            lambda u, c, p, d: services.release(u, c, p, at=d["at"], ground=d["ground"]),
            lambda r: r.detained_now,
        ),
        Action(
            "custody",
            _l("Custody ordered by the court"),
            "CPC art. 147, 151(1)",
            CustodyForm,
            lambda u, c, p, d: services.order_custody(
                u, c, p, from_=d["from_"], until=d["until"], court_order_ref=d["court_order_ref"]
            ),
            lambda r: r.detained_now,
        ),
        Action(
            "custody-extend",
            _l("Custody extended"),
            "CPC art. 151",
            ExtendForm,
            lambda u, c, p, d: services.extend_custody(
                u, c, p, until=d["until"], court_order_ref=d["court_order_ref"]
            ),
            lambda r: r.in_custody,
        ),
        Action(
            "custody-end",
            _l("Custody ended"),
            "CPC art. 151, 153",
            EndCustodyForm,
            lambda u, c, p, d: services.end_custody(u, c, p, at=d["at"], ground=d["ground"]),
            lambda r: r.in_custody,
        ),
    )
}


def _card(case: Case) -> str:
    return reverse("web:case", args=[case.pk]) + "#detention"


def panel(case: Case, user: Any, can_work: bool | None = None) -> dict[str, Any]:
    """What the Detention panel of the card shows to ``user``."""
    if can_work is None:
        perms = perms_of(user, case) if getattr(user, "is_authenticated", False) else frozenset()
        if Perm.VIEW not in perms:
            return {"visible": False}
        can_work = Perm.WORK in perms
    rows = []
    for row in (
        Detention.objects.filter(case=case).select_related("participant").order_by("-created_at")
    ):
        actions = [
            (a, a.form(prefix=f"{a.name}-{row.pk}"))
            for a in ACTIONS.values()
            if can_work and a.shown(row)
        ]
        rows.append(
            {
                "row": row,
                "release_ground": services.ground_label(row.release_ground),
                "custody_end_ground": services.ground_label(row.custody_end_ground),
                "actions": actions,
            }
        )
    return {
        "visible": True,
        "case": case,
        "rows": rows,
        "can_work": can_work,
        "detain_form": DetainForm(case) if can_work else None,
        "custody_form": NewCustodyForm(case) if can_work else None,
    }


def _page(
    request: HttpRequest, case: Case, title: Any, rule: str, form: forms.Form, action: str
) -> HttpResponse:
    context = {
        "case": case,
        "title": title,
        "rule": rule,
        "form": form,
        "action": action,
        "nav_section": "cases",
    }
    return render(request, "web/cases/_detention_action.html", context, status=200)


def _run(request: HttpRequest, form: forms.Form, call: Callable[[], Detention]) -> bool:
    """Run the service; put its refusal on ``form``. True when it succeeded."""
    try:
        with http_errors():
            call()
    except ServiceError as exc:
        apply_error(form, exc, {"from_": "from_", "at": "at"})
        return False
    return True


@login_required
@require_POST
def detain(request: HttpRequest, pk: Any) -> HttpResponse:
    """Record a detention."""
    case = load_case(request.user, pk)
    form = DetainForm(case, request.POST)
    if form.is_valid() and _run(
        request,
        form,
        lambda: services.detain(
            request.user,
            case.pk,
            form.cleaned_data["participant_id"],
            detained_at=form.cleaned_data["detained_at"],
            minor=form.cleaned_data["minor"],
            grounds_72h=form.cleaned_data["grounds_72h"],
            place=form.cleaned_data["place"],
        ),
    ):
        messages.success(request, _("The detention is recorded."))
        return redirect(_card(case))
    return _page(
        request,
        case,
        _("Detain"),
        "CPC art. 128, 131",
        form,
        reverse("web:detention_detain", args=[case.pk]),
    )


@login_required
@require_POST
def custody(request: HttpRequest, pk: Any) -> HttpResponse:
    """Record custody of a suspect or accused who was not detained."""
    case = load_case(request.user, pk)
    form = NewCustodyForm(case, request.POST)
    if form.is_valid() and _run(
        request,
        form,
        lambda: services.order_custody(
            request.user,
            case.pk,
            form.cleaned_data["participant_id"],
            from_=form.cleaned_data["from_"],
            until=form.cleaned_data["until"],
            court_order_ref=form.cleaned_data["court_order_ref"],
        ),
    ):
        messages.success(request, _("The custody is recorded."))
        return redirect(_card(case))
    return _page(
        request,
        case,
        _("Custody ordered by the court"),
        "CPC art. 147",
        form,
        reverse("web:detention_custody", args=[case.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action(request: HttpRequest, pk: Any, pid: Any, name: str) -> HttpResponse:
    """One action on a participant's detention or custody (GET: its form on a page)."""
    case = load_case(request.user, pk)
    act = ACTIONS.get(name)
    person = Participant.objects.filter(pk=pid, case=case).first()
    if act is None or person is None:
        raise Http404
    url = reverse("web:detention_action", args=[case.pk, person.pk, name])
    prefix = request.POST.get("prefix") or None
    form = act.form(request.POST or None, prefix=prefix)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(request, form, lambda: act.run(request.user, case.pk, person.pk, data)):
            messages.success(
                request,
                _("%(action)s: recorded for %(name)s.") % {"action": act.label, "name": person},
            )
            return redirect(_card(case))
    title = f"{act.label}: {person.full_name}"
    return _page(request, case, title, act.rule, form, url)


urlpatterns = [
    path("detain/", detain, name="detention_detain"),
    path("custody/", custody, name="detention_custody"),
    path("<uuid:pid>/<slug:name>/", action, name="detention_action"),
]
