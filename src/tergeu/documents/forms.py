"""Forms of procedural documents, built from the catalogue's field definitions.

The forms only turn browser input into typed values; whether a document is complete and
correct is decided by the services (:mod:`.validation`), whose errors are put back next
to the fields with :meth:`DocumentForm.add_service_errors`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tergeu.cases.models import Case, Participant
from tergeu.core.clock import local
from tergeu.core.errors import ValidationFailed

from .catalogue import CATALOGUE, DocType, FieldSpec

LANGUAGE_CHOICES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class TypeChoiceForm(forms.Form):
    """First step of a new document: its type and the language it is written in."""

    doc_type = forms.ChoiceField(label=_("Type of document"))
    language = forms.ChoiceField(label=_("Language of the document"), choices=LANGUAGE_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = {
            "resolution": _("Resolutions"),
            "protocol": _("Protocols"),
            "request": _("Requests"),
            "summons": _("Summonses"),
        }
        groups: list[tuple[str, list[tuple[str, str]]]] = [
            (str(label), [(t.code, t.title.text()) for t in CATALOGUE if t.kind == kind])
            for kind, label in kinds.items()
        ]
        doc_type = self.fields["doc_type"]
        assert isinstance(doc_type, forms.ChoiceField)
        doc_type.choices = groups
        self.fields["language"].initial = (translation.get_language() or "ru")[:2]


def _participants(spec: FieldSpec, case: Case) -> list[tuple[str, str]]:
    people = Participant.objects.filter(case=case, removed_at__isnull=True)
    if spec.statuses:
        people = people.filter(status__in=spec.statuses)
    return [("", "—")] + [
        (str(p.pk), f"{p.full_name} ({p.get_status_display()})")
        for p in people.order_by("last_name", "first_name")
    ]


def form_field(spec: FieldSpec, case: Case) -> forms.Field:
    """The form field for one catalogue field (required-ness is checked by the service)."""
    label = spec.label.text()
    attrs: dict[str, Any] = {"required": True} if spec.required else {}
    common: dict[str, Any] = {"label": label, "required": False}
    if spec.help:
        common["help_text"] = spec.help.text()
    if spec.type == "textarea":
        attrs["rows"] = 8 if (spec.max_length or 0) > 5000 else 4
        return forms.CharField(
            widget=forms.Textarea(attrs=attrs), max_length=spec.max_length, strip=False, **common
        )
    if spec.type == "text":
        return forms.CharField(
            widget=forms.TextInput(attrs=attrs), max_length=spec.max_length, **common
        )
    if spec.type == "integer":
        return forms.IntegerField(
            widget=forms.NumberInput(attrs=attrs),
            min_value=spec.min_value,
            max_value=spec.max_value,
            **common,
        )
    if spec.type == "date":
        return forms.DateField(widget=forms.DateInput(attrs={**attrs, "type": "date"}), **common)
    if spec.type == "datetime":
        return forms.DateTimeField(
            widget=forms.DateTimeInput(
                attrs={**attrs, "type": "datetime-local"}, format=DATETIME_FORMAT
            ),
            input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
            **common,
        )
    if spec.type == "choice":
        choices = [("", "—")] + [(c.value, c.label.text()) for c in spec.choices]
        return forms.ChoiceField(choices=choices, widget=forms.Select(attrs=attrs), **common)
    return forms.ChoiceField(
        choices=_participants(spec, case), widget=forms.Select(attrs=attrs), **common
    )


def initial_value(spec: FieldSpec, value: Any) -> Any:
    """A stored value as the form shows it (date-times in local time)."""
    if value in (None, ""):
        return None
    if spec.type == "datetime":
        return local(dt.datetime.fromisoformat(value)).strftime(DATETIME_FORMAT)
    return value


class DocumentForm(forms.Form):
    """The fields of one document type; ``extra`` fields are added by subclasses."""

    def __init__(
        self,
        doc_type: DocType,
        case: Case,
        *args: Any,
        values: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.doc_type = doc_type
        for spec in doc_type.fields:
            self.fields[spec.name] = form_field(spec, case)
            if values and spec.name in values:
                self.initial[spec.name] = initial_value(spec, values[spec.name])
        self.order_fields([spec.name for spec in doc_type.fields])  # subclass fields last

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as the services take them (empty ones left out)."""
        out: dict[str, Any] = {}
        for spec in self.doc_type.fields:
            value = self.cleaned_data.get(spec.name)
            if value in (None, ""):
                continue
            if isinstance(value, dt.date):
                value = value.isoformat()
            out[spec.name] = value
        return out

    def add_service_errors(self, exc: ValidationFailed) -> None:
        """Show a service's field errors next to the fields (others above the form)."""
        for name, messages in exc.fields.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, str(message) if target else f"{name}: {message}")


class EditForm(DocumentForm):
    """Editing a draft: the version the user started from travels with the form."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SupersedeForm(DocumentForm):
    """A correction of a finalised document: its fields and the reason."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        required=False,
        max_length=2000,
    )
