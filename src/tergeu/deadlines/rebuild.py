"""Rebuilding clocks from the journal: one case, many cases in batches, provisional ones.

The same :class:`~tergeu.deadlines.engine.Replay` as the live hook, fed with the case's
journal in order. Clocks that survive keep their id, creation time, warnings sent and
escalation (matched by rule, subject and source event), so a rebuild is idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from tergeu.cases.models import Case
from tergeu.core import clock as core_clock
from tergeu.integrity.models import Event

from .engine import Replay, Target, _data, listened_actions
from .models import Clock, ClockStatus

S = ClockStatus


def _replay_events(
    target: Target, events: Iterable[Event], old: list[Clock], now: dt.datetime
) -> list[Clock]:
    replay = Replay(target)
    for event in events:
        replay.apply(event, _data(event))
    keep = {(c.rule, c.subject, c.source_event): c for c in old}
    for c in replay.clocks:
        prior = keep.get((c.rule, c.subject, c.source_event))
        if prior is not None:
            c.id, c.created_at = prior.id, prior.created_at
            c.warned, c.escalated_at = prior.warned, prior.escalated_at
        if c.status == S.RUNNING and c.due_at < now:
            c.status = S.EXPIRED
    for c in replay.clocks:
        c.parent_id = c.parent.id if c.parent is not None else None
    return replay.clocks


def recompute_case(case: Case | Any, *, now: dt.datetime | None = None) -> list[Clock]:
    """Rebuild the clocks of ``case`` from its journal (idempotent); returns them."""
    case_id = case.pk if isinstance(case, Case) else case
    return recompute_cases([case_id], now=now).get(case_id, [])


def recompute_cases(
    case_ids: list[Any], *, now: dt.datetime | None = None
) -> dict[Any, list[Clock]]:
    """Rebuild the clocks of many cases with a few statements per batch (bench, repairs)."""
    now = now or core_clock.now()
    out: dict[Any, list[Clock]] = {}
    actions = listened_actions()
    with transaction.atomic():
        cases = {
            c.pk: c
            for c in Case.objects.select_related("organisation")
            .filter(pk__in=case_ids)
            .only(
                "id",
                "form",
                "registered_at",
                "investigator_id",
                "prosecutor_id",
                "organisation_id",
                "organisation__supervisor_id",
            )
        }
        events: dict[Any, list[Event]] = {}
        for e in (
            Event.objects.filter(case_id__in=list(cases), action__in=actions)
            .only("seq", "occurred_at", "action", "case_id", "payload")
            .order_by("case_id", "seq")
        ):
            events.setdefault(e.case_id, []).append(e)
        old: dict[Any, list[Clock]] = {}
        for c in Clock.objects.filter(case_id__in=list(cases)).only(
            "id",
            "case_id",
            "rule",
            "subject",
            "source_event",
            "warned",
            "escalated_at",
            "created_at",
        ):
            old.setdefault(c.case_id, []).append(c)
        rows: list[Clock] = []
        for case_id, case in cases.items():
            clocks = _replay_events(
                Target(case=case), events.get(case_id, []), old.get(case_id, []), now
            )
            out[case_id] = clocks
            rows += clocks
        Clock.objects.filter(case_id__in=list(cases)).delete()
        parents = [c for c in rows if c.parent_id is None]
        children = [c for c in rows if c.parent_id is not None]
        Clock.objects.bulk_create(parents, batch_size=2000)
        for c in children:
            c.parent_id = c.parent.id if c.parent is not None else c.parent_id
        Clock.objects.bulk_create(children, batch_size=2000)
    return out


def recompute_provisional() -> int:
    """Recompute the cases that have clocks counted on a missing calendar; their number."""
    ids = list(
        Clock.objects.filter(provisional=True, case__isnull=False)
        .values_list("case_id", flat=True)
        .distinct()
    )
    for start in range(0, len(ids), 1000):
        recompute_cases(ids[start : start + 1000])
    return len(ids)


#: Stages of a case whose clocks may still run.
OPEN_STAGES = ("registered", "investigation", "interrupted", "at_prosecutor", "in_court")


def recompute_open_cases(batch: int = 2000, *, now: dt.datetime | None = None) -> int:
    """Rebuild the clocks of every open case, ``batch`` cases per transaction; their number."""
    ids = list(
        Case.objects.filter(stage__in=OPEN_STAGES).order_by("id").values_list("id", flat=True)
    )
    for start in range(0, len(ids), batch):
        recompute_cases(ids[start : start + batch], now=now)
    return len(ids)


def command(erdr_numbers: list[str], *, out: Any = None) -> int:
    """``tergeu deadlines recompute [ERDR_NO ...]``: 0 done, 1 an unknown ERDR number."""
    import sys
    import time

    out = out or sys.stdout
    began = time.monotonic()
    if erdr_numbers:
        found = dict(
            Case.objects.filter(erdr_number__in=erdr_numbers).values_list("erdr_number", "id")
        )
        missing = sorted(set(erdr_numbers) - set(found))
        if missing:
            print(f"error: no case {', '.join(missing)}", file=sys.stderr)
            return 1
        recompute_cases(list(found.values()))
        n = len(found)
    else:
        n = recompute_open_cases()
    print(f"recomputed the clocks of {n} cases in {time.monotonic() - began:.1f} s", file=out)
    return 0
