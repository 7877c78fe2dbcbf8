"""SMS delivery: 10,000 SMS through the outbox's worker to a local SMSC, with receipts.

What it does (docs/performance.md, "SMS delivery over SMPP", has the results):

1. Creates a scratch database (PostgreSQL ``tergeu_bench_notify`` on ``BENCH_PG_URL``,
   dropped afterwards; or ``--engine sqlite``, a file in a temporary directory) and starts
   the development SMSC (:mod:`tergeu.notifications.smpp.testsmsc`) in this process, on
   127.0.0.1, sending a delivery receipt for every part at once.
2. Queues ``--messages`` SMS (default 10,000) through
   :func:`tergeu.notifications.services.enqueue`, as the services do: a third each in
   English (GSM-7), Russian and Kazakh (UCS-2); 70 % one-time codes (one part), 30 %
   decisions on a report (long texts: 3 to 6 concatenated parts in UCS-2).
3. For reference, sends every queued SMS through one ``SmppTransport`` to a second
   SMSC without the outbox (no database writes): the ceiling of the SMPP path.
4. Starts ``--workers`` worker processes (default 1) as ``tergeu worker`` runs them: the
   outbox's delivery loop (:func:`tergeu.notifications.worker.run_delivery`) with the
   SMPP transport (``--bind``, default transmitter), plus the receipt listener (a
   receiver session; in ``--listeners`` of them, default all).
5. Prints the time until the SMSC has acknowledged every part (and until the outbox
   has recorded every message as sent), the time until every receipt is recorded
   (every message ``delivered``), the throughput, and the worker's peak RSS (VmHWM).
   Then checks at the SMSC that every message arrived exactly once, whole.

Run: ``.venv/bin/python bench/notify.py`` (about 1-2 minutes; ``--messages``,
``--engine sqlite``, ``--batch``, ``--window``). Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import (
    ROOT,
    bench_environment,
    drop_database,
    load_average,
    mib,
    recreate_database,
    setup_django,
)

BENCH_DB = "tergeu_bench_notify"
#: Goal of issue 5: 10,000 SMS acknowledged by the SMSC in under a minute.
GOAL_SECONDS = 60.0


def child() -> None:
    """The worker: the outbox's delivery loop and the receipt listener, until SIGTERM."""
    setup_django(dict(os.environ), migrate=False)
    from tergeu.notifications.smpp.receipts import start_receipt_listener
    from tergeu.notifications.worker import run_delivery

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    listener = start_receipt_listener() if os.environ.get("BENCH_LISTENER") == "1" else None
    try:
        run_delivery(stop)
    finally:
        if listener is not None:
            listener.stop()


def queue_messages(count: int) -> tuple[int, int]:
    """Queue ``count`` SMS through enqueue; the number of parts they make, and of long ones."""
    from django.db import transaction

    from tergeu.notifications.models import Message
    from tergeu.notifications.services import enqueue
    from tergeu.notifications.smpp.encoding import encode

    rng = random.Random(5)
    languages = ["en", "ru", "kk"]
    reasons = {
        "en": "No damage was caused.",
        "ru": "Ущерб не причинён.",
        "kk": "Зиян келтірілмеген.",
    }
    for start in range(0, count, 500):
        with transaction.atomic():
            for i in range(start, min(count, start + 500)):
                language = languages[i % 3]
                phone = f"+7701{rng.randrange(10**7):07d}"
                if rng.random() < 0.7:
                    enqueue(
                        channel="sms",
                        recipient=phone,
                        language=language,
                        kind="otp",
                        context={"code": f"{rng.randrange(10**6):06d}", "minutes": 10},
                    )
                else:
                    enqueue(
                        channel="sms",
                        recipient=phone,
                        language=language,
                        kind=rng.choice(["report_registered", "report_incident"]),
                        context={
                            "kui_number": f"2026-7501{i % 100:02d}-{i:06d}",
                            "erdr_number": f"2675000310{i:05d}",
                            "reason": reasons[language],
                        },
                    )
    parts = long = 0
    for pk, body in Message.objects.values_list("pk", "body").iterator():
        n = len(encode(body.rstrip("\n"), str(pk)).parts)
        parts += n
        long += n > 1
    return parts, long


def transport_only(parts: int) -> None:
    """The SMPP path alone: every queued SMS through one SmppTransport, no outbox writes."""
    from tergeu.notifications.models import Message
    from tergeu.notifications.smpp.config import SmppConfig
    from tergeu.notifications.smpp.testsmsc import TestSmsc
    from tergeu.notifications.smpp.transport import SmppTransport

    messages = list(Message.objects.only("pk", "body", "recipient"))
    with TestSmsc("bench", "bench-secret", receipts=False) as server:
        config = SmppConfig(
            host="127.0.0.1",
            port=server.port,
            system_id="bench",
            password="bench-secret",
            window=int(os.environ.get("TERGEU_SMPP_WINDOW", "10")),
            receipts=False,
        )
        transport = SmppTransport(config)
        started = time.monotonic()
        cpu = time.process_time()
        transport.open()
        for message in messages:
            transport.send(message)
        transport.close()
        seconds = time.monotonic() - started
        assert len(server.parts) == parts, (len(server.parts), parts)
    print(
        f"{'SMPP alone (one SmppTransport, no outbox)':<44} {seconds:6.1f} s   "
        f"{len(messages) / seconds:8,.0f} SMS/s  ({parts / seconds:,.0f} parts/s; "
        f"CPU of this process incl. the SMSC {time.process_time() - cpu:.1f} s)"
    )


def counts() -> dict[str, int]:
    from django.db.models import Count

    from tergeu.notifications.models import Message

    return dict(Message.objects.values_list("status").annotate(n=Count("pk")).order_by())


def vm_hwm(pid: int) -> int:
    """Peak resident memory (VmHWM) of process ``pid`` in bytes; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(args: argparse.Namespace) -> int:
    if args.engine == "postgresql":
        env = bench_environment(recreate_database(BENCH_DB))
    else:
        # The product's own SQLite set-up (WAL, IMMEDIATE transactions, busy timeout) in
        # a fresh data directory: no DATABASE_URL.
        os.environ["BENCH_DATA_DIR"] = tempfile.mkdtemp(prefix="tergeu-bench-sms-")
        env = bench_environment("")
        env.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    from tergeu.notifications.smpp.testsmsc import TestSmsc

    smsc = TestSmsc("bench", "bench-secret").start()
    env.update(
        TERGEU_SMPP_HOST="127.0.0.1",
        TERGEU_SMPP_PORT=str(smsc.port),
        TERGEU_SMPP_SYSTEM_ID="bench",
        TERGEU_SMPP_PASSWORD="bench-secret",
        TERGEU_SMPP_WINDOW=str(args.window),
        TERGEU_SMPP_BIND=args.bind,
        TERGEU_OUTBOX_BATCH=str(args.batch),
        TERGEU_OUTBOX_POLL_SECONDS="1",
        TERGEU_OUTBOX_BACKOFF_SECONDS="1",
    )
    workers: list[subprocess.Popen[bytes]] = []
    try:
        setup_django(env)
        print(f"engine {args.engine}; load average {load_average()}")
        started = time.monotonic()
        parts, long = queue_messages(args.messages)
        print(
            f"queued {args.messages:,} SMS ({long:,} long; {parts:,} parts) "
            f"through enqueue in {time.monotonic() - started:.1f} s"
        )
        transport_only(parts)
        result = measure(args, env, smsc, parts)
        workers = result.pop("workers")
        return report(args, smsc, parts, result)
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
        smsc.stop()
        from django.db import connections

        connections.close_all()
        if args.engine == "postgresql" and not args.keep:
            drop_database(BENCH_DB)


def measure(args: argparse.Namespace, env: dict[str, str], smsc: Any, parts: int) -> dict[str, Any]:
    n = args.messages
    start = time.monotonic()
    workers = []
    for i in range(args.workers):
        command = [sys.executable, __file__, "--child"]
        if args.profile and i == 0:
            command[1:1] = ["-m", "cProfile", "-o", args.profile]
        child_env = {**env, "BENCH_LISTENER": "1" if i < args.listeners else "0"}
        workers.append(subprocess.Popen(command, env=child_env, cwd=ROOT))
    smsc_done = sent_done = delivered_done = None
    peak = 0
    deadline = start + args.timeout
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = time.monotonic() - start
        peak = max(peak, *(vm_hwm(w.pid) for w in workers))
        if smsc_done is None and len(smsc.parts) >= parts:
            smsc_done = now
        by_status = counts()
        if sent_done is None and by_status.get("sent", 0) + by_status.get("delivered", 0) >= n:
            sent_done = now
        if by_status.get("delivered", 0) >= n:
            delivered_done = now
            break
        if any(w.poll() is not None for w in workers):
            print("a worker stopped early")
            break
    peak = max(peak, *(vm_hwm(w.pid) for w in workers))
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(30)
        except subprocess.TimeoutExpired:
            w.kill()
    return {
        "workers": workers,
        "smsc": smsc_done,
        "sent": sent_done,
        "delivered": delivered_done,
        "peak": peak,
        "statuses": counts(),
    }


def report(args: argparse.Namespace, smsc: Any, parts: int, r: dict[str, Any]) -> int:
    n = args.messages

    def line(label: str, seconds: float | None, unit: int, what: str) -> None:
        if seconds is None:
            print(f"{label:<44} not reached in {args.timeout} s")
        else:
            print(f"{label:<44} {seconds:6.1f} s   {unit / seconds:8,.0f} {what}/s")

    print(
        f"{args.workers} worker process(es): batch {args.batch}, window {args.window}, "
        f"bound as {args.bind}s; {min(args.listeners, args.workers)} with a receipt listener"
    )
    line("all parts acknowledged by the SMSC", r["smsc"], parts, "parts")
    line("all messages recorded as sent", r["sent"], n, "SMS")
    line("all receipts recorded (delivered)", r["delivered"], n, "SMS")
    print(f"{'peak RSS of a worker process (VmHWM)':<44} {mib(r['peak'])}")
    received = smsc.messages()
    duplicates = smsc.duplicates()
    print(
        f"at the SMSC: {len(smsc.parts):,} parts, {len(received):,} whole messages, "
        f"{duplicates} duplicates; outbox statuses {r['statuses']}"
    )
    ok = (
        len(received) == n
        and duplicates == 0
        and r["delivered"] is not None
        and r["sent"] is not None
        and r["sent"] < GOAL_SECONDS
    )
    print(
        f"goal: {n:,} SMS acknowledged in under {GOAL_SECONDS:.0f} s: {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--bind", choices=["transmitter", "transceiver"], default="transmitter")
    parser.add_argument(
        "--listeners", type=int, default=99, help="how many workers run a receipt listener"
    )
    parser.add_argument("--batch", type=int, default=20, help="TERGEU_OUTBOX_BATCH")
    parser.add_argument("--window", type=int, default=10, help="TERGEU_SMPP_WINDOW")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--profile", help="write the worker's cProfile statistics here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    if args.child:
        child()
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
