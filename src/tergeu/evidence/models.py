"""Evidence items of a case, their files and their chain of custody.

An :class:`EvidenceItem` is a thing recognised as evidence (CPC art. 118, 120): its
number in the case, what it is, where it was seized and who holds it now. Its files
(photos, recordings, scans) live in the content-addressed store (:mod:`tergeu.core.blobs`)
under their SHA-256; an :class:`EvidenceFile` row names one of them. Every receipt,
transfer, examination, return and destruction is a :class:`CustodyEvent` that points to
its journal event. Files and custody events are append-only (triggers, migration 0002);
every table carries ``case_id`` so that it can be distributed by case.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import Organisation
from tergeu.cases.models import Case
from tergeu.core.ids import uuid7
from tergeu.core.models import BaseModel


class ItemKind(models.TextChoices):
    """What an item of evidence is (CPC art. 118(1), 120(3))."""

    OBJECT = "object", _("Physical object")
    DOCUMENT = "document", _("Document")
    DIGITAL = "digital", _("Digital file or storage medium")
    SAMPLE = "sample", _("Sample")
    MONEY = "money", _("Money or valuables")
    OTHER = "other", _("Other")


class ItemStatus(models.TextChoices):
    """Where an item is in its chain of custody; moves are in :mod:`.rules`."""

    IN_CUSTODY = "in_custody", _("In custody")
    TRANSFERRED = "transferred", _("Transferred for safekeeping")
    UNDER_EXAMINATION = "under_examination", _("Under forensic examination")
    RETURNED = "returned", _("Returned to the owner")
    DESTROYED = "destroyed", _("Destroyed")


class CustodyKind(models.TextChoices):
    """Kinds of custody events; the journal action is ``evidence.<kind>``."""

    RECEIVED = "received", _("Receipt")
    TRANSFERRED = "transferred", _("Transfer")
    EXAMINATION_SENT = "examination_sent", _("Sent for forensic examination")
    EXAMINATION_RETURNED = "examination_returned", _("Returned from forensic examination")
    RETURNED_TO_OWNER = "returned_to_owner", _("Returned to the owner")
    DESTROYED = "destroyed", _("Destroyed")


class EvidenceItem(BaseModel):
    """An item of evidence in a case, numbered in the case without gaps."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence_items")
    number = models.PositiveIntegerField(_("number in the case"))
    description = models.TextField(_("description"))
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    seized_at = models.DateTimeField(_("seized at"))
    seized_where = models.CharField(_("where seized or by whom provided"), max_length=500)
    holder = models.CharField(_("holder"), max_length=300, blank=True)
    holder_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.IN_CUSTODY
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="evidence_item_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.number}"

    @property
    def holder_label(self) -> str:
        """Who holds the item now, in the reader's language."""
        return holder_label(self.holder, self.holder_organisation, self.holder_user)


class EvidenceFile(models.Model):
    """A file of an item: its SHA-256 names the blob in the store. Never changes."""

    id: uuid.UUID = models.UUIDField(primary_key=True, default=uuid7, editable=False)  # type: ignore[assignment]
    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="files")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("size in bytes"))
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    journal_event_uid = models.UUIDField(unique=True)

    class Meta:
        ordering = ["item", "uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "sha256"], name="evidence_file_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class CustodyEvent(models.Model):
    """One link of the chain of custody of an item, tied to its journal event. Never changes."""

    id: uuid.UUID = models.UUIDField(primary_key=True, default=uuid7, editable=False)  # type: ignore[assignment]
    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("event"), max_length=30, choices=CustodyKind.choices)
    from_holder = models.CharField(_("from"), max_length=300, blank=True)
    to_holder = models.CharField(_("to"), max_length=300, blank=True)
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    rule = models.CharField(_("legal basis"), max_length=60, blank=True)
    journal_event_uid = models.UUIDField(unique=True)

    class Meta:
        ordering = ["item", "at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def to_label(self) -> str:
        """Who received the item by this event, in the reader's language."""
        return holder_label(self.to_holder, self.to_organisation, self.to_user)


def holder_label(text: str, organisation: Organisation | None, user: Any) -> str:
    """Who holds an item, as a person reads it: organisation, official, then the text."""
    parts = [
        organisation.name if organisation is not None else "",
        user.full_name or user.username if user is not None else "",
        text,
    ]
    return " · ".join(p for p in parts if p)
