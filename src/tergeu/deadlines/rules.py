"""The rules of procedural time limits, loaded from ``data/rules.toml`` and validated.

Law is data (DESIGN.md principle 5): each :class:`Rule` names the journal actions that
start, pause, resume, extend and end its clocks, the duration, the counting of CPC
art. 48 and the article it comes from. :func:`load_rules` runs when the app starts
(``DeadlinesConfig.ready``) and refuses a bad file with every problem listed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tergeu.accounts.models import Role

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.toml"

UNITS = ("hours", "days", "months")
COUNTINGS = ("procedural", "custodial")
SCOPES = ("report", "case", "participant", "motion")
ON_EXPIRY = ("", "release")
#: Default data key naming the subject of a clock, per scope.
SUBJECT_KEYS = {"participant": "participant", "motion": "motion"}
_KEYS = {
    "code", "title", "article", "scope", "start", "when", "anchor", "amount", "unit",
    "counting", "end", "cancel", "pause", "resume", "extend", "responsible", "warn_hours",
    "on_expiry", "request", "extension", "due_from",
}  # fmt: skip


class RulesError(ValueError):
    """``rules.toml`` is invalid; ``errors`` lists every problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("invalid deadline rules:\n  " + "\n  ".join(errors))


@dataclass(frozen=True)
class EventSpec:
    """A journal action, and the data key naming the clock's subject ("" for none)."""

    action: str
    subject_key: str = ""

    @classmethod
    def parse(cls, text: str, scope: str) -> EventSpec:
        action, _, key = text.partition(":")
        return cls(action, key or SUBJECT_KEYS.get(scope, ""))


@dataclass(frozen=True)
class Extension:
    """Who may extend a term and up to which total term (None: no fixed maximum)."""

    authority: str
    max_amount: int | None
    max_unit: str
    article: str


@dataclass(frozen=True)
class Request:
    """The request for an extension is due ``before_days`` before expiry (its own clock)."""

    before_days: int
    before_days_general: int
    article: str
    responsible: str = "head_of_unit"
    #: Once the term reaches this many months, the next extension needs the higher
    #: authority and the request is due ``before_days_general`` before expiry.
    general_after_months: int = 12


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    article: str
    scope: str
    start: tuple[EventSpec, ...]
    amount: int
    unit: str
    counting: str
    responsible: str
    when: dict[str, Any] = field(default_factory=dict)
    anchor: str = "event"
    due_from: str = ""
    end: tuple[EventSpec, ...] = ()
    cancel: tuple[EventSpec, ...] = ()
    pause: tuple[EventSpec, ...] = ()
    resume: tuple[EventSpec, ...] = ()
    extend: tuple[EventSpec, ...] = ()
    warn_hours: tuple[int, ...] = ()
    on_expiry: str = ""
    request: Request | None = None
    extensions: tuple[Extension, ...] = ()
    #: For a request clock: the code of the clock whose expiry it precedes.
    derived_from: str = ""

    @property
    def moves_to_working_day(self) -> bool:
        """Art. 48(4): day and month terms move off non-working days, except custodial ones."""
        return self.counting == "procedural" and self.unit != "hours"

    def extension_for(self, authority: str) -> Extension | None:
        return next((e for e in self.extensions if e.authority == authority), None)

    @property
    def request_code(self) -> str:
        return f"{self.code}.request"


def _specs(raw: Any, scope: str, where: str, errors: list[str]) -> tuple[EventSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw):
        errors.append(f"{where}: must be a list of journal actions")
        return ()
    specs = tuple(EventSpec.parse(x, scope) for x in raw)
    for spec in specs:
        if "." not in spec.action:
            errors.append(f"{where}: '{spec.action}' is not a journal action (app.verb)")
    return specs


def parse_rules(text: str) -> dict[str, Rule]:
    """Parse and validate the rules file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError([f"not valid TOML: {exc}"]) from exc
    errors: list[str] = []
    rules: dict[str, Rule] = {}
    roles = set(Role.values)
    for i, raw in enumerate(data.get("rule", []), 1):
        code = raw.get("code") or f"#{i}"
        where = f"rule {code}"
        for key in sorted(set(raw) - _KEYS):
            errors.append(f"{where}: unknown key '{key}'")
        for key in ("code", "title", "article"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                errors.append(f"{where}: '{key}' is required")
        if code in rules:
            errors.append(f"{where}: code used twice")
        scope = raw.get("scope")
        if scope not in SCOPES:
            errors.append(f"{where}: scope must be one of {', '.join(SCOPES)}")
            scope = "case"
        amount = raw.get("amount")
        if not isinstance(amount, int) or amount <= 0:
            errors.append(f"{where}: amount must be a positive integer")
            amount = 1
        if raw.get("unit") not in UNITS:
            errors.append(f"{where}: unit must be one of {', '.join(UNITS)}")
        if raw.get("counting") not in COUNTINGS:
            errors.append(f"{where}: counting must be one of {', '.join(COUNTINGS)}")
        if raw.get("responsible") not in roles:
            errors.append(f"{where}: responsible must be a role ({', '.join(sorted(roles))})")
        anchor = raw.get("anchor", "event")
        if anchor not in ("event", "case_registered") and not str(anchor).startswith("data:"):
            errors.append(f"{where}: anchor must be 'event', 'case_registered' or 'data:KEY'")
        warn = raw.get("warn_hours", [])
        if not isinstance(warn, list) or not all(isinstance(h, int) and h > 0 for h in warn):
            errors.append(f"{where}: warn_hours must be a list of positive hours")
            warn = []
        if raw.get("on_expiry", "") not in ON_EXPIRY:
            errors.append(f"{where}: on_expiry must be one of {ON_EXPIRY}")
        when = raw.get("when", {})
        if not isinstance(when, dict):
            errors.append(f"{where}: when must be a table of data key = value")
            when = {}
        start = _specs(raw.get("start"), scope, f"{where} start", errors)
        if not start:
            errors.append(f"{where}: start needs at least one journal action")
        request = None
        if "request" in raw:
            req = raw["request"]
            try:
                request = Request(
                    int(req["before_days"]),
                    int(req["before_days_general"]),
                    str(req["article"]),
                    str(req.get("responsible", "head_of_unit")),
                    int(req.get("general_after_months", 12)),
                )
            except (KeyError, TypeError, ValueError):
                errors.append(f"{where}: request needs before_days, before_days_general, article")
            else:
                if request.responsible not in roles:
                    errors.append(f"{where}: request responsible must be a role")
        extensions = []
        for ext in raw.get("extension", []):
            if not isinstance(ext, dict) or not ext.get("authority") or not ext.get("article"):
                errors.append(f"{where}: each extension needs authority and article")
                continue
            max_amount = ext.get("max_amount")
            if max_amount is not None and (not isinstance(max_amount, int) or max_amount <= 0):
                errors.append(f"{where}: extension max_amount must be a positive integer")
            if max_amount is not None and ext.get("max_unit") not in UNITS:
                errors.append(f"{where}: extension max_unit must be one of {', '.join(UNITS)}")
            extensions.append(
                Extension(
                    str(ext["authority"]), max_amount, str(ext.get("max_unit", "")), ext["article"]
                )
            )
        rules[code] = Rule(
            code=code,
            title=str(raw.get("title", "")),
            article=str(raw.get("article", "")),
            scope=scope,
            start=start,
            amount=amount,
            unit=str(raw.get("unit")),
            counting=str(raw.get("counting")),
            responsible=str(raw.get("responsible")),
            when=dict(when),
            anchor=str(anchor),
            due_from=str(raw.get("due_from", "")),
            end=_specs(raw.get("end"), scope, f"{where} end", errors),
            cancel=_specs(raw.get("cancel"), scope, f"{where} cancel", errors),
            pause=_specs(raw.get("pause"), scope, f"{where} pause", errors),
            resume=_specs(raw.get("resume"), scope, f"{where} resume", errors),
            extend=_specs(raw.get("extend"), scope, f"{where} extend", errors),
            warn_hours=tuple(sorted(warn, reverse=True)),
            on_expiry=str(raw.get("on_expiry", "")),
            request=request,
            extensions=tuple(extensions),
        )
    if errors:
        raise RulesError(errors)
    return rules


def request_rule(parent: Rule) -> Rule:
    """The derived rule of the request for an extension of ``parent``'s term."""
    assert parent.request is not None
    return Rule(
        code=parent.request_code,
        title=f"Request for an extension: {parent.title}",
        article=parent.request.article,
        scope=parent.scope,
        start=(),
        amount=parent.request.before_days,
        unit="days",
        counting=parent.counting,
        responsible=parent.request.responsible,
        warn_hours=(48, 12),
        derived_from=parent.code,
    )


RULES: dict[str, Rule] = {}
#: Journal action -> the rules that listen to it (filled by :func:`load_rules`).
LISTENERS: dict[str, tuple[Rule, ...]] = {}


def load_rules(path: Path = RULES_FILE) -> dict[str, Rule]:
    """(Re)load the rules file into :data:`RULES` and :data:`LISTENERS`."""
    rules = parse_rules(path.read_text(encoding="utf-8"))
    for rule in list(rules.values()):
        if rule.request is not None:
            rules[rule.request_code] = request_rule(rule)
    listeners: dict[str, list[Rule]] = {}
    for rule in rules.values():
        specs = rule.start + rule.end + rule.cancel + rule.pause + rule.resume + rule.extend
        for action in {s.action for s in specs}:
            listeners.setdefault(action, []).append(rule)
    RULES.clear()
    RULES.update(rules)
    LISTENERS.clear()
    LISTENERS.update({k: tuple(v) for k, v in listeners.items()})
    return rules


#: Actions the engine itself journals (adjustments of clocks), replayed by a recompute.
OWN_ACTIONS = frozenset({"deadline.extended", "deadline.adjusted"})


def listens_to(action: str) -> bool:
    return action in LISTENERS or action in OWN_ACTIONS


load_rules()
