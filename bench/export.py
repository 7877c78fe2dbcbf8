"""Export and offline verification of a case of 500 signed documents (the hook of bench/journal.py).

What it does (docs/performance.md, "Export and offline verification", has the results):

1. A scratch database: SQLite in a temporary data directory (the default), or with
   ``--engine postgres`` the database ``tergeu_bench_export`` on ``BENCH_PG_URL``
   (dropped afterwards unless ``--keep``); migrated.
2. One police unit and one case registered through the services; then ``--documents``
   (500) documents drafted and finalised through the services, one after the other:
   each is rendered to PDF, signed PAdES with an RFC 3161 timestamp from the built-in TSA
   and journaled, as an investigator's "Finalise" does. Every tenth is countersigned by
   the head of unit (an incremental signature). One evidence item with a 1 MB file.
3. **Export**: :func:`tergeu.integrity.export.export_case` (what ``tergeu export-case``
   and the button call): checkpoint, inclusion proofs, PDFs, certificates, CRLs,
   verdicts at export, the signed manifest.
4. **Verification**: ``tergeu verify ARCHIVE`` in a fresh process whose ``DATABASE_URL``
   points nowhere and whose data directory does not exist (wall time, Python start-up
   included; three runs, the first and the best are printed), and
   :func:`~tergeu.integrity.verify_archive.verify_archive` in process (the work itself).
   Goal: under 10 s. With more than 24 documents the PDFs are verified by worker processes,
   one per core (at most 4).

Run: ``.venv/bin/python bench/export.py`` (about 5 minutes on 2 cores, most of it
signing 500 documents; ``--documents 50`` for a quick look). Not part of the tests.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ROOT,
    bench_environment,
    drop_database,
    load_average,
    recreate_database,
    reference_data,
    setup_django,
)

BENCH_DB = "tergeu_bench_export"
GOAL_SECONDS = 10.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_case(documents: int) -> tuple[Any, Any]:
    """A case with ``documents`` finalised (signed) documents; returns (case, investigator)."""
    import datetime as dt

    from tergeu.accounts.models import Role
    from tergeu.cases.services import register_report
    from tergeu.documents import services as docs
    from tergeu.evidence import services as evidence
    from tergeu.intake.models import Source
    from tergeu.intake.services import record_report

    ref = reference_data(1, 1)
    code = ref["bodies"][0].code
    duty = ref["users"][(code, Role.DUTY_OFFICER)][0]
    head = ref["users"][(code, Role.HEAD_OF_UNIT)][0]
    investigator = ref["users"][(code, Role.INVESTIGATOR)][0]
    report = record_report(
        duty,
        source=Source.IN_PERSON,
        applicant_name="Сейтқали Әлия",
        description="Из квартиры похищен ноутбук.",
    )
    case = register_report(
        duty,
        report.pk,
        article="188",
        part="1",
        form="preliminary",
        investigator_id=investigator.id,
    )
    started = time.perf_counter()
    for n in range(1, documents + 1):
        draft = docs.create_draft(
            investigator,
            case.pk,
            "resolution_acceptance",
            {"established": f"Документ {n}: дело передано по подследственности."},
            "ru",
        )
        doc = docs.finalise(investigator, draft.pk, version=1)
        if n % 10 == 0:
            docs.countersign(head, doc.pk, role="approval")
        if n % 50 == 0:
            rate = n / (time.perf_counter() - started)
            log(f"  {n} documents signed ({rate:.1f}/s)")
    item = evidence.register_item(
        investigator,
        case.pk,
        description="Ноутбук Lenovo",
        kind="object",
        seized_at=dt.datetime(2025, 3, 3, 10, 15, tzinfo=dt.UTC),
        seized_where="г. Алматы, ул. Абая 1",
    )
    photo = b"\x89PNG\r\n\x1a\n" + os.urandom(1024 * 1024)
    evidence.attach_file(
        investigator, item.pk, name="photo.png", content_type="image/png", stream=io.BytesIO(photo)
    )
    return case, investigator


def verify_offline(archive: Path, workdir: Path) -> tuple[float, int, str]:
    """``tergeu verify ARCHIVE`` in a fresh process with no database: (seconds, exit, last line)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        TERGEU_DATA_DIR=str(workdir / "nonexistent"),
        PYTHONPATH=str(ROOT / "src"),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tergeu.cli", "verify", str(archive)],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    verdict = next((ln for ln in proc.stdout.splitlines() if ln.startswith("VERDICT")), "")
    return elapsed, proc.returncode, verdict or proc.stderr.strip()[-300:]


def measure(documents: int, workdir: Path) -> dict[str, Any]:
    """Build, export and verify; Django is set up on a migrated scratch database."""
    from tergeu.integrity.export import export_case, sha256_file
    from tergeu.integrity.verify_archive import verify_archive

    log(f"signing {documents} documents through the services ...")
    started = time.perf_counter()
    case, investigator = build_case(documents)
    build_s = time.perf_counter() - started

    log(f"load average before measuring: {load_average()}")
    started = time.perf_counter()
    archive = export_case(investigator, case.pk, output=workdir / "case.zip")
    export_s = time.perf_counter() - started
    sha = sha256_file(archive)

    runs = [verify_offline(archive, workdir) for _ in range(3)]
    offline_s, code, verdict = runs[0]
    started = time.perf_counter()
    report = verify_archive(archive)
    in_process_s = time.perf_counter() - started
    events = len(report.find("event #"))
    return {
        "documents": documents,
        "events": events,
        "archive_bytes": archive.stat().st_size,
        "archive_sha256": sha,
        "sign_s": build_s,
        "export_s": export_s,
        "verify_offline_s": offline_s,
        "verify_offline_best_s": min(r[0] for r in runs),
        "verify_exit": code,
        "verify_verdict": verdict,
        "verify_in_process_s": in_process_s,
        "checks": len(report.findings),
        "ok": report.ok,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="tergeu-bench-export-"))
    url = recreate_database(BENCH_DB) if args.engine == "postgres" else ""
    env = bench_environment(url)
    env.update(TERGEU_LOG_LEVEL="ERROR", TERGEU_LOG_ORIGIN="bench.tergeu.example/journal")
    try:
        setup_django(env)
        r = measure(args.documents, workdir)
    finally:
        if args.engine == "postgres" and not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(BENCH_DB)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(env["TERGEU_DATA_DIR"], ignore_errors=True)
    met = r["verify_offline_s"] < GOAL_SECONDS and r["verify_exit"] == 0
    print(f"\nExport and offline verification ({args.engine}, load average {load_average()})")
    print(f"  documents signed through the services  {r['documents']} in {r['sign_s']:.0f} s")
    print(f"  events of the case                      {r['events']}")
    print(f"  archive                                 {r['archive_bytes'] / 2**20:.1f} MiB")
    print(f"  export (export_case)                    {r['export_s']:.1f} s")
    print(
        f"  tergeu verify ARCHIVE, fresh process    {r['verify_offline_s']:.1f} s "
        f"(best of 3: {r['verify_offline_best_s']:.1f} s)"
    )
    print(f"  verify_archive in process               {r['verify_in_process_s']:.1f} s")
    print(f"  checks                                  {r['checks']}, {r['verify_verdict']}")
    print(f"  goal (verification under {GOAL_SECONDS:.0f} s)          {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
