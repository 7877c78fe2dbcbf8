from django.db import migrations

from tergeu.core.triggers import immutable


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [
        immutable("documents_document", "finalised document is immutable", "OLD.status = 'final'")
    ]
