"""Forms of the public report pages. They check only the shape of the input (types,
dates); the services check the rules, and their errors go back next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import District, Region

from . import facts
from .public import ALLOWED_TYPES

LANGUAGE_CHOICES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]


class DateTimeInput(forms.DateTimeInput):
    """A native local date-and-time picker (Kazakhstan time), usable without JavaScript."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files."""

    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files; the service checks their type (by content), size and number."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        return [f for f in (data if isinstance(data, list | tuple) else [data]) if f]


class IdentityForm(forms.Form):
    """Who files the report, and where the one-time code goes."""

    iin = forms.CharField(
        label=_("IIN"),
        required=False,
        max_length=12,
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Your individual identification number, 12 digits."),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        required=False,
        max_length=300,
        widget=forms.TextInput({"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput({"type": "tel", "autocomplete": "tel"}),
        help_text=_("The code is sent by SMS to this number, else to the e-mail."),
    )
    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        widget=forms.TextInput({"type": "email", "autocomplete": "email"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the messages to you"), choices=LANGUAGE_CHOICES
    )


class CodeForm(forms.Form):
    """The one-time code."""

    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=10,
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _regions() -> list[tuple[str, str]]:
    return [("", "—"), *((r.code, r.name) for r in Region.objects.all())]


def _districts() -> list[tuple[str, Any]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    names = {}
    for d in District.objects.select_related("region").order_by("region__code", "code"):
        groups.setdefault(d.region_id, []).append((f"{d.region_id}:{d.code}", d.name))
        names[d.region_id] = d.region.name
    return [("", "—"), *((names[code], rows) for code, rows in groups.items())]


class ReportForm(forms.Form):
    """The report: kind first, what, when, where, the kind's questions, files, liability."""

    event_kind = forms.ChoiceField(
        label=_("What kind of event is it?"),
        required=False,
        choices=[("", "—"), *facts.EventKind.choices],
    )
    description = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=forms.Textarea({"rows": 6}),
        help_text=_("In your own words: what, how, who was harmed. At least 30 characters."),
    )
    offence_at = forms.DateTimeField(
        label=_("When did it happen"), required=False, widget=DateTimeInput()
    )
    region_code = forms.ChoiceField(label=_("Region"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    address = forms.CharField(label=_("Address or place"), required=False, max_length=500)
    damage = forms.BooleanField(label=_("Was there material damage?"), required=False)
    amount = forms.CharField(
        label=_("Amount of the damage, tenge"),
        required=False,
        max_length=30,
        widget=forms.TextInput({"inputmode": "decimal"}),
    )
    violence = forms.BooleanField(label=_("Was violence used?"), required=False)
    weapon = forms.BooleanField(
        label=_("Was a weapon or an object used as a weapon?"), required=False
    )
    injuries = forms.ChoiceField(
        label=_("Injuries"), required=False, choices=[("", "—"), *facts.Injuries.choices]
    )
    vehicle = forms.BooleanField(label=_("Is a vehicle involved?"), required=False)
    vehicle_plate = forms.CharField(
        label=_("Plate number of the vehicle"), required=False, max_length=20
    )
    online = forms.BooleanField(
        label=_("Did it happen online, by phone or through a bank card?"), required=False
    )
    cards = forms.CharField(
        label=_("Bank card numbers"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("One per line. Shown to you masked; kept in full for the investigation."),
    )
    phones = forms.CharField(
        label=_("Phone numbers involved"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("One per line."),
    )
    sites = forms.CharField(
        label=_("Sites, pages or accounts"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("One per line."),
    )
    group = forms.BooleanField(label=_("Were there several offenders?"), required=False)
    dwelling = forms.BooleanField(label=_("Did it happen in a home (flat, house)?"), required=False)
    suspects_known = forms.BooleanField(
        label=_("Do you know or suspect who did it?"), required=False
    )
    suspects = forms.CharField(
        label=_("Who do you suspect"), required=False, widget=forms.Textarea({"rows": 2})
    )
    witnesses = forms.CharField(
        label=_("Witnesses"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Names and how to reach them, if you know."),
    )
    attachments = FilesField(
        label=_("Photos and documents"),
        required=False,
        widget=MultipleFileInput({"accept": ".jpg,.jpeg,.png,.pdf," + ",".join(ALLOWED_TYPES)}),
    )
    confirm_liability = forms.BooleanField(
        label=_(
            "I know that a knowingly false report is a criminal offence "
            "(Criminal Code art. 419) and confirm that my report is true."
        ),
        required=False,
    )

    WHAT = ("event_kind", "description", "offence_at")
    WHERE = ("region_code", "district", "address")
    QUESTION_FIELDS = (
        "damage",
        "amount",
        "violence",
        "weapon",
        "injuries",
        "vehicle",
        "vehicle_plate",
        "online",
        "cards",
        "phones",
        "sites",
        "group",
        "dwelling",
        "suspects_known",
        "suspects",
        "witnesses",
    )

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind if kind in facts.QUESTIONS else ""
        self.fields["region_code"].choices = _regions()  # type: ignore[attr-defined]
        self.fields["district"].choices = _districts()  # type: ignore[attr-defined]
        asked = set(facts.questions(self.kind)) if self.kind else set()
        for name in self.QUESTION_FIELDS:
            if name not in asked:
                del self.fields[name]

    def section(self, names: tuple[str, ...]) -> list[Any]:
        """The bound fields of ``names`` that the form has, in order."""
        return [self[name] for name in names if name in self.fields]

    @property
    def section_what(self) -> list[Any]:
        """Description and time (the kind is drawn by the template itself)."""
        return self.section(("description", "offence_at"))

    @property
    def section_where(self) -> list[Any]:
        """Region, district and address."""
        return self.section(self.WHERE)

    def questions(self) -> list[Any]:
        """The bound fields of the questions of the chosen kind."""
        return self.section(self.QUESTION_FIELDS)

    def answers(self) -> dict[str, Any]:
        """The answers to the kind's questions, for :func:`tergeu.intake.facts.build`."""
        return {n: self.cleaned_data.get(n) for n in self.QUESTION_FIELDS if n in self.fields}

    def district_code(self) -> str:
        """The district's own code; its region fills an empty region."""
        value = self.cleaned_data.get("district") or ""
        return value.split(":", 1)[1] if ":" in value else ""

    def region(self) -> str:
        """The chosen region, or the region of the chosen district."""
        value = self.cleaned_data.get("region_code") or ""
        district = self.cleaned_data.get("district") or ""
        return value or (district.split(":", 1)[0] if ":" in district else "")

    #: Service argument names that differ from the form's.
    field_map = {"district_code": "district"}

    def clean(self) -> dict[str, Any]:
        """The district must lie in the chosen region."""
        data = super().clean() or {}
        region, district = data.get("region_code") or "", data.get("district") or ""
        if region and ":" in district and district.split(":", 1)[0] != region:
            self.add_error("district", _("This district is not in the chosen region."))
        return data


class LookupForm(forms.Form):
    """Finding one's report by its tracking number and the IIN it was filed with."""

    tracking_number = forms.CharField(label=_("Tracking number"), required=False, max_length=20)
    iin = forms.CharField(label=_("IIN"), required=False, max_length=12)
