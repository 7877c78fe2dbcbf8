"""Rebuilding clocks from the journal: one case, many cases in batches, provisional ones.

The same :class:`~tergeu.deadlines.engine.Replay` as the live hook, fed with the case's
journal in order. Clocks that survive keep their id, creation time, warnings sent and
escalation (matched by rule, subject and source event), so a rebuild is idempotent.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import connection, transaction

from tergeu.cases.models import Case
from tergeu.core import clock as core_clock
from tergeu.integrity.models import Event

from .engine import Ev, Replay, Target, _data, case_infos, listened_actions
from .models import Clock, ClockStatus

S = ClockStatus


class Prior(NamedTuple):
    """What a rebuilt clock keeps of the clock it replaces."""

    id: Any
    case_id: Any
    rule: str
    subject: str
    source_event: int
    warned: list[int]
    escalated_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def of(cls, qs: Any) -> list[Prior]:
        return [cls(*row) for row in qs.values_list(*cls._fields)]


def _replay_events(
    target: Target, events: Iterable[Ev], old: list[Prior], now: dt.datetime
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
        cases = case_infos(Case.objects.filter(pk__in=case_ids))
        events: dict[Any, list[Ev]] = {}
        for row in (
            Event.objects.filter(case_id__in=list(cases), action__in=actions)
            .order_by("case_id", "seq")
            .values_list(*Ev.FIELDS)
        ):
            events.setdefault(row[3], []).append(Ev(*row))
        old: dict[Any, list[Prior]] = {}
        for prior in Prior.of(Clock.objects.filter(case_id__in=list(cases))):
            old.setdefault(prior.case_id, []).append(prior)
        rows: list[Clock] = []
        for case_id, case in cases.items():
            clocks = _replay_events(
                Target(case=case), events.get(case_id, []), old.get(case_id, []), now
            )
            out[case_id] = clocks
            rows += clocks
        stale = Clock.objects.filter(case_id__in=list(cases))
        stale._raw_delete(stale.db)  # one statement: parents and their requests together
        _insert(rows, now)
    return out


def _insert(rows: list[Clock], now: dt.datetime) -> None:
    """Write rebuilt clocks: COPY on PostgreSQL, ``bulk_create`` elsewhere."""
    for c in rows:
        c.created_at = c.created_at or now
        c.updated_at = now
    if connection.vendor != "postgresql":
        Clock.objects.bulk_create(rows, batch_size=500)
        return
    fields = list(Clock._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    sql = f"COPY {Clock._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for c in rows:
            copy.write_row(
                [
                    json.dumps(getattr(c, f.attname))
                    if f.attname in json_fields
                    else getattr(c, f.attname)
                    for f in fields
                ]
            )


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
