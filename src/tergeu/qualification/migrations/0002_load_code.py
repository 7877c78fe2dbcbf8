"""Load the Criminal Code (K1400000226) from the packaged file, so every database has it."""

from django.db import migrations


def load(apps, schema_editor):
    from tergeu.qualification.loader import load_code

    load_code(
        article_model=apps.get_model("qualification", "Article"),
        part_model=apps.get_model("qualification", "ArticlePart"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("qualification", "0001_initial"),
    ]

    operations = [
        # Reversing keeps the rows: cases refer to them, and 0001 drops the tables anyway.
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
