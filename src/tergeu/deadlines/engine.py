"""The engine: journal events in, clocks out.

:class:`Replay` applies events, in journal order, to the clocks of one case (or one KUI
report) held in memory, by the rules of :mod:`.rules`. The live hook (:mod:`.hooks`)
applies each new event to the stored clocks in the event's transaction;
:mod:`.rebuild` rebuilds clocks from the journal with
the same code, keeping the ids, warnings and escalations of clocks that survive (so a
rebuild is idempotent).

A clock is identified by (rule, subject, source event): the journal's own adjustments
(``deadline.extended``, ``deadline.adjusted``) name it that way, so they replay onto the
rebuilt clock. Events that make no sense for the clocks (a resumption of a clock that is
not interrupted, an adjustment of a clock that does not exist) change nothing and are
logged as warnings (the order of procedural events is enforced before they are journaled,
by :mod:`tergeu.cases.procedure`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_date, parse_datetime

from tergeu.cases.models import Case
from tergeu.integrity.models import Event

from . import counting
from .calendar import UnknownCalendarYear, is_working_day, weekends_only
from .models import OPEN_STATUSES, Clock, ClockStatus
from .rules import LISTENERS, OWN_ACTIONS, RULES, EventSpec, Rule

log = logging.getLogger(__name__)

S = ClockStatus
Key = tuple[str, str, int]


@dataclass
class CaseInfo:
    """What the rules read of a case (a light copy: rebuilding reads 100,000 of them)."""

    pk: Any
    form: str
    registered_at: dt.datetime
    investigator_id: Any
    prosecutor_id: Any
    organisation_id: Any
    supervisor_id: Any

    FIELDS = (
        "id",
        "form",
        "registered_at",
        "investigator_id",
        "prosecutor_id",
        "organisation_id",
        "organisation__supervisor_id",
    )


def case_infos(qs: Any) -> dict[Any, CaseInfo]:
    """The :class:`CaseInfo` of the cases of ``qs``, by id (one query)."""
    return {row[0]: CaseInfo(*row) for row in qs.values_list(*CaseInfo.FIELDS)}


@dataclass
class Ev:
    """The columns of a journal event the engine reads (rebuilding reads many)."""

    seq: int
    occurred_at: dt.datetime
    action: str
    case_id: Any
    payload: str

    FIELDS = ("seq", "occurred_at", "action", "case_id", "payload")


AnyEvent = Event | Ev


@dataclass
class Target:
    """What the clocks belong to: a case (with what the rules read of it) or a report."""

    case: CaseInfo | None = None
    report_id: uuid.UUID | None = None
    report_org_id: Any = None


@dataclass
class Note:
    """Something the live hook journals after applying an event."""

    action: str
    data: dict[str, Any]


def parse_moment(value: Any) -> dt.datetime | None:
    """An ISO datetime (UTC if naive) or date (00:00 local) from event data."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if not isinstance(value, str) or not value:
        return None
    moment = parse_datetime(value)
    if moment is not None:
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    day = parse_date(value)
    return counting.start_of_day(day) if day else None


def parse_until(value: Any) -> dt.datetime | None:
    """An end of a term from event data: a datetime as is, a date as 24:00 local of it."""
    if isinstance(value, str) and len(value) == 10:
        day = parse_date(value)
        return counting.end_of_day(day) if day else None
    return parse_moment(value)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


@dataclass
class Replay:
    """The clocks of one target and the events applied to them so far."""

    target: Target
    clocks: list[Clock] = field(default_factory=list)
    live: bool = False
    dirty: dict[int, Clock] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    # ------------------------------------------------------------ helpers
    def _touch(self, c: Clock) -> None:
        self.dirty[id(c)] = c

    def _find(self, rule: str, subject: str | None, *, open_only: bool = True) -> list[Clock]:
        return [
            c
            for c in self.clocks
            if c.rule == rule
            and (subject is None or c.subject == subject)
            and (not open_only or _unresolved(c))
        ]

    def _due(
        self, rule: Rule, start: dt.datetime, amount: int | None = None
    ) -> tuple[dt.datetime, bool]:
        n = rule.amount if amount is None else amount
        try:
            return counting.due_at(start, n, rule.unit, rule.counting, is_working_day), False
        except UnknownCalendarYear as exc:
            self.notes.append(
                Note("deadline.calendar_missing", {"year": exc.year, "rule": rule.code})
            )
            return counting.due_at(start, n, rule.unit, rule.counting, weekends_only), True

    def _working(self) -> Any:
        return is_working_day

    def _responsible(self, rule: Rule) -> tuple[Any, Any]:
        """(user id, organisation id) answering for a clock of ``rule``."""
        case = self.target.case
        if case is None:
            return None, self.target.report_org_id
        if rule.responsible in ("investigator", "inquiry_officer"):
            return case.investigator_id, case.organisation_id
        if rule.responsible == "prosecutor":
            return case.prosecutor_id, case.supervisor_id
        return None, case.organisation_id

    @staticmethod
    def _subject(spec: EventSpec, data: dict[str, Any]) -> str | None:
        if not spec.subject_key:
            return ""
        value = data.get(spec.subject_key)
        return str(value) if value else None

    @staticmethod
    def _matches(rule: Rule, data: dict[str, Any], case: CaseInfo | None) -> bool:
        for key, expected in rule.when.items():
            if key.startswith("case."):
                actual = getattr(case, key[5:], None) if case is not None else None
            else:
                actual = data.get(key)
            if isinstance(expected, bool):
                if bool(actual) != expected:
                    return False
            elif actual != expected:
                return False
        return True

    def _adjust(
        self, c: Clock, kind: str, before: dt.datetime, event: AnyEvent, **extra: Any
    ) -> None:
        c.adjustments = [
            *c.adjustments,
            {
                "kind": kind,
                "at": _iso(event.occurred_at),
                "before": _iso(before),
                "after": _iso(c.due_at),
                "event": event.seq,
                **extra,
            },
        ]

    # ------------------------------------------------------------ events
    def apply(self, event: AnyEvent, data: dict[str, Any]) -> None:
        """Apply one journal event (its decoded ``data``)."""
        if event.action in OWN_ACTIONS:
            self._own(event, data)
            return
        if event.action == "case.investigator_assigned":
            self._reassign(data)
            return
        for rule in LISTENERS.get(event.action, ()):
            for kind in ("start", "end", "cancel", "pause", "resume", "extend"):
                spec = next((s for s in getattr(rule, kind) if s.action == event.action), None)
                if spec is not None:
                    getattr(self, f"_{kind}")(rule, spec, event, data)
                    break

    def _start(self, rule: Rule, spec: EventSpec, event: AnyEvent, data: dict[str, Any]) -> None:
        if not self._matches(rule, data, self.target.case):
            return
        subject = self._subject(spec, data)
        if subject is None:
            self._anomaly(event, f"{rule.code}: no '{spec.subject_key}' in the event")
            return
        if self._find(rule.code, subject):
            return  # already running (e.g. registered with a form, then accepted)
        if rule.anchor == "case_registered" and self.target.case is not None:
            start = self.target.case.registered_at
        elif rule.anchor.startswith("data:"):
            start = parse_moment(data.get(rule.anchor[5:])) or event.occurred_at
        else:
            start = event.occurred_at
        due, provisional = self._due(rule, start)
        if rule.due_from and parse_until(data.get(rule.due_from)):
            due = parse_until(data.get(rule.due_from)) or due
        user_id, org_id = self._responsible(rule)
        c = Clock(
            case_id=self.target.case.pk if self.target.case else None,
            report_id=self.target.report_id,
            rule=rule.code,
            subject=subject,
            subject_participant_id=(
                subject if rule.scope == "participant" and _is_uuid(subject) else None
            ),
            started_at=start,
            due_at=due,
            status=S.RUNNING,
            responsible_user_id=user_id,
            responsible_role=rule.responsible,
            organisation_id=org_id,
            provisional=provisional,
            source_event=event.seq,
        )
        self.clocks.append(c)
        self._touch(c)
        self._sync_request(c, event)

    def _targets(self, rule: Rule, spec: EventSpec, data: dict[str, Any]) -> list[Clock]:
        subject = self._subject(spec, data)
        return self._find(rule.code, subject)

    def _end(self, rule: Rule, spec: EventSpec, event: AnyEvent, data: dict[str, Any]) -> None:
        at = parse_moment(data.get("at")) or event.occurred_at
        for c in self._targets(rule, spec, data):
            c.status = S.MET if c.status == S.PAUSED or at <= c.due_at else S.EXPIRED
            c.ended_at, c.end_event = at, event.seq
            self._touch(c)
            self._sync_request(c, event)

    def _cancel(self, rule: Rule, spec: EventSpec, event: AnyEvent, data: dict[str, Any]) -> None:
        at = parse_moment(data.get("at")) or event.occurred_at
        for c in self._targets(rule, spec, data):
            c.status, c.ended_at, c.end_event = S.ENDED, at, event.seq
            self._touch(c)
            self._sync_request(c, event)

    def _pause(self, rule: Rule, spec: EventSpec, event: AnyEvent, data: dict[str, Any]) -> None:
        clocks = [c for c in self._targets(rule, spec, data) if c.status == S.RUNNING]
        for c in clocks:
            c.status, c.paused_at = S.PAUSED, event.occurred_at
            c.remaining = counting.remaining(c.due_at, event.occurred_at, rule.unit)
            self._touch(c)
            self._sync_request(c, event)

    def _resume(self, rule: Rule, spec: EventSpec, event: AnyEvent, data: dict[str, Any]) -> None:
        clocks = self._find(rule.code, self._subject(spec, data), open_only=False)
        paused = [c for c in clocks if c.status == S.PAUSED]
        if not paused and clocks:
            self._anomaly(event, f"{rule.code}: resumed but not interrupted")
        for c in paused:
            before = c.due_at
            left = c.remaining or dt.timedelta(0)
            try:
                c.due_at = counting.resumed_due(
                    event.occurred_at, left, rule.unit, rule.counting, is_working_day
                )
            except UnknownCalendarYear:
                c.due_at = counting.resumed_due(
                    event.occurred_at, left, rule.unit, rule.counting, weekends_only
                )
                c.provisional = True
            self._adjust(
                c,
                "resumed",
                before,
                event,
                paused_at=_iso(c.paused_at),
                paused_seconds=int(
                    (event.occurred_at - (c.paused_at or event.occurred_at)).total_seconds()
                ),
                remaining_days=left.days,
                remaining_seconds=int(left.total_seconds()),
                rule=rule.article,
            )
            c.status, c.paused_at, c.remaining = S.RUNNING, None, None
            self._touch(c)
            self._sync_request(c, event)

    def _extend(self, rule: Rule, spec: EventSpec, event: AnyEvent, data: dict[str, Any]) -> None:
        until = parse_until(data.get("until"))
        if until is None:
            self._anomaly(event, f"{rule.code}: extension without 'until'")
            return
        for c in self._targets(rule, spec, data):
            before = c.due_at
            c.due_at = c.extended_until = until
            self._adjust(c, "extended", before, event, authority=event.action)
            self._touch(c)
            self._sync_request(c, event)

    def _own(self, event: AnyEvent, data: dict[str, Any]) -> None:
        key = (
            str(data.get("rule")),
            str(data.get("subject") or ""),
            int(data.get("source_event") or 0),
        )
        after = parse_moment(data.get("after"))
        c = next((x for x in self.clocks if (x.rule, x.subject, x.source_event) == key), None)
        if c is None or after is None:
            self._anomaly(event, f"no clock {key} to adjust")
            return
        before = c.due_at
        c.due_at = after
        extra: dict[str, Any] = {
            k: data[k] for k in ("authority", "reason", "outage", "article") if k in data
        }
        if event.action == "deadline.extended":
            c.extended_until = after
            self._adjust(c, "extended", before, event, **extra)
        else:
            extra["paused_seconds"] = int((after - before).total_seconds())
            self._adjust(c, str(data.get("kind", "adjusted")), before, event, **extra)
        if c.status == S.EXPIRED and c.ended_at is None and after > event.occurred_at:
            c.status = S.RUNNING
        self._touch(c)
        self._sync_request(c, event)

    def _reassign(self, data: dict[str, Any]) -> None:
        to = data.get("to")
        if not to:
            return
        for c in self.clocks:
            if c.is_open and c.responsible_role in ("investigator", "inquiry_officer"):
                c.responsible_user_id = int(to)
                self._touch(c)
        if self.target.case is not None:
            self.target.case.investigator_id = int(to)

    def _anomaly(self, event: AnyEvent, detail: str) -> None:
        self.notes.append(
            Note("deadline.anomaly", {"event": event.seq, "action": event.action, "detail": detail})
        )

    # ------------------------------------------------------------ derived request clocks
    def _sync_request(self, parent: Clock, event: AnyEvent) -> None:
        rule = RULES[parent.rule]
        if rule.request is None:
            return
        code = rule.request_code
        child = next(
            (
                c
                for c in self.clocks
                if c.rule == code
                and c.subject == parent.subject
                and c.source_event == parent.source_event
            ),
            None,
        )
        general = (
            parent.due_at
            >= counting.custodial_due(
                parent.started_at, rule.request.general_after_months, "months"
            )
            if rule.counting == "custodial"
            else parent.due_at
            >= counting.end_of_day(
                counting.last_day(parent.started_at, rule.request.general_after_months, "months")
            )
        )
        days = rule.request.before_days_general if general else rule.request.before_days
        due = parent.due_at - dt.timedelta(days=days)
        if child is None:
            if not parent.is_open:
                return
            user_id, org_id = self._responsible(RULES[code])
            child = Clock(
                case_id=self.target.case.pk if self.target.case else None,
                report_id=self.target.report_id,
                rule=code,
                subject=parent.subject,
                subject_participant_id=parent.subject_participant_id,
                parent=parent,
                started_at=parent.started_at,
                due_at=due,
                status=S.RUNNING,
                responsible_user_id=user_id,
                responsible_role=RULES[code].responsible,
                organisation_id=org_id,
                provisional=parent.provisional,
                source_event=parent.source_event,
            )
            self.clocks.append(child)
            self._touch(child)
            return
        child.parent = parent
        if child.due_at != due:
            before = child.due_at
            child.due_at = due
            self._adjust(child, "followed", before, event, before_days=days)
            if child.status == S.EXPIRED and child.ended_at is None:
                child.status = S.RUNNING
        if parent.status == S.PAUSED and child.status == S.RUNNING:
            child.status, child.paused_at = S.PAUSED, parent.paused_at
        elif parent.status == S.RUNNING and child.status == S.PAUSED:
            child.status, child.paused_at = S.RUNNING, None
        elif not parent.is_open and child.status in OPEN_STATUSES:
            child.status, child.ended_at, child.end_event = S.ENDED, parent.ended_at, event.seq
        self._touch(child)


def _unresolved(c: Clock) -> bool:
    """Running, interrupted, or expired and not yet ended (a late end still resolves it)."""
    return c.status in OPEN_STATUSES or (c.status == S.EXPIRED and c.ended_at is None)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _data(event: AnyEvent) -> dict[str, Any]:
    data = json.loads(event.payload).get("data") or {}
    return data if isinstance(data, dict) else {}


def listened_actions() -> list[str]:
    return sorted(set(LISTENERS) | set(OWN_ACTIONS) | {"case.investigator_assigned"})


def _case_target(case_id: Any) -> Target | None:
    case = case_infos(Case.objects.filter(pk=case_id)).get(case_id)
    return Target(case=case) if case is not None else None


def _report_target(event: Event, data: dict[str, Any]) -> Target | None:
    from tergeu.intake.models import Report

    report_id = event.object_id if event.object_type == "Report" else data.get("report")
    if not report_id:
        return None
    org_id = Report.objects.filter(pk=report_id).values_list("organisation_id", flat=True).first()
    if org_id is None:
        return None
    return Target(report_id=uuid.UUID(str(report_id)), report_org_id=org_id)


def on_event(event: Event) -> None:
    """Apply a new journal event to the stored clocks (inside the event's transaction)."""
    if event.action.startswith("deadline.") and event.action not in OWN_ACTIONS:
        return
    if (
        event.action not in LISTENERS
        and event.action not in OWN_ACTIONS
        and (event.action != "case.investigator_assigned")
    ):
        return
    data = _data(event)
    if event.case_id is not None:
        target = _case_target(event.case_id)
        existing = Clock.objects.filter(case_id=event.case_id) if target else None
    else:
        target = _report_target(event, data)
        existing = (
            Clock.objects.filter(report_id=target.report_id)
            if target and target.report_id
            else None
        )
    if target is None or existing is None:
        return
    if connection.in_atomic_block:
        # two services journaling for the same case at once change its clocks in turn
        existing = existing.select_for_update()
    replay = Replay(target, list(existing), live=True)
    replay.apply(event, data)
    _save(replay)
    _log_notes(replay, event)


def _save(replay: Replay) -> None:
    new = [c for c in replay.dirty.values() if c._state.adding]
    # parents first, so a request clock can point at its parent's id
    for c in sorted(new, key=lambda c: c.parent is not None):
        if c.parent is not None:
            c.parent_id = c.parent.pk
        c.save(force_insert=True)
    for c in replay.dirty.values():
        if c not in new:
            if c.parent is not None:
                c.parent_id = c.parent.pk
            # The alerts job owns ``warned`` and ``escalated_at`` and may have set them
            # since this clock was read: leave them as they are in the database.
            c.save(update_fields=_ENGINE_FIELDS)


#: What the engine writes of an existing clock: all but the alerts job's own fields.
_ENGINE_FIELDS = [
    f.name
    for f in Clock._meta.concrete_fields
    if not f.primary_key and f.name not in ("warned", "escalated_at", "created_at")
]


def _log_notes(replay: Replay, event: AnyEvent) -> None:
    """Log what the engine noticed (missing calendar, events that fit no clock).

    Not journaled: the engine runs inside other services' transactions and must not add
    events to them; a clock counted on a missing calendar shows ``provisional``.
    """
    for note in {json.dumps([n.action, n.data], sort_keys=True, default=str) for n in replay.notes}:
        log.warning("deadlines: after event #%s (%s): %s", event.seq, event.action, note)
