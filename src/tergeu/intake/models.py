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
    #: The officer who recorded it; None for a report the applicant filed online.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_online = models.BooleanField(_("submitted online"), default=False)
    #: Structured answers of the public form (:mod:`tergeu.intake.facts`).
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    #: Public number of an online report, given to the applicant with the status link.
    tracking_number = models.CharField(
        _("tracking number"), max_length=20, unique=True, null=True, blank=True
    )
    #: SHA-256 of the secret token of the status link (the token itself is not stored).
    status_token_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    #: Filled by the review queue: crime/not-crime triage and the proposed body.
    assessment = models.JSONField(null=True, blank=True)
    allocation_proposal = models.JSONField(null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
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


class ReportAttachment(BaseModel):
    """A file the applicant attached to an online report, kept in the blob store."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="attachments")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.filename


class OneTimeCode(BaseModel):
    """A code sent to an applicant's phone or e-mail to confirm who files a report.

    Only an HMAC of the code is kept. The identity the applicant gave travels with it and
    becomes the verified identity of the session once the code is entered.
    """

    iin = models.CharField(max_length=12)
    full_name = models.CharField(max_length=300)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=2)
    channel = models.CharField(max_length=10)
    recipient = models.CharField(max_length=254)
    code_hmac = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    voided = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.recipient}"


class RateEvent(models.Model):
    """One counted action (a code requested, a code tried, a report filed) under a key.

    Keys name what is limited: ``otp:contact:+77011234567``, ``submit:ip:10.0.0.1``.
    Rows are kept in the database so every server process sees the same counts.
    """

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key}@{self.at:%Y-%m-%d %H:%M:%S}"
