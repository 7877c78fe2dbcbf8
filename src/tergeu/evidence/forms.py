"""Forms of the evidence page. They only turn browser input into values; the services
decide, and their refusals are put back at the fields with :func:`apply_error`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import Organisation, OrgKind
from tergeu.core.errors import ServiceError, ValidationFailed

from .models import ItemKind
from .rules import Move

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def apply_error(form: forms.Form, exc: ServiceError) -> None:
    """A service's refusal on ``form``: field messages at their fields, the rest on top."""
    if isinstance(exc, ValidationFailed):
        for name, messages in exc.field_texts().items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, exc.text())


class ItemForm(forms.Form):
    """Registration of an item of evidence (its receipt)."""

    description = forms.CharField(
        label=_("Description of the item"),
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        required=False,
        max_length=2000,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "—"), *ItemKind.choices],
        required=False,
        widget=forms.Select(attrs={"required": True}),
    )
    seized_at = forms.DateTimeField(
        label=_("Seized or provided at"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "required": True}, format=DATETIME_FORMAT
        ),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    seized_where = forms.CharField(
        label=_("Where seized, or by whom provided"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"required": True}),
    )
    holder = forms.CharField(
        label=_("Holder"),
        required=False,
        max_length=300,
        help_text=_("Leave empty if you keep the item yourself."),
    )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as :func:`~.services.register_item` takes them."""
        data = self.cleaned_data
        return {
            "description": data.get("description", ""),
            "kind": data.get("kind", ""),
            "seized_at": data.get("seized_at"),
            "seized_where": data.get("seized_where", ""),
            "holder": data.get("holder", ""),
        }


class UploadForm(forms.Form):
    """A file for an item: photo, recording, scan or document."""

    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"required": True})
    )


class MoveForm(forms.Form):
    """One custody move; which fields it shows depends on the move."""

    to_holder = forms.CharField(label=_("To whom"), required=False, max_length=300)
    to_organisation = forms.ChoiceField(label=_("Forensic centre"), required=False)
    note = forms.CharField(
        label=_("Grounds and note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, move: Move, forensic: list[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.move = move
        if move.holder == "none":
            del self.fields["to_holder"]
        elif move.holder == "required" and not move.forensic_only:
            self.fields["to_holder"].widget.attrs["required"] = True
        elif move.holder == "optional":
            self.fields["to_holder"].help_text = _("Leave empty if you receive the item yourself.")
        if move.forensic_only:
            field = self.fields["to_organisation"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "—")] + [(o.code, o.name) for o in forensic or []]
            self.fields["to_holder"].label = _("Expert or other addressee")
        else:
            del self.fields["to_organisation"]
        if move.needs_note:
            self.fields["note"].widget.attrs["required"] = True
            self.fields["note"].label = _("Decision it is based on")

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as :func:`~.services.move_item` takes them."""
        data = self.cleaned_data
        return {
            "to_holder": data.get("to_holder", ""),
            "to_organisation": data.get("to_organisation", ""),
            "note": data.get("note", ""),
            "version": data.get("version"),
        }


def forensic_centres() -> list[Organisation]:
    """Forensic centres, to send items to for examination."""
    return list(Organisation.objects.filter(kind=OrgKind.FORENSIC).order_by("code"))
