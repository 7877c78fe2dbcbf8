"""PAdES signatures on PDF documents: signing (with an RFC 3161 timestamp) and verifying.

Profile (see docs/signing.md): PAdES baseline, ``/SubFilter /ETSI.CAdES.detached``,
SHA-256, the signer's certificate and chain embedded in the CMS, a signature timestamp
from the built-in timestamping authority (B-T), and the certificates and CRLs needed to
validate it written to the document security store in the same revision (B-LT). The first
signature certifies the document (DocMDP P=2: only form filling and further signatures are
allowed afterwards); each later signature (approval of the head of unit, the prosecutor's)
is an approval signature in its own field, appended as an incremental update, so every
earlier signature still covers exactly the revision it signed.

Keys never leave key custody: the CMS signature is made by
:func:`tergeu.integrity.pki.services.pyhanko_signer`. Verification is offline: the
validation context holds our trust roots and our current CRLs, so a signer revoked since
signing is reported as not trusted now.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from typing import Any

from asn1crypto import core as asn1_core
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    validate_pdf_signature,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from tergeu.core import clock

logger = logging.getLogger(__name__)


def _patch_asn1crypto_false_indefinite() -> None:
    """Stop asn1crypto from re-encoding whole trees because a length ends in byte 0x80.

    asn1crypto 1.5.1 takes any header whose last byte is 0x80 for an indefinite length
    (wbond/asn1crypto#249), although ``81 80`` or ``82 01 80`` are definite lengths. It
    then re-encodes the subtree with ``force``, which, on structures pyHanko has built,
    repeats exponentially with depth: one signature in a few dozen took 20-40 s instead
    of 0.3 s, depending on the random lengths of keys and serials. An indefinite length
    always leaves a ``00 00`` trailer, so a header ending in 0x80 without one is
    definite: we drop that header (it is recomputed, identically for DER) instead of
    forcing. Output bytes do not change; only the useless work goes.
    """
    if getattr(asn1_core.Sequence.dump, "_tergeu_patched", False):
        return
    for cls in (asn1_core.Sequence, asn1_core.SequenceOf):
        original = cls.dump

        def dump(self: Any, force: bool = False, _original: Any = original) -> bytes:
            header = self._header
            if header is not None and header[-1:] == b"\x80" and not self._trailer:
                self._header = None
            return bytes(_original(self, force))

        dump._tergeu_patched = True  # type: ignore[attr-defined]
        cls.dump = dump


_patch_asn1crypto_false_indefinite()


class _OfflineByDesign(logging.Filter):
    """Hide pyHanko's warning that revocation data is embedded without fetching: ours is
    offline on purpose (the CRLs come from our own CAs, built in process)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_OfflineByDesign())

MD_ALGORITHM = "sha256"
#: A signing certificate must allow one of these key usages (any of them is enough).
KEY_USAGE = frozenset({"non_repudiation", "digital_signature"})

#: Codes of the problems a verdict can report (the UI translates them).
PROBLEMS = (
    "unreadable",  # the PDF or the signature cannot be parsed
    "broken",  # the signed bytes changed (digest mismatch)
    "invalid",  # the cryptographic signature does not verify
    "untrusted",  # no valid chain to our root now
    "revoked",  # the signer's certificate (or a CA's) is revoked
    "no_timestamp",  # no signature timestamp
    "timestamp",  # the timestamp token does not verify or is not trusted
    "modified",  # later revisions change more than the document's permissions allow
)


class SigningFailed(Exception):
    """The PDF could not be signed (not a PDF, field already signed, certificate unusable)."""


@dataclass(frozen=True)
class SignatureVerdict:
    """What the verification of one signature found.

    ``problems`` holds codes from :data:`PROBLEMS`; an empty tuple means the signature is
    intact, valid, trusted, timestamped and not followed by forbidden changes.
    """

    field: str
    signer: str = ""
    serial: str = ""
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    revoked: bool = False
    timestamp_ok: bool = False
    timestamp: dt.datetime | None = None
    signing_time: dt.datetime | None = None
    certification: bool = False
    revision: int = 0
    whole_document: bool = False
    modification: str = ""
    reason: str = ""
    location: str = ""
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing is wrong with this signature."""
        return not self.problems


def _signer_name(cert: Any) -> str:
    """The signer's name as certificates show it: the subject's common name, else all of it."""
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)


def signature_fields(pdf_bytes: bytes) -> list[str]:
    """Names of the signed signature fields of a PDF, in document order."""
    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    return [name for name, _value, _ref in fields.enumerate_sig_fields(reader, filled_status=True)]


def sign_with(
    pdf_bytes: bytes,
    signer: signers.Signer,
    timestamper: TimeStamper,
    validation_context: ValidationContext,
    *,
    reason: str,
    location: str,
    field_name: str,
) -> bytes:
    """Add a PAdES signature in a new field ``field_name``; the mechanics of :func:`sign_pdf`.

    An unsigned PDF receives a certification signature (form filling and signing still
    allowed); a signed one an approval signature in an incremental update.
    """
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        existing = {name: filled for name, filled, _ref in fields.enumerate_sig_fields(writer.prev)}
    except (PdfError, ValueError) as exc:
        raise SigningFailed(f"not a readable PDF: {exc}") from exc
    if existing.get(field_name) is not None:
        raise SigningFailed(f"signature field {field_name!r} is already signed")
    first = not any(filled is not None for filled in existing.values())
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=MD_ALGORITHM,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        certify=first,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        embed_validation_info=True,
        validation_context=validation_context,
        signer_key_usage=set(KEY_USAGE) & _usages(signer),
        dss_settings=DSSContentSettings(
            include_vri=False, placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE
        ),
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name),
    )
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=out)
    except SigningError as exc:
        raise SigningFailed(str(exc)) from exc
    return out.getvalue()


def _usages(signer: signers.Signer) -> set[str]:
    """Key usages of the signer's certificate (so the pre-signing check asks for one of them)."""
    cert = signer.signing_cert
    usage = cert.key_usage_value.native if cert is not None and cert.key_usage_value else set()
    found = set(usage) & KEY_USAGE
    return found or {"non_repudiation"}


def sign_pdf(pdf_bytes: bytes, user: Any, *, reason: str, location: str, field_name: str) -> bytes:
    """Sign ``pdf_bytes`` as ``user`` (PAdES B-LT, RFC 3161 timestamp); return the new PDF.

    The user's key stays in key custody; the user must hold a valid (not revoked)
    certificate (``pki.services.enrol``). Raises :class:`SigningFailed`.
    """
    from tergeu.integrity.pki import services as pki

    return sign_with(
        pdf_bytes,
        pki.pyhanko_signer(user),
        pki.timestamper(),
        pki.validation_context(at=clock.now()),
        reason=reason,
        location=location,
        field_name=field_name,
    )


def _verdict(embedded: EmbeddedPdfSignature, status: PdfSignatureStatus) -> SignatureVerdict:
    cert = status.signing_cert
    ts = status.timestamp_validity
    timestamp_ok = bool(ts is not None and ts.intact and ts.valid and ts.trusted)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level
    modified = status.docmdp_ok is False or (
        level is not None and level > ModificationLevel.FORM_FILLING
    )
    problems = []
    if not status.intact:
        problems.append("broken")
    if not status.valid:
        problems.append("invalid")
    if status.revoked:
        problems.append("revoked")
    if not status.trusted:
        problems.append("untrusted")
    if ts is None:
        problems.append("no_timestamp")
    elif not timestamp_ok:
        problems.append("timestamp")
    if modified:
        problems.append("modified")
    obj = embedded.sig_object
    return SignatureVerdict(
        field=str(embedded.field_name),
        signer=_signer_name(cert),
        serial=f"{cert.serial_number:X}",
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        revoked=status.revoked,
        timestamp_ok=timestamp_ok,
        timestamp=ts.timestamp if ts is not None else None,
        signing_time=status.signer_reported_dt,
        certification=embedded.docmdp_level is not None and "/Reference" in obj,
        revision=embedded.signed_revision,
        whole_document=whole,
        modification=level.name.lower() if level is not None else "",
        reason=str(obj.get("/Reason", "")),
        location=str(obj.get("/Location", "")),
        problems=tuple(problems),
    )


def verify_with(
    pdf_bytes: bytes, context: ValidationContext, *, key_usage: frozenset[str] = KEY_USAGE
) -> list[SignatureVerdict]:
    """Verify every signature of a PDF against ``context`` (roots, CRLs, moment)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:  # any parse failure means we cannot even list the signatures
        logger.info("unreadable PDF: %s", exc)
        return [SignatureVerdict(field="", problems=("unreadable",))]
    usage = KeyUsageConstraints(key_usage=set(key_usage), match_all_key_usages=False)
    verdicts = []
    for sig in embedded:
        try:
            status = validate_pdf_signature(
                sig, signer_validation_context=context, key_usage_settings=usage
            )
        except Exception as exc:  # a damaged signature must not hide the others
            logger.info("signature %s cannot be validated: %s", sig.field_name, exc)
            verdicts.append(SignatureVerdict(field=str(sig.field_name), problems=("unreadable",)))
            continue
        verdicts.append(_verdict(sig, status))
    return verdicts


def verify_pdf(pdf_bytes: bytes, *, at: dt.datetime | None = None) -> list[SignatureVerdict]:
    """Verify every signature of a PDF offline against our roots and CRLs.

    ``at`` validates the certificates as of that moment (default: now, by
    :func:`tergeu.core.clock.now`), so a signer revoked since is reported as not trusted
    now but trusted as of the signing time.
    """
    from tergeu.integrity.pki import services as pki

    return verify_with(pdf_bytes, pki.validation_context(at=at or clock.now()))
