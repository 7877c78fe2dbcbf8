"""Clocks of procedural time limits for 100,000 open cases: full recompute and "what is due".

What it does (docs/performance.md has the results):

1. Creates a fresh database ``tergeu_bench_deadlines`` on the local PostgreSQL, migrates
   it and creates 40 police units (a head, a duty officer and 10 investigators each)
   under 10 prosecutors' offices.
2. Loads 100,000 open cases with COPY (registered over the last 4 months, forms inquiry /
   preliminary / accelerated) and their journal events with COPY: ``case.registered`` for
   each, an interruption for 10% (half of them resumed), a motion filed for 20% (half
   decided), a ``deadline.extended`` for 5%. That is about 140,000 events the engine
   listens to. The live hook is not involved (COPY sends no signals): no clock exists yet.
3. Times :func:`tergeu.deadlines.rebuild.recompute_open_cases`: every clock of every open
   case rebuilt from the journal (goal: under 60 s), then a second time (idempotent: the
   same number of clocks).
4. Times the periodic "what is due" queries of the alerts job after VACUUM ANALYZE:
   running clocks due in the next 24 hours (warnings) and those past due, unresolved and
   not yet escalated (escalation), min/p50/p95 over ``--runs`` runs (goal: under 1 s).

Run: ``.venv/bin/python bench/deadlines.py [--cases N] [--keep]``. Not part of the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
import time
from typing import Any

from _common import (
    bench_environment,
    drop_database,
    load_average,
    ms,
    percentile,
    recreate_database,
    reference_data,
    setup_django,
)

BENCH_DB = "tergeu_bench_deadlines"
BODIES = 40
INVESTIGATORS = 10
GOAL_RECOMPUTE = 60.0
GOAL_DUE = 1.0
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)

CASE_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "erdr_number",
    "registered_at",
    "organisation_id",
    "fabula",
    "article_id",
    "part_id",
    "paragraph",
    "stage",
    "form",
    "electronic",
    "investigator_id",
    "prosecutor_id",
    "stage_changed_at",
    "stage_ground",
    "version",
    "address",
)
EVENT_COLUMNS = (
    "uid",
    "occurred_at",
    "actor_label",
    "action",
    "case_id",
    "object_type",
    "object_id",
    "payload",
    "payload_sha256",
)


def _event(action: str, case_id: Any, at: dt.datetime, data: dict[str, Any]) -> tuple[Any, ...]:
    from tergeu.core.ids import uuid7
    from tergeu.integrity.journal import canonical_json

    body = {"action": action, "actor": None, "case": str(case_id), "object": None, "data": data}
    payload = canonical_json(body)
    return (
        uuid7(),
        at,
        "bench",
        action,
        case_id,
        "",
        "",
        payload,
        hashlib.sha256(payload.encode()).hexdigest(),
    )


def load(ref: dict[str, Any], n_cases: int, seed: int = 1) -> int:
    """COPY ``n_cases`` open cases and their journal events; returns the number of events."""
    from django.db import connection, transaction

    from tergeu.accounts.models import Role
    from tergeu.core.ids import uuid7
    from tergeu.deadlines.counting import due_at
    from tergeu.qualification.models import ArticlePart

    rng = random.Random(seed)
    parts = list(
        ArticlePart.objects.filter(
            article__special_part=True, article__repealed=False, repealed=False
        ).values_list("article_id", "id")[:200]
    )
    users = ref["users"]
    teams = [
        (
            body,
            [u.pk for u in users[(body.code, Role.INVESTIGATOR)]],
            [u.pk for u in users[(body.supervisor.code, Role.PROSECUTOR)]],
        )
        for body in ref["bodies"]
    ]
    forms = ["inquiry", "preliminary", "preliminary", "accelerated"]
    span = 120 * 86400
    events: list[tuple[Any, ...]] = []
    numbers = [0] * len(teams)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cur = cursor.cursor
        with cur.copy(f"COPY cases_case ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
            for k in range(n_cases):
                b = k % len(teams)
                body, team, prosecutors = teams[b]
                numbers[b] += 1
                registered = NOW - dt.timedelta(seconds=rng.randrange(span))
                article, part = parts[k % len(parts)]
                form = forms[k % len(forms)]
                case_id = uuid7()
                interrupted = k % 10 == 3
                resumed = interrupted and k % 20 == 3
                stage = "interrupted" if interrupted and not resumed else "investigation"
                copy.write_row(
                    (
                        case_id,
                        registered,
                        registered,
                        f"{registered.year % 100:02d}{body.code}{numbers[b]:07d}",
                        registered,
                        body.pk,
                        "Бенч: тайное хищение имущества.",
                        article,
                        part,
                        "",
                        stage,
                        form,
                        False,
                        team[k % len(team)],
                        prosecutors[k % len(prosecutors)],
                        registered,
                        "",
                        1,
                        "",
                    )
                )
                events.append(
                    _event(
                        "case.registered",
                        case_id,
                        registered,
                        {"erdr_number": "bench", "registered_at": registered.isoformat()},
                    )
                )
                if interrupted:
                    at = registered + dt.timedelta(days=rng.randrange(1, 20))
                    events.append(
                        _event("case.interrupt", case_id, at, {"ground": "45.7.1", "from": "x"})
                    )
                    if resumed:
                        events.append(
                            _event(
                                "case.resume",
                                case_id,
                                at + dt.timedelta(days=rng.randrange(1, 30)),
                                {"reason": "bench"},
                            )
                        )
                if k % 5 == 1:
                    at = registered + dt.timedelta(hours=rng.randrange(1, 500))
                    events.append(_event("motion.filed", case_id, at, {"motion": f"m{k}"}))
                    if k % 10 == 1:
                        events.append(
                            _event(
                                "motion.decided",
                                case_id,
                                at + dt.timedelta(hours=30),
                                {"motion": f"m{k}"},
                            )
                        )
                if k % 20 == 7 and form != "accelerated" and not interrupted:
                    unit = "months"
                    amount = 1 if form == "inquiry" else 2
                    rule = f"investigation.{form}"
                    first = due_at(registered, amount, unit)
                    events.append(
                        _event(
                            "deadline.extended",
                            case_id,
                            first - dt.timedelta(days=7),
                            {
                                "rule": rule,
                                "subject": "",
                                "source_event": 0,  # filled below
                                "after": (due_at(registered, 3, unit)).isoformat(),
                                "authority": "district_prosecutor",
                            },
                        )
                    )
        print(f"  {n_cases:,} cases", flush=True)
    # Sequence numbers are known only once written: write the registrations first, then
    # the other events with their source event filled in.
    with transaction.atomic(), connection.cursor() as cursor:
        cur = cursor.cursor
        firsts = [e for e in events if e[3] == "case.registered"]
        rest = sorted((e for e in events if e[3] != "case.registered"), key=lambda e: e[1])
        with cur.copy(f"COPY integrity_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row in firsts:
                copy.write_row(row)
        cursor.execute("SELECT case_id, seq FROM integrity_event WHERE action = 'case.registered'")
        seqs = dict(cursor.fetchall())
        with cur.copy(f"COPY integrity_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row in rest:
                if row[3] == "deadline.extended":
                    data = json.loads(row[7])
                    data["data"]["source_event"] = seqs[row[4]]
                    row = _event("deadline.extended", row[4], row[1], data["data"])
                copy.write_row(row)
    print(f"  {len(events):,} journal events", flush=True)
    return len(events)


def vacuum(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def time_due(runs: int) -> dict[str, list[float]]:
    """The alerts job's queries: due in the next 24 h (warnings), expired (escalation)."""
    from tergeu.deadlines.models import Clock
    from tergeu.deadlines.services import due_between

    queries = {
        "due in the next 24 h": lambda: list(
            due_between(NOW, NOW + dt.timedelta(hours=24)).values_list(
                "id", "rule", "due_at", "responsible_user_id", "warned"
            )
        ),
        "expired, not escalated": lambda: list(
            Clock.objects.filter(
                status__in=("running", "expired"),
                due_at__lt=NOW,
                ended_at__isnull=True,
                escalated_at__isnull=True,
            )
            .order_by("due_at")
            .values_list("id", "rule", "due_at", "responsible_user_id", "escalated_at")[:5000]
        ),
    }
    out: dict[str, list[float]] = {}
    for name, fn in queries.items():
        fn()
        timings = []
        for _ in range(runs):
            t0 = time.perf_counter()
            rows = fn()
            timings.append(time.perf_counter() - t0)
        out[name] = timings
        print(
            f"  {name}: {len(rows):,} clocks, min {ms(min(timings))}, "
            f"p50 {ms(percentile(timings, 50))}, p95 {ms(percentile(timings, 95))}"
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = recreate_database(BENCH_DB)
    print(f"database {BENCH_DB}; load average {load_average()}")
    setup_django(bench_environment(url))
    try:
        from tergeu.core import clock
        from tergeu.deadlines.models import Clock
        from tergeu.deadlines.rebuild import recompute_open_cases

        ref = reference_data(BODIES, INVESTIGATORS, offices=10)
        t0 = time.perf_counter()
        load(ref, args.cases)
        vacuum("cases_case", "integrity_event")
        print(f"loaded in {time.perf_counter() - t0:.1f} s; load average {load_average()}")

        with clock.frozen(NOW):
            t0 = time.perf_counter()
            n = recompute_open_cases(now=NOW)
            first = time.perf_counter() - t0
            clocks = Clock.objects.count()
            print(
                f"recompute 1: {n:,} open cases, {clocks:,} clocks in {first:.1f} s "
                f"(goal < {GOAL_RECOMPUTE:.0f} s); load average {load_average()}"
            )
            t0 = time.perf_counter()
            recompute_open_cases(now=NOW)
            second = time.perf_counter() - t0
            again = Clock.objects.count()
            print(
                f"recompute 2: {again:,} clocks in {second:.1f} s (same: {again == clocks}); "
                f"load average {load_average()}"
            )
        vacuum("deadlines_clock")
        print("what is due:")
        due = time_due(args.runs)
        worst = max(percentile(t, 95) for t in due.values())
        ok = first < GOAL_RECOMPUTE and worst < GOAL_DUE and again == clocks
        print(
            f"{'OK' if ok else 'GOAL MISSED'}: recompute {first:.1f} s, what is due p95 "
            f"{ms(worst)}; load average {load_average()}"
        )
        return 0 if ok else 1
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(BENCH_DB)


if __name__ == "__main__":
    sys.exit(main())
