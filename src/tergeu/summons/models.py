"""An electronic summons (CPC art. 208(1)): a finalised summons document sent to its person.

The personal link's token is never stored: only its SHA-256 (``token_sha256``), as for the
public report pages. The message goes by the first of ``channels`` the person has a contact
for; when the outbox gives that message up (dead), the next channel is tried.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.cases.models import Case, Participant
from tergeu.core.models import BaseModel
from tergeu.documents.models import Document
from tergeu.notifications.models import Message


class SummonsStatus(models.TextChoices):
    """Where a summons stands; the order is the order of progress (failed aside)."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    OPENED = "opened", _("Opened")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Not delivered")


#: Progress ranks: a later event never moves a summons back (a late receipt after opening).
RANK = {
    SummonsStatus.QUEUED: 0,
    SummonsStatus.FAILED: 0,
    SummonsStatus.SENT: 1,
    SummonsStatus.DELIVERED: 2,
    SummonsStatus.OPENED: 3,
    SummonsStatus.CONFIRMED: 4,
}


class Summons(BaseModel):
    """One summons sent to one participant, with its delivery and the person's answers."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="summonses")
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="summons")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    #: The channels in the order they are tried, e.g. ["sms", "email"].
    channels = models.JSONField(_("channels"), default=list)
    #: The channel of the current message (an index into ``channels``).
    channel_index = models.PositiveSmallIntegerField(default=0)
    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=2)
    token_sha256 = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SummonsStatus.choices, default=SummonsStatus.QUEUED
    )
    appear_at = models.DateTimeField(_("appear at"))
    expires_at = models.DateTimeField()
    #: The site address the links are made with (kept for the fallback's new link).
    link_base = models.CharField(max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "-created_at"]
        indexes = [models.Index(fields=["case", "created_at"], name="summons_case_created")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.participant_id} {self.status}"

    @property
    def channel(self) -> str:
        """The channel of the current message."""
        return str(self.channels[self.channel_index]) if self.channels else ""
