"""Elements of offences: what the assistant looks for in a report, and asks when missing.

Labels and questions are translatable (kk, ru, en); ``as_json()`` stores the code with
the text rendered in the report's language, and a UI may re-render from the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Element:
    """An element of an offence: found when any of ``concepts`` is in the report."""

    code: str
    label: Promise
    question: Promise
    concepts: tuple[str, ...]


ELEMENTS: dict[str, Element] = {
    e.code: e
    for e in [
        Element(
            "taking_secret",
            _("Property taken secretly"),
            _("Was the property taken secretly, without the owner or others noticing?"),
            ("taking_secret",),
        ),
        Element(
            "taking_open",
            _("Property taken openly"),
            _("Did the offender take the property openly, in the presence of the victim?"),
            ("taking_open",),
        ),
        Element(
            "deception",
            _("Deception or abuse of trust"),
            _("How exactly was the victim deceived or their trust abused?"),
            ("deception",),
        ),
        Element(
            "entrusted",
            _("Property entrusted to the offender"),
            _("Was the property entrusted to the offender (work, custody, sale)?"),
            ("trust",),
        ),
        Element(
            "amount",
            _("Value of the property or damage"),
            _("What is the value of the property or of the damage, in tenge?"),
            ("amount",),
        ),
        Element(
            "violence",
            _("Violence or its threat"),
            _("Was violence used or threatened, and what kind?"),
            ("violence",),
        ),
        Element(
            "weapon",
            _("Weapon or object used as a weapon"),
            _("Was a weapon or an object used as a weapon? Which one?"),
            ("weapon",),
        ),
        Element(
            "harm",
            _("Harm to health"),
            _("What harm to health was caused? Has a forensic medical examination been done?"),
            ("injury_light", "injury_moderate", "injury_grave"),
        ),
        Element(
            "death",
            _("Death of a person"),
            _("Who died, when and where was the body found?"),
            ("death",),
        ),
        Element(
            "threat",
            _("Threat to kill or of grave harm"),
            _("What exactly was threatened, and had the victim reason to fear it would be done?"),
            ("threat_kill",),
        ),
        Element(
            "sexual",
            _("Sexual act against the victim's will"),
            _("Was force or a threat used, and how old is the victim?"),
            ("sexual",),
        ),
        Element(
            "minor",
            _("The victim is a minor"),
            _("How old is the victim?"),
            ("minor",),
        ),
        Element(
            "drugs",
            _("Narcotic or psychotropic substance"),
            _("Which substance, how much, and where was it found?"),
            ("drugs",),
        ),
        Element(
            "drugs_sale",
            _("Sale or intent to sell"),
            _("Is there evidence of sale: buyers, packing, drop-offs, money transfers?"),
            ("drugs_sale",),
        ),
        Element(
            "vehicle",
            _("Vehicle"),
            _("Which vehicle: make, colour, plate number?"),
            ("vehicle",),
        ),
        Element(
            "no_theft_intent",
            _("Vehicle taken without intent to steal"),
            _("Was the vehicle taken for a ride and left, or to keep or sell it?"),
            ("vehicle_taking",),
        ),
        Element(
            "road",
            _("Breach of road traffic rules"),
            _("Who was driving, and which traffic rules were broken?"),
            ("road_accident",),
        ),
        Element(
            "public_order",
            _("Gross breach of public order"),
            _("Did it happen in a public place, with violence or damage to property?"),
            ("hooliganism",),
        ),
        Element(
            "damage",
            _("Property destroyed or damaged"),
            _("What was destroyed or damaged, and what does it cost to restore?"),
            ("damage",),
        ),
        Element(
            "official",
            _("An official"),
            _("Who is the official: post and body?"),
            ("official",),
        ),
        Element(
            "bribe",
            _("Money or a benefit for an official act"),
            _("What was given or demanded, by whom, and for which act?"),
            ("bribe",),
        ),
        Element(
            "demand",
            _("Demand for property under threat"),
            _("What was demanded, and what was threatened if it was not given?"),
            ("extortion",),
        ),
        Element(
            "computer",
            _("Unlawful access to information"),
            _("Which account or system was accessed, and what was done in it?"),
            ("computer",),
        ),
        Element(
            "forgery",
            _("Forged document"),
            _("Which document was forged, and how was it used?"),
            ("forgery",),
        ),
        Element(
            "premises",
            _("Unlawful entry into a home or premises"),
            _("Did the offender enter a home, premises or storage unlawfully? How?"),
            ("dwelling",),
        ),
        Element(
            "group",
            _("Group of persons"),
            _("How many offenders were there, and had they agreed in advance?"),
            ("group",),
        ),
        Element(
            "online",
            _("Online, by card or by phone"),
            _("Which cards, phone numbers, sites or accounts were used?"),
            ("online",),
        ),
        Element(
            "captivity",
            _("A person seized or held against their will"),
            _("Who was taken or held, where, and for how long?"),
            ("kidnapping",),
        ),
        Element(
            "insult",
            _("Insult in an indecent form"),
            _("What words were said, and were there other people or a recording?"),
            ("insult",),
        ),
        Element(
            "firearm",
            _("Firearm or ammunition"),
            _("What weapon or ammunition, and where is it kept?"),
            ("firearm", "firearm_possession"),
        ),
        Element(
            "desecration",
            _("Desecration of a monument, grave or public property"),
            _("What was desecrated (building, monument, grave), and how?"),
            ("vandalism",),
        ),
        Element(
            "stalking",
            _("Persistent unwanted pursuit"),
            _("How long and how has the person been followed or contacted?"),
            ("stalking",),
        ),
        Element(
            "livestock",
            _("Livestock"),
            _("Which animals and how many?"),
            ("livestock",),
        ),
        Element(
            "torture",
            _("Systematic beating or torment"),
            _("How long and how often has the violence gone on?"),
            ("torture",),
        ),
        Element(
            "abuse",
            _("Official acted beyond or against their powers"),
            _("What did the official do, and what harm did it cause?"),
            ("abuse_office", "excess_power"),
        ),
        Element(
            "arson",
            _("Arson or another dangerous way"),
            _("Was the property set on fire or blown up?"),
            ("arson",),
        ),
    ]
}
