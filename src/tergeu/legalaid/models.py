"""The bar's duty roster, appointments of a defender and the offers made to duty lawyers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import Organisation, Region
from tergeu.cases.models import Case, Participant
from tergeu.core.models import BaseModel


class DutySlot(BaseModel):
    """A lawyer on duty for a region between two moments, taking at most ``capacity``
    appointments in that time (offers open or accepted during the slot)."""

    bar = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("bar")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="duty_slots",
        verbose_name=_("lawyer"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "lawyer"]
        indexes = [models.Index(fields=["region", "starts_at", "ends_at"], name="duty_region_time")]

    def __str__(self) -> str:
        return f"{self.lawyer_id} {self.starts_at:%Y-%m-%d %H:%M}"


class AppointmentStatus(models.TextChoices):
    """Where an appointment stands."""

    SEARCHING = "searching", _("Offered to a duty lawyer")
    FILLED = "filled", _("Defender appointed")
    UNFILLED = "unfilled", _("No duty lawyer available")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(BaseModel):
    """The appointment of a defender for a participant of a case (CPC art. 67(3), 68(2))."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="defender_appointments")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("grounds"), blank=True)
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.SEARCHING,
    )
    #: When the person was detained; ``due_at`` is 24 hours later (CPC art. 68(4)).
    detained_at = models.DateTimeField(_("detained at"), null=True, blank=True)
    due_at = models.DateTimeField(_("defender due by"), null=True, blank=True)
    defender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "region"], name="appointment_status_region")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class OfferStatus(models.TextChoices):
    """What became of an offer to a duty lawyer."""

    OFFERED = "offered", _("Waiting for the answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("No answer in time")


class Offer(BaseModel):
    """An appointment offered to one duty lawyer, who accepts or declines by ``expires_at``."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="offers")
    #: The case of the appointment, a copy so the table can be distributed by it.
    case_id = models.UUIDField(db_index=True)
    slot = models.ForeignKey(DutySlot, on_delete=models.PROTECT, related_name="offers")
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="legalaid_offers"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    offered_at = models.DateTimeField(_("offered at"))
    expires_at = models.DateTimeField(_("answer by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-offered_at"]
        indexes = [
            models.Index(fields=["lawyer", "status"], name="offer_lawyer_status"),
            models.Index(fields=["status", "expires_at"], name="offer_status_expiry"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(status="offered"),
                name="offer_one_open_per_appointment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lawyer_id} {self.status}"
