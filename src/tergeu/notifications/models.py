"""The outbox: messages to send by SMS or e-mail, written in the transaction of the change
that causes them; ``tergeu worker`` delivers them (:mod:`.worker`, docs/notifications.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.core.models import BaseModel


class Channel(models.TextChoices):
    """How a message travels."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    """Where a message stands in the outbox (docs/notifications.md draws the states).

    ``pending`` → ``sending`` (claimed by a worker, under a lease) → ``sent`` (the peer
    accepted it) → ``delivered`` (a receipt says it arrived). A transient error makes it
    ``failed`` with a retry scheduled; a permanent one, a negative receipt or too many
    attempts make it ``dead`` (the dead letters an operator may retry).
    """

    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, will be retried")
    DEAD = "dead", _("Not delivered")


class Kind(models.TextChoices):
    """What a message is about; each kind has its template ``notifications/<kind>.txt``."""

    OTP = "otp", _("One-time code")
    REPORT_RECEIVED = "report_received", _("Report received")
    REPORT_REGISTERED = "report_registered", _("Registered in ERDR")
    REPORT_INCIDENT = "report_incident", _("Moved to incidents")
    REPORT_REFERRED = "report_referred", _("Referred to another body")
    REPORT_ADMINISTRATIVE = "report_administrative", _("Sent for administrative action")
    SUMMONS = "summons", _("Summons")
    VICTIM_RECOGNISED = "victim_recognised", _("Recognised as a victim")
    CASE_TERMINATED = "case_terminated", _("Investigation terminated")
    FAMILIARISATION = "familiarisation", _("Case file ready to study")
    LEGALAID_OFFER = "legalaid_offer", _("Offer of legal aid")
    LEGALAID_ACCEPTED = "legalaid_accepted", _("Defender appointed")
    LEGALAID_UNFILLED = "legalaid_unfilled", _("No duty lawyer available")
    DEADLINE_WARNING = "deadline_warning", _("Time limit running out")
    DEADLINE_EXPIRED = "deadline_expired", _("Time limit missed")
    DEADLINE_RELEASE = "deadline_release", _("Release the person")


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
    #: The id the peer gave: the SMSC's message_id, or the e-mail's Message-ID.
    peer_id = models.CharField(max_length=255, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    #: The worker that holds the message while it is ``sending``, and until when.
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "claimed_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


class PartStatus(models.TextChoices):
    """Where one part of a concatenated SMS stands."""

    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered")


class MessagePart(BaseModel):
    """One part of a message the peer split (a long SMS sent as concatenated parts).

    A message is delivered when every part is; one undeliverable part makes it dead.
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="parts")
    seq = models.PositiveIntegerField()
    peer_id = models.CharField(max_length=255, db_index=True)
    status = models.CharField(max_length=20, choices=PartStatus.choices, default=PartStatus.SENT)
    receipt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["message", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["message", "seq"], name="notifications_part_seq")
        ]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.seq}"
