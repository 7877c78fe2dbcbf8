from django.db import migrations

from tergeu.core.triggers import immutable


class Migration(migrations.Migration):
    """Files of evidence and custody events are append-only: UPDATE and DELETE are refused."""

    dependencies = [("evidence", "0001_initial")]
    operations = [
        immutable("evidence_evidencefile", "evidence file rows are append-only"),
        immutable("evidence_custodyevent", "custody events are append-only"),
    ]
