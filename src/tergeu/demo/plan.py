"""Planning the demo cases: what happens to each report, who does it and when.

Planning only draws random numbers; nothing touches the database. Each :class:`Plan`
ends in an *outcome* (a stage, or a KUI decision) and carries its :class:`Step` list with
times. :mod:`tergeu.demo.seed` merges the steps of all plans in time order and runs them
through the services, so journal times, KUI numbers and ERDR numbers all grow with time,
as in a real office.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass, field
from typing import Any

from tergeu.accounts.models import OrgKind
from tergeu.cases.models import Form, ParticipantStatus
from tergeu.core import clock
from tergeu.intake.models import Source

from . import crimes
from .crimes import SCENARIOS, Ctx, Scenario
from .people import People, Someone
from .reference import REGIONS, RegionSpec


def _demo_now() -> dt.datetime:
    """The demo's "now": TERGEU_DEMO_NOW (ISO 8601) if set, else the current hour.

    Every time in the demo is relative to it, so the KUI queue shows reports with hours
    left of their 24 on the day the demo is seeded; with TERGEU_DEMO_NOW the data is the
    same to the second on any machine and any day.
    """
    fixed = os.environ.get("TERGEU_DEMO_NOW")
    if fixed:
        return dt.datetime.fromisoformat(fixed).astimezone(dt.UTC)
    return dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)


#: "Now" of the demo: every time in the demo data is before it.
DEMO_NOW = _demo_now()
#: When the reference data (bodies and accounts) was loaded, before the first report.
REFERENCE_AT = DEMO_NOW - dt.timedelta(days=250)

#: KUI decisions other than registration, and how often they happen.
KUI_OUTCOMES = {"undecided": 4.0, "incident": 3.0, "referred": 1.5, "administrative": 2.0}
#: Where registered cases end up, and how often.
CASE_OUTCOMES = {
    "registered": 3.0,
    "investigation": 20.0,
    "resumed": 4.0,
    "interrupted": 14.0,
    "terminated": 5.0,
    "terminated_archived": 6.0,
    "reopened": 2.0,
    "at_prosecutor": 5.0,
    "returned": 2.0,
    "in_court": 5.0,
    "court_returned": 1.0,
    "verdict": 4.0,
    "execution": 4.0,
    "archived": 6.0,
    "joined": 2.0,
    "split": 2.0,
}
#: Age of the report (days before :data:`DEMO_NOW`) for each outcome.
AGES: dict[str, tuple[float, float]] = {
    "undecided": (0.02, 1.3),
    "incident": (1, 240),
    "referred": (1, 240),
    "administrative": (1, 240),
    "registered": (0.1, 2.5),
    "investigation": (2, 150),
    "resumed": (40, 240),
    "interrupted": (15, 240),
    "terminated": (20, 240),
    "terminated_archived": (45, 240),
    "reopened": (60, 240),
    "at_prosecutor": (35, 150),
    "returned": (45, 200),
    "in_court": (45, 200),
    "court_returned": (70, 220),
    "verdict": (75, 240),
    "execution": (100, 240),
    "archived": (120, 240),
    "joined": (20, 150),
    "split": (20, 150),
}
#: Moves after acceptance for each outcome: (step, gap in days before it).
_TO_PROSECUTOR = (("accuse", (20, 50)), ("send_to_prosecutor", (1, 5)))
_TO_COURT = (*_TO_PROSECUTOR, ("send_to_court", (3, 10)))
_TO_VERDICT = (*_TO_COURT, ("deliver_verdict", (15, 45)))
_TO_EXECUTION = (*_TO_VERDICT, ("begin_execution", (15, 30)))
PATHS: dict[str, tuple[tuple[str, tuple[float, float]], ...]] = {
    "investigation": (),
    "interrupted": (("interrupt", (15, 60)),),
    "resumed": (("interrupt", (15, 45)), ("resume", (10, 60))),
    "terminated": (("terminate", (10, 50)),),
    "terminated_archived": (("terminate", (10, 50)), ("archive", (5, 20))),
    "reopened": (("terminate", (10, 40)), ("reopen", (10, 40))),
    "at_prosecutor": _TO_PROSECUTOR,
    "returned": (*_TO_PROSECUTOR, ("return_for_investigation", (3, 10))),
    "in_court": _TO_COURT,
    "court_returned": (*_TO_COURT, ("return_to_prosecutor", (10, 25))),
    "verdict": _TO_VERDICT,
    "execution": _TO_EXECUTION,
    "archived": (*_TO_EXECUTION, ("archive", (5, 30))),
    "joined": (("join", (5, 40)),),
    "split": (("split", (10, 40)),),
}
#: Outcomes whose case goes to the prosecutor, so it needs a known suspect.
_NEEDS_SUSPECT = {o for o, path in PATHS.items() if any(s == "accuse" for s, _g in path)}

REASONS = {
    "resume": (
        "Установлено местонахождение подозреваемого; основания прерывания отпали.",
        "Получено заключение эксперта; досудебное расследование возобновлено.",
        "Установлено лицо, совершившее уголовное правонарушение.",
    ),
    "reopen": (
        "Постановление о прекращении отменено прокурором как преждевременное: не проверены "
        "показания свидетелей.",
    ),
    "return_for_investigation": (
        "Неполнота расследования: не допрошены очевидцы, не истребованы записи камер "
        "видеонаблюдения.",
        "В отчёте о завершении расследования не приведены доказательства размера ущерба.",
    ),
    "return_to_prosecutor": (
        "Обвинительный акт составлен с нарушением требований УПК: не указаны данные о "
        "потерпевшем (ст. 323 УПК РК).",
    ),
    "deliver_verdict": (
        "Обвинительный приговор: назначено ограничение свободы сроком на 2 года.",
        "Обвинительный приговор: назначен штраф в размере 500 МРП.",
        "Обвинительный приговор: назначено лишение свободы сроком на 3 года в учреждении "
        "уголовно-исполнительной системы средней безопасности.",
        "Обвинительный приговор: назначено лишение свободы сроком на 5 лет с конфискацией "
        "имущества.",
    ),
    "join": (
        "Преступления совершены, по имеющимся данным, одним и тем же лицом; дела соединены в "
        "одно производство (ст. 43 УПК РК).",
    ),
    "split": (
        "В отдельное производство выделены материалы в отношении соучастника, местонахождение "
        "которого не установлено (ст. 44 УПК РК).",
    ),
}


@dataclass
class Step:
    """One action of a plan at a moment: record, decide, register, move, add a person."""

    at: dt.datetime
    action: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """What will happen to one report, decided in advance."""

    n: int
    outcome: str
    region: RegionSpec
    scenario: Scenario
    source: str
    district: str
    address: str
    description: str
    language: str
    applicant: Someone | None
    applicant_label: str
    offence_at: dt.datetime
    received_at: dt.datetime
    body: OrgKind
    registrar: str  # username of who records and registers the report
    officer: str  # username of the investigator or inquiry officer
    head: str
    form: str
    suspect: Someone | None = None
    steps: list[Step] = field(default_factory=list)
    target: Plan | None = None  # the case this one is joined to
    accept_at: dt.datetime | None = None
    # filled in while the plan runs
    report: Any = None
    case: Any = None
    suspect_id: Any = None


def _sfx(region: RegionSpec) -> str:
    return "" if region is REGIONS[0] else "2"


def _staff(region: RegionSpec, body: OrgKind, grave: bool) -> tuple[str, str, str]:
    """(registrar, officer, head) usernames for a case of ``body`` in ``region``."""
    s = _sfx(region)
    if body == OrgKind.ANTICORRUPTION:
        return f"investigator_ac{s}", f"investigator_ac{s}", f"head_ac{s}"
    if body == OrgKind.ECONOMIC:
        return f"investigator_econ{s}", f"investigator_econ{s}", f"head_econ{s}"
    officer = f"investigator{s}" if grave else f"inquiry_officer{s}"
    return f"duty_officer{s}", officer, f"head_of_unit{s}"


def _hours(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(hours=rng.uniform(low, high))


def _before_now(moment: dt.datetime, after: dt.datetime) -> dt.datetime:
    """``moment``, or earlier if it would not be well before :data:`DEMO_NOW`."""
    return min(moment, after + (DEMO_NOW - after) * 0.5)


def _outcomes(rng: random.Random, cases: int) -> list[str]:
    """Outcomes of every report: each kind at least once (if there is room), then by weight."""
    extra = max(4, round(cases * 0.15))
    chosen = list(CASE_OUTCOMES)[:cases]
    names, weights = list(CASE_OUTCOMES), list(CASE_OUTCOMES.values())
    chosen += rng.choices(names, weights=weights, k=cases - len(chosen))
    chosen += list(KUI_OUTCOMES)
    names, weights = list(KUI_OUTCOMES), list(KUI_OUTCOMES.values())
    chosen += rng.choices(names, weights=weights, k=extra - len(KUI_OUTCOMES))
    # Joined cases need a case under investigation to join: plan them last.
    rng.shuffle(chosen)
    return sorted(chosen, key=lambda o: o == "joined")


class Planner:
    """Draws every plan from one seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people = People(rng, clock.local(DEMO_NOW).date())
        self.plans: list[Plan] = []

    # -- places and people ------------------------------------------------------------

    def _place(self, region: RegionSpec) -> tuple[str, str, str, str]:
        """(district code, address without the city, with the city, the same in Kazakh)."""
        rng = self.rng
        code, kk, ru, _en = rng.choice(region.districts)
        street, house = rng.choice(region.streets), rng.randint(1, 240)
        place = f"{street}, д. {house}"
        return (
            code,
            place,
            f"г. {region.city_ru}, {ru}, {place}",
            f"{region.kk}, {kk}, {street}, {house}",
        )

    def _home(self, region: RegionSpec) -> str:
        rng = self.rng
        return (
            f"г. {region.city_ru}, {rng.choice(region.streets)}, д. {rng.randint(1, 240)}, "
            f"кв. {rng.randint(1, 180)}"
        )

    def _someone(self, region: RegionSpec) -> Someone:
        return self.people.person(self._home(region))

    # -- plans -------------------------------------------------------------------------

    def plan_all(self, cases: int) -> list[Plan]:
        """Plans for ``cases`` registered reports and about 15 % more decided otherwise."""
        for outcome in _outcomes(self.rng, cases):
            self.plans.append(self._plan(len(self.plans) + 1, outcome))
        return self.plans

    def _pick_scenario(self, outcome: str) -> Scenario:
        rng = self.rng
        pool = SCENARIOS
        if outcome == "referred":
            pool = tuple(s for s in SCENARIOS if s.body != OrgKind.POLICE)
        elif outcome in KUI_OUTCOMES:
            pool = tuple(s for s in SCENARIOS if s.body == OrgKind.POLICE)
        elif outcome in _NEEDS_SUSPECT or outcome == "reopened":
            pool = tuple(s for s in SCENARIOS if s.suspect_known >= 0.3)
        return rng.choices(pool, weights=[s.weight for s in pool])[0]

    def _plan(self, n: int, outcome: str) -> Plan:
        rng = self.rng
        target = self._join_target() if outcome == "joined" else None
        if outcome == "joined" and target is None:
            outcome = "investigation"
        region = target.region if target else (REGIONS[1] if rng.random() < 0.35 else REGIONS[0])
        scenario = target.scenario if target else self._pick_scenario(outcome)
        low, high = AGES[outcome]
        received = DEMO_NOW - dt.timedelta(days=rng.uniform(low, high))
        if target is not None and target.accept_at is not None:
            # Joined cases are registered after their target and joined some days later.
            received = max(received, target.accept_at + dt.timedelta(days=1))
        received = received.replace(second=0, microsecond=0)
        back = dt.timedelta(days=rng.uniform(3, 40)) if scenario.key == "embezzlement" else None
        offence = received - (back or _hours(rng, 0.3, 30))
        district, street, address, address_kk = self._place(region)
        victim = self._someone(region)
        suspect = self._someone(region)
        kui_body = OrgKind.POLICE if outcome == "referred" else scenario.body
        registrar, officer, head = _staff(region, kui_body, scenario.grave)
        if target is not None:
            registrar, officer, head = target.registrar, target.officer, target.head
        source = crimes.weighted(rng, scenario.sources)
        if outcome == "referred" and source == Source.OFFICER:
            source = Source.IN_PERSON
        ctx = Ctx(rng, clock.local(offence), region, address, victim, suspect, address_kk)
        language = victim.language if source != Source.OFFICER else "ru"
        if outcome == "administrative":
            text = rng.choice(crimes.ADMINISTRATIVE_TEXTS).format(address=address)
            language = "ru"
        elif language == "kk" and scenario.kk is not None:
            text = scenario.kk(ctx)
        else:
            text, language = scenario.ru(ctx), "ru"
        if source == Source.OFFICER:
            officer_name = self._someone(region).short_name
            rank = "оперуполномоченный" if kui_body != OrgKind.POLICE else "ст. лейтенант полиции"
            applicant, label = None, f"Рапорт: {rank} {officer_name}"
        else:
            applicant, label = victim, victim.full_name
        if scenario.grave:
            form = Form.ACCELERATED if rng.random() < 0.12 else Form.PRELIMINARY
        else:
            form = Form.INQUIRY
        plan = Plan(
            n=n,
            outcome=outcome,
            region=region,
            scenario=scenario,
            source=source,
            district=district,
            address=street,
            description=text,
            language=language,
            applicant=applicant,
            applicant_label=label,
            offence_at=offence,
            received_at=received,
            body=kui_body,
            registrar=registrar,
            officer=officer,
            head=head,
            form=form,
            target=target,
        )
        known = outcome in _NEEDS_SUSPECT or rng.random() < scenario.suspect_known
        plan.suspect = suspect if known or outcome == "resumed" else None
        self._timeline(plan)
        return plan

    def _join_target(self) -> Plan | None:
        """A planned case that stays under investigation, for a case to be joined to."""
        candidates = [
            p
            for p in self.plans
            if p.outcome == "investigation"
            and p.accept_at is not None
            and p.accept_at < DEMO_NOW - dt.timedelta(days=12)
        ]
        return self.rng.choice(candidates) if candidates else None

    # -- timelines ---------------------------------------------------------------------

    def _timeline(self, plan: Plan) -> None:
        rng = self.rng
        steps = plan.steps
        t = plan.received_at
        steps.append(Step(t, "record"))
        if plan.outcome in KUI_OUTCOMES:
            if plan.outcome != "undecided":
                steps.append(Step(t + _hours(rng, 1, 20), plan.outcome))
            return
        reg = _before_now(t + _hours(rng, 0.3, 20), t)
        at_once = plan.outcome != "registered" and rng.random() < 0.6
        steps.append(Step(reg, "register", {"form": plan.form if at_once else ""}))
        if plan.outcome == "registered":
            return
        accept = reg if at_once else _before_now(reg + _hours(rng, 1, 40), reg)
        if not at_once:
            steps.append(Step(accept, "accept", {"form": plan.form}))
        plan.accept_at = accept
        self._participants(plan, accept)
        self._moves(plan, accept)
        steps.sort(key=lambda s: s.at)

    def _participants(self, plan: Plan, accept: dt.datetime) -> None:
        rng, region = self.rng, plan.region
        first = _before_now(accept + dt.timedelta(minutes=rng.randint(10, 180)), accept)
        if plan.applicant is not None:
            status = ParticipantStatus.VICTIM
            if plan.scenario.key == "embezzlement":
                status = ParticipantStatus.REPRESENTATIVE
            elif not plan.scenario.victim:
                status = ParticipantStatus.WITNESS
            plan.steps.append(Step(first, "add", {"person": plan.applicant, "status": status}))
        for _ in range(rng.choice((0, 1, 1, 2))):
            when = _before_now(first + _hours(rng, 1, 48), first)
            witness = self._someone(region)
            plan.steps.append(Step(when, "add", {"person": witness, "status": "witness"}))

    def _moves(self, plan: Plan, accept: dt.datetime) -> None:
        rng = self.rng
        path = PATHS[plan.outcome]
        gaps = [rng.uniform(*g) for _s, g in path]
        end = DEMO_NOW - dt.timedelta(hours=2)
        available = (end - accept).total_seconds() / 86400
        if plan.target is not None:
            # Joined after its target was accepted (it was, before ``accept``) and in time.
            available = max(available, 0.2)
        if sum(gaps) > available * 0.95:
            scale = available * 0.95 / sum(gaps)
            gaps = [g * scale for g in gaps]
        t = accept
        suspect_at = accept + dt.timedelta(minutes=rng.randint(30, 240))
        if plan.outcome in _NEEDS_SUSPECT and gaps:
            suspect_at = accept + dt.timedelta(days=gaps[0] * rng.uniform(0.05, 0.6))
        for (name, _g), gap in zip(path, gaps, strict=True):
            t = t + dt.timedelta(days=gap)
            args: dict[str, Any] = {}
            if name == "interrupt":
                args["ground"] = self._interrupt_ground(plan)
            elif name == "terminate":
                args["ground"] = self._terminate_ground(plan)
            elif name in REASONS:
                args["reason"] = rng.choice(REASONS[name])
            if name == "resume" and plan.suspect is not None:
                suspect_at = t + dt.timedelta(hours=rng.uniform(2, 48))
            if name == "split":
                args["accomplice"] = self._someone(plan.region)
            plan.steps.append(Step(t, name, args))
        if plan.suspect is not None:
            suspect_at = min(suspect_at, end)
            plan.steps.append(
                Step(suspect_at, "add", {"person": plan.suspect, "status": "suspect"})
            )
            if rng.random() < 0.7:
                defender = self._defender(plan)
                when = min(suspect_at + dt.timedelta(minutes=40), end)
                plan.steps.append(Step(when, "add", {"person": defender, "status": "defender"}))

    def _defender(self, plan: Plan) -> Someone:
        """Usually a random lawyer; sometimes the demo account of the region's defender."""
        lawyer = self._someone(plan.region)
        if self.rng.random() < 0.4:
            lawyer.last_name, lawyer.first_name, lawyer.patronymic = (
                ("Нестеренко", "Ольга", "Игоревна")
                if plan.region is REGIONS[0]
                else ("Джаксыбекова", "Жанна", "Ериковна")
            )
            lawyer.male, lawyer.iin = False, ""
        return lawyer

    def _interrupt_ground(self, plan: Plan) -> str:
        if plan.outcome == "resumed" or plan.suspect is None:
            return self.rng.choice(("45.7.1", "45.7.1", "45.7.1", "45.7.9"))
        return self.rng.choice(("45.7.3", "45.7.3", "45.7.2", "45.7.9"))

    def _terminate_ground(self, plan: Plan) -> str:
        if plan.suspect is not None:
            return self.rng.choice(("36.1", "36.1", "35.1.2", "35.1.12"))
        return self.rng.choice(("35.1.2", "35.1.1", "35.1.4"))


def make_plans(rng: random.Random, cases: int) -> list[Plan]:
    """Plan ``cases`` registered reports (and the others) with one random generator."""
    return Planner(rng).plan_all(cases)


def schedule(plans: list[Plan]) -> list[tuple[dt.datetime, int, int, Plan, Step]]:
    """Every step of every plan, in the order they happen."""
    rows = [(s.at, p.n, i, p, s) for p in plans for i, s in enumerate(p.steps)]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return rows
