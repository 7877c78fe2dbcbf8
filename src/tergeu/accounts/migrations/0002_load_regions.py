"""Load the regions of Kazakhstan (KATO codes, names in kk/ru/en) from the packaged file,
so every database has them: missing ones are created, names corrected, none deleted."""

from django.db import migrations


def load(apps, schema_editor):
    from tergeu.accounts.territory import load_regions

    load_regions(
        region_model=apps.get_model("accounts", "Region"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        # Reversing keeps the rows: bodies, reports and cases refer to them.
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
