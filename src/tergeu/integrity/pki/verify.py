"""Checking signatures made outside (or inside) Tergeu against the trusted CAs.

:func:`verify_detached_cms` accepts a detached CMS (PKCS#7) signature over a document,
as made by ``openssl cms -sign``, a national e-signature tool, or Tergeu itself, when:
the signature covers exactly the document; its algorithm is registered
(:mod:`.algorithms`: RSA PKCS#1 v1.5 and PSS, ECDSA); the signer's certificate chains to
a trusted root (Tergeu's own, a CA imported with ``pki_import_ca``, or a root added with
``pki_trust_root``), allows non-repudiation, was valid at the time of checking and is not
revoked on the CRLs of our CAs. The work is pyHanko's CMS validation, offline.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import cms, pem
from asn1crypto import x509 as ax509
from cryptography import x509
from django.utils.translation import gettext_lazy as _
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import StandardCMSSignatureStatus
from pyhanko_certvalidator import ValidationContext

from tergeu.core import clock
from tergeu.core.errors import Message

from .algorithms import RegistrySignatureValidator, lookup, mechanism_name
from .authority import all_crls, intermediate_ders, trust_root_ders
from .issuing import subject_text

log = logging.getLogger(__name__)

#: A signature on a procedural document must commit its signer (RFC 5280 contentCommitment).
SIGNER_KEY_USAGE = frozenset({"non_repudiation"})


@dataclass(frozen=True)
class Reason:
    """Why a signature is not accepted: a stable ``code`` and a translatable message."""

    code: str
    message: Message
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass(frozen=True)
class CmsVerdict:
    """The outcome of checking a detached CMS signature."""

    valid: bool
    signer_subject: str = ""
    certificate_serial: str = ""
    signing_time: dt.datetime | None = None
    reasons: list[Reason] = field(default_factory=list)
    algorithm: str = ""
    trust_anchor: str = ""

    def texts(self) -> list[str]:
        """The reasons in the active language."""
        return [str(r) for r in self.reasons]


def trust_roots() -> list[ax509.Certificate]:
    """Every trust anchor: Tergeu's root, imported self-signed CAs, imported trusted roots."""
    return [ax509.Certificate.load(d) for d in trust_root_ders()]


def validation_context(*, at: dt.datetime | None = None) -> ValidationContext:
    """An offline pyhanko-certvalidator context: our roots, our CAs, fresh CRLs of our CAs.

    Revocation is checked against our CRLs (``soft-fail`` only where a CA is not ours and
    no CRL is known, e.g. an imported national root). ``at`` validates as of that moment;
    our CRLs are current and entries dated after ``at`` do not count (no holds are used,
    so a revocation is never undone: reading them retroactively is sound). Without
    ``at`` the moment is :func:`tergeu.core.clock.now`, the time the CRLs are made at.
    """
    return ValidationContext(
        trust_roots=trust_roots(),
        other_certs=[ax509.Certificate.load(d) for d in intermediate_ders()],
        crls=all_crls(),
        allow_fetching=False,
        moment=at or clock.now(),
        revocation_mode="soft-fail",
        retroactive_revinfo=True,
        signature_validator=RegistrySignatureValidator(),
    )


def _load_cms(cms_der: bytes) -> cms.SignedData:
    if pem.detect(cms_der):
        _, _, cms_der = pem.unarmor(cms_der)
    info = cms.ContentInfo.load(cms_der)
    if info["content_type"].native != "signed_data":
        raise ValueError("not SignedData")
    signed_data: cms.SignedData = info["content"]
    # asn1crypto parses lazily; touch what is read below so malformed input fails here
    # (``.native`` of the whole would do it too, but takes seconds with a timestamp inside).
    for signer_info in signed_data["signer_infos"]:
        signer_info["signature_algorithm"]["algorithm"].native  # noqa: B018
        signer_info["digest_algorithm"]["algorithm"].native  # noqa: B018
    len(signed_data["certificates"])
    signed_data["encap_content_info"]["content_type"].native  # noqa: B018
    return signed_data


def _subject(cert: ax509.Certificate) -> tuple[str, str]:
    parsed = x509.load_der_x509_certificate(cert.dump())
    return subject_text(parsed.subject), f"{parsed.serial_number:X}"


def _anchor(status: StandardCMSSignatureStatus) -> str:
    if status.validation_path is None:
        return ""
    authority = status.validation_path.trust_anchor.authority
    cert = getattr(authority, "certificate", None)
    if isinstance(cert, ax509.Certificate):
        return _subject(cert)[0]
    return str(authority.name.human_friendly)


_NOT_VALID_NOW = (
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.NOT_YET_VALID,
    AdESFailure.NOT_YET_VALID,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
)


def _trust_reason(status: StandardCMSSignatureStatus) -> Reason | None:
    indic = status.trust_problem_indic
    if indic is None:
        return None
    details = status.revocation_details
    if details is not None:
        when = details.revocation_date.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        if details.ca_revoked:
            return Reason(
                "ca_revoked",
                _(
                    "The certificate of the authority that issued the signer's was revoked on "
                    "%(date)s."
                ),
                {"date": when},
            )
        return Reason(
            "revoked", _("The signer's certificate was revoked on %(date)s."), {"date": when}
        )
    if indic == AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE:
        return Reason(
            "chain",
            _(
                "A certificate of an authority in the signer's chain was not valid at the time "
                "of checking (expired, not yet valid or revoked)."
            ),
        )
    if indic == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        return Reason(
            "untrusted",
            _("The signer's certificate does not chain to a trusted certification authority."),
        )
    if indic in _NOT_VALID_NOW:
        return Reason(
            "expired",
            _(
                "The signer's certificate was not valid at the time of checking "
                "(expired or not yet valid)."
            ),
        )
    if indic == AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE:
        return Reason("key_usage", _("The signer's certificate does not allow signing documents."))
    if indic in (
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE,
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
    ):
        return Reason(
            "weak_algorithm",
            _("The signature or the certificate uses an algorithm that is no longer accepted."),
        )
    return Reason(
        "not_trusted",
        _("The signer's certificate could not be validated (%(detail)s)."),
        {"detail": getattr(indic, "name", str(indic))},
    )


def _run(coro: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise RuntimeError("verify_detached_cms is synchronous; call it outside an event loop")


def verify_detached_cms(
    data: bytes, cms_der: bytes, *, at: dt.datetime | None = None
) -> CmsVerdict:
    """Check a detached CMS signature (DER or PEM) over exactly ``data``.

    An attached signature is accepted too when the content it carries is ``data``.
    ``at`` (default: now) is the moment the certificate must have been valid.
    """
    try:
        signed_data = _load_cms(cms_der)
        infos = signed_data["signer_infos"]
        if len(infos) != 1:
            return CmsVerdict(
                False, reasons=[Reason("signers", _("The signature must have exactly one signer."))]
            )
        signer_info = infos[0]
    except (ValueError, TypeError, KeyError, OSError):
        return CmsVerdict(
            False, reasons=[Reason("format", _("This is not a CMS (PKCS#7) signature."))]
        )

    eci = signed_data["encap_content_info"]
    if eci["content"].native is not None:
        if bytes(eci["content"]) != data:
            return CmsVerdict(
                False,
                reasons=[
                    Reason("content", _("The signature carries another document than this one."))
                ],
            )
        signed_data = signed_data.copy()
        signed_data["encap_content_info"] = {"content_type": eci["content_type"]}

    if lookup(signer_info["signature_algorithm"]) is None:
        name = mechanism_name(signer_info["signature_algorithm"])
        return CmsVerdict(
            False,
            algorithm=name,
            reasons=[
                Reason(
                    "algorithm",
                    _("The signature algorithm %(algorithm)s is not accepted."),
                    {"algorithm": name},
                )
            ],
        )

    try:
        status: StandardCMSSignatureStatus = _run(
            async_validate_detached_cms(
                data,
                signed_data,
                signer_validation_context=validation_context(at=at),
                key_usage_settings=KeyUsageConstraints(key_usage=set(SIGNER_KEY_USAGE)),
            )
        )
    except RuntimeError:
        raise
    except Exception as exc:  # pyHanko raises many kinds for malformed input
        log.info("CMS validation failed", exc_info=exc)
        return CmsVerdict(
            False,
            reasons=[
                Reason(
                    "malformed",
                    _("The signature could not be checked: %(detail)s"),
                    {"detail": str(exc)},
                )
            ],
        )

    subject, serial = _subject(status.signing_cert)
    reasons: list[Reason] = []
    if not status.intact:
        reasons.append(
            Reason(
                "mismatch",
                _(
                    "The signature does not match the document: the document was changed, "
                    "or the signature is for another one."
                ),
            )
        )
    elif not status.valid:
        reasons.append(
            Reason(
                "bad_signature",
                _("The signature value does not verify with the signer's certificate."),
            )
        )
    trust = _trust_reason(status)
    if trust is not None and status.intact and status.valid:
        reasons.append(trust)
    ts = status.timestamp_validity
    if ts is not None and not (ts.intact and ts.valid and ts.trusted):
        reasons.append(Reason("timestamp", _("The timestamp of the signature is not valid.")))

    signing_time = status.signer_reported_dt
    if ts is not None and ts.intact and ts.valid:
        signing_time = ts.timestamp
    if not reasons and not status.bottom_line:
        reasons.append(
            Reason(
                "not_trusted",
                _("The signer's certificate could not be validated (%(detail)s)."),
                {"detail": "bottom line"},
            )
        )
    return CmsVerdict(
        valid=not reasons,
        signer_subject=subject,
        certificate_serial=serial,
        signing_time=signing_time,
        reasons=reasons,
        algorithm=mechanism_name(signer_info["signature_algorithm"]),
        trust_anchor=_anchor(status),
    )
