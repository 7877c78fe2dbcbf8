"""The case's registration time copied onto its grants (filled here for existing grants).

"My cases" is ordered by the case's registration time, which only the case row had, so
every list read all the visible cases before it could keep a page of them. With the time
on the grant the page comes from the grants' index alone (migration 0004,
docs/performance.md). A case's ``registered_at`` never changes once it is registered.

Added nullable without a default, so SQLite adds the column without rebuilding the table;
0004 then makes it NOT NULL (in its own transaction on PostgreSQL, after this UPDATE).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Grant = apps.get_model("cases", "Grant")
    Grant.objects.using(schema_editor.connection.alias).filter(
        case_registered_at__isnull=True
    ).update(
        case_registered_at=Subquery(
            Case.objects.filter(pk=OuterRef("case_id")).values("registered_at")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_grant_active_user_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="grant",
            name="case_registered_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
