"""The facts of an online report as rows of label and value for the staff page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tergeu.intake import facts as schema

register = template.Library()

LABELS = {
    "event_kind": gettext_lazy("Kind of event"),
    "amount": gettext_lazy("Damage, tenge"),
    "violence": gettext_lazy("Violence"),
    "weapon": gettext_lazy("Weapon"),
    "injuries": gettext_lazy("Injuries"),
    "vehicle": gettext_lazy("Vehicle involved"),
    "vehicle_plate": gettext_lazy("Plate number"),
    "online": gettext_lazy("Online, by phone or card"),
    "cards": gettext_lazy("Bank cards"),
    "phones": gettext_lazy("Phone numbers"),
    "sites": gettext_lazy("Sites and accounts"),
    "group": gettext_lazy("Several offenders"),
    "dwelling": gettext_lazy("In a home"),
    "suspects_known": gettext_lazy("Suspects known"),
    "suspects": gettext_lazy("Suspects"),
    "witnesses": gettext_lazy("Witnesses"),
    "offence_date": gettext_lazy("Date of the event"),
}


def _value(key: str, value: Any) -> str:
    if key == "event_kind" and value in schema.EventKind.values:
        return str(schema.EventKind(value).label)
    if key == "injuries" and value in schema.Injuries.values:
        return str(schema.Injuries(value).label)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@register.filter
def fact_rows(facts: Any) -> list[tuple[str, str]]:
    """The answered facts (a no or an empty answer is left out), in the schema's order."""
    if not isinstance(facts, dict):
        return []
    rows = []
    for key in schema.FACT_KEYS:
        value = facts.get(key)
        if value in (None, "", [], False) or (key == "injuries" and value == "none"):
            continue
        rows.append((str(LABELS[key]), _value(key, value)))
    return rows
