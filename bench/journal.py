"""The journal as a Merkle tree: append and integrate throughput, proof times at 1,000,000 leaves.

What it does, for each database (a scratch SQLite file, and a scratch PostgreSQL database
``tergeu_bench_journal`` on ``BENCH_PG_URL``, dropped afterwards), in a child process with
its own Django set-up (docs/performance.md, "Journal", has the results and how to read
them):

1. **Append**: events/s through :func:`tergeu.integrity.journal.record` (the function every
   service calls) in transactions of 1 and of 100 events; the same-run reference is a raw
   ``INSERT`` of a row of the same width into a plain table (no trigger, no ORM, no
   canonical JSON), in the same transaction sizes.
2. **Integrate**: bulk-inserts synthetic events up to ``--leaves`` (default 1,000,000;
   the append trigger queues them as in production), then times
   :func:`tergeu.integrity.tree.integrate` over all of them: leaves/s, with the nodes.
3. **Checkpoint**: the time to issue a signed checkpoint of the whole tree (root,
   consistency with the previous checkpoint, Ed25519).
4. **Proofs** at that size, p50/p99 over ``--samples`` random events / sizes: inclusion
   proof of an event (event and leaf lookup, audit path), consistency proof between a
   random size and the whole tree, client-side verification of each, and the API endpoint
   ``GET /api/v1/journal/events/{uid}/proof`` through Django's test client.
The time to verify an exported case of 500 documents is measured by ``bench/export.py``.

Run: ``.venv/bin/python bench/journal.py`` (about 6-8 minutes on 2 cores; ``--leaves``,
``--engines sqlite`` to shorten). Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
BENCH_DB = "tergeu_bench_journal"
#: Goal of issue 3: proofs under this many seconds.
PROOF_GOAL = 0.005

# ---------------------------------------------------------------- helpers


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank); NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def postgres_available() -> bool:
    try:
        _admin("SELECT 1")
    except Exception as exc:
        log(f"PostgreSQL at {PG_URL} not reachable ({exc}); SQLite only.")
        return False
    return True


def timed(fn: Callable[[], Any], samples: int) -> list[float]:
    """Durations of ``samples`` calls of ``fn``."""
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


# ---------------------------------------------------------------- the child: one database


def _append(count: int, per_tx: int) -> float:
    """Events/s of journal.record in transactions of ``per_tx`` events."""
    from django.db import transaction

    from tergeu.integrity.journal import record

    case_id = uuid.uuid4()
    start = time.perf_counter()
    for t in range(count // per_tx):
        with transaction.atomic():
            for k in range(per_tx):
                record(
                    "bench.appended",
                    case_id=case_id,
                    data={"n": t * per_tx + k, "note": "Сейтқали Әлия, ноутбук"},
                )
    return count / (time.perf_counter() - start)


def _raw_reference(count: int, per_tx: int) -> float:
    """Rows/s of a plain INSERT of a row as wide as an event (the floor of an append)."""
    from django.db import connection, transaction

    payload = json.dumps({"action": "bench.appended", "data": {"n": 1, "note": "x" * 30}})
    with connection.cursor() as cursor:
        pk = (
            "bigserial PRIMARY KEY"
            if connection.vendor == "postgresql"
            else "integer PRIMARY KEY AUTOINCREMENT"
        )
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS bench_reference (id {pk}, uid varchar(36), "
            "occurred_at varchar(40), action varchar(60), case_id varchar(36), "
            "payload text, payload_sha256 varchar(64))"
        )
    start = time.perf_counter()
    for _ in range(count // per_tx):
        with transaction.atomic(), connection.cursor() as cursor:
            for _ in range(per_tx):
                cursor.execute(
                    "INSERT INTO bench_reference (uid, occurred_at, action, case_id, payload, "
                    "payload_sha256) VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        str(uuid.uuid4()),
                        "2026-01-01T00:00:00Z",
                        "bench.appended",
                        str(uuid.uuid4()),
                        payload,
                        "0" * 64,
                    ],
                )
    return count / (time.perf_counter() - start)


def _synthetic_events(total: int, batch: int = 20_000) -> float:
    """Insert synthetic events (raw executemany) until the journal has ``total``; seconds.

    The journal's trigger queues each for the sequencer, as in production.
    """
    import datetime as dt
    import hashlib

    from django.db import connection, transaction

    from tergeu.integrity.models import Event

    field = Event._meta.get_field
    time_prep = field("occurred_at").get_db_prep_value
    # What UUIDField stores: 32 hex digits on SQLite, the UUID itself on PostgreSQL.
    uid_prep: Callable[[uuid.UUID], Any] = (
        (lambda u: u) if connection.vendor == "postgresql" else (lambda u: u.hex)
    )
    columns = "uid, occurred_at, case_id, object_id, payload, "
    sql = (
        f"INSERT INTO integrity_event ({columns}payload_sha256, actor_label, action, "
        "object_type) VALUES (%s, %s, %s, %s, %s, %s, '', 'bench.synthetic', 'Case')"
    )
    have = Event.objects.count()
    start = time.perf_counter()
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cases = [uuid.uuid4() for _ in range(1000)]
    prepared = [(uid_prep(c), str(c)) for c in cases]
    n = have
    while n < total:
        rows = []
        when = time_prep(moment + dt.timedelta(seconds=n // batch), connection)  # per batch
        for i in range(n, min(total, n + batch)):
            case_db, case_text = prepared[i % len(cases)]
            payload = (
                f'{{"action":"bench.synthetic","actor":null,"case":"{case_text}",'
                f'"data":{{"i":{i}}},"object":"Case:{case_text}"}}'
            )
            rows.append(
                (
                    uid_prep(uuid.uuid4()),
                    when,
                    case_db,
                    case_text,
                    payload,
                    hashlib.sha256(payload.encode()).hexdigest(),
                )
            )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # COPY: the fastest way in; row triggers (the queue) fire as for INSERT.
                copy_sql = (
                    f"COPY integrity_event ({columns}payload_sha256, actor_label, action, "
                    "object_type) FROM STDIN"
                )
                with connection.connection.cursor() as raw, raw.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row((*row, "", "bench.synthetic", "Case"))
            else:
                with connection.cursor() as cursor:
                    cursor.executemany(sql, rows)
        n += len(rows)
        if n % 200_000 < batch:
            log(f"  {n:,} events ({time.perf_counter() - start:.0f} s)")
    return time.perf_counter() - start


def child(engine: str, leaves: int, samples: int) -> dict[str, Any]:
    """Run every measurement on the database this process is configured for."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tergeu.accounts.models import Role, User
    from tergeu.integrity import checkpoints, merkle, tree
    from tergeu.integrity.models import Event, Leaf

    call_command("migrate", verbosity=0, interactive=False)
    result: dict[str, Any] = {"engine": engine, "server": connection.vendor}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        result["server"] += " " + str(cursor.fetchone()[0]).split()[0]

    log(f"[{engine}] append: journal.record and the raw INSERT reference")
    _append(200, 1)  # warm-up
    result["append_tx1"] = _append(2000, 1)
    result["append_tx100"] = _append(6000, 100)
    result["raw_tx1"] = _raw_reference(2000, 1)
    result["raw_tx100"] = _raw_reference(6000, 100)

    start = time.perf_counter()
    appended = tree.integrate()
    result["integrate_small"] = appended / (time.perf_counter() - start)

    log(f"[{engine}] inserting synthetic events up to {leaves:,}")
    result["insert_s"] = _synthetic_events(leaves)
    log(f"[{engine}] integrating")
    start = time.perf_counter()
    integrated = tree.integrate()
    elapsed = time.perf_counter() - start
    result["integrate_s"] = elapsed
    result["integrate_rate"] = integrated / elapsed
    size = tree.tree_size()
    result["leaves"] = size

    log(f"[{engine}] checkpoint, proofs")
    checkpoints.issue_checkpoint()  # the first (its consistency check has nothing before it)
    Event.objects.create(  # one more event, so the next checkpoint checks consistency at ~1M
        occurred_at=Event.objects.order_by("-seq").first().occurred_at,  # type: ignore[union-attr]
        action="bench.last",
        payload="{}",
    )
    start = time.perf_counter()
    checkpoint = checkpoints.issue_checkpoint()
    result["checkpoint_s"] = time.perf_counter() - start
    size = checkpoint.size
    root = bytes(checkpoint.root_hash)

    rng = random.Random(9162)
    indexes = [rng.randrange(size) for _ in range(samples)]
    uids = dict(Leaf.objects.filter(index__in=indexes).values_list("index", "event__uid"))
    proofs: list[tuple[int, list[bytes]]] = []

    def one_inclusion(i: int = 0) -> None:
        index, _, path = tree.inclusion_proof_for_event(uids[indexes[i]], size)
        proofs.append((index, path))

    counter = iter(range(samples))
    cpu = time.process_time()
    inclusion = timed(lambda: one_inclusion(next(counter)), samples)
    result["inclusion_cpu"] = (time.process_time() - cpu) / samples
    hashes = dict(Leaf.objects.filter(index__in=indexes).values_list("index", "hash"))
    verify_times = []
    for index, path in proofs:
        start = time.perf_counter()
        merkle.verify_inclusion(bytes(hashes[index]), index, size, path, root)
        verify_times.append(time.perf_counter() - start)
    firsts = [rng.randrange(1, size) for _ in range(samples)]
    cons_proofs: list[list[bytes]] = []
    counter = iter(range(samples))
    consistency = timed(
        lambda: cons_proofs.append(tree.consistency(firsts[next(counter)], size)), samples
    )
    roots = {m: tree.root(m) for m in firsts[:200]}
    cons_verify = []
    for m, proof in list(zip(firsts, cons_proofs, strict=True))[:200]:
        start = time.perf_counter()
        merkle.verify_consistency(m, size, proof, roots[m], root)
        cons_verify.append(time.perf_counter() - start)
    result.update(
        inclusion_p50=percentile(inclusion, 50),
        inclusion_p99=percentile(inclusion, 99),
        inclusion_len=sum(len(p) for _, p in proofs) / len(proofs),
        verify_p50=percentile(verify_times, 50),
        consistency_p50=percentile(consistency, 50),
        consistency_p99=percentile(consistency, 99),
        consistency_len=sum(len(p) for p in cons_proofs) / len(cons_proofs),
        cons_verify_p50=percentile(cons_verify, 50),
    )

    # The endpoint, as a client sees it (minus the network): session, access check, JSON.
    admin = User(username="bench-admin", role=Role.ADMINISTRATOR, iin=None)
    admin.set_unusable_password()
    admin.save()
    client = Client()
    client.force_login(admin)
    orphan = Event.objects.filter(action="bench.last").values_list("uid", flat=True).first()
    api_times = timed(lambda: client.get(f"/api/v1/journal/events/{orphan}/proof"), 200)
    status = client.get(f"/api/v1/journal/events/{orphan}/proof").status_code
    result.update(api_p50=percentile(api_times, 50), api_p99=percentile(api_times, 99))
    result["api_status"] = status

    return result


# ---------------------------------------------------------------- the parent


def environment(database_url: str, data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="tergeu.settings",
        TERGEU_DATA_DIR=data_dir,
        TERGEU_SECRET_KEY=env.get("TERGEU_SECRET_KEY") or secrets.token_urlsafe(40),
        TERGEU_LOG_KEY_FILE="",
        TERGEU_LOG_ORIGIN="bench.tergeu.example/journal",
        TERGEU_DEBUG="0",
        TERGEU_LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def run_child(engine: str, args: argparse.Namespace) -> dict[str, Any] | None:
    data_dir = tempfile.mkdtemp(prefix=f"tergeu-bench-journal-{engine}-")
    url = ""
    try:
        if engine == "postgres":
            assert re.fullmatch(r"[a-z_]+", BENCH_DB)
            _admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            _admin(f"CREATE DATABASE {BENCH_DB}")
            url = f"{PG_URL}/{BENCH_DB}"
        command = [
            sys.executable,
            __file__,
            "--child",
            engine,
            "--leaves",
            str(args.leaves),
            "--samples",
            str(args.samples),
        ]
        proc = subprocess.run(
            command, env=environment(url, data_dir), cwd=ROOT, capture_output=True, text=True
        )
        sys.stderr.write(proc.stderr)
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                return json.loads(line[len("RESULT ") :])  # type: ignore[no-any-return]
        log(f"[{engine}] failed (exit {proc.returncode})")
        return None
    finally:
        if engine == "postgres":
            _admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        shutil.rmtree(data_dir, ignore_errors=True)


def report(results: list[dict[str, Any]], elapsed: float) -> None:
    def row(label: str, key: str, fmt: Callable[[float], str]) -> None:
        cells = [fmt(r[key]).rjust(22) for r in results]
        print(f"{label:<44}{''.join(cells)}")

    def rate(x: float) -> str:
        return f"{x:,.0f} /s"

    print()
    print(f"{'':<44}{''.join(r['server'].rjust(22) for r in results)}")
    row("append, journal.record, 1 event per tx", "append_tx1", rate)
    row("  reference: raw INSERT, 1 row per tx", "raw_tx1", rate)
    row("append, journal.record, 100 events per tx", "append_tx100", rate)
    row("  reference: raw INSERT, 100 rows per tx", "raw_tx100", rate)
    row("integrate, a few thousand new events", "integrate_small", rate)
    row("bulk insert of synthetic events (s)", "insert_s", lambda x: f"{x:.0f} s")
    row("integrate all of them", "integrate_rate", rate)
    row("  time to integrate (s)", "integrate_s", lambda x: f"{x:.0f} s")
    row("tree size (leaves)", "leaves", lambda x: f"{x:,.0f}")
    row("issue a checkpoint at that size", "checkpoint_s", ms)
    row("inclusion proof of an event, p50", "inclusion_p50", ms)
    row("inclusion proof of an event, p99", "inclusion_p99", ms)
    row("  CPU time of this process per proof (mean)", "inclusion_cpu", ms)
    row("  hashes per inclusion proof (mean)", "inclusion_len", lambda x: f"{x:.1f}")
    row("  verify an inclusion proof, p50", "verify_p50", ms)
    row("consistency proof m..n, p50", "consistency_p50", ms)
    row("consistency proof m..n, p99", "consistency_p99", ms)
    row("  hashes per consistency proof (mean)", "consistency_len", lambda x: f"{x:.1f}")
    row("  verify a consistency proof, p50", "cons_verify_p50", ms)
    row("GET .../events/{uid}/proof (test client), p50", "api_p50", ms)
    row("GET .../events/{uid}/proof (test client), p99", "api_p99", ms)
    print()
    for r in results:
        worst = max(r["inclusion_p99"], r["consistency_p99"])
        verdict = "met" if worst < PROOF_GOAL else "NOT met"
        print(f"{r['server']}: proofs under {ms(PROOF_GOAL)} at p99: {verdict}")
        if r["api_status"] != 200:
            print(f"  the proof endpoint answered {r['api_status']}, not 200: check the run")
    print(f"\nTotal {elapsed:.0f} s; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(child(args.child, args.leaves, args.samples)), flush=True)
        return 0
    start = time.perf_counter()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if "postgres" in engines and not postgres_available():
        engines.remove("postgres")
    results = [r for e in engines if (r := run_child(e, args)) is not None]
    if not results:
        return 1
    report(results, time.perf_counter() - start)
    return 0 if len(results) == len(engines) else 1


if __name__ == "__main__":
    sys.exit(main())
