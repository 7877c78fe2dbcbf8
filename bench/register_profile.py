"""Where one registration's work goes, in process: SQL statements and CPU per request.

A registration is what ``bench/register.py`` sends: ``POST /api/v1/reports`` and
``POST /api/v1/reports/{id}/register`` with a bearer token, here through Django's test
client in this process (no server, no network) on a scratch PostgreSQL database
``tergeu_bench_profile`` (dropped afterwards). Prints, per request and for the pair, the
number of SQL statements (BEGIN, COMMIT and savepoints included) and the process's CPU
time; ``--show`` lists the statements of the last registration,
``--profile`` prints cProfile's top functions.

Run: ``.venv/bin/python bench/register_profile.py`` (under a minute). Not part of the tests.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from typing import Any

from _common import (
    bench_environment,
    drop_database,
    load_average,
    percentile,
    recreate_database,
    reference_data,
    setup_django,
)

BENCH_DB = "tergeu_bench_profile"

REPORT = {
    "source": "in_person",
    "applicant_name": "Сейтқали Әлия",
    "applicant_phone": "+7 701 234 56 78",
    "description": "Из квартиры по ул. Абая похищен ноутбук стоимостью 450 000 тенге.",
    "region_code": "75",
    "address": "г. Алматы, ул. Абая, 10",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registrations", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--show", action="store_true", help="list the statements of one")
    parser.add_argument("--profile", action="store_true", help="cProfile's top functions")
    parser.add_argument("--db", default=BENCH_DB, help="name of the scratch database")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    setup_django(bench_environment(recreate_database(args.db)))
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tergeu.accounts.models import Role
    from tergeu.accounts.tokens import issue_token

    settings.ALLOWED_HOSTS = ["testserver"]
    ref = reference_data(1, 4)
    body = ref["bodies"][0]
    duty = ref["users"][(body.code, Role.DUTY_OFFICER)][0]
    _row, token = issue_token(duty, name="profile")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="ru")
    registration = {
        "article": "188",
        "part": "2",
        "paragraph": "1",
        "form": "preliminary",  # the officer the allocation proposes gets the case
    }

    def one() -> tuple[list[Any], list[Any], float, float]:
        c0 = time.process_time()
        with CaptureQueriesContext(connection) as q1:
            r = client.post("/api/v1/reports", REPORT, content_type="application/json")
        assert r.status_code == 201, r.content
        c1 = time.process_time()
        with CaptureQueriesContext(connection) as q2:
            r = client.post(
                f"/api/v1/reports/{r.json()['id']}/register",
                registration,
                content_type="application/json",
            )
        assert r.status_code == 201, r.content
        c2 = time.process_time()
        return q1.captured_queries, q2.captured_queries, c1 - c0, c2 - c1

    for _ in range(args.warmup):
        one()
    print(f"load average before: {load_average()}")
    profiler = cProfile.Profile() if args.profile else None
    rows = []
    if profiler:
        profiler.enable()
    for _ in range(args.registrations):
        rows.append(one())
    if profiler:
        profiler.disable()
    print(f"load average after: {load_average()}")
    record_q = [len(r[0]) for r in rows]
    register_q = [len(r[1]) for r in rows]
    record_cpu = [r[2] for r in rows]
    register_cpu = [r[3] for r in rows]
    total_cpu = [a + b for a, b in zip(record_cpu, register_cpu, strict=True)]
    print(f"{args.registrations} registrations after {args.warmup} warm-up ones")
    print(f"{'':<30} {'statements':>10} {'CPU p50':>9} {'CPU mean':>9}")
    for label, q, cpu in (
        ("POST /api/v1/reports", record_q, record_cpu),
        ("POST /api/v1/reports/{id}/register", register_q, register_cpu),
        (
            "registration (both)",
            [a + b for a, b in zip(record_q, register_q, strict=True)],
            total_cpu,
        ),
    ):
        spread = f"{min(q)}" if min(q) == max(q) else f"{min(q)}-{max(q)}"
        print(
            f"{label:<36} {spread:>5} {percentile(cpu, 50) * 1000:>8.1f}ms "
            f"{sum(cpu) / len(cpu) * 1000:>8.1f}ms"
        )
    if args.show:
        for title, queries in (("record", rows[-1][0]), ("register", rows[-1][1])):
            print(f"\n-- {title}: {len(queries)} statements")
            for query in queries:
                print("  " + query["sql"][:160])
    if profiler:
        print()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
