"""The filters of the operators' page of the outbox."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, MessageStatus


class OutboxFilterForm(forms.Form):
    """Status, channel and the beginning of a recipient or peer id (GET)."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    q = forms.CharField(
        label=_("Recipient"),
        required=False,
        max_length=254,
        help_text=_("Beginning of the phone number, the address or the peer's message id"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        status = self.fields["status"]
        channel = self.fields["channel"]
        assert isinstance(status, forms.ChoiceField)
        assert isinstance(channel, forms.ChoiceField)
        status.choices = everything + list(MessageStatus.choices)
        channel.choices = everything + list(Channel.choices)
