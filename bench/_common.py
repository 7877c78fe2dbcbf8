"""Shared pieces of the benchmarks: scratch PostgreSQL databases, Django on them, statistics.

The benchmarks talk only to the PostgreSQL server of ``BENCH_PG_URL`` (default: the local
one at 127.0.0.1:5432, user postgres) and to servers they start on 127.0.0.1. They create
their own databases and drop them when done; they never touch another database.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: The PostgreSQL server, without a database name.
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def db_url(name: str) -> str:
    """The URL of database ``name`` on the benchmark's server."""
    return f"{PG_URL}/{name}"


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def recreate_database(name: str) -> str:
    """Drop database ``name`` if it exists, create it empty and return its URL."""
    assert _NAME.match(name), name
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin(f"CREATE DATABASE {name}")
    return db_url(name)


def drop_database(name: str) -> None:
    """Drop a scratch database of the benchmark."""
    assert _NAME.match(name), name
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def bench_environment(url: str) -> dict[str, str]:
    """Environment for Tergeu on database ``url``: own data directory and secret key."""
    env = dict(os.environ)
    data_dir = os.environ.get("BENCH_DATA_DIR") or tempfile.mkdtemp(prefix="tergeu-bench-")
    (Path(data_dir) / "static").mkdir(parents=True, exist_ok=True)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="tergeu.settings",
        TERGEU_DATA_DIR=data_dir,
        TERGEU_SECRET_KEY=env.get("TERGEU_SECRET_KEY") or secrets.token_urlsafe(40),
        TERGEU_DEBUG="0",
        TERGEU_LOG_LEVEL="WARNING",
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def setup_django(env: dict[str, str], *, migrate: bool = True) -> None:
    """Configure Django in this process for ``env`` (see :func:`bench_environment`)."""
    os.environ.update(env)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                stack.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


def rss_bytes(pid: int) -> int:
    """Resident memory of process ``pid`` and all its descendants, in bytes."""
    total = 0
    for current in process_tree(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if match:
            total += int(match.group(1)) * 1024
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by ``pid`` and its descendants, in seconds."""
    ticks = 0
    for current in process_tree(pid):
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes (other work skews a benchmark)."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def reference_data(
    bodies: int, investigators: int = 4, *, offices: int | None = None
) -> dict[str, Any]:
    """Regions, districts, ``bodies`` police units and their prosecutors' offices.

    Each body has a duty officer, a head of unit and ``investigators`` investigators; a
    prosecutor's office (one per district) supervises the bodies of its district and
    has two prosecutors. Users have no usable password (the benchmarks use tokens or
    force a session). Returns the rows created, by kind.
    """
    from tergeu.accounts.models import District, Organisation, OrgKind, Region, Role, User
    from tergeu.core.iin import make_iin

    offices = offices or max(1, bodies // 4)
    names = {"name_kk": "Бенч", "name_ru": "Бенч", "name_en": "Bench"}
    region, _ = Region.objects.get_or_create(code="75", defaults=names)  # seeded by 0002
    counter = iter(range(1, 10**6))

    def person(role: str, org: Organisation, name: str) -> User:
        n = next(counter)
        user = User(
            username=f"{name}{n}",
            role=role,
            organisation=org,
            last_name=f"{role.title()}{n}",
            first_name="Бенч",
            iin=make_iin(dt.date(1960, 1, 1) + dt.timedelta(days=n), True, n),
        )
        user.set_unusable_password()
        return user

    result: dict[str, Any] = {"bodies": [], "offices": [], "users": {}}
    users: list[User] = []
    for d in range(offices):
        district, _ = District.objects.get_or_create(
            region=region, code=f"{d + 1:02d}", defaults=names
        )
        office = Organisation.objects.create(
            code=f"75{d + 1:02d}99",
            kind=OrgKind.PROSECUTOR,
            region=region,
            district=district,
            **names,
        )
        result["offices"].append(office)
        users += [person(Role.PROSECUTOR, office, "prosecutor") for _ in range(2)]
    for b in range(bodies):
        office = result["offices"][b % offices]
        body = Organisation.objects.create(
            code=f"75{office.district.code}{b // offices + 1:02d}",
            kind=OrgKind.POLICE,
            region=region,
            district=office.district,
            supervisor=office,
            **names,
        )
        result["bodies"].append(body)
        users.append(person(Role.DUTY_OFFICER, body, "duty"))
        users.append(person(Role.HEAD_OF_UNIT, body, "head"))
        users += [person(Role.INVESTIGATOR, body, "investigator") for _ in range(investigators)]
    User.objects.bulk_create(users, batch_size=1000)
    for user in User.objects.select_related("organisation"):
        code = user.organisation.code if user.organisation else ""
        result["users"].setdefault((code, user.role), []).append(user)
    return result
