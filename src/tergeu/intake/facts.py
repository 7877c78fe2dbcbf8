"""The structured facts of a report filed on the public form: the event kind first, then
the questions that matter for that kind (damage, violence, vehicles, online fraud, ...).

The dict :func:`build` returns has always the same keys (:data:`FACT_KEYS`); the
qualification assistant reads it. Card numbers are stored as the applicant gave them
(the investigation needs them to ask the bank) and shown masked (:func:`mask_card`)
everywhere but the staff page of the body that holds the report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.core import clock
from tergeu.core.validation import Checker


class EventKind(models.TextChoices):
    """What happened, as the applicant would say it; it decides which questions are asked."""

    THEFT = "theft", _("Theft")
    FRAUD = "fraud", _("Fraud")
    ROBBERY = "robbery", _("Robbery or assault to rob")
    VIOLENCE = "violence", _("Beating or bodily harm")
    THREAT = "threat", _("Threat")
    PROPERTY_DAMAGE = "property_damage", _("Damage to property")
    VEHICLE = "vehicle", _("Theft or taking of a vehicle")
    DRUGS = "drugs", _("Drugs")
    TRAFFIC = "traffic", _("Road traffic accident")
    DOMESTIC = "domestic", _("Domestic violence")
    CORRUPTION = "corruption", _("Bribery or corruption")
    CYBER = "cyber", _("Computer crime or hacking")
    SEXUAL = "sexual", _("Sexual offence")
    MISSING_PERSON = "missing_person", _("Missing person")
    OFFICIAL_COMPLAINT = "official_complaint", _("Complaint about an official")
    CIVIL_DISPUTE = "civil_dispute", _("Debt or civil dispute")
    INFORMATION_REQUEST = "information_request", _("Request for information")
    OTHER = "other", _("Other")


class Injuries(models.TextChoices):
    """The worst harm to a person's health."""

    NONE = "none", _("No injuries")
    LIGHT = "light", _("Light harm")
    MODERATE = "moderate", _("Moderate harm")
    GRAVE = "grave", _("Grave harm")
    DEATH = "death", _("Death")


#: The keys of every facts dict, in this order.
FACT_KEYS = (
    "event_kind",
    "amount",
    "violence",
    "weapon",
    "injuries",
    "vehicle",
    "online",
    "cards",
    "phones",
    "sites",
    "group",
    "dwelling",
    "suspects_known",
    "suspects",
    "witnesses",
    "vehicle_plate",
    "offence_date",
)

#: Questions asked of every kind.
COMMON = ("suspects_known", "suspects", "witnesses")

_HARM = ("violence", "weapon", "injuries")
_ONLINE = ("online", "cards", "phones", "sites")

#: The questions (answers of the form) each kind asks besides :data:`COMMON`.
#: ``damage`` and ``amount`` go together: whether there is damage, and how much.
QUESTIONS: dict[str, tuple[str, ...]] = {
    EventKind.THEFT: ("damage", "amount", "dwelling", "group", "vehicle", "vehicle_plate"),
    EventKind.FRAUD: ("damage", "amount", *_ONLINE),
    EventKind.ROBBERY: ("damage", "amount", *_HARM, "group", "dwelling"),
    EventKind.VIOLENCE: (*_HARM, "group"),
    EventKind.THREAT: ("weapon", *_ONLINE),
    EventKind.PROPERTY_DAMAGE: ("damage", "amount", "dwelling", "vehicle", "vehicle_plate"),
    EventKind.VEHICLE: ("damage", "amount", "vehicle_plate"),
    EventKind.DRUGS: ("online", "phones", "sites"),
    EventKind.TRAFFIC: ("injuries", "vehicle_plate", "damage", "amount"),
    EventKind.DOMESTIC: (*_HARM, "dwelling"),
    EventKind.CORRUPTION: ("damage", "amount"),
    EventKind.CYBER: ("damage", "amount", *_ONLINE),
    EventKind.SEXUAL: (*_HARM,),
    EventKind.MISSING_PERSON: (),
    EventKind.OFFICIAL_COMPLAINT: (),
    EventKind.CIVIL_DISPUTE: ("damage", "amount"),
    EventKind.INFORMATION_REQUEST: (),
    EventKind.OTHER: ("damage", "amount", *_HARM),
}

#: Kinds for which the worst injury must be answered.
INJURIES_REQUIRED = frozenset(
    {EventKind.ROBBERY, EventKind.VIOLENCE, EventKind.TRAFFIC, EventKind.DOMESTIC, EventKind.SEXUAL}
)

MAX_ITEMS = 10
_PLATE = re.compile(r"^[0-9A-ZА-ЯӘҒҚҢӨҰҮҺІ]{4,12}$")
_CARD = re.compile(r"^\d{12,19}$")
_INTL_PHONE = re.compile(r"^\+?\d{7,15}$")


def questions(kind: str) -> tuple[str, ...]:
    """The answers the form asks for ``kind`` (unknown kinds: the common questions only)."""
    return (*QUESTIONS.get(kind, ()), *COMMON)


def empty(kind: str = "") -> dict[str, Any]:
    """A facts dict with every key and nothing answered."""
    return {
        "event_kind": kind,
        "amount": "",
        "violence": False,
        "weapon": False,
        "injuries": Injuries.NONE.value,
        "vehicle": False,
        "online": False,
        "cards": [],
        "phones": [],
        "sites": [],
        "group": False,
        "dwelling": False,
        "suspects_known": False,
        "suspects": "",
        "witnesses": "",
        "vehicle_plate": "",
        "offence_date": "",
    }


def split_items(value: Any) -> list[str]:
    """A list from text with one item per line (or separated by commas or semicolons)."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = re.split(r"[\n,;]+", str(value or ""))
    return [item.strip() for item in items if item.strip()]


def mask_card(number: str) -> str:
    """A card number with all but its last four digits hidden."""
    digits = re.sub(r"\D", "", number)
    return f"•••• {digits[-4:]}" if len(digits) >= 4 else "••••"


def _amount(check: Checker, value: Any) -> str:
    text = str(value if value is not None else "").replace(" ", "").replace(",", ".").strip()
    if not text:
        check.add("amount", _("Give the amount of the damage in tenge."))
        return ""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        check.add("amount", _("Give the amount as a number of tenge."))
        return ""
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e15"):
        check.add("amount", _("Give the amount as a number of tenge."))
        return ""
    return str(amount.quantize(Decimal("0.01")))


def _list(check: Checker, field: str, value: Any, pattern: re.Pattern[str], message: Any) -> list:
    items = split_items(value)
    if len(items) > MAX_ITEMS:
        check.add(field, _("At most %(limit)d items, please.") % {"limit": MAX_ITEMS})
    cleaned = []
    for item in items[:MAX_ITEMS]:
        compact = re.sub(r"[\s()\-]", "", item)
        if not pattern.match(compact):
            check.add(field, message)
            break
        cleaned.append(compact)
    return cleaned


def _text(check: Checker, field: str, value: Any, limit: int = 2000) -> str:
    text = str(value or "").strip()
    check.max_length(field, text, limit)
    return text


def build(
    check: Checker, kind: str, answers: Mapping[str, Any], offence_at: dt.datetime | None
) -> dict[str, Any]:
    """The facts dict of a report of ``kind`` from the form's ``answers`` (errors to ``check``).

    Only the questions of the kind are read; the other keys keep their empty values.
    """
    facts = empty(kind)
    if offence_at is not None:
        facts["offence_date"] = clock.local(offence_at).date().isoformat()
    if kind not in QUESTIONS:
        return facts
    asked = set(questions(kind))
    for flag in ("violence", "weapon", "vehicle", "online", "group", "dwelling", "suspects_known"):
        if flag in asked:
            facts[flag] = bool(answers.get(flag))
    if "damage" in asked and answers.get("damage"):
        facts["amount"] = _amount(check, answers.get("amount"))
    if "injuries" in asked:
        injuries = str(answers.get("injuries") or "")
        if injuries:
            check.choice("injuries", injuries, Injuries.choices)
            facts["injuries"] = injuries
        elif kind in INJURIES_REQUIRED:
            check.add("injuries", _("Say whether anyone was injured."))
    if "cards" in asked:
        facts["cards"] = _list(
            check, "cards", answers.get("cards"), _CARD, _("A card number has 12 to 19 digits.")
        )
    if "phones" in asked:
        facts["phones"] = _list(
            check,
            "phones",
            answers.get("phones"),
            _INTL_PHONE,
            _("Give phone numbers with their code, one per line."),
        )
    if "sites" in asked:
        sites = split_items(answers.get("sites"))
        if len(sites) > MAX_ITEMS:
            check.add("sites", _("At most %(limit)d items, please.") % {"limit": MAX_ITEMS})
        for site in sites:
            check.max_length("sites", site, 300)
        facts["sites"] = sites[:MAX_ITEMS]
    if "vehicle_plate" in asked:
        plate = re.sub(r"[\s\-]", "", str(answers.get("vehicle_plate") or "")).upper()
        if plate and not _PLATE.match(plate):
            check.add("vehicle_plate", _("Give the plate number as it is written, e.g. 123ABC02."))
        elif not plate and kind == EventKind.VEHICLE:
            check.add("vehicle_plate", _("Give the plate number of the vehicle."))
        facts["vehicle_plate"] = plate
    listed = facts["cards"] or facts["phones"] or facts["sites"]
    if facts["online"] and kind in (EventKind.FRAUD, EventKind.CYBER) and not listed:
        check.add("sites", _("Give at least one card, phone number or site involved."))
    facts["suspects"] = _text(check, "suspects", answers.get("suspects"))
    facts["witnesses"] = _text(check, "witnesses", answers.get("witnesses"))
    if facts["suspects_known"] and not facts["suspects"]:
        check.add("suspects", _("Describe who you suspect."))
    return facts
