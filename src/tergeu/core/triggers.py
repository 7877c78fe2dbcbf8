"""SQL triggers that make rows immutable, for SQLite and PostgreSQL alike.

The journal refuses UPDATE, DELETE and TRUNCATE; a finalised document refuses UPDATE and
DELETE. The application never relies on them: they stop anyone who bypasses it.

The only way past them is an explicit maintenance session on one connection
(:func:`maintenance`): attaching a database named ``tergeu_maintenance`` on SQLite or
setting ``tergeu.maintenance`` on PostgreSQL. The test suite uses it to empty tables
between transactional tests; operators never need it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_SQLITE_ESCAPE = "NOT EXISTS (SELECT 1 FROM pragma_database_list WHERE name = 'tergeu_maintenance')"
_PG_ESCAPE = "current_setting('tergeu.maintenance', true) IS DISTINCT FROM 'on'"


def _sqlite(table: str, op: str, condition: str, message: str) -> str:
    when = f"({condition}) AND {_SQLITE_ESCAPE}" if condition else _SQLITE_ESCAPE
    return (
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} FOR EACH ROW "
        f"WHEN {when} BEGIN SELECT RAISE(ABORT, '{message}'); END;"
    )


def _postgres(table: str, op: str, condition: str, message: str) -> list[str]:
    fn = f"{table}_no_{op.lower()}_fn"
    test = f"({condition}) AND {_PG_ESCAPE}" if condition else _PG_ESCAPE
    ret = "NULL" if op == "TRUNCATE" else ("NEW" if op == "UPDATE" else "OLD")
    level = "STATEMENT" if op == "TRUNCATE" else "ROW"
    return [
        f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF {test} THEN RAISE EXCEPTION '{message}'; END IF; RETURN {ret}; END $$;",
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"FOR EACH {level} EXECUTE FUNCTION {fn}();",
    ]


def immutable(table: str, message: str, condition: str = "") -> Any:
    """A migration operation that forbids UPDATE, DELETE (and TRUNCATE) on ``table``.

    ``condition`` is an SQL expression over OLD (e.g. ``OLD.status = 'final'``); with it
    only matching rows are protected and TRUNCATE is left alone.
    """
    from django.db import migrations

    ops = ("UPDATE", "DELETE") if condition else ("UPDATE", "DELETE", "TRUNCATE")

    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for op in ops:
            if vendor == "sqlite" and op != "TRUNCATE":
                schema_editor.execute(_sqlite(table, op, condition, message))
            elif vendor == "postgresql":
                for sql in _postgres(table, op, condition, message):
                    schema_editor.execute(sql)

    def backward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for op in ops:
            suffix = f" ON {table}" if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op.lower()}{suffix}")

    return migrations.RunPython(forward, backward)


def set_maintenance(connection: Any, on: bool) -> None:
    """Open or close the maintenance escape on one database connection."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            attached = any(
                row[1] == "tergeu_maintenance"
                for row in cursor.execute("PRAGMA database_list").fetchall()
            )
            if on and not attached:
                cursor.execute("ATTACH DATABASE ':memory:' AS tergeu_maintenance")
            elif not on and attached:
                cursor.execute("DETACH DATABASE tergeu_maintenance")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config('tergeu.maintenance', %s, false)", ["on" if on else "off"]
            )


@contextmanager
def maintenance(connection: Any) -> Iterator[None]:
    """Allow changes to protected rows on ``connection`` inside the block only."""
    set_maintenance(connection, True)
    try:
        yield
    finally:
        set_maintenance(connection, False)
