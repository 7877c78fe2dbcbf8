"""Triage: is a report about a criminal offence, an administrative offence, a civil dispute,
a complaint about an official, a request for information, or something else?

The decision reads the concepts of the report (:mod:`.concepts`), the best article rule
score (:mod:`.rules`) and the amount decision (:mod:`.thresholds`). It is a proposal with
its reasons; the officer who reviews the report decides (DESIGN.md, principle 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CRIME = "crime", _("Criminal offence")
    ADMINISTRATIVE = "administrative", _("Administrative offence")
    CIVIL = "civil", _("Civil dispute")
    COMPLAINT_OFFICIAL = "complaint_official", _("Complaint about an official")
    INFORMATION_REQUEST = "information_request", _("Request for information")
    OTHER = "other", _("Other")


#: reason code -> message (rendered in the requested language by the assistant)
REASONS: dict[str, Promise] = {
    "crime_elements": _("The report describes elements of a criminal offence: %(elements)s."),
    "petty_amount": _(
        "The amount (%(amount)s tenge, %(amount_mci)s MCI in %(year)s) does not exceed "
        "%(limit)s MCI: petty theft, an administrative offence or the criminal misdemeanour "
        "of article 187, not theft, fraud or appropriation."
    ),
    "damage_not_significant": _(
        "The damage (%(amount)s tenge, %(amount_mci)s MCI in %(year)s) does not exceed "
        "%(limit)s MCI: it is not significant damage under article 202."
    ),
    "amount_part": _(
        "The amount (%(amount)s tenge, %(amount_mci)s MCI in %(year)s) exceeds %(limit)s MCI; "
        "this chooses the part of article %(article)s."
    ),
    "unknown_mci": _(
        "The MCI of %(year)s is not in the data, so the amount was not compared with the "
        "thresholds; an administrator should add it."
    ),
    "road_no_harm": _(
        "A road accident without moderate or grave harm to health or death is an "
        "administrative offence."
    ),
    "administrative": _(
        "The report describes a breach of public order or of rules punished as an "
        "administrative offence (noise, parking, petty disorder)."
    ),
    "civil": _(
        "The report describes a civil dispute (debt, contract, property, family, work) "
        "without deception, violence or threats."
    ),
    "complaint": _("The report complains about the acts or inaction of an official."),
    "information": _("The report asks for information, a document or an explanation."),
    "missing_person": _(
        "A person is missing: the search starts at once; a crime is not presumed until "
        "facts show one."
    ),
    "nothing": _(
        "No signs of an offence, a dispute or a request were recognised; a person must read "
        "the report."
    ),
    "facts_disagree": _(
        "The kind of event chosen on the form (%(event)s) does not match the text; the text "
        "was given more weight."
    ),
    "few_details": _("Few details: the suggestion is uncertain."),
    "courtesy": _("A greeting, thanks or a test message: no report to act on."),
    "lost": _(
        "Property was lost, not taken: no offence unless facts show that someone took it; "
        "the report is recorded as a loss."
    ),
    "classifier": _(
        "No element of an offence was recognised, but the wording is close to reports of "
        "offences under article %(article)s (a statistical model): check it."
    ),
}


@dataclass
class Triage:
    kind: str
    confidence: float
    reasons: list[tuple[str, dict[str, object]]] = field(default_factory=list)


STRONG_CRIME = frozenset(
    {
        "violence",
        "weapon",
        "death",
        "sexual",
        "drugs",
        "threat_kill",
        "taking_open",
        "extortion",
        "bribe",
        "kidnapping",
        "injury_grave",
        "injury_moderate",
        "vehicle_taking",
        "abuse_office",
        "excess_power",
        "forgery",
        "torture",
        "firearm_possession",
        "arson",
        "vandalism",
        "insult",
        "stalking",
        "cultivation",
        "drugs_sale",
        "fled_scene",
        "drunk_driving",
        "firearm",
    }
)
#: concepts that tell an event happened (a question that names one is a report, not a query)
EVENTS = frozenset(
    {
        "violence",
        "death",
        "sexual",
        "taking_open",
        "extortion",
        "kidnapping",
        "injury_grave",
        "injury_moderate",
        "threat_kill",
        "bribe",
        "excess_power",
        "arson",
        "vehicle_taking",
    }
)
PROPERTY_CRIME = frozenset({"taking_secret", "deception", "trust", "computer", "damage"})


def classify(
    concepts: frozenset[str],
    best_score: float,
    amount_outcome: str | None,
    question: bool,
) -> Triage:
    """The kind of the report, with a confidence and reason codes (without the crime's
    elements, which the assistant adds)."""
    strong = concepts & STRONG_CRIME
    prop = concepts & PROPERTY_CRIME
    crime_signal = bool(strong) or bool(prop) or {"online", "amount"} <= concepts

    if (
        "complaint" in concepts
        and "official" in concepts
        and not (
            strong
            & {"violence", "bribe", "abuse_office", "excess_power", "extortion", "sexual", "death"}
        )
    ):
        return Triage(Kind.COMPLAINT_OFFICIAL, 0.8, [("complaint", {})])
    if "info_request" in concepts and (question or not crime_signal) and not (strong & EVENTS):
        confidence = 0.85 if not crime_signal else 0.65
        return Triage(Kind.INFORMATION_REQUEST, confidence, [("information", {})])
    if (
        "courtesy" in concepts
        and not crime_signal
        and not concepts & {"civil", "complaint", "info_request", "administrative"}
    ):
        return Triage(Kind.OTHER, 0.7, [("courtesy", {})])
    if "lost_property" in concepts and not crime_signal:
        return Triage(Kind.OTHER, 0.6, [("lost", {})])
    if "missing" in concepts and not concepts & (STRONG_CRIME | PROPERTY_CRIME):
        return Triage(Kind.OTHER, 0.6, [("missing_person", {})])
    if amount_outcome in ("petty", "none") and not (
        strong & {"violence", "weapon", "taking_open", "extortion", "arson"}
    ):
        code = "petty_amount" if amount_outcome == "petty" else "damage_not_significant"
        return Triage(Kind.ADMINISTRATIVE, 0.75, [(code, {})])
    if (
        "road_accident" in concepts
        and not concepts & {"injury_moderate", "injury_grave", "death", "fled_scene"}
        and not (strong - {"injury_light", "vehicle_taking"})
        and not concepts & {"deception", "taking_secret", "trust", "computer"}
    ):
        return Triage(Kind.ADMINISTRATIVE, 0.6, [("road_no_harm", {})])
    if (
        "civil" in concepts
        and not strong
        and not concepts & {"deception", "taking_secret", "computer", "trust", "damage"}
    ):
        return Triage(Kind.CIVIL, 0.75 if "damage" not in concepts else 0.6, [("civil", {})])
    if best_score >= 1.4 and crime_signal:
        confidence = min(0.97, 0.55 + 0.12 * best_score)
        return Triage(Kind.CRIME, round(confidence, 2), [])
    if "administrative" in concepts or (
        "hooliganism" in concepts and not strong and "damage" not in concepts
    ):
        return Triage(Kind.ADMINISTRATIVE, 0.65, [("administrative", {})])
    if best_score >= 1.0 and crime_signal:
        return Triage(Kind.CRIME, 0.5, [("few_details", {})])
    if "info_request" in concepts:
        return Triage(Kind.INFORMATION_REQUEST, 0.55, [("information", {})])
    if "civil" in concepts:
        return Triage(Kind.CIVIL, 0.55, [("civil", {})])
    if "complaint" in concepts:
        return Triage(Kind.COMPLAINT_OFFICIAL, 0.5, [("complaint", {})])
    return Triage(Kind.OTHER, 0.4, [("nothing", {})])
