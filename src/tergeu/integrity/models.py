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
