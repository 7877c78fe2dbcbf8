"""Rules for the common articles of the Criminal Code: which concepts point to an article,
which elements of the offence it needs, and which part the qualifying features choose.

Every article, part and paragraph named here was checked against the Code's text
(``data/kz-criminal-code.ru.jsonl.gz``); ``tests/qualification/test_rules.py`` checks that
each still exists. The amount thresholds are not here but in ``data/thresholds.toml``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .elements import ELEMENTS as ELEMENTS


@dataclass(frozen=True)
class Context:
    """What a rule's part chooser may read: the concepts and the part chosen by amount."""

    concepts: frozenset[str]
    amount_part: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def has(self, *codes: str) -> bool:
        return any(code in self.concepts for code in codes)


PartChoice = tuple[str, str]
Chooser = Callable[[Context], PartChoice]


def _first(*options: tuple[bool, str, str], default: PartChoice = ("1", "")) -> PartChoice:
    for condition, part, paragraph in options:
        if condition:
            return part, paragraph
    return default


def part_rank(part: str) -> tuple[int, int]:
    """``"3-1"`` → ``(3, 1)``: parts compare by gravity in the Code's numbering."""
    head, _, tail = part.partition("-")
    return (int(head) if head.isdigit() else 0, int(tail) if tail.isdigit() else 0)


@dataclass(frozen=True)
class Rule:
    """An article: concepts that point to it (``core``, at least one needed), concepts that
    strengthen or weaken it, the elements it needs, and the part chooser."""

    article: str
    core: Mapping[str, float]
    elements: tuple[str, ...]
    choose: Chooser = lambda ctx: ("1", "")
    support: Mapping[str, float] = field(default_factory=dict)
    against: Mapping[str, float] = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    requires_any: tuple[str, ...] = ()

    def score(self, concepts: frozenset[str]) -> float:
        if self.requires and not all(c in concepts for c in self.requires):
            return 0.0
        if self.requires_any and not any(c in concepts for c in self.requires_any):
            return 0.0
        core = [w for c, w in self.core.items() if c in concepts]
        if not core:
            return 0.0
        value = max(core)
        value += sum(w for c, w in self.support.items() if c in concepts)
        value -= sum(w for c, w in self.against.items() if c in concepts)
        return max(value, 0.0)

    def part(self, ctx: Context) -> PartChoice:
        chosen = self.choose(ctx)
        by_amount = ctx.amount_part.get(self.article)
        if by_amount and by_amount[0] and part_rank(by_amount[0]) > part_rank(chosen[0]):
            return by_amount
        return chosen


def _harm_parts(ctx: Context, group: str, hooligan: str, minor: str) -> PartChoice:
    return _first(
        (ctx.has("group"), "2", group),
        (ctx.has("hooliganism") and not ctx.has("domestic"), "2", hooligan),
        (ctx.has("minor"), "2", minor),
        (ctx.has("repeat") and ctx.has("torture"), "2", ""),
    )


# Weights: a core concept that names the act (кража, изнасилование) weighs 2-3; a
# circumstance that points to it (card, night, car) 0.3-1; ``against`` keeps neighbours
# apart (theft vs robbery vs fraud).
RULES: tuple[Rule, ...] = (
    Rule(
        "188",
        {"taking_secret": 2.5},
        ("taking_secret", "amount", "premises"),
        lambda c: _first(
            (c.has("dwelling"), "3", "3"),
            (c.has("repeat"), "3", "2"),
            (c.has("group"), "2", "1"),
            (c.has("online") or c.has("computer"), "2", "4"),
        ),
        support={"dwelling": 0.3, "amount": 0.2},
        against={
            "taking_open": 1.5,
            "deception": 1.2,
            "trust": 1.0,
            "livestock": 0.8,
            "vehicle_taking": 0.6,
            "civil": 0.5,
            "weapon": 1.0,
            "threat_kill": 0.8,
            "kidnapping": 2.0,
        },
    ),
    Rule(
        "188-1",
        {"taking_secret": 1.5},
        ("taking_secret", "livestock", "amount"),
        lambda c: _first((c.has("group"), "2", "1"), (c.has("repeat"), "3", "1")),
        support={"livestock": 1.5},
        requires=("livestock",),
    ),
    Rule(
        "189",
        {"trust": 2.2},
        ("entrusted", "amount"),
        lambda c: _first(
            (c.has("repeat"), "3", "3"),
            (c.has("official"), "2", "3"),
            (c.has("group"), "2", "1"),
        ),
        support={"taking_secret": 0.5, "amount": 0.2},
        against={"violence": 1.0, "civil": 0.4},
    ),
    Rule(
        "190",
        {"deception": 2.5, "online": 0.8},
        ("deception", "amount", "online"),
        lambda c: _first(
            (c.has("repeat"), "3", "4"),
            (c.has("online"), "2", "4"),
            (c.has("group"), "2", "1"),
        ),
        support={"online": 0.5, "amount": 0.3, "trust": 0.3},
        against={
            "violence": 1.0,
            "taking_open": 1.0,
            "extortion": 0.8,
            "computer": 0.8,
            "forgery": 0.5,
            "bribe": 1.0,
        },
    ),
    Rule(
        "191",
        {"taking_open": 2.6},
        ("taking_open", "amount", "violence"),
        lambda c: _first(
            (c.has("dwelling") and not c.has("vehicle"), "3", "3"),
            (c.has("repeat"), "3", "2"),
            (c.has("violence"), "2", "1"),
            (c.has("group"), "2", "3"),
        ),
        support={"violence": 0.3, "taking_secret": 0.2},
        against={"weapon": 1.2, "injury_grave": 1.0, "vehicle_taking": 0.8, "trust": 1.5},
    ),
    Rule(
        "192",
        {"taking_open": 1.5, "taking_secret": 1.2},
        ("violence", "weapon", "taking_open"),
        lambda c: _first(
            (c.has("death"), "3", "1"),
            (c.has("dwelling") and not c.has("vehicle"), "3", "4"),
            (c.has("repeat"), "3", "3"),
            (c.has("weapon"), "2", "4"),
            (c.has("injury_grave"), "2", "5"),
            (c.has("group"), "2", "1"),
        ),
        support={"weapon": 1.5, "injury_grave": 1.0, "threat_kill": 0.5, "violence": 0.5},
        requires_any=("violence", "weapon"),
    ),
    Rule(
        "194",
        {"extortion": 2.6},
        ("demand", "threat", "amount"),
        lambda c: _first(
            (c.has("injury_grave"), "3", "1"),
            (c.has("violence"), "2", "1"),
            (c.has("group"), "2", "2"),
            (c.has("repeat"), "2", "3"),
        ),
        support={"threat_kill": 0.3, "amount": 0.2},
        against={"bribe": 1.0},
    ),
    Rule(
        "200",
        {"vehicle_taking": 2.6},
        ("vehicle", "no_theft_intent"),
        lambda c: _first(
            (c.has("weapon") or c.has("injury_grave"), "4", ""),
            (c.has("violence"), "2", "3"),
            (c.has("group"), "2", "1"),
            (c.has("repeat"), "2", "2"),
        ),
        support={"vehicle": 0.4},
    ),
    Rule(
        "202",
        {"damage": 2.2, "arson": 2.0},
        ("damage", "amount"),
        lambda c: _first(
            (c.has("death"), "3", "1"),
            (c.has("arson"), "2", "1"),
            (c.has("group"), "2", "6"),
            (c.has("repeat"), "2", "7"),
        ),
        support={"amount": 0.3, "arson": 0.5},
        against={
            "road_accident": 1.5,
            "vandalism": 0.6,
            "taking_secret": 0.8,
            "hooliganism": 0.3,
            "taking_open": 0.8,
            "public_place": 0.5,
            "violence": 0.8,
        },
    ),
    Rule(
        "99",
        {"death": 2.8},
        ("death",),
        lambda c: _first(
            (c.has("group"), "2", "7"),
            (c.has("minor"), "2", "14"),
            (c.has("torture"), "2", "5"),
            (c.has("repeat"), "2", "13"),
        ),
        support={"weapon": 0.4, "violence": 0.3},
        against={"road_accident": 2.5, "missing": 1.0},
    ),
    Rule(
        "106",
        {"injury_grave": 2.6},
        ("violence", "harm"),
        lambda c: ("3", "") if c.has("death") else _harm_parts(c, "5", "7", "11"),
        support={"violence": 0.4, "weapon": 0.4},
        against={"road_accident": 2.5, "taking_open": 0.6},
    ),
    Rule(
        "107",
        {"injury_moderate": 2.4},
        ("violence", "harm"),
        lambda c: _harm_parts(c, "4", "5", "8"),
        support={"violence": 0.4},
        against={"road_accident": 2.5, "injury_grave": 1.0, "taking_open": 0.6},
    ),
    Rule(
        "108-1",
        {"injury_light": 1.6, "violence": 1.0},
        ("violence", "harm"),
        lambda c: _harm_parts(c, "4", "5", "8"),
        support={"violence": 0.6, "injury_light": 0.2},
        against={
            "road_accident": 2.0,
            "injury_moderate": 1.2,
            "injury_grave": 1.5,
            "taking_open": 0.8,
            "sexual": 1.5,
            "death": 1.5,
            "extortion": 0.6,
            "vehicle_taking": 0.8,
        },
    ),
    Rule(
        "109-1",
        {"violence": 1.8},
        ("violence",),
        lambda c: _harm_parts(c, "4", "5", "8"),
        support={"domestic": 0.3},
        against={
            "injury_light": 0.6,
            "injury_moderate": 1.5,
            "injury_grave": 1.8,
            "taking_open": 1.0,
            "sexual": 1.5,
            "death": 1.8,
            "road_accident": 2.0,
            "extortion": 0.8,
            "vehicle_taking": 1.0,
            "abuse_office": 0.8,
        },
    ),
    Rule(
        "110",
        {"torture": 2.4},
        ("violence", "torture"),
        lambda c: _first((c.has("minor"), "2", "1")),
        support={"violence": 0.3, "domestic": 0.3},
    ),
    Rule(
        "115",
        {"threat_kill": 2.4},
        ("threat",),
        lambda c: ("", ""),
        against={"extortion": 1.0, "taking_open": 0.8, "sexual": 1.0},
    ),
    Rule("115-1", {"stalking": 2.2}, ("stalking",), lambda c: ("", "")),
    Rule(
        "120",
        {"sexual": 2.6},
        ("sexual", "violence", "minor"),
        lambda c: _first(
            (c.has("minor"), "3-1", "1"),
            (c.has("group"), "2", "1"),
            (c.has("threat_kill"), "2", "2"),
        ),
        support={"violence": 0.3},
    ),
    Rule(
        "121",
        {"sexual": 2.0},
        ("sexual", "violence", "minor"),
        lambda c: _first(
            (c.has("minor"), "3-1", "1"),
            (c.has("group"), "2", "1"),
            (c.has("threat_kill"), "2", "2"),
        ),
    ),
    Rule(
        "125",
        {"kidnapping": 2.4},
        ("captivity",),
        lambda c: _first(
            (c.has("minor"), "3", "2-1"),
            (c.has("weapon"), "2", "4"),
            (c.has("group"), "2", "1"),
        ),
    ),
    Rule(
        "126",
        {"kidnapping": 1.8},
        ("captivity",),
        lambda c: _first((c.has("group"), "2", "1"), (c.has("weapon"), "2", "4")),
    ),
    Rule(
        "131",
        {"insult": 1.8},
        ("insult",),
        lambda c: _first((c.has("online"), "2", "")),
        against={"violence": 1.0, "official": 0.3},
    ),
    Rule(
        "205",
        {"computer": 2.2},
        ("computer", "online"),
        lambda c: ("1", ""),
        against={"taking_secret": 0.5, "deception": 0.6},
    ),
    Rule(
        "287",
        {"firearm_possession": 2.4, "firearm": 1.0},
        ("firearm",),
        lambda c: _first((c.has("firearm"), "3", ""), default=("1", "")),
        against={"violence": 1.0, "taking_open": 1.0, "hooliganism": 0.5, "threat_kill": 0.6},
    ),
    Rule(
        "293",
        {"hooliganism": 1.4, "public_place": 0.9},
        ("public_order", "violence"),
        lambda c: _first(
            (c.has("weapon"), "3", ""),
            (c.has("group"), "2", "1"),
            (c.has("repeat"), "2", "3"),
        ),
        support={"violence": 0.8, "damage": 0.4, "weapon": 0.4},
        against={"domestic": 1.0, "taking_open": 0.8, "administrative": 0.6, "taking_secret": 0.8},
        requires_any=("violence", "damage", "weapon", "hooliganism"),
    ),
    Rule(
        "294",
        {"vandalism": 2.3},
        ("desecration",),
        lambda c: _first((c.has("group"), "2", "2")),
        support={"damage": 0.2},
    ),
    Rule(
        "296",
        {"drugs": 2.2},
        ("drugs",),
        lambda c: ("2", ""),
        against={"drugs_sale": 1.0},
    ),
    Rule(
        "297",
        {"drugs": 1.4},
        ("drugs", "drugs_sale"),
        lambda c: _first((c.has("group"), "3", "1"), (c.has("repeat"), "3", "2")),
        support={"drugs_sale": 1.5},
    ),
    Rule("300", {"cultivation": 2.4}, ("drugs",), lambda c: ("1", "")),
    Rule(
        "345",
        {"road_accident": 1.6},
        ("road", "harm"),
        lambda c: _first(
            (c.has("death"), "3", ""),
            (c.has("injury_grave"), "2", ""),
        ),
        support={"vehicle": 0.3, "injury_moderate": 0.6, "injury_grave": 0.8, "death": 0.8},
        against={"drunk_driving": 0.5},
    ),
    Rule(
        "345-1",
        {"drunk_driving": 1.2},
        ("road", "harm"),
        lambda c: _first((c.has("death"), "3", ""), (c.has("injury_grave"), "2", "")),
        support={"road_accident": 1.0, "injury_moderate": 0.4, "injury_grave": 0.4, "death": 0.4},
        requires=("road_accident",),
    ),
    Rule(
        "347",
        {"fled_scene": 1.6},
        ("road",),
        lambda c: ("", ""),
        support={"road_accident": 0.5},
        requires=("road_accident",),
    ),
    Rule(
        "362",
        {"excess_power": 2.4},
        ("official", "abuse"),
        lambda c: _first((c.has("violence"), "4", "1"), (c.has("weapon"), "4", "2")),
        support={"official": 0.4, "violence": 0.3},
    ),
    Rule(
        "361",
        {"abuse_office": 1.6},
        ("official", "abuse"),
        lambda c: ("1", ""),
        support={"official": 0.2},
        against={"violence": 0.8, "excess_power": 1.0},
    ),
    Rule(
        "366",
        {"bribe": 2.4},
        ("official", "bribe"),
        lambda c: _first((c.has("extortion"), "3", "1"), (c.has("group"), "3", "2")),
        support={"official": 0.5, "extortion": 0.3},
        against={"deception": 1.5},
    ),
    Rule(
        "367",
        {"bribe": 1.6},
        ("official", "bribe"),
        lambda c: _first((c.has("group"), "3", "1")),
    ),
    Rule(
        "385",
        {"forgery": 2.3},
        ("forgery",),
        lambda c: _first((c.has("group") or c.has("repeat"), "2", "")),
    ),
)

RULES_BY_ARTICLE: dict[str, Rule] = {rule.article: rule for rule in RULES}
