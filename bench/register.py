"""Registration throughput of the real server on PostgreSQL, next to pgbench on the same server.

What it does (docs/performance.md has the results and how to read them):

1. Creates a fresh database ``tergeu_bench`` on the local PostgreSQL, migrates it and
   creates ``--bodies`` police units (duty officer, head, investigators, supervising
   prosecutor) with one API token per duty officer.
2. Starts the real server on 127.0.0.1: ``tergeu serve`` (waitress, one process), or
   with ``--server gunicorn`` gunicorn with ``--workers`` processes (dev extras). Runs
   ``--clients`` concurrent HTTP clients (threads, keep-alive connections). Client *i*
   is the duty officer of body *i mod bodies*. Each iteration is one **registration**:
   ``POST /api/v1/reports`` (record in the KUI, which takes a KUI number) then
   ``POST /api/v1/reports/{id}/register`` (register in ERDR: the case, its gap-free ERDR
   number, grants, journal events). After ``--warmup`` seconds it measures for
   ``--duration`` seconds.
3. Prints registrations/s, p50/p99 latency of the registration (both requests) and of
   each request, the server's peak RSS and CPU time per registration, and checks that
   the ERDR numbers are 1..N per body with no gap or duplicate.
4. Runs pgbench's TPC-B (``pgbench -i -s 10``, ``pgbench -c <clients> -j 2 -T 20``) on a
   scratch database of the same server and prints its tps and the ratio.

Run: ``.venv/bin/python bench/register.py`` (about 2 minutes). Not part of the tests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from _common import (
    BIN,
    PG_URL,
    ROOT,
    bench_environment,
    cpu_seconds,
    drop_database,
    load_average,
    mib,
    ms,
    percentile,
    recreate_database,
    reference_data,
    rss_bytes,
    setup_django,
)

BENCH_DB = "tergeu_bench"
PGBENCH_DB = "tergeu_bench_pgbench"
#: Goal of the issue: at least this share of pgbench's TPC-B tps ...
GOAL_RATIO = 0.15
#: ... with the registration's p99 under this many seconds.
GOAL_P99 = 0.100


@dataclass
class Samples:
    """Latencies (seconds) of the measured registrations, and failures."""

    record: list[float] = field(default_factory=list)
    register: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    kind: str, port: int, threads: int, workers: int, env: dict[str, str]
) -> subprocess.Popen[str]:
    """The server as a subprocess on 127.0.0.1:``port``."""
    if kind == "gunicorn":
        command = [
            str(BIN / "gunicorn"),
            "tergeu.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--worker-class=gthread",
            f"--workers={workers}",
            f"--threads={max(1, -(-threads // workers))}",
            "--keep-alive=30",
            "--log-level=warning",
        ]
    else:
        command = [str(BIN / "tergeu"), "serve", f"--port={port}", f"--threads={threads}"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr, text=True
    )


def request(
    conn: http.client.HTTPConnection, method: str, path: str, token: str, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    try:
        return response.status, json.loads(raw) if raw else None
    except ValueError:
        return response.status, raw[:200]


def wait_ready(port: int, token: str, server: subprocess.Popen[str], timeout: float = 60) -> None:
    """Wait until the server answers an authenticated API call."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, body = request(conn, "GET", "/api/v1/reports?size=1", token)
            conn.close()
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
        raise SystemExit(f"GET /api/v1/reports answered {status}: {body!r}")
    raise SystemExit("the server did not come up")


def client(
    port: int,
    token: str,
    measure_from: float,
    stop_at: float,
    samples: Samples,
) -> None:
    """One client: registrations back to back on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    report = {
        "source": "in_person",
        "applicant_name": "Сейтқали Әлия",
        "applicant_phone": "+7 701 234 56 78",
        "description": "Из квартиры по ул. Абая похищен ноутбук стоимостью 450 000 тенге.",
        "region_code": "75",
        "address": "г. Алматы, ул. Абая, 10",
    }
    registration = {
        "article": "188",
        "part": "2",
        "paragraph": "1",
        "form": "preliminary",
        # No investigator_id: the officer the allocation proposes gets the case, as the
        # register form does by default (choosing another one needs a reason).
    }
    try:
        while (t0 := time.perf_counter()) < stop_at:
            status, body = request(conn, "POST", "/api/v1/reports", token, report)
            t1 = time.perf_counter()
            if status != 201:
                with samples.lock:
                    samples.errors.append(f"record {status}: {body!r}"[:300])
                continue
            path = f"/api/v1/reports/{body['id']}/register"
            status, body = request(conn, "POST", path, token, registration)
            t2 = time.perf_counter()
            if status != 201:
                with samples.lock:
                    samples.errors.append(f"register {status}: {body!r}"[:300])
                continue
            if t0 >= measure_from and t2 <= stop_at:
                with samples.lock:
                    samples.record.append(t1 - t0)
                    samples.register.append(t2 - t1)
                    samples.total.append(t2 - t0)
    except Exception as exc:
        with samples.lock:
            samples.errors.append(f"client: {exc!r}")
    finally:
        conn.close()


def sample_server(
    pid: int, window: tuple[float, float], stop: threading.Event, peak: list[int], cpu: list[float]
) -> None:
    """Peak RSS of the server, and its CPU seconds at the start and end of the window."""
    while not stop.wait(0.1):
        peak[0] = max(peak[0], rss_bytes(pid))
        now = time.perf_counter()
        if not cpu and now >= window[0]:
            cpu.append(cpu_seconds(pid))
        if len(cpu) == 1 and now >= window[1]:
            cpu.append(cpu_seconds(pid))


def check_numbers() -> tuple[int, list[str]]:
    """Count the cases and find bodies whose ERDR numbers are not exactly 1..N."""
    from tergeu.cases.models import Case

    problems: list[str] = []
    by_prefix: dict[str, list[int]] = {}
    for number in Case.objects.values_list("erdr_number", flat=True):
        by_prefix.setdefault(number[:8], []).append(int(number[8:]))
    for prefix, seqs in sorted(by_prefix.items()):
        if sorted(seqs) != list(range(1, len(seqs) + 1)):
            problems.append(f"{prefix}: {len(seqs)} numbers, max {max(seqs)}")
    return sum(len(s) for s in by_prefix.values()), problems


def pgbench(clients: int, seconds: int, scale: int) -> float:
    """TPC-B tps of pgbench against a scratch database of the same server."""
    if shutil.which("pgbench") is None:
        raise SystemExit("pgbench is missing: scripts/setup.sh --dev installs it")
    url = urlsplit(PG_URL)
    env = dict(os.environ, PGHOST=url.hostname or "127.0.0.1", PGPORT=str(url.port or 5432))
    env["PGUSER"] = url.username or "postgres"
    if url.password:
        env["PGPASSWORD"] = url.password
    recreate_database(PGBENCH_DB)
    try:
        subprocess.run(
            ["pgbench", "-i", "-q", "-s", str(scale), PGBENCH_DB],
            env=env,
            check=True,
            capture_output=True,
        )
        run = subprocess.run(
            ["pgbench", "-c", str(clients), "-j", "2", "-T", str(seconds), PGBENCH_DB],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        drop_database(PGBENCH_DB)
    match = re.search(r"^tps = ([\d.]+)", run.stdout, re.M)
    if not match:
        raise SystemExit(f"cannot read pgbench's tps:\n{run.stdout}")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--bodies", type=int, default=8, help="police units registering")
    parser.add_argument("--duration", type=float, default=30, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds first")
    parser.add_argument("--server", choices=["waitress", "gunicorn"], default="waitress")
    parser.add_argument("--threads", type=int, default=0, help="server threads (default: clients)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn's worker processes"
    )
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--pgbench-scale", type=int, default=10)
    parser.add_argument("--skip-pgbench", action="store_true")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB}")
    args = parser.parse_args()
    started = time.monotonic()

    env = bench_environment(recreate_database(BENCH_DB))
    print(f"database {BENCH_DB}: migrating ...", flush=True)
    setup_django(env)
    from tergeu.accounts.models import Role
    from tergeu.accounts.tokens import issue_token

    ref = reference_data(args.bodies)
    clients: list[tuple[str]] = []
    for body in ref["bodies"]:
        duty = ref["users"][(body.code, Role.DUTY_OFFICER)][0]
        _, token = issue_token(duty, name="bench")
        clients.append((token,))

    port = free_port()
    server = start_server(args.server, port, args.threads or args.clients, args.workers, env)
    samples, peak, stop = Samples(), [0], threading.Event()
    cpu: list[float] = []
    try:
        wait_ready(port, clients[0][0], server)
        print(f"load average (1, 5, 15 min) before: {load_average()}")
        where = f"{args.workers} workers" if args.server == "gunicorn" else "1 process"
        print(
            f"{args.server} ({where}) on 127.0.0.1:{port}: {args.clients} clients, "
            f"{args.bodies} bodies, "
            f"{args.warmup:.0f} s warm-up, {args.duration:.0f} s measured ...",
            flush=True,
        )
        measure_from = time.perf_counter() + args.warmup
        stop_at = measure_from + args.duration
        sampler = threading.Thread(
            target=sample_server,
            args=(server.pid, (measure_from, stop_at), stop, peak, cpu),
            daemon=True,
        )
        sampler.start()
        pool = [
            threading.Thread(
                target=client,
                args=(port, *clients[i % len(clients)], measure_from, stop_at, samples),
            )
            for i in range(args.clients)
        ]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        deadline = time.monotonic() + 2
        while len(cpu) < 2 and time.monotonic() < deadline:  # the sampler's last reading
            time.sleep(0.05)
        stop.set()
        rss_end = rss_bytes(server.pid)
        print(f"load average after: {load_average()}")
    finally:
        stop.set()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    count, problems = check_numbers()
    done = len(samples.total)
    rate = done / args.duration
    p99 = percentile(samples.total, 99)
    print()
    print(f"registrations (record + register): {done} in {args.duration:.0f} s = {rate:.1f}/s")
    for name, values in (
        ("registration", samples.total),
        ("  POST /reports", samples.record),
        ("  POST /reports/{id}/register", samples.register),
    ):
        print(
            f"{name:<32} p50 {ms(percentile(values, 50)):>9}  p99 {ms(percentile(values, 99)):>9}"
        )
    print(f"server RSS: peak {mib(peak[0])}, at the end {mib(rss_end)}")
    if len(cpu) == 2 and done:
        per = (cpu[1] - cpu[0]) / done
        cores = os.cpu_count() or 1
        print(
            f"server CPU: {ms(per)} per registration (user+system, all processes); "
            f"{cores} cores could serve at most {cores / per:.0f}/s with nothing else running"
        )
    print(
        f"errors: {len(samples.errors)}"
        + (f" (first: {samples.errors[0]})" if samples.errors else "")
    )
    gap_free = "yes" if not problems else f"NO: {'; '.join(problems[:5])}"
    print(f"ERDR numbers: {count} cases, 1..N per body without gaps or duplicates: {gap_free}")

    ok = not samples.errors and not problems
    if not args.skip_pgbench:
        print(f"\npgbench TPC-B: -s {args.pgbench_scale}, -c {args.clients} -j 2 ...", flush=True)
        tps = pgbench(args.clients, args.pgbench_seconds, args.pgbench_scale)
        ratio = rate / tps
        print(f"pgbench: {tps:.0f} tps (load average after: {load_average()})")
        print(f"ratio registrations/s : pgbench tps = {ratio:.3f} (goal >= {GOAL_RATIO})")
        goal = ratio >= GOAL_RATIO and p99 < GOAL_P99
        print(
            f"goal (ratio >= {GOAL_RATIO}, registration p99 < {ms(GOAL_P99)}): "
            + ("met" if goal else "NOT met")
        )
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(BENCH_DB)
    print(f"\n({time.monotonic() - started:.0f} s in all)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
