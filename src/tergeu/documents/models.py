"""Procedural documents of a case: a draft until finalised, then immutable (DB triggers).

A finalised document is corrected by a new document that ``supersedes`` it; the old row
never changes. Signatures (PAdES/CMS) attach to the finalised content hash in the next step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.cases.models import Case
from tergeu.core.models import BaseModel


class DocStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Finalised")


class Document(BaseModel):
    """One procedural document: its type from the catalogue, its fields and rendered text."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(_("type"), max_length=60)
    number = models.PositiveIntegerField(_("number in the case"))
    title = models.CharField(_("title"), max_length=300)
    fields = models.JSONField(_("fields"), default=dict)
    body = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=2, default="ru")
    status = models.CharField(
        _("status"), max_length=10, choices=DocStatus.choices, default=DocStatus.DRAFT
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_sha256 = models.CharField(max_length=64, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    #: Nullable so that adding it is a plain ALTER TABLE on SQLite (a table rebuild would
    #: drop the immutability triggers of migration 0002).
    correction_reason = models.TextField(_("reason for the correction"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="document_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.number} {self.title}"

    @property
    def is_final(self) -> bool:
        """True once finalised (and so immutable)."""
        return self.status == DocStatus.FINAL
