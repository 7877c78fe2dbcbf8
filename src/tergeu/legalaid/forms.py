"""Forms of the legal-aid pages: a duty slot, an appointment, a declined offer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tergeu.web.forms import DateTimeInput, apply_error

__all__ = ["AppointForm", "DeclineForm", "SlotForm", "apply_error"]


class SlotForm(forms.Form):
    """A lawyer of the bar on duty between two moments (Kazakhstan local time)."""

    lawyer_id = forms.ChoiceField(label=_("Lawyer"))
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    capacity = forms.IntegerField(
        label=_("Capacity"),
        initial=1,
        help_text=_("How many appointments the lawyer takes during this duty at most."),
    )

    def __init__(self, *args: Any, lawyers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(u.pk), str(u)) for u in lawyers]
        self.fields["lawyer_id"].choices = choices  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class AppointForm(forms.Form):
    """Appoint a defender for a suspect, an accused or a witness with the right to defence."""

    participant_id = forms.ChoiceField(label=_("Person to be defended"))
    detained_at = forms.DateTimeField(
        label=_("Detained at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_(
            "If the person is detained, the defender must be there within 24 hours "
            "(CPC art. 68(4))."
        ),
    )
    reason = forms.CharField(
        label=_("Grounds"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant_id"].choices = [  # type: ignore[attr-defined]
            (str(p.pk), f"{p.full_name} ({p.get_status_display()})") for p in people
        ]


class DeclineForm(forms.Form):
    """Why the lawyer declines (optional)."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
