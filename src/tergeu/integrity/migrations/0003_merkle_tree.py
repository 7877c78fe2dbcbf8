"""The journal as an RFC 9162 Merkle tree: leaves, complete subtrees, signed checkpoints.

Leaves, tree nodes and checkpoints are append-only (triggers, as for the events). A trigger
on the journal queues every new event for the sequencer in ``integrity_unsequenced``; the
events already journaled are queued here. Nothing alters ``integrity_event`` itself (on
SQLite a table rebuild would drop its triggers).
"""

import django.db.models.deletion
from django.db import migrations, models

from tergeu.core.triggers import immutable

_SQLITE_ENQUEUE = (
    "CREATE TRIGGER integrity_event_enqueue AFTER INSERT ON integrity_event FOR EACH ROW "
    "BEGIN INSERT INTO integrity_unsequenced (seq) VALUES (NEW.seq); END;"
)
_PG_ENQUEUE = [
    "CREATE OR REPLACE FUNCTION integrity_event_enqueue_fn() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO integrity_unsequenced (seq) VALUES (NEW.seq); RETURN NULL; END $$;",
    "CREATE TRIGGER integrity_event_enqueue AFTER INSERT ON integrity_event "
    "FOR EACH ROW EXECUTE FUNCTION integrity_event_enqueue_fn();",
]


def enqueue(apps, schema_editor):
    """Queue every new event for the sequencer, and the events journaled so far."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(_SQLITE_ENQUEUE)
    elif vendor == "postgresql":
        for sql in _PG_ENQUEUE:
            schema_editor.execute(sql)
    schema_editor.execute(
        "INSERT INTO integrity_unsequenced (seq) SELECT seq FROM integrity_event"
    )


def dequeue(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS integrity_event_enqueue ON integrity_event")
        schema_editor.execute("DROP FUNCTION IF EXISTS integrity_event_enqueue_fn()")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS integrity_event_enqueue")


class Migration(migrations.Migration):

    dependencies = [
        ("integrity", "0002_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("size", models.BigIntegerField(unique=True)),
                ("root_hash", models.BinaryField(max_length=32)),
                ("origin", models.CharField(max_length=200)),
                ("key_id", models.CharField(help_text="4-byte key hash of the signer, hex", max_length=8)),
                ("signature", models.BinaryField(max_length=64)),
                ("note", models.TextField()),
                ("created_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "ordering": ["size"],
                "get_latest_by": "size",
            },
        ),
        migrations.CreateModel(
            name="TreeNode",
            fields=[
                ("pk", models.CompositePrimaryKey("level", "index", blank=True, editable=False, primary_key=True, serialize=False)),
                ("level", models.PositiveSmallIntegerField()),
                ("index", models.BigIntegerField()),
                ("hash", models.BinaryField(max_length=32)),
            ],
        ),
        migrations.CreateModel(
            name="Unsequenced",
            fields=[
                ("seq", models.BigIntegerField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.CreateModel(
            name="Leaf",
            fields=[
                ("index", models.BigIntegerField(primary_key=True, serialize=False)),
                ("hash", models.BinaryField(max_length=32)),
                ("event", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="leaf", to="integrity.event")),
            ],
        ),
        immutable("integrity_leaf", "journal tree leaves are append-only"),
        immutable("integrity_treenode", "journal tree nodes are append-only"),
        immutable("integrity_checkpoint", "journal checkpoints are append-only"),
        migrations.RunPython(enqueue, dequeue),
    ]
