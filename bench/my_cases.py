"""'My cases' for a user who can see 5,000 of 500,000 cases: latency and number of queries.

What it does (docs/performance.md has the results):

1. Creates a fresh database ``tergeu_bench_cases`` on the local PostgreSQL, migrates it
   and creates 100 police units (a head, a duty officer and 10 investigators each) under
   25 prosecutors' offices (2 prosecutors each).
2. Loads 500,000 cases with COPY, 5,000 per unit, spread over three years, with the
   grants registration gives: the investigator, the head of unit and the supervising
   prosecutor, plus 5% revoked grants of a previous investigator (reassignments). That is
   1.5 million active grants. Cases are created directly: this is a fixture of the
   benchmark, not a history, so there are no journal events (the journal's triggers only
   refuse changes to events, they do not demand them).
3. Measures "My cases", page 1 of 50, newest first, for a head of unit (5,000 visible
   cases), an investigator (500) and a prosecutor (10,000):
   - the service: ``cases_page(user, 1, 50)`` (paged from the grants' index) and reading
     the columns the list shows;
   - for comparison, the path a filtered list takes (and every list took before):
     ``search_cases(user)`` + ``paginate(qs, 1, 50)``;
   - the web page ``GET /cases/`` and the API ``GET /api/v1/cases`` through Django's test
     client in this process (middleware, session, templates; no network);
   min/p50/p95/p99 over ``--runs`` runs after a warm-up, and the number of SQL queries.
4. With ``--explain`` (or when p95 passes 50 ms) prints EXPLAIN ANALYZE of the queries.

Run: ``.venv/bin/python bench/my_cases.py`` (about 2-3 minutes). Not part of the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable, Iterator
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

BENCH_DB = "tergeu_bench_cases"
BODIES = 100
OFFICES = 25
INVESTIGATORS = 10
#: Goal of the issue: p95 of the list under this many seconds.
GOAL_P95 = 0.050

CASE_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "erdr_number",
    "registered_at",
    "organisation_id",
    "offence_at",
    "region_id",
    "district_id",
    "address",
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
)
GRANT_COLUMNS = (
    "case_id",
    "user_id",
    "role",
    "granted_at",
    "granted_by_id",
    "revoked_at",
    "case_registered_at",
)

FABULAE = (
    "Неустановленное лицо тайно похитило из квартиры по ул. {street} ноутбук и ювелирные "
    "изделия, причинив значительный ущерб.",
    "У торгового центра на ул. {street} неизвестный открыто похитил у потерпевшей сумку "
    "с документами и деньгами.",
    "Путём обмана под предлогом продажи автомобиля через интернет завладел деньгами "
    "потерпевшего, переведёнными на карту.",
    "В ходе ссоры во дворе дома по ул. {street} нанёс потерпевшему телесные повреждения "
    "средней тяжести.",
)
STREETS = ("Абая", "Сатпаева", "Толе би", "Жандосова", "Розыбакиева", "Байтурсынова")


def load_cases(ref: dict[str, Any], per_body: int, seed: int = 1) -> int:
    """COPY ``per_body`` cases per body and their grants; returns the number of cases.

    Rows are written in order of registration across all bodies, as a live register
    fills up, so the cases (and grants) of one body are spread over the whole table
    rather than lying together, which would flatter every query.
    """
    from django.db import connection, transaction

    from tergeu.accounts.models import Role
    from tergeu.cases.models import GrantRole, Stage
    from tergeu.core.ids import uuid7
    from tergeu.qualification.models import ArticlePart

    rng = random.Random(seed)
    parts = list(
        ArticlePart.objects.filter(
            article__special_part=True, article__repealed=False, repealed=False
        ).values_list("article_id", "id")
    )
    stages = [s for s, _ in Stage.choices]
    weights = [8 if s == Stage.INVESTIGATION else 1 for s in stages]
    forms = ["inquiry", "preliminary", "accelerated"]
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    span = 3 * 365 * 86400
    users = ref["users"]
    teams = []
    for body in ref["bodies"]:
        teams.append(
            (
                body,
                users[(body.code, Role.HEAD_OF_UNIT)][0].pk,
                [u.pk for u in users[(body.code, Role.INVESTIGATOR)]],
                [u.pk for u in users[(body.supervisor.code, Role.PROSECUTOR)]],
            )
        )
    moments = sorted(
        (now - dt.timedelta(seconds=rng.randrange(span)), b)
        for b in range(len(teams))
        for _ in range(per_body)
    )
    numbers = [0] * len(teams)
    grants: list[tuple[Any, ...]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        # A fixture written in one go: skip the per-row foreign-key triggers (superuser).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cur = cursor.cursor  # the psycopg cursor under Django's wrapper
        with cur.copy(f"COPY cases_case ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
            for k, (registered, b) in enumerate(moments):
                body, head, team, prosecutors = teams[b]
                n = numbers[b]
                numbers[b] += 1
                article, part = parts[rng.randrange(len(parts))]
                investigator = team[n % len(team)]
                prosecutor = prosecutors[n % len(prosecutors)]
                case_id = uuid7()
                copy.write_row(
                    (
                        case_id,
                        registered,
                        registered,
                        f"{registered.year % 100:02d}{body.code}{n + 1:07d}",
                        registered,
                        body.pk,
                        registered - dt.timedelta(hours=rng.randrange(1, 200)),
                        body.region_id,
                        body.district_id,
                        f"г. Алматы, ул. {rng.choice(STREETS)}, {n % 200 + 1}",
                        FABULAE[n % len(FABULAE)].format(street=rng.choice(STREETS)),
                        article,
                        part,
                        "",
                        rng.choices(stages, weights)[0],
                        forms[n % 3],
                        False,
                        investigator,
                        prosecutor,
                        registered,
                        "",
                        1,
                    )
                )
                at = registered
                grants += [
                    (case_id, investigator, GrantRole.INVESTIGATOR, at, head, None, at),
                    (case_id, head, GrantRole.HEAD, at, head, None, at),
                    (case_id, prosecutor, GrantRole.PROSECUTOR, at, head, None, at),
                ]
                if n % 20 == 7:  # reassigned: the previous investigator's grant is revoked
                    before = team[(n + 1) % len(team)]
                    grants.append((case_id, before, GrantRole.INVESTIGATOR, at, head, now, at))
                if k % 100_000 == 99_999:
                    print(f"  {k + 1:,} cases", flush=True)
        print(f"  {len(grants):,} grants", flush=True)
        with cur.copy(f"COPY cases_grant ({', '.join(GRANT_COLUMNS)}) FROM STDIN") as copy:
            for row in grants:
                copy.write_row(row)
    return len(moments)


def vacuum() -> None:
    """VACUUM ANALYZE the loaded tables (outside a transaction), as autovacuum would."""
    from django.db import connection

    assert connection.get_autocommit(), "VACUUM cannot run inside a transaction"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE cases_grant")


def measure(fn: Callable[[], Any], runs: int, warmup: int = 5) -> tuple[list[float], int, Any]:
    """Run ``fn`` ``warmup`` + ``runs`` times; return the timings, query count and last result."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = None
    for _ in range(warmup):
        result = fn()
    timings: list[float] = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            result = fn()
            timings.append(time.perf_counter() - t0)
        queries = len(captured.captured_queries)
    return timings, queries, result


def _row(c: Any) -> tuple[Any, ...]:
    """The columns the list of cases shows."""
    return (
        c.erdr_number,
        c.registered_at,
        c.qualification,
        c.article.title,
        c.get_stage_display(),
        c.investigator.full_name if c.investigator else "",
        c.organisation.code,
        c.fabula[:100],
    )


def list_page(user: Any) -> Callable[[], Any]:
    """The service path of 'My cases': page 1 of 50 from the grants, the columns shown."""
    from tergeu.cases.services import cases_page

    def run() -> Any:
        page = cases_page(user, 1, 50)
        return page.total, [_row(c) for c in page.items]

    return run


def semi_join_page(user: Any) -> Callable[[], Any]:
    """The path of a filtered list (and of every list before): search_cases + paginate."""
    from tergeu.cases.services import search_cases
    from tergeu.core.pagination import paginate

    def run() -> Any:
        page = paginate(search_cases(user), 1, 50)
        return page.total, [_row(c) for c in page.items]

    return run


def http_get(client: Any, path: str) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="ru")
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code}")
        return response

    return run


def explain(user: Any) -> Iterator[str]:
    """EXPLAIN ANALYZE of the count and the page's keys of 'My cases', and of the old page."""
    from django.db import connection

    from tergeu.cases.access import active_grants
    from tergeu.cases.services import search_cases

    grants = active_grants(user)
    count = (
        "SELECT COUNT(DISTINCT case_id) FROM cases_grant WHERE revoked_at IS NULL AND user_id = %s",
        [user.pk],
    )  # what cases_page's aggregate() sends
    keys = (
        grants.order_by("-case_registered_at", "-case_id")
        .values_list("case_registered_at", "case_id")
        .distinct()[:50]
    )
    old = search_cases(user)[:50]
    for title, (sql, params) in (
        ("count (grants)", count),
        ("keys of page 1 (grants)", keys.query.sql_with_params()),
        ("page 1 by a filter's path (semi-join)", old.query.sql_with_params()),
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            yield f"-- {title}\n" + "\n".join(row[0] for row in cursor.fetchall())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-body", type=int, default=5000, help="cases per unit (x100)")
    parser.add_argument("--runs", type=int, default=100, help="measured runs per variant")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB}")
    parser.add_argument("--reuse", action="store_true", help=f"reuse a kept {BENCH_DB}")
    args = parser.parse_args()
    started = time.monotonic()

    from _common import db_url

    url = db_url(BENCH_DB) if args.reuse else recreate_database(BENCH_DB)
    env = bench_environment(url)
    print(f"database {BENCH_DB}: migrating ...", flush=True)
    setup_django(env)
    from django.conf import settings
    from django.test import Client

    from tergeu.accounts.models import Role, User
    from tergeu.cases.models import Case, Grant

    if not args.reuse:
        ref = reference_data(BODIES, INVESTIGATORS, offices=OFFICES)
        print(f"loading {BODIES * args.per_body:,} cases ...", flush=True)
        t0 = time.monotonic()
        load_cases(ref, args.per_body)
        vacuum()
        print(f"  loaded and vacuumed in {time.monotonic() - t0:.0f} s", flush=True)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    print(f"load average (1, 5, 15 min) before measuring: {load_average()}")
    cases = Case.objects.count()
    grants = Grant.objects.filter(revoked_at__isnull=True).count()
    print(f"{cases:,} cases, {grants:,} active grants\n")
    who = [
        ("head of unit", User.objects.filter(role=Role.HEAD_OF_UNIT).order_by("pk").first()),
        ("investigator", User.objects.filter(role=Role.INVESTIGATOR).order_by("pk").first()),
        ("prosecutor", User.objects.filter(role=Role.PROSECUTOR).order_by("pk").first()),
    ]
    worst = 0.0
    header = (
        f"{'user':<14} {'visible':>8}  {'what':<28} {'min':>8} {'p50':>9} {'p95':>9} {'p99':>9}"
        f" {'queries':>7}"
    )
    print(header)
    print("-" * len(header))
    for label, user in who:
        assert user is not None
        client = Client()
        client.force_login(user)
        variants: list[tuple[str, Callable[[], Any]]] = [
            ("cases_page (grants)", list_page(user)),
            ("  search_cases+paginate", semi_join_page(user)),
            ("GET /cases/", http_get(client, "/cases/")),
        ]
        probe = client.get("/api/v1/cases?page=1&size=50")
        if probe.status_code == 200:
            variants.append(("GET /api/v1/cases", http_get(client, "/api/v1/cases?page=1&size=50")))
        visible = list_page(user)()[0]
        assert semi_join_page(user)() == list_page(user)(), "the two paths disagree"
        for what, fn in variants:
            timings, queries, _ = measure(fn, args.runs)
            p95 = percentile(timings, 95)
            if label == "head of unit" and not what.startswith(" "):
                worst = max(worst, p95)
            print(
                f"{label:<14} {visible:>8,}  {what:<28} {ms(min(timings)):>8} "
                f"{ms(percentile(timings, 50)):>9} {ms(p95):>9} "
                f"{ms(percentile(timings, 99)):>9} {queries:>7}",
                flush=True,
            )
    head = who[0][1]
    print(f"load average after measuring: {load_average()}")
    print(
        f"\ngoal (head of unit, 5,000 of {cases:,} visible: p95 < {ms(GOAL_P95)}): "
        + ("met" if worst < GOAL_P95 else "NOT met")
    )
    if args.explain or worst >= GOAL_P95:
        print()
        for plan in explain(head):
            print(plan + "\n")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(BENCH_DB)
    print(f"({time.monotonic() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
