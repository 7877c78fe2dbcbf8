"""Forms of the web UI. They check only the shape of input (types, dates); the rules of
procedure are checked by the services, whose errors :func:`apply_error` puts back on the form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import District, Organisation, Region
from tergeu.cases.models import Form, ParticipantStatus, Stage
from tergeu.cases.stages import Transition
from tergeu.core.errors import ServiceError, ValidationFailed
from tergeu.intake.models import Source

LANGUAGE_CHOICES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """A native date picker (ISO value), usable without JavaScript."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A native local date-and-time picker; values are in Kazakhstan local time."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_FORMAT)


def apply_error(
    form: forms.Form, exc: ServiceError, field_map: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal on ``form``: field messages at their fields, the rest on top.

    ``field_map`` renames the service's argument names to the form's field names.
    """
    field_map = field_map or {}
    if isinstance(exc, ValidationFailed):
        placed = False
        for name, messages in exc.field_texts().items():
            field = field_map.get(name, name)
            for message in messages:
                if field in form.fields:
                    form.add_error(field, message)
                    placed = True
                else:
                    form.add_error(None, message)
                    placed = True
        if not placed:
            form.add_error(None, exc.text())
    else:
        form.add_error(None, exc.text())


class CaseFilterForm(forms.Form):
    """Search and filters of the list of cases (GET)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("ERDR number, article, participant's name or IIN, words of the fabula"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices]
    )
    article = forms.CharField(label=_("Article"), required=False, max_length=10)
    date_from = forms.DateField(label=_("Registered from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Registered to"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        """The period must not end before it begins."""
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its beginning."))
        return data


def _regions() -> list[tuple[str, str]]:
    return [("", "—"), *((r.code, f"{r.code} {r.name}") for r in Region.objects.all())]


def _districts() -> list[tuple[str, str]]:
    rows = District.objects.select_related("region").order_by("region__code", "code")
    return [
        ("", "—"),
        *((f"{d.region_id}:{d.code}", f"{d.region.name}: {d.name}") for d in rows),
    ]


class ReportForm(forms.Form):
    """A new report of an offence for the KUI (CPC art. 180-181)."""

    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave empty for now."),
    )
    applicant_name = forms.CharField(label=_("Applicant"), required=False, max_length=300)
    applicant_iin = forms.CharField(label=_("Applicant's IIN"), required=False, max_length=12)
    applicant_phone = forms.CharField(
        label=_("Phone"), required=False, max_length=20, widget=forms.TextInput({"type": "tel"})
    )
    applicant_email = forms.EmailField(label=_("E-mail"), required=False)
    applicant_language = forms.ChoiceField(
        label=_("Applicant's language"), choices=LANGUAGE_CHOICES, initial="ru"
    )
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea)
    offence_at = forms.DateTimeField(
        label=_("Time of the offence"), required=False, widget=DateTimeInput()
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    address = forms.CharField(label=_("Place"), required=False, max_length=500)

    #: Service argument names that differ from the form's.
    field_map = {"region_code": "region", "district_code": "district"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions()  # type: ignore[attr-defined]
        self.fields["district"].choices = _districts()  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for :func:`tergeu.intake.services.record_report`."""
        data = dict(self.cleaned_data)
        region = data.pop("region") or ""
        district = data.pop("district") or ""
        district_code = ""
        if district:
            district_region, district_code = district.split(":", 1)
            region = region or district_region
            if district_region != region:
                district_code = "?"  # the service reports it as unknown in this region
        data["region_code"] = region
        data["district_code"] = district_code
        return data


class ArticleInput(forms.TextInput):
    """The article field: suggestions from the Criminal Code while typing (HTMX), a plain
    text field without JavaScript."""

    template_name = "web/widgets/article_input.html"

    def __init__(self) -> None:
        super().__init__(
            attrs={
                "list": "article-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("web:article_search"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#article-search",
                "hx-sync": "this:replace",
            }
        )


class ReasonForm(forms.Form):
    """A decision that only needs its reasons (incident, administrative action)."""

    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))


class ReferForm(forms.Form):
    """Referral of a report to the competent body (CPC art. 181(5))."""

    to_organisation = forms.ChoiceField(label=_("Body"), required=False)
    to_text = forms.CharField(label=_("Or another body (name it)"), required=False, max_length=300)
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))

    field_map = {"to_organisation_code": "to_organisation"}

    def __init__(self, *args: Any, exclude_org: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.exclude(pk=exclude_org).order_by("code")
        self.fields["to_organisation"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((o.code, f"{o.code} {o.name}") for o in orgs),
        ]


class RegisterForm(forms.Form):
    """Registration of a report in ERDR: qualification, fabula, investigator, form."""

    article = forms.CharField(
        label=_("Article of the Criminal Code"),
        max_length=10,
        help_text=_("Type a number or words of the article's title to search."),
        widget=ArticleInput(),
    )
    part = forms.CharField(label=_("Part"), required=False, max_length=10)
    paragraph = forms.CharField(label=_("Paragraph"), required=False, max_length=10)
    fabula = forms.CharField(label=_("Description (fabula)"), widget=forms.Textarea)
    offence_at = forms.DateTimeField(
        label=_("Time of the offence"), required=False, widget=DateTimeInput()
    )
    investigator = forms.ChoiceField(label=_("Investigator"), required=False)
    form = forms.ChoiceField(
        label=_("Form of investigation"),
        required=False,
        choices=[("", _("Decide later (the case stays registered)")), *Form.choices],
    )
    allocation_reason = forms.CharField(
        label=_("Reason for choosing another officer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Without a choice the officer proposed by territory, jurisdiction, specialisation "
            "and load gets the case; another choice needs a reason (journaled)."
        ),
    )

    field_map = {"investigator_id": "investigator"}

    def __init__(self, *args: Any, officers: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investigator"].choices = [  # type: ignore[attr-defined]
            ("", _("The proposed officer")),
            *((str(u.pk), f"{u} ({u.get_role_display()})") for u in officers),
        ]


class AssignForm(forms.Form):
    """The head of unit gives the case to an investigator or inquiry officer of the body."""

    investigator = forms.ChoiceField(label=_("Investigator"))

    field_map = {"investigator_id": "investigator"}

    def __init__(self, *args: Any, officers: Iterable[Any] = (), **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        self.fields["investigator"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(u.pk), f"{u} ({u.get_role_display()})") for u in officers),
        ]


class RequalifyForm(forms.Form):
    """A new qualification of the case (article, part, paragraph) with the reasons."""

    article = forms.CharField(
        label=_("Article of the Criminal Code"),
        max_length=10,
        help_text=_("Type a number or words of the article's title to search."),
        widget=ArticleInput(),
    )
    part = forms.CharField(label=_("Part"), required=False, max_length=10)
    paragraph = forms.CharField(label=_("Paragraph"), required=False, max_length=10)
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "requalify")
        super().__init__(*args, **kwargs)


class ParticipantForm(forms.Form):
    """A person in the case with a procedural status and contact data."""

    status = forms.ChoiceField(label=_("Procedural status"), choices=ParticipantStatus.choices)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    patronymic = forms.CharField(label=_("Patronymic"), required=False, max_length=150)
    iin = forms.CharField(label=_("IIN"), required=False, max_length=12)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=20, widget=forms.TextInput({"type": "tel"})
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=500)
    language = forms.ChoiceField(
        label=_("Language of proceedings"), choices=LANGUAGE_CHOICES, initial="ru"
    )


class MoveForm(forms.Form):
    """A stage move with what its transition needs: ground, reasons, form, other case."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, transition: Transition, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", transition.name)
        super().__init__(*args, **kwargs)
        self.transition = transition
        if transition.grounds:
            self.fields["ground"] = forms.ChoiceField(
                label=_("Legal ground"),
                choices=[
                    ("", "—"),
                    *((g.code, f"{g.code}: {g.label}") for g in transition.grounds),
                ],
            )
        if transition.needs_form:
            self.fields["form"] = forms.ChoiceField(
                label=_("Form of investigation"), choices=[("", "—"), *Form.choices]
            )
        if transition.needs_target_case:
            self.fields["target_case"] = forms.CharField(
                label=_("ERDR number of the other case"), max_length=15
            )
        self.fields["reason"] = forms.CharField(
            label=_("Reasons"),
            required=transition.needs_reason,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
