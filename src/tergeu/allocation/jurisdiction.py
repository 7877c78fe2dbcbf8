"""Who investigates which article, and in which form (CPC art. 187, 189, 191), as data.

``data/jurisdiction.json`` holds the rules: each names its source (article, part and
sentence of the CPC), the form (``preliminary`` for art. 187, ``inquiry`` and
``protocol`` for art. 191), the bodies in the order the law lists them, an optional
condition under which the rule applies (then it is an alternative, not the default), and
the articles of the Criminal Code with their parts and paragraphs. The file is checked
against the Criminal Code when this module is imported: an unknown article, part, body,
form or condition raises :class:`JurisdictionDataError` naming the rule and the entry.
A rule's ``omitted`` list keeps what the CPC cites but the packaged Code lacks (a part
repealed since, an article added later); it must really be absent from the Code.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import OrgKind

DATA_FILE = Path(__file__).resolve().parent / "data" / "jurisdiction.json"

#: Bodies named by CPC art. 187 and 191, with the kind of organisation that models them
#: in Tergeu (None: no such body is configured; a proposal then falls back and says so).
BODIES: dict[str, tuple[str | None, Promise]] = {
    "internal_affairs": (OrgKind.POLICE, _("internal affairs bodies (police)")),
    "anticorruption": (OrgKind.ANTICORRUPTION, _("anti-corruption service")),
    "economic": (OrgKind.ECONOMIC, _("economic investigation service")),
    "national_security": (None, _("national security bodies")),
    "military_police": (None, _("military police")),
    "nsc_military_police": (None, _("military police of the National Security Committee")),
    "border_service": (None, _("border service")),
    "state_guard": (None, _("State Guard Service")),
    "fire_service": (None, _("state fire service")),
}

#: Conditions under which a rule applies; a conditional rule is only an alternative.
CONDITIONS: dict[str, Promise] = {
    "ict_infrastructure": _(
        "if committed against critically important objects of the information and "
        "communication infrastructure"
    ),
    "servicemen": _(
        "if committed by servicemen, officers of the anti-corruption service or of special "
        "state bodies"
    ),
    "combat": _("if committed in a combat situation"),
    "protected_persons": _(
        "if committed in the zone of protective measures directly against protected persons"
    ),
    "damage_to_state": _("if damage was caused to the state"),
    "business_entity": _("in respect of business entities"),
    "signs_of_paragraph": _("if the deed has the signs named in the paragraph cited"),
    "cruel_treatment": _("in cases of cruel, inhuman or degrading treatment not being torture"),
    "mass_destruction_weapons": _(
        "in respect of theft or extortion of weapons of mass destruction or materials for them"
    ),
}

FORMS = ("preliminary", "inquiry", "protocol")


class JurisdictionDataError(ValueError):
    """The jurisdiction data file contradicts itself or the Criminal Code."""


@dataclass(frozen=True)
class Entry:
    """An article in a rule: all its parts, or the listed parts and paragraphs of parts."""

    article: str
    parts: tuple[str, ...] = ()
    paragraphs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    condition: str = ""

    def match(self, part: str, paragraph: str) -> str:
        """'full', 'paragraph' (the part matches only for some paragraphs, none given) or ''."""
        if not self.parts and not self.paragraphs:
            return "full"
        if part in self.parts:
            return "full"
        if part in self.paragraphs:
            if not paragraph:
                return "paragraph"
            return "full" if paragraph in self.paragraphs[part] else ""
        return ""


@dataclass(frozen=True)
class Rule:
    """One sentence of the CPC: these bodies investigate these articles in this form."""

    source: str
    form: str
    bodies: tuple[str, ...]
    condition: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Match:
    """A rule that applies to an article and part, and how."""

    rule: Rule
    entry: Entry
    how: str  # 'full' or 'paragraph'

    @property
    def condition(self) -> str:
        return self.entry.condition or self.rule.condition


def _fail(where: str, message: str) -> JurisdictionDataError:
    return JurisdictionDataError(f"{DATA_FILE.name}: {where}: {message}")


def parse(data: dict[str, Any], code: dict[str, set[str]]) -> tuple[Rule, ...]:
    """Rules from the decoded file, checked against ``code`` ({article: {part numbers}})."""
    rules = []
    for i, raw in enumerate(data.get("rules") or []):
        where = f"rule {i + 1} ({raw.get('source', '?')})"
        if not str(raw.get("source", "")).startswith("CPC art. "):
            raise _fail(where, "'source' must cite the CPC article ('CPC art. N part M')")
        if raw.get("form") not in FORMS:
            raise _fail(where, f"unknown form {raw.get('form')!r}")
        bodies = tuple(raw.get("bodies") or ())
        if not bodies or any(b not in BODIES for b in bodies):
            raise _fail(where, f"unknown or missing bodies {list(bodies)!r}")
        condition = raw.get("condition", "")
        if condition and condition not in CONDITIONS:
            raise _fail(where, f"unknown condition {condition!r}")
        entries = []
        for item in raw.get("articles") or []:
            number = str(item.get("article", ""))
            if number not in code:
                raise _fail(where, f"article {number!r} is not in the Criminal Code")
            known = code[number]
            parts = tuple(str(p) for p in item.get("parts", ()))
            paragraphs = {str(k): tuple(map(str, v)) for k, v in item.get("paragraphs", {}).items()}
            for p in (*parts, *paragraphs):
                if p not in known:
                    raise _fail(where, f"article {number} has no part {p!r}")
            cond = item.get("condition", "")
            if cond and cond not in CONDITIONS:
                raise _fail(where, f"article {number}: unknown condition {cond!r}")
            entries.append(Entry(number, parts, paragraphs, cond))
        for gap in raw.get("omitted") or []:
            number, part = str(gap.get("article", "")), str(gap.get("part", ""))
            if number in code and (not part or part in code[number]):
                raise _fail(where, f"article {number} {part} is in the Code: list it, not omit it")
        if not entries:
            raise _fail(where, "no articles")
        rules.append(Rule(raw["source"], raw["form"], bodies, condition, tuple(entries)))
    if not rules:
        raise _fail("rules", "no rules")
    return tuple(rules)


@functools.cache
def code_parts() -> dict[str, set[str]]:
    """``{article: {part numbers}}`` of the Criminal Code's Special Part (packaged file)."""
    from tergeu.qualification.loader import parse_code, read_rows

    return {
        a.number: {p.number for p in a.parts}
        for a in parse_code(read_rows())
        if a.special_part and not a.repealed
    }


def load(path: Path = DATA_FILE) -> tuple[Rule, ...]:
    """Read and check the data file."""
    with path.open(encoding="utf-8") as fh:
        return parse(json.load(fh), code_parts())


RULES: tuple[Rule, ...] = load()


def matches(article: str, part: str = "", paragraph: str = "") -> list[Match]:
    """Every rule that names ``article`` (``part``, ``paragraph``), in the file's order."""
    found = []
    for rule in RULES:
        for entry in rule.entries:
            if entry.article == article:
                how = entry.match(part or "", paragraph or "")
                if how:
                    found.append(Match(rule, entry, how))
    return found


def body_label(body: str) -> Promise:
    return BODIES[body][1]


def body_kind(body: str) -> str | None:
    return BODIES[body][0]
