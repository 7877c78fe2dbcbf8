"""``tergeu manage load_districts FILE.csv [--dry-run] [--as ADMIN]``: create or rename
districts from a CSV file.

The file has a header line with the columns ``region_code,code,name_kk,name_ru,name_en``
(others are ignored), is UTF-8 (with or without a byte order mark) and is separated by
commas or semicolons. Each line goes through
:func:`tergeu.accounts.territory.import_districts`, acting as an administrator (``--as``,
default: the first active one), so it is checked and journaled like a change made on the
page: a district not there yet is created, one already there (same region and code) gets
the names of its line. Loading the same file again changes nothing.

All or nothing: if any line is refused, the command prints every line's fate, writes
nothing and exits with status 1.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tergeu.accounts.territory import CSV_COLUMNS, ImportedLine, import_districts, import_refused
from tergeu.core.errors import ServiceError

from .create_organisation import acting_administrator, refusal

#: Marks a line with more values than the header has columns.
EXTRA = "\0extra"


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The non-empty lines of a districts file with their line numbers (a line with more
    values than columns is marked with :data:`EXTRA`); a file without the columns, or that
    is not UTF-8 text, is refused as a whole."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not UTF-8 text.") from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, restkey=EXTRA)
    header = [(name or "").strip() for name in reader.fieldnames or []]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise CommandError(
            f"{path}: the first line must name the columns {','.join(CSV_COLUMNS)} "
            f"(missing: {', '.join(missing)})."
        )
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        values = {name: (row.get(name) or "") for name in CSV_COLUMNS}
        if not any(v.strip() for v in values.values()) and EXTRA not in row:
            continue  # an empty line
        if EXTRA in row:
            values[EXTRA] = "yes"
        rows.append((reader.line_num, values))
    return rows


def describe(result: ImportedLine, written: bool) -> str:
    """One line of the report (``written``: whether the file was loaded)."""
    where = f"line {result.line}: {result.region_code or '?'} {result.code or '?'}"
    if result.status != "error":
        return f"{where}: {result.status if written else 'would be ' + result.status}"
    problems = "; ".join(
        f"{name}: {' '.join(messages)}" if name else " ".join(messages)
        for name, messages in result.errors.items()
    )
    return f"{where}: error: {problems}"


class Command(BaseCommand):
    """Create or rename districts from a CSV file, all lines or none."""

    help = (
        "Create or rename districts from a CSV file with the columns "
        "region_code,code,name_kk,name_ru,name_en; nothing is written if a line is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every line and report, but write nothing",
        )
        parser.add_argument(
            "--as",
            dest="acting",
            default=None,
            help="user name of the administrator acting (default: the first active one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        admin = acting_administrator(options["acting"])
        rows = read_rows(options["file"])
        if not rows:
            raise CommandError(f"{options['file']}: no districts in the file.")
        malformed = {line for line, row in rows if row.pop(EXTRA, None)}
        try:
            results = import_districts(admin, rows, dry_run=options["dry_run"] or bool(malformed))
        except ServiceError as exc:
            raise refusal(exc) from exc
        for result in results:
            if result.line in malformed:
                result.status = "error"
                result.errors.setdefault("", []).append(
                    "More values than columns: put a name that contains the separator "
                    "in double quotes."
                )
        written = not options["dry_run"] and not import_refused(results)
        for result in results:
            self.stdout.write(describe(result, written))
        counts = {
            status: sum(r.status == status for r in results)
            for status in ("created", "updated", "unchanged", "error")
        }
        summary = ", ".join(
            f"{n} {'refused' if status == 'error' else status}" for status, n in counts.items()
        )
        if import_refused(results):
            raise CommandError(
                f"{counts['error']} of {len(results)} lines refused: nothing was written."
            )
        if options["dry_run"]:
            self.stdout.write(f"Dry run, nothing was written: {summary}.")
        else:
            self.stdout.write(f"Done: {summary}.")
