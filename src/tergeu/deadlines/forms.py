"""Forms of the deadline pages: filters of the lists, an extension request, an outage.

They check the shape of the input; the rules (who may extend, by how much, an outage's
period) are the services', whose refusals :func:`apply_error` puts on the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tergeu.web.forms import DateInput, DateTimeInput, apply_error

from .alerts import describe
from .models import ClockStatus, OutageRule
from .rules import RULES

__all__ = [
    "ClockFilterForm",
    "ExtendForm",
    "OutageForm",
    "PeriodForm",
    "apply_error",
    "authority_label",
]


def rule_choices() -> list[tuple[str, Any]]:
    """Every rule by its name (in the active language), for the filters."""
    names = [(code, describe(code)[0]) for code in RULES]
    return [("", _("All rules")), *sorted(names, key=lambda pair: str(pair[1]))]


#: Who may extend a term (the authorities of ``rules.toml``), as the forms name them.
AUTHORITIES = {
    "district_prosecutor": _("District prosecutor (up to 3 months, CPC art. 192(4))"),
    "regional_prosecutor": _("Regional prosecutor (up to 12 months, CPC art. 192(4))"),
    "prosecutor_general": _("Prosecutor General (CPC art. 192(5))"),
    "investigating_judge_3m": _("Investigating judge (up to 3 months, CPC art. 151(2))"),
    "investigating_judge_9m": _("Investigating judge (up to 9 months, CPC art. 151(2))"),
    "investigating_judge_12m": _("Investigating judge (up to 12 months, CPC art. 151(3))"),
    "investigating_judge_18m": _("Investigating judge (up to 18 months, CPC art. 151(4))"),
}


def authority_label(code: str) -> Any:
    return AUTHORITIES.get(code, code)


class ClockFilterForm(forms.Form):
    """Filters of "My deadlines" and of the supervisor's view (GET)."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    rule = forms.ChoiceField(label=_("Rule"), required=False)

    def __init__(self, *args: Any, active_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statuses: list[tuple[str, Any]] = [
            (ClockStatus.RUNNING, ClockStatus.RUNNING.label),
            (ClockStatus.PAUSED, ClockStatus.PAUSED.label),
            (ClockStatus.EXPIRED, ClockStatus.EXPIRED.label),
        ]
        if not active_only:
            statuses = list(ClockStatus.choices)
        self.fields["status"].choices = [("", _("All")), *statuses]  # type: ignore[attr-defined]
        self.fields["rule"].choices = rule_choices()  # type: ignore[attr-defined]

    def filters(self) -> dict[str, str]:
        """The chosen filters ("" when none or invalid)."""
        if not self.is_bound or not self.is_valid():
            return {"status": "", "rule": ""}
        return {"status": self.cleaned_data["status"], "rule": self.cleaned_data["rule"]}


class ExtendForm(forms.Form):
    """An extension of a term: until when, by whose authority, on what grounds."""

    until = forms.DateTimeField(
        label=_("Extend until"),
        widget=DateTimeInput(),
        help_text=_("The new end of the term, in Kazakhstan local time."),
    )
    authority = forms.ChoiceField(label=_("Extended by"))
    reason = forms.CharField(
        label=_("Grounds"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, rule: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = [e.authority for e in rule.extensions] if rule is not None else []
        self.fields["authority"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((code, authority_label(code)) for code in codes),
        ]


class OutageForm(forms.Form):
    """An outage of the system (downtime certificate) and how the terms are extended."""

    started_at = forms.DateTimeField(label=_("Outage from"), widget=DateTimeInput())
    ended_at = forms.DateTimeField(label=_("Outage until"), widget=DateTimeInput())
    rule = forms.ChoiceField(label=_("Extension rule"), choices=OutageRule.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("started_at"), data.get("ended_at")
        if start and end and end <= start:
            self.add_error("ended_at", _("The outage must end after it begins."))
        return data


class PeriodForm(forms.Form):
    """The period of the statistics of violations (GET; dates in Kazakhstan time)."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its beginning."))
        return data
