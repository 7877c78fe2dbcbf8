"""The outbox: messages to send by SMS or e-mail, written in the transaction of the change
that causes them (a delivery worker sends them later; it is the next issue's)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.core.models import BaseModel


class Channel(models.TextChoices):
    """How a message travels."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    """Where a message stands; delivery (issue 5) adds sent, failed and dead."""

    PENDING = "pending", _("Waiting to be sent")


class Kind(models.TextChoices):
    """What a message is about; each kind has its template ``notifications/<kind>.txt``."""

    OTP = "otp", _("One-time code")
    REPORT_RECEIVED = "report_received", _("Report received")
    REPORT_REGISTERED = "report_registered", _("Registered in ERDR")
    REPORT_INCIDENT = "report_incident", _("Moved to incidents")
    REPORT_REFERRED = "report_referred", _("Referred to another body")
    REPORT_ADMINISTRATIVE = "report_administrative", _("Sent for administrative action")


class Message(BaseModel):
    """One message to one recipient, rendered in the recipient's language when queued."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=2)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    html = models.TextField(blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MessageStatus.choices,
        default=MessageStatus.PENDING,
    )
    report = models.ForeignKey(
        "intake.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    #: The case the message belongs to: a plain UUID, so the table can be distributed by it.
    case_id = models.UUIDField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"
