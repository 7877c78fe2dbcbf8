"""Signing documents as PDF and checking their signatures (used by :mod:`.services`).

Finalising renders the PDF (:mod:`.pdf`) and signs it as the author; the head of unit and
the supervising prosecutor add approval signatures incrementally. Each signature is a
:class:`~.models.DocumentSignature` row naming the PDF after it, and the PDF itself is a
blob in the content-addressed store. Reasons and locations are written in the document's
language, as the rest of its text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from tergeu.core import blobs
from tergeu.core.errors import Conflict, ValidationFailed
from tergeu.integrity import signing

from .models import Document, DocumentSignature, SignatureRole

#: The signature field of each role in the PDF.
FIELDS = {
    SignatureRole.AUTHOR: "tergeu-author",
    SignatureRole.APPROVAL: "tergeu-approval",
    SignatureRole.PROSECUTOR: "tergeu-prosecutor",
}

#: The /Reason of each role's signature, in the document's language.
REASONS: dict[str, dict[str, str]] = {
    SignatureRole.AUTHOR: {
        "kk": "Құжатты жасады және қол қойды",
        "ru": "Документ составлен и подписан",
        "en": "Drawn up and signed",
    },
    SignatureRole.APPROVAL: {
        "kk": "Келісілді (бөлім бастығы)",
        "ru": "Согласовано (начальник отдела)",
        "en": "Approved (head of unit)",
    },
    SignatureRole.PROSECUTOR: {
        "kk": "Келісілді (қадағалаушы прокурор)",
        "ru": "Согласовано (надзирающий прокурор)",
        "en": "Approved (supervising prosecutor)",
    },
}

#: Problems of a verification, as the pages name them.
PROBLEM_TEXTS = {
    "unreadable": _("the PDF or the signature cannot be read"),
    "broken": _("the signed content was changed"),
    "invalid": _("the signature does not verify"),
    "untrusted": _("the certificate does not lead to a trusted root"),
    "revoked": _("the certificate is revoked"),
    "no_timestamp": _("there is no timestamp"),
    "timestamp": _("the timestamp does not verify"),
    "modified": _("the document was changed after signing beyond what is allowed"),
    "missing": _("the signed PDF is missing from the store"),
}


def signer_certificate(user: Any) -> Any:
    """The user's valid signing certificate, enrolling them on their first signature.

    An account that cannot be given one (no IIN, no organisation) is refused with a
    Conflict that says why, so the draft stays a draft.
    """
    from tergeu.integrity.pki import services as pki

    try:
        return pki.enrol(user)
    except ValidationFailed as exc:
        reasons = "; ".join(t for texts in exc.field_texts().values() for t in texts)
        raise Conflict(
            _("You cannot sign: %(reason)s Ask an administrator to complete your account."),
            reason=reasons,
        ) from exc


def _location(doc: Document) -> str:
    region = doc.case.organisation.region
    return str(getattr(region, f"name_{doc.language}", "") or region.name_ru)


def sign_as(doc: Document, user: Any, role: str, pdf: bytes) -> tuple[bytes, str]:
    """Sign ``pdf`` as ``user`` in ``role``; store the result; return it and its SHA-256."""
    language = doc.language if doc.language in ("kk", "ru", "en") else "ru"
    try:
        signed = signing.sign_pdf(
            pdf,
            user,
            reason=REASONS[role][language],
            location=_location(doc),
            field_name=FIELDS[SignatureRole(role)],
        )
    except signing.SigningFailed as exc:
        raise Conflict(_("The document could not be signed: %(reason)s"), reason=str(exc)) from exc
    return signed, blobs.put_bytes(signed)


def latest_pdf_sha256(doc: Document) -> str | None:
    """SHA-256 of the current PDF: after the last signature, else the author's."""
    last = (
        DocumentSignature.objects.filter(document=doc)
        .order_by("-sequence")
        .values_list("pdf_sha256", flat=True)
        .first()
    )
    return last or doc.pdf_sha256


def read_pdf(sha256: str) -> bytes:
    """A stored PDF, refused with a Conflict if it is missing or no longer matches its hash."""
    try:
        data = blobs.read_bytes(sha256)
    except FileNotFoundError as exc:
        raise Conflict(_("The signed PDF of this document is missing from the store.")) from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Conflict(_("The stored PDF of this document no longer matches its hash."))
    return data


@dataclass(frozen=True)
class SignatureCheck:
    """A recorded signature and what verifying the current PDF says about it."""

    row: DocumentSignature
    verdict: signing.SignatureVerdict | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """The signature verifies: intact, valid, trusted and timestamped."""
        return not self.problems

    def problem_texts(self) -> list[str]:
        """The problems in the active language."""
        return [str(PROBLEM_TEXTS.get(p, p)) for p in self.problems]


def check_signatures(doc: Document) -> list[SignatureCheck]:
    """Verify the current PDF of ``doc`` and pair each recorded signature with its verdict.

    The caller has read the document (access checked and journaled). A missing blob or a
    signature that the PDF no longer holds is reported as a problem, not an error.
    """
    rows = list(
        DocumentSignature.objects.filter(document=doc).select_related("signer").order_by("sequence")
    )
    sha = rows[-1].pdf_sha256 if rows else doc.pdf_sha256
    if not rows or not sha:
        return []
    try:
        data = blobs.read_bytes(sha)
    except FileNotFoundError:
        return [SignatureCheck(row=row, verdict=None, problems=("missing",)) for row in rows]
    verdicts = {v.field: v for v in signing.verify_pdf(data)}
    broken = hashlib.sha256(data).hexdigest() != sha
    checks = []
    for row in rows:
        verdict = verdicts.get(row.field_name) or verdicts.get("")
        problems = verdict.problems if verdict is not None else ("unreadable",)
        if broken and not problems:
            problems = ("broken",)
        checks.append(SignatureCheck(row=row, verdict=verdict, problems=problems))
    return checks
