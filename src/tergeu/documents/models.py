"""Procedural documents of a case: a draft until finalised, then immutable (DB triggers).

A finalised document is corrected by a new document that ``supersedes`` it; the old row
never changes. Finalising signs it: the signed PDF goes to the content-addressed store and
its SHA-256 to ``pdf_sha256``; each signature (the author's, then the approvals) is an
append-only :class:`DocumentSignature` naming the PDF as it stood after that signature.
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
    #: SHA-256 of the PDF signed by the author at finalisation (a blob in the store).
    #: Nullable without a default, so that adding it keeps the triggers (see above).
    pdf_sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, null=True)

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


class SignatureRole(models.TextChoices):
    """In what capacity a document is signed."""

    AUTHOR = "author", _("Author")
    APPROVAL = "approval", _("Approval of the head of unit")
    PROSECUTOR = "prosecutor", _("Prosecutor")


class DocumentSignature(BaseModel):
    """One signature of a finalised document, append-only (UPDATE/DELETE refused by triggers).

    ``pdf_sha256`` is the PDF as it stood right after this signature; the last signature's
    hash is the current PDF of the document. Each role signs a document once.
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="signatures")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveSmallIntegerField(_("order of the signature"))
    role = models.CharField(_("capacity"), max_length=20, choices=SignatureRole.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"))
    field_name = models.CharField(max_length=60)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF after this signature"), max_length=64)
    certificate_serial = models.CharField(_("certificate serial number"), max_length=64)

    class Meta:
        ordering = ["document", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "sequence"], name="document_signature_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["document", "role"], name="document_signature_role_unique"
            ),
        ]
        indexes = [models.Index(fields=["case", "document"], name="document_signature_case")]

    def __str__(self) -> str:
        return f"{self.document_id} #{self.sequence} {self.role}"
