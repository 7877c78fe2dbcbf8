"""Forms of the summons pages: sending a finalised summons, telling participants of the file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tergeu.notifications.models import Channel
from tergeu.web.forms import DateInput

CHANNEL_CHOICES = [(Channel.SMS.value, _("SMS")), (Channel.EMAIL.value, _("E-mail"))]


class SendForm(forms.Form):
    """Which finalised summons to send, and by which channels in which order."""

    document_id = forms.ChoiceField(label=_("Summons"))
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=CHANNEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[Channel.SMS.value, Channel.EMAIL.value],
        help_text=_("SMS first, then e-mail if the SMS is not delivered."),
    )

    def __init__(self, *args: Any, documents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = documents


class FamiliarisationForm(forms.Form):
    """Tell participants that the file is ready to study (CPC art. 294(1))."""

    participant_ids = forms.MultipleChoiceField(
        label=_("Participants"), widget=forms.CheckboxSelectMultiple
    )
    place = forms.CharField(label=_("Where the file may be studied"), max_length=500)
    until = forms.DateField(label=_("Until"), widget=DateInput())

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participant_ids"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = people
