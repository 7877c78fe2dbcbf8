"""Certification authorities, certificates, private keys in custody and trusted roots.

Certificates and CRLs are DER; serials are stored as upper-case hexadecimal strings
(they are 127-bit random numbers, too large for a database integer). Private keys are
only ever stored encrypted (see :mod:`.custody`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.core.models import BaseModel

#: The name of Tergeu's own root CA.
ROOT = "root"


class CertificateAuthority(BaseModel):
    """A CA: Tergeu's root, an issuing CA per organisation kind, or one imported from outside.

    ``kind`` is ``"root"`` for a self-signed CA, or an :class:`~tergeu.accounts.models.OrgKind`
    value for the CA that issues the certificates of that kind's staff. Only one CA per
    kind is ``active`` (issues new certificates); older ones still sign CRLs. ``key_ref``
    is empty for a CA whose key Tergeu does not hold (it can then issue nothing).
    """

    name = models.SlugField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    subject = models.CharField(_("subject"), max_length=500)
    der = models.BinaryField()
    sha256 = models.CharField(max_length=64, unique=True)
    not_after = models.DateTimeField(_("valid until"))
    key_ref = models.CharField(max_length=200, blank=True)
    external = models.BooleanField(_("created outside Tergeu"), default=False)
    active = models.BooleanField(_("issues certificates"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("certification authority")
        verbose_name_plural = _("certification authorities")

    def __str__(self) -> str:
        return self.name


class Purpose(models.TextChoices):
    """What an end-entity certificate is for."""

    SIGNING = "signing", _("Signing documents")
    TIMESTAMPING = "timestamping", _("Timestamping")


class RevocationReason(models.TextChoices):
    """Reasons of revocation (RFC 5280, 5.3.1) that Tergeu lets an administrator give."""

    UNSPECIFIED = "unspecified", _("Unspecified")
    KEY_COMPROMISE = "key_compromise", _("Key compromise")
    AFFILIATION_CHANGED = "affiliation_changed", _("Affiliation changed")
    SUPERSEDED = "superseded", _("Superseded")
    CESSATION_OF_OPERATION = "cessation_of_operation", _("Cessation of operation")


class Certificate(BaseModel):
    """An end-entity certificate issued by one of our CAs: an official's or the TSA's."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    ca = models.ForeignKey(CertificateAuthority, on_delete=models.PROTECT, related_name="issued")
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.SIGNING
    )
    serial = models.CharField(_("serial number"), max_length=40)
    subject = models.CharField(_("subject"), max_length=500)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    der = models.BinaryField()
    sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    key_ref = models.CharField(max_length=200)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(
        _("reason of revocation"), max_length=30, choices=RevocationReason.choices, blank=True
    )

    class Meta:
        ordering = ["-not_before"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["ca", "serial"], name="pki_certificate_ca_serial")
        ]
        indexes = [models.Index(fields=["user", "purpose", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial})"

    @property
    def serial_int(self) -> int:
        """The serial number as an integer."""
        return int(self.serial, 16)


class PrivateKey(BaseModel):
    """A private key held by :class:`~.custody.EncryptedDatabaseCustody`: encrypted PKCS#8."""

    key_ref = models.CharField(max_length=200, unique=True)
    algorithm = models.CharField(max_length=20)
    public_der = models.BinaryField()
    encrypted_pem = models.TextField()

    class Meta:
        verbose_name = _("private key")
        verbose_name_plural = _("private keys")

    def __str__(self) -> str:
        return f"{self.key_ref} ({self.algorithm})"


class TrustedRoot(BaseModel):
    """A root CA created outside Tergeu whose signatures Tergeu accepts (e.g. a national CA)."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    subject = models.CharField(_("subject"), max_length=500)
    der = models.BinaryField()
    sha256 = models.CharField(max_length=64, unique=True)
    not_after = models.DateTimeField(_("valid until"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("trusted root")
        verbose_name_plural = _("trusted roots")

    def __str__(self) -> str:
        return self.name
