"""Abstract base models: UUIDv7 keys and creation/update times."""

from __future__ import annotations

import uuid

from django.db import models

from .ids import uuid7


class BaseModel(models.Model):
    """A row with a time-ordered UUID key and creation/update times (UTC)."""

    id: uuid.UUID = models.UUIDField(primary_key=True, default=uuid7, editable=False)  # type: ignore[assignment]
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Counter(models.Model):
    """A gap-free sequence per scope (e.g. ERDR numbers of one body in one year).

    Taken with SELECT ... FOR UPDATE inside the caller's transaction: a rollback gives
    the number back, so numbers are neither duplicated nor skipped.
    """

    scope = models.CharField(max_length=100, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}={self.value}"
