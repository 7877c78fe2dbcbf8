"""The journal: one row per change of state, append-only at the database level."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.core.ids import uuid7


class Event(models.Model):
    """An event of the journal: who did what, when, to which case, and the change as JSON.

    ``payload`` is canonical JSON (RFC 8785), so its SHA-256 is stable and can become a
    Merkle leaf. UPDATE and DELETE are refused by triggers (migration 0002).
    """

    seq = models.BigAutoField(primary_key=True)
    uid: uuid.UUID = models.UUIDField(default=uuid7, unique=True, editable=False)  # type: ignore[assignment]
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    case_id = models.UUIDField(null=True, blank=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    payload = models.TextField()
    payload_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["case_id", "seq"], name="event_case_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


# ---------------------------------------------------------------- the Merkle tree
# docs/journal.md describes the tree, the leaf format and the checkpoints.


class Leaf(models.Model):
    """Leaf ``index`` of the RFC 9162 tree: the hash of one event's canonical JSON.

    ``hash`` is ``SHA-256(0x00 || event_leaf_bytes(event))`` (see
    :func:`tergeu.integrity.tree.event_leaf_bytes`). Leaves are appended by the sequencer
    (:func:`tergeu.integrity.tree.integrate`) and never change (triggers, migration 0003).
    """

    index = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="leaf")
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"leaf {self.index}"


class TreeNode(models.Model):
    """The hash of a complete subtree: ``level`` >= 1, leaves ``[i * 2**level, (i+1) * 2**level)``.

    Every complete subtree is stored once it is complete, so any proof reads O(log n)
    rows; level 0 (the leaves) lives in :class:`Leaf`. Append-only (migration 0003).
    """

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class Checkpoint(models.Model):
    """A signed tree head: a C2SP tlog-checkpoint signed as a C2SP signed note (Ed25519).

    ``note`` is the whole signed note as issued (body, blank line, signature line), so it
    can be handed out and verified byte for byte. Append-only (migration 0003).
    """

    size = models.BigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    origin = models.CharField(max_length=200)
    key_id = models.CharField(max_length=8, help_text="4-byte key hash of the signer, hex")
    signature = models.BinaryField(max_length=64)
    note = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["size"]
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class Unsequenced(models.Model):
    """Events waiting for a leaf: filled by a trigger on every insert into the journal.

    The sequencer takes them in ``seq`` order and deletes them in the transaction that
    writes their leaves, so finding the new events costs O(new), not O(journal), and an
    event whose transaction commits late (a lower ``seq`` after a higher one, on
    PostgreSQL) is still found. Not append-only: it is a queue, not evidence.
    """

    seq = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return f"unsequenced #{self.seq}"
