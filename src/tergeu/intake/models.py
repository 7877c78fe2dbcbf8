"""Reports of criminal offences recorded in the KUI (CPC art. 179-181, 186)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import District, Organisation, Region
from tergeu.core.models import BaseModel


class Source(models.TextChoices):
    """How the report reached the body (CPC art. 180)."""

    IN_PERSON = "in_person", _("In person")
    ELECTRONIC = "electronic", _("Electronic document")
    PHONE = "phone", _("Telephone")
    MEDIA = "media", _("Mass media")
    OFFICER = "officer", _("Officer's report")


class ReportStatus(models.TextChoices):
    """Where a KUI record stands; every status but NEW is a final decision (art. 179-181)."""

    NEW = "new", _("Awaiting decision")
    REGISTERED = "registered", _("Registered in ERDR")
    INCIDENT = "incident", _("Moved to incidents")
    REFERRED = "referred", _("Referred to another body")
    ADMINISTRATIVE = "administrative", _("Sent for administrative action")


class Report(BaseModel):
    """One KUI record: the report, who gave it, and the decision taken on it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reports")
    kui_number = models.CharField(_("KUI number"), max_length=30, unique=True)
    received_at = models.DateTimeField(_("received at"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    applicant_name = models.CharField(_("applicant"), max_length=300, blank=True)
    applicant_iin = models.CharField(_("applicant's IIN"), max_length=12, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_language = models.CharField(max_length=2, default="ru")
    description = models.TextField(_("what happened"))
    offence_at = models.DateTimeField(_("time of the offence"), null=True, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("place"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("reasons"), blank=True)
    referred_to = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    referred_to_text = models.CharField(_("referred to"), max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["organisation", "status", "received_at"])]

    def __str__(self) -> str:
        return self.kui_number
