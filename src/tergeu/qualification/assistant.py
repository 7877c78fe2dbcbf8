"""The triage and qualification assistant: what a report is, and which articles may fit.

``assess(text, lang, facts=..., on=...)`` returns an :class:`Assessment`: the kind of the
report (:class:`tergeu.qualification.triage.Kind`) with a confidence and reasons, and for
a criminal offence up to five candidate articles of the Criminal Code, each with its part
and paragraph, the quoted text of the part, the elements of the offence found in the
report and the questions that would settle the missing ones. It runs offline on data
shipped in the package (see docs/qualification.md); it suggests, an officer decides.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation

from . import classifier
from . import code_text as code
from .classifier import NOT_CRIME
from .concepts import detect_language, extract, normalise
from .rules import ELEMENTS, RULES, RULES_BY_ARTICLE, Context, Rule
from .thresholds import AmountDecision, UnknownMCIYear, decide
from .triage import REASONS, Kind, classify

#: Stored with every assessment, so a journal entry says which assistant produced it.
MODEL_ID = "tergeu-qualification-rules"
MODEL_VERSION = "1.0"
LANGUAGES = ("kk", "ru", "en")
MAX_CANDIDATES = 5

#: the public report form's ``event_kind`` -> the concept it stands for
EVENT_CONCEPTS: dict[str, tuple[str, ...]] = {
    "theft": ("taking_secret",),
    "fraud": ("deception",),
    "robbery": ("taking_open",),
    "violence": ("violence",),
    "threat": ("threat_kill",),
    "property_damage": ("damage",),
    "vehicle": ("vehicle",),
    "drugs": ("drugs",),
    "traffic": ("road_accident",),
    "domestic": ("domestic",),
    "corruption": ("bribe",),
    "cyber": ("computer",),
    "sexual": ("sexual",),
    "missing_person": ("missing",),
    "official_complaint": ("complaint", "official"),
    "civil_dispute": ("civil",),
    "information_request": ("info_request",),
    "other": (),
}
INJURY_CONCEPTS = {
    "light": "injury_light",
    "moderate": "injury_moderate",
    "grave": "injury_grave",
    "death": "death",
}
EVENT_KINDS = {
    "official_complaint": Kind.COMPLAINT_OFFICIAL,
    "civil_dispute": Kind.CIVIL,
    "information_request": Kind.INFORMATION_REQUEST,
}


@dataclass
class Candidate:
    """A candidate qualification: article, part and paragraph, with the quoted part."""

    article: str
    part: str
    paragraph: str
    title: str
    confidence: float
    quote: str
    found: list[dict[str, str]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)
    source: str = "rule"  # "rule" | "retrieval" | "threshold"

    def as_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "part": self.part,
            "paragraph": self.paragraph,
            "title": self.title,
            "confidence": self.confidence,
            "quote": self.quote,
            "found": [dict(item) for item in self.found],
            "missing": [dict(item) for item in self.missing],
            "source": self.source,
        }


@dataclass
class Assessment:
    """The assistant's proposal for one report."""

    kind: str
    kind_confidence: float
    kind_reasons: list[str]
    language: str
    candidates: list[Candidate]
    threshold: dict[str, Any] | None
    reason_codes: list[dict[str, Any]] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict: codes plus texts rendered in :attr:`language`."""
        return {
            "model": MODEL_ID,
            "version": MODEL_VERSION,
            "language": self.language,
            "kind": self.kind,
            "kind_confidence": self.kind_confidence,
            "kind_reasons": [
                {"code": r["code"], "params": dict(r["params"]), "text": text}
                for r, text in zip(self.reason_codes, self.kind_reasons, strict=True)
            ],
            "candidates": [c.as_json() for c in self.candidates],
            "threshold": dict(self.threshold) if self.threshold else None,
            "concepts": list(self.concepts),
        }


def _amount_from(facts: Mapping[str, Any]) -> Decimal | None:
    raw = facts.get("amount")
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None
    return value if value >= 0 else None


def _date_from(facts: Mapping[str, Any], on: datetime.date | None) -> datetime.date:
    if on is not None:
        return on
    raw = facts.get("offence_date")
    if raw:
        try:
            return datetime.date.fromisoformat(str(raw)[:10])
        except ValueError:
            pass
    return datetime.date.today()


def _fact_concepts(facts: Mapping[str, Any]) -> set[str]:
    """Concepts stated by the form's answers (explicit yes/no questions)."""
    out: set[str] = set()
    for key in ("violence", "weapon", "vehicle", "online", "group", "dwelling"):
        if facts.get(key) is True:
            out.add(key)
    if any(facts.get(key) for key in ("cards", "phones", "sites")):
        out.add("online")
    injury = INJURY_CONCEPTS.get(str(facts.get("injuries") or ""))
    if injury:
        out.add(injury)
    return out


def _score(concepts: frozenset[str]) -> list[tuple[Rule, float]]:
    scored = [(rule, rule.score(concepts)) for rule in RULES]
    order = {rule.article: i for i, rule in enumerate(RULES)}
    return sorted(
        ((r, s) for r, s in scored if s > 0), key=lambda rs: (-rs[1], order[rs[0].article])
    )


def _elements(
    rule: Rule, concepts: frozenset[str]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    found, missing = [], []
    for code_ in rule.elements:
        element = ELEMENTS[code_]
        if any(c in concepts for c in element.concepts):
            found.append({"code": code_, "label": str(element.label)})
        else:
            missing.append({"code": code_, "question": str(element.question)})
    return found, missing


def _quote(article: str, part: str) -> tuple[str, str, str]:
    """(part, title, text) for ``article``/``part``; an unknown part falls back to the first."""
    text = code.code_text()
    parts = text.offences.get(article, ())
    if part not in parts:
        part = parts[0] if parts else ""
    found = text.part(article, part)
    return part, text.titles.get(article, ""), found.text if found else ""


def _render(reasons: list[tuple[str, dict[str, object]]]) -> list[str]:
    return [
        str(REASONS[code_]) % params if params else str(REASONS[code_]) % {}
        for code_, params in reasons
    ]


def assess(
    text: str,
    lang: str | None = None,
    *,
    facts: Mapping[str, Any] | None = None,
    on: datetime.date | None = None,
) -> Assessment:
    """Triage and qualify one report (see the module docstring)."""
    facts = facts or {}
    language = lang if lang in LANGUAGES else detect_language(text)
    extracted = extract(normalise(text or ""))
    text_concepts = set(extracted.found)
    fact_concepts = _fact_concepts(facts)
    concepts = text_concepts | fact_concepts
    amount = _amount_from(facts)
    if amount is None and extracted.amount is not None:
        amount = Decimal(extracted.amount)
    if amount is not None:
        concepts.add("amount")

    reasons: list[tuple[str, dict[str, object]]] = []
    event = str(facts.get("event_kind") or "")
    event_concepts = set(EVENT_CONCEPTS.get(event, ()))
    text_only = _score(frozenset(concepts))
    text_decides = bool(text_only and text_only[0][1] >= 1.4) or bool(
        text_concepts & {"civil", "complaint", "info_request", "administrative"}
    )
    if event_concepts and not event_concepts <= concepts:
        if text_decides:
            reasons.append(("facts_disagree", {"event": event}))
        else:
            concepts |= event_concepts
    frozen = frozenset(concepts)
    scored = _score(frozen)

    date = _date_from(facts, on)
    decisions: dict[str, AmountDecision] = {}
    mci_error: UnknownMCIYear | None = None
    if amount is not None:
        for rule, _score_value in scored[:MAX_CANDIDATES]:
            try:
                decision = decide(rule.article, amount, date)
            except UnknownMCIYear as exc:
                mci_error = exc
                break
            if decision is not None:
                decisions[rule.article] = decision
    top = scored[0][0].article if scored else ""
    top_decision = decisions.get(top)
    amount_outcome = top_decision.outcome if top_decision else None
    if amount_outcome == "petty" and frozen & {"dwelling", "group"}:
        amount_outcome = None  # an aggravated theft is not petty (see docs/qualification.md)
    question = "?" in text
    triage = classify(frozen, scored[0][1] if scored else 0.0, amount_outcome, question)
    predictions = classifier.model().predict(text or "")
    best_label, best_p = predictions[0]
    if triage.reasons == [("nothing", {})] and best_label != NOT_CRIME and best_p >= 0.5:
        # The lexicon recognised nothing; the wording is close to reports of an offence.
        triage.kind, triage.confidence = Kind.CRIME, round(0.8 * best_p, 2)
        triage.reasons = [("classifier", {"article": best_label})]
    kind = str(triage.kind)
    rule_articles = {rule.article for rule, _s in scored}

    threshold: dict[str, Any] | None = None
    if mci_error is not None:
        threshold = {"outcome": "unknown_mci", "year": mci_error.year, "error": str(mci_error)}
        reasons.append(("unknown_mci", {"year": mci_error.year}))
    elif top_decision is not None:
        threshold = top_decision.as_json()

    ctx = Context(
        frozen,
        {a: (d.part, d.paragraph) for a, d in decisions.items() if d.outcome == "part"},
    )
    candidates: list[Candidate] = []
    with translation.override(language):
        if kind == Kind.CRIME:
            # The classifier reads words, not acts: where the rules recognise the act
            # itself (a core concept of an article), it only breaks ties.
            strong = bool(scored) and scored[0][1] >= STRONG_RULE_SCORE
            weight_ = CLASSIFIER_WEIGHT_WITH_FACTS if fact_concepts or strong else CLASSIFIER_WEIGHT
            for article, weight in _combined(scored, predictions, weight_):
                article_rule = RULES_BY_ARTICLE.get(article)
                chosen = article_rule.part(ctx) if article_rule else ("1", "")
                part, title, quote = _quote(article, chosen[0])
                paragraph = chosen[1]
                if (
                    paragraph
                    and paragraph not in code.code_text().parts[(article, part)].paragraphs
                ):
                    paragraph = ""
                found, missing = _elements(article_rule, frozen) if article_rule else ([], [])
                candidates.append(
                    Candidate(
                        article,
                        part,
                        paragraph,
                        title,
                        weight,
                        quote,
                        found,
                        missing,
                        source="rule" if article in rule_articles else "classifier",
                    )
                )
            if len(candidates) < MAX_CANDIDATES:
                have = {c.article for c in candidates}
                for article, similarity in code.search(text, MAX_CANDIDATES * 2):
                    if article in have:
                        continue
                    part, title, quote = _quote(article, "1")
                    candidates.append(
                        Candidate(
                            article,
                            part,
                            "",
                            title,
                            round(min(0.3, similarity / 2), 3),
                            quote,
                            source="retrieval",
                        )
                    )
                    if len(candidates) >= MAX_CANDIDATES:
                        break
            if candidates and candidates[0].found:
                labels = ", ".join(item["label"] for item in candidates[0].found)
                triage.reasons.insert(0, ("crime_elements", {"elements": labels}))
            elif not triage.reasons:
                triage.reasons.append(("few_details", {}))
            if top_decision is not None and top_decision.outcome == "part":
                triage.reasons.append(("amount_part", _amount_params(top_decision)))
        elif amount_outcome in ("petty", "none") and top_decision is not None:
            params = _amount_params(top_decision)
            triage.reasons = [(code_, params) for code_, _p in triage.reasons]
            if amount_outcome == "petty" and top_decision.threshold:
                petty = top_decision.threshold.petty_article
                part, title, quote = _quote(petty, "1")
                rule = next(r for r, _s in scored if r.article == top)
                found, missing = _elements(rule, frozen)
                candidates.append(
                    Candidate(
                        petty,
                        part,
                        "",
                        title,
                        triage.confidence,
                        quote,
                        found,
                        missing,
                        source="threshold",
                    )
                )
        all_reasons = triage.reasons + reasons
        rendered = _render(all_reasons)
    return Assessment(
        kind=kind,
        kind_confidence=round(triage.confidence, 3),
        kind_reasons=rendered,
        language=language,
        candidates=candidates[:MAX_CANDIDATES],
        threshold=threshold,
        reason_codes=[{"code": c, "params": dict(p)} for c, p in all_reasons],
        concepts=sorted(frozen),
    )


#: weight of the classifier (against the rules') in the order of the candidates; it reads
#: only the text, so it weighs less when the form's answers added facts
CLASSIFIER_WEIGHT, CLASSIFIER_WEIGHT_WITH_FACTS = 0.4, 0.15
#: A rule score at or above this means the report names the act (its core concept weighs
#: 2-3, see rules.py) and nothing in it argues against that article.
STRONG_RULE_SCORE = 2.0


def _combined(
    scored: list[tuple[Rule, float]],
    predictions: list[tuple[str, float]],
    classifier_weight: float = CLASSIFIER_WEIGHT,
) -> list[tuple[str, float]]:
    """Articles ordered by the rules' share of score blended with the classifier's."""
    top = scored[: MAX_CANDIDATES + 3]
    total = sum(s for _r, s in top) + 0.5
    rule_share = {rule.article: s / total for rule, s in top}
    offences = code.code_text().offences
    articles = {a: p for a, p in predictions if a != NOT_CRIME and a in offences}
    mass = sum(articles.values()) or 1.0
    blended: dict[str, float] = {}
    for article in set(rule_share) | set(articles):
        blended[article] = (1 - classifier_weight) * rule_share.get(
            article, 0.0
        ) + classifier_weight * (articles.get(article, 0.0) / mass)
    order = {rule.article: i for i, (rule, _s) in enumerate(top)}
    ranked = sorted(blended.items(), key=lambda x: (-x[1], order.get(x[0], 99), x[0]))
    return [(a, round(w, 3)) for a, w in ranked if w >= 0.02][:MAX_CANDIDATES]


def _amount_params(decision: AmountDecision) -> dict[str, object]:
    th = decision.threshold
    return {
        "amount": f"{decision.amount:,.0f}".replace(",", " "),
        "amount_mci": str(decision.amount_mci),
        "year": decision.mci.year,
        "limit": th.mci if th else "",
        "article": decision.article,
    }
