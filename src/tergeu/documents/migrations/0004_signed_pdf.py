"""Signed PDFs: the author's PDF hash on the document, and append-only signatures.

``pdf_sha256`` is nullable without a default, so SQLite adds it with ALTER TABLE and the
immutability triggers of migration 0002 survive (a table rebuild would drop them).
"""

import django.db.models.deletion
import tergeu.core.ids
from tergeu.core.triggers import immutable
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
        ('documents', '0003_correction_reason'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='pdf_sha256',
            field=models.CharField(max_length=64, null=True, verbose_name='SHA-256 of the signed PDF'),
        ),
        migrations.CreateModel(
            name='DocumentSignature',
            fields=[
                ('id', models.UUIDField(default=tergeu.core.ids.uuid7, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('sequence', models.PositiveSmallIntegerField(verbose_name='order of the signature')),
                ('role', models.CharField(choices=[('author', 'Author'), ('approval', 'Approval of the head of unit'), ('prosecutor', 'Prosecutor')], max_length=20, verbose_name='capacity')),
                ('signed_at', models.DateTimeField(verbose_name='signed at')),
                ('field_name', models.CharField(max_length=60)),
                ('pdf_sha256', models.CharField(max_length=64, verbose_name='SHA-256 of the PDF after this signature')),
                ('certificate_serial', models.CharField(max_length=64, verbose_name='certificate serial number')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case')),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='signatures', to='documents.document')),
                ('signer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['document', 'sequence'],
                'indexes': [models.Index(fields=['case', 'document'], name='document_signature_case')],
                'constraints': [models.UniqueConstraint(fields=('document', 'sequence'), name='document_signature_sequence_unique'), models.UniqueConstraint(fields=('document', 'role'), name='document_signature_role_unique')],
            },
        ),
        immutable("documents_documentsignature", "a signature of a document is append-only"),
    ]
