"""The administrator's form for an officer's specialisation (chapters and articles of the Code)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

_SPLIT = re.compile(r"[\s,;]+")


def _numbers(value: str) -> list[str]:
    return [n for n in _SPLIT.split(value or "") if n]


class SpecialisationForm(forms.Form):
    """Chapters and articles, each typed as numbers separated by commas or spaces."""

    chapters = forms.CharField(
        label=_("Chapters of the Criminal Code"),
        required=False,
        max_length=500,
        help_text=_("Numbers separated by commas, e.g. 13, 14."),
    )
    articles = forms.CharField(
        label=_("Articles of the Criminal Code"),
        required=False,
        max_length=2000,
        help_text=_("Numbers separated by commas, e.g. 188, 190, 200."),
    )

    def service_kwargs(self) -> dict[str, Any]:
        """The lists the service takes."""
        return {
            "chapters": _numbers(self.cleaned_data["chapters"]),
            "articles": _numbers(self.cleaned_data["articles"]),
        }
