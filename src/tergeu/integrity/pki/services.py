"""Services of the internal PKI: set-up, enrolment, revocation, imports; signing and
timestamping material for pyHanko; verification of external signatures.

Hierarchy (all ECDSA P-256 with SHA-256 by default; ``TERGEU_PKI_CA_KEY`` and
``TERGEU_PKI_USER_KEY`` may choose ``rsa-3072``)::

    Tergeu Root CA (self-signed, 20 years)
    ├── Tergeu Issuing CA <kind>  one per OrgKind (10 years, pathLen 0)
    │   └── officials' signing certificates (1 year, TERGEU_PKI_USER_CERT_DAYS)
    └── Tergeu Timestamping Authority (8 years, EKU timeStamping, critical)

Every change of state is journaled (``pki.*`` actions). Keys live in key custody
(:mod:`.custody`); nothing here touches private key bytes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any, cast

from asn1crypto import x509 as ax509
from cryptography import x509
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import TimeStamper

from tergeu.accounts.models import OrgKind, Role, User
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from tergeu.integrity.journal import deny, record, service
from tergeu.settings.env import env_bool, env_int, env_str

from . import issuing
from .authority import (
    asn1,
    ca_by_name,
    chain_of,
    current_tsa,
    issuing_ca,
    make_crl,
    signing_root,
    valid_signing_certificate,
)
from .custody import KEY_KINDS, CustodyError, KeyKind, ensure_master_key, get_custody
from .issuing import (
    Issuer,
    der_of,
    is_ca,
    is_self_signed,
    load_certificate,
    sha256_hex,
    subject_text,
)
from .models import (
    ROOT,
    Certificate,
    CertificateAuthority,
    Purpose,
    RevocationReason,
    TrustedRoot,
)
from .signing import CustodySigner, SigningMaterial
from .tsa import CustodyTimeStamper, TsaRequestError, reply_to
from .verify import CmsVerdict, Reason, trust_roots, validation_context, verify_detached_cms

__all__ = [
    "CmsVerdict",
    "Reason",
    "SigningMaterial",
    "TsaRequestError",
    "ca_der",
    "crl_der",
    "enrol",
    "ensure_pki",
    "import_ca",
    "import_trusted_root",
    "pyhanko_signer",
    "revoke",
    "sign_detached",
    "signing_material",
    "timestamper",
    "trust_roots",
    "tsa_der",
    "tsa_reply",
    "validation_context",
    "verify_detached_cms",
]

ROOT_YEARS, CA_YEARS, TSA_YEARS = 20, 10, 8
CLOCK_SKEW = dt.timedelta(minutes=5)
DAY = dt.timedelta(days=1)


def _key_kind(variable: str) -> KeyKind:
    value = env_str(variable, "ec-p256")
    if value not in KEY_KINDS:
        raise ValueError(f"{variable} must be one of {', '.join(KEY_KINDS)}, not {value!r}")
    return cast(KeyKind, value)


def _cert_fields(der: bytes) -> dict[str, Any]:
    cert = x509.load_der_x509_certificate(der)
    return {
        "subject": subject_text(cert.subject)[:500],
        "der": der,
        "sha256": sha256_hex(der),
        "not_after": cert.not_valid_after_utc,
    }


def _tergeu_name(cn: str) -> x509.Name:
    return issuing.name(C="KZ", O="Tergeu", CN=cn)


def _new_ca(
    *, name: str, kind: str, cn: str, parent: CertificateAuthority | None, now: dt.datetime
) -> CertificateAuthority:
    custody = get_custody()
    key_ref = custody.generate(_key_kind("TERGEU_PKI_CA_KEY"))
    public = custody.public_key(key_ref)
    start = now - CLOCK_SKEW
    if parent is None:
        _, der = issuing.issue(
            issuer=None,
            subject=_tergeu_name(cn),
            public_key=public,
            not_before=start,
            not_after=now + dt.timedelta(days=365 * ROOT_YEARS),
            extensions=issuing.ca_extensions(None),
            issuer_ca_name=None,
            self_key_ref=key_ref,
            custody=custody,
        )
    else:
        _, der = issuing.issue(
            issuer=Issuer.of(bytes(parent.der), parent.key_ref, custody),
            subject=_tergeu_name(cn),
            public_key=public,
            not_before=start,
            not_after=min(now + dt.timedelta(days=365 * CA_YEARS), parent.not_after),
            extensions=issuing.ca_extensions(0),
            issuer_ca_name=parent.name,
        )
    ca = CertificateAuthority.objects.create(
        name=name, kind=kind, parent=parent, key_ref=key_ref, **_cert_fields(der)
    )
    record(
        "pki.ca_created",
        obj=ca,
        data={"name": ca.name, "kind": kind, "subject": ca.subject, "sha256": ca.sha256},
    )
    return ca


def _save_certificate(
    *,
    ca: CertificateAuthority,
    serial: int,
    der: bytes,
    key_ref: str,
    purpose: str,
    user: User | None,
    actor: User | None,
) -> Certificate:
    cert = x509.load_der_x509_certificate(der)
    row = Certificate.objects.create(
        user=user,
        ca=ca,
        purpose=purpose,
        serial=issuing.serial_hex(serial),
        not_before=cert.not_valid_before_utc,
        key_ref=key_ref,
        **_cert_fields(der),
    )
    record(
        "pki.certificate_issued",
        actor=actor,
        obj=row,
        data={
            "serial": row.serial,
            "subject": row.subject,
            "sha256": row.sha256,
            "ca": ca.name,
            "purpose": purpose,
        },
    )
    return row


def _issue_tsa(root: CertificateAuthority, now: dt.datetime) -> Certificate:
    custody = get_custody()
    key_ref = custody.generate(_key_kind("TERGEU_PKI_CA_KEY"))
    serial, der = issuing.issue(
        issuer=Issuer.of(bytes(root.der), root.key_ref, custody),
        subject=_tergeu_name("Tergeu Timestamping Authority"),
        public_key=custody.public_key(key_ref),
        not_before=now - CLOCK_SKEW,
        not_after=min(now + dt.timedelta(days=365 * TSA_YEARS), root.not_after),
        extensions=issuing.tsa_extensions(),
        issuer_ca_name=root.name,
    )
    return _save_certificate(
        ca=root,
        serial=serial,
        der=der,
        key_ref=key_ref,
        purpose=Purpose.TIMESTAMPING,
        user=None,
        actor=None,
    )


@service
def ensure_pki() -> None:
    """Create what is missing: the root CA, an issuing CA per organisation kind, the TSA.

    Idempotent; CAs imported for a kind (``import_ca``) are kept and not duplicated.
    Also makes sure the master secret of the default key custody exists.
    """
    if not env_str("TERGEU_KEY_PASSPHRASE", ""):
        ensure_master_key()
    now = clock.now()
    missing = [k for k in OrgKind if issuing_ca(k.value) is None]
    need_tsa = current_tsa(now) is None
    if not missing and not need_tsa:
        return
    root = signing_root()
    if root is None:
        name = (
            ROOT if not CertificateAuthority.objects.filter(name=ROOT).exists() else "tergeu-root"
        )
        root = _new_ca(name=name, kind=ROOT, cn="Tergeu Root CA", parent=None, now=now)
    for kind in missing:
        name = kind.value
        if CertificateAuthority.objects.filter(name=name).exists():
            name = f"tergeu-{kind.value}"
        _new_ca(
            name=name, kind=kind.value, cn=f"Tergeu Issuing CA {kind.value}", parent=root, now=now
        )
    if need_tsa:
        _issue_tsa(root, now)


def _user_subject(user: User) -> x509.Name:
    org = user.organisation
    assert org is not None
    return issuing.name(
        C="KZ",
        O=org.name_ru,
        SN=user.last_name,
        GN=user.first_name,
        serialNumber=f"IIN{user.iin}",
        CN=user.full_name or user.username,
    )


def _revoke_row(row: Certificate, reason: str, actor: User | None, now: dt.datetime) -> None:
    row.revoked_at = now
    row.revocation_reason = reason
    row.save(update_fields=["revoked_at", "revocation_reason", "updated_at"])
    record(
        "pki.certificate_revoked",
        actor=actor,
        obj=row,
        data={"serial": row.serial, "sha256": row.sha256, "ca": row.ca.name, "reason": reason},
    )


@service
def enrol(user: User, *, actor: User | None = None) -> Certificate:
    """The person's signing certificate: the current valid one, or a new one.

    Subject: CN = full name, SN/GN, serialNumber = "IIN" + IIN, O = the organisation's
    name, C = KZ; issued by the CA of the organisation's kind; the key pair is made in key
    custody. A certificate whose subject or CA no longer fits (another organisation, a
    new name) is superseded: revoked and replaced. Journaled ``pki.certificate_issued``.
    """
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None:
        raise NotFound()
    if not locked.iin:
        raise ValidationFailed.one("iin", _("A signing certificate needs the person's IIN."))
    if locked.organisation is None:
        raise ValidationFailed.one(
            "organisation", _("A signing certificate needs the person's organisation.")
        )
    if not locked.is_active:
        raise ValidationFailed.one("user", _("A disabled account cannot be given a certificate."))
    now = clock.now()
    kind = locked.organisation.kind
    ca = issuing_ca(kind)
    if ca is None and env_bool("TERGEU_PKI_AUTO_SETUP", True):
        ensure_pki()
        ca = issuing_ca(kind)
    if ca is None:
        raise Conflict(
            _(
                "No certification authority issues certificates for this kind of organisation; "
                "import one (pki_import_ca) or run pki_init."
            )
        )
    subject = _user_subject(locked)
    current = valid_signing_certificate(locked.pk, now)
    if current is not None:
        if current.ca_id == ca.pk and current.subject == subject_text(subject)[:500]:
            return current
        _revoke_row(current, RevocationReason.SUPERSEDED, actor or locked, now)

    custody = get_custody()
    key_ref = custody.generate(_key_kind("TERGEU_PKI_USER_KEY"))
    days = env_int("TERGEU_PKI_USER_CERT_DAYS", 365)
    serial, der = issuing.issue(
        issuer=Issuer.of(bytes(ca.der), ca.key_ref, custody),
        subject=subject,
        public_key=custody.public_key(key_ref),
        not_before=now - CLOCK_SKEW,
        not_after=min(now + dt.timedelta(days=days), ca.not_after),
        extensions=issuing.signing_extensions(locked.email),
        issuer_ca_name=ca.name,
    )
    return _save_certificate(
        ca=ca,
        serial=serial,
        der=der,
        key_ref=key_ref,
        purpose=Purpose.SIGNING,
        user=locked,
        actor=actor or locked,
    )


def _is_admin(user: User) -> bool:
    return bool(user.is_active and (user.role == Role.ADMINISTRATOR or user.is_superuser))


@service
def revoke(actor: User, certificate_id: uuid.UUID | str, reason: str) -> Certificate:
    """Revoke a certificate (administrators only); it is listed on its CA's next CRL."""
    if not _is_admin(actor):
        raise deny(
            AccessDenied(_("Only an administrator may revoke certificates.")),
            actor,
            "pki.revoke",
            None,
            f"certificate {certificate_id}",
        )
    if reason not in RevocationReason.values:
        raise ValidationFailed.one("reason", _("Choose a reason of revocation from the list."))
    try:
        pk = uuid.UUID(str(certificate_id))
    except ValueError as exc:
        raise NotFound() from exc
    row = Certificate.objects.select_for_update().select_related("ca").filter(pk=pk).first()
    if row is None:
        raise NotFound()
    if row.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."))
    _revoke_row(row, reason, actor, clock.now())
    return row


def crl_der(ca_name: str) -> bytes:
    """A fresh CRL of the CA ``ca_name``, signed by it (NotFound if unknown or keyless)."""
    return make_crl(ca_by_name(ca_name))


def ca_der(ca_name: str) -> bytes:
    """The DER certificate of the CA ``ca_name`` (NotFound if unknown)."""
    return bytes(ca_by_name(ca_name).der)


def tsa_der() -> bytes:
    """The DER certificate of the TSA in use (NotFound if there is none yet)."""
    tsa = current_tsa()
    if tsa is None:
        raise NotFound()
    return bytes(tsa.der)


def signing_material(user: User) -> SigningMaterial:
    """The person's certificate (enrolling them if needed), its chain to the root, the key."""
    cert = enrol(user)
    parsed = x509.load_der_x509_certificate(bytes(cert.der))
    return SigningMaterial(
        cert=ax509.Certificate.load(bytes(cert.der)),
        chain=[asn1(c) for c in chain_of(parsed)],
        key_ref=cert.key_ref,
    )


def pyhanko_signer(user: User, *, prefer_pss: bool = False) -> Signer:
    """A pyHanko signer for the person, signing through key custody (PAdES, CMS)."""
    material = signing_material(user)
    return CustodySigner(
        signing_cert=material.cert,
        chain=material.chain,
        custody=get_custody(),
        key_ref=material.key_ref,
        prefer_pss=prefer_pss,
    )


def sign_detached(
    user: User, data: bytes, *, with_timestamp: bool = True, prefer_pss: bool = False
) -> bytes:
    """A detached CMS signature (DER) of ``data`` by the person, with an RFC 3161 signature
    timestamp from the built-in TSA; ``openssl cms -verify -binary`` accepts it.

    Synchronous: call it outside an event loop (pyHanko runs its own).
    """
    signer = pyhanko_signer(user, prefer_pss=prefer_pss)
    stamper = timestamper() if with_timestamp else None
    info = asyncio.run(
        signer.async_sign_general_data(data, "sha256", detached=True, timestamper=stamper)
    )
    return bytes(info.dump())


def _tsa_stamper() -> CustodyTimeStamper:
    tsa = current_tsa()
    if tsa is None and env_bool("TERGEU_PKI_AUTO_SETUP", True):
        ensure_pki()
        tsa = current_tsa()
    if tsa is None:
        raise Conflict(_("The timestamping authority is not set up; run pki_init."))
    parsed = x509.load_der_x509_certificate(bytes(tsa.der))
    return CustodyTimeStamper(
        tsa_cert=ax509.Certificate.load(bytes(tsa.der)),
        chain=[asn1(c) for c in chain_of(parsed)],
        custody=get_custody(),
        key_ref=tsa.key_ref,
    )


def timestamper() -> TimeStamper:
    """The built-in TSA as a pyHanko TimeStamper (in process, no HTTP)."""
    return _tsa_stamper()


def tsa_reply(query_der: bytes) -> bytes:
    """The DER TimeStampResp to a DER TimeStampReq (TsaRequestError if it is not one)."""
    return reply_to(_tsa_stamper(), query_der)


def _load(pem_or_der: bytes, field: str) -> x509.Certificate:
    try:
        return load_certificate(pem_or_der)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed.one(
            field, _("This is not an X.509 certificate (PEM or DER).")
        ) from exc


def _check_name(name: str, model: type[CertificateAuthority] | type[TrustedRoot]) -> None:
    if not name or slugify(name) != name or len(name) > 60:
        raise ValidationFailed.one(
            "name", _("Use lower-case Latin letters, digits and hyphens for the name.")
        )
    if model.objects.filter(name=name).exists():
        raise ValidationFailed.one("name", _("This name is already taken."))


@service
def import_trusted_root(pem_or_der: bytes, name: str, *, actor: User | None = None) -> TrustedRoot:
    """Trust a self-signed root CA created outside Tergeu (e.g. the national CA's root).

    Signatures chaining to it are then accepted. Importing the same root again returns it.
    """
    cert = _load(pem_or_der, "certificate")
    der = der_of(cert)
    existing = TrustedRoot.objects.filter(sha256=sha256_hex(der)).first()
    if existing is not None:
        return existing
    if not is_ca(cert):
        raise ValidationFailed.one(
            "certificate", _("This certificate is not a CA certificate (basicConstraints).")
        )
    if not is_self_signed(cert):
        raise ValidationFailed.one(
            "certificate",
            _("A trusted root must be self-signed; import an intermediate CA with pki_import_ca."),
        )
    _check_name(name, TrustedRoot)
    fields = _cert_fields(der)
    row = TrustedRoot.objects.create(name=name, **fields)
    record(
        "pki.root_trusted",
        actor=actor,
        obj=row,
        data={"name": name, "subject": row.subject, "sha256": row.sha256},
    )
    return row


def _known_issuer(cert: x509.Certificate) -> CertificateAuthority | None:
    for ca in CertificateAuthority.objects.all():
        parent = x509.load_der_x509_certificate(bytes(ca.der))
        if parent.subject == cert.issuer and issuing.issued_by(cert, parent):
            return ca
    return None


@service
def import_ca(
    cert_pem_or_der: bytes,
    key_pem_or_der: bytes | None = None,
    *,
    name: str,
    kind: str,
    password: bytes | None = None,
    key_ref: str = "",
    actor: User | None = None,
) -> CertificateAuthority:
    """Take a CA created outside Tergeu (production): its certificate and, to issue, its key.

    ``kind`` is ``root`` for a self-signed CA (it becomes a trust anchor) or an
    organisation kind, whose staff it then enrols (it replaces the CA active for that
    kind). The key comes as a file (stored in custody, encrypted) or as a ``key_ref``
    already in custody (an HSM). An intermediate CA must chain to a CA or trusted root
    Tergeu already knows.
    """
    cert = _load(cert_pem_or_der, "certificate")
    der = der_of(cert)
    if not is_ca(cert):
        raise ValidationFailed.one(
            "certificate", _("This certificate is not a CA certificate (basicConstraints).")
        )
    if kind != ROOT and kind not in OrgKind.values:
        raise ValidationFailed.one("kind", _("Unknown kind of CA."))
    self_signed = is_self_signed(cert)
    if (kind == ROOT) != self_signed:
        raise ValidationFailed.one(
            "kind", _("A root CA must be self-signed, and only a root CA may be.")
        )
    if CertificateAuthority.objects.filter(sha256=sha256_hex(der)).exists():
        raise ValidationFailed.one("certificate", _("This CA is already imported."))
    _check_name(name, CertificateAuthority)
    parent = None
    if not self_signed:
        parent = _known_issuer(cert)
        if parent is None and not any(issuing.issued_by(cert, c) for c in _trusted_roots()):
            raise ValidationFailed.one(
                "certificate",
                _("The issuer of this CA is unknown; trust its root first (pki_trust_root)."),
            )
    custody = get_custody()
    if key_pem_or_der:
        try:
            key_ref = custody.import_key(key_pem_or_der, password)
        except CustodyError as exc:
            raise ValidationFailed.one("key", _("The private key cannot be read.")) from exc
    if key_ref:
        try:
            public = custody.public_key(key_ref)
        except CustodyError as exc:
            raise ValidationFailed.one("key", _("No such key in custody.")) from exc
        if public != cert.public_key():
            raise ValidationFailed.one(
                "key", _("The private key does not belong to this certificate.")
            )
    if key_ref and kind != ROOT:
        CertificateAuthority.objects.filter(kind=kind, active=True).update(active=False)
    ca = CertificateAuthority.objects.create(
        name=name,
        kind=kind,
        parent=parent,
        key_ref=key_ref,
        external=True,
        active=bool(key_ref) or kind == ROOT,
        **_cert_fields(der),
    )
    record(
        "pki.ca_imported",
        actor=actor,
        obj=ca,
        data={
            "name": name,
            "kind": kind,
            "subject": ca.subject,
            "sha256": ca.sha256,
            "with_key": bool(key_ref),
        },
    )
    return ca


def _trusted_roots() -> list[x509.Certificate]:
    return [
        x509.load_der_x509_certificate(bytes(d))
        for d in TrustedRoot.objects.values_list("der", flat=True)
    ]


def active_officials() -> list[User]:
    """Active accounts with an IIN and an organisation: those ``pki_init`` enrols."""
    return list(
        User.objects.filter(is_active=True, organisation__isnull=False)
        .exclude(iin__isnull=True)
        .exclude(iin="")
        .order_by("username")
    )
