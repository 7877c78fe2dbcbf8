"""Every grant carries its case's registration time, and a user's active grants are
indexed newest first: page 1 of "My cases" reads 50 index entries (docs/performance.md).

The index works on SQLite and PostgreSQL alike (a partial index in the model state).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_grant_case_registered_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="grant",
            name="case_registered_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="grant",
            index=models.Index(
                condition=models.Q(("revoked_at__isnull", True)),
                fields=["user", "-case_registered_at", "-case"],
                name="grant_user_newest",
            ),
        ),
    ]
