from django.db import migrations

from tergeu.core.triggers import immutable


class Migration(migrations.Migration):
    dependencies = [("integrity", "0001_initial")]
    operations = [immutable("integrity_event", "journal is append-only")]
