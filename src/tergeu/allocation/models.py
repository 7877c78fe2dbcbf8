"""Allocation state: officers' specialisations, and rows that serialise allocations per body."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import Organisation
from tergeu.core.models import BaseModel


class Specialisation(BaseModel):
    """What an investigating officer specialises in: chapters or articles of the Criminal Code.

    Set by an administrator (``services.set_specialisation``); allocation prefers a
    specialist among the officers of the body.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="specialisation"
    )
    chapters = models.JSONField(_("chapters of the Criminal Code"), default=list, blank=True)
    articles = models.JSONField(_("articles of the Criminal Code"), default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    def covers(self, article: str, chapter: str) -> bool:
        return article in (self.articles or []) or bool(
            chapter and chapter in (self.chapters or [])
        )

    def __str__(self) -> str:
        return f"{self.user_id}: ch. {self.chapters} art. {self.articles}"


class BodyState(models.Model):
    """One row per body, locked (SELECT ... FOR UPDATE) while an officer is chosen for it,
    so concurrent registrations in one body read each other's loads (fair under a burst)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    allocations = models.PositiveIntegerField(default=0)
    last_allocated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.pk}: {self.allocations}"


class OfficerState(models.Model):
    """When an officer was last given a case: breaks ties between equal loads fairly."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    allocations = models.PositiveIntegerField(default=0)
    last_allocated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.pk}: {self.allocations}"
