"""'My cases' on PostgreSQL: the active grants of a user, answered from an index alone.

``visible_cases(user)`` is ``case.id IN (SELECT case_id FROM cases_grant WHERE user_id = %s
AND revoked_at IS NULL)``. With only the (user_id, case_id) index PostgreSQL must visit
every grant row to test ``revoked_at``; a user's grants are spread over the whole table
(they are written as cases are registered), so a head of unit with 5,000 cases cost
~4,400 heap pages per list and per count. This partial index holds exactly the active
grants, so the subquery is an index-only scan (bench/my_cases.py, docs/performance.md).

PostgreSQL only, like the journal's triggers: on SQLite (small installations) the table
is small, and an index kept outside the model state would not survive SQLite's table
rebuilds anyway.
"""

from django.db import migrations

INDEX = "grant_active_user_case"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_grant (user_id, case_id) "
            "WHERE revoked_at IS NULL"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
