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
from typing import cast

from asn1crypto import x509 as ax509
from cryptography import x509
from django.db import connection
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
from .custody import KEY_KINDS, KeyKind, ensure_master_key, get_custody
from .imports import import_ca, import_trusted_root
from .issuing import Issuer, cert_fields, subject_text
from .models import (
    ROOT,
    Certificate,
    CertificateAuthority,
    Purpose,
    RevocationReason,
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
        name=name, kind=kind, parent=parent, key_ref=key_ref, **cert_fields(der)
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
        **cert_fields(der),
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


#: Key of the PostgreSQL advisory lock that serialises set-up between processes.
_SET_UP_LOCK = 0x7465726765752D70  # "tergeu-p"


def _serialise_set_up() -> None:
    """Two processes setting up at once would both create a root: let one wait for the other.

    SQLite needs nothing (its transactions take the write lock at BEGIN); PostgreSQL takes
    a transaction-level advisory lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SET_UP_LOCK])


@service
def ensure_pki() -> None:
    """Create what is missing: the root CA, an issuing CA per organisation kind, the TSA.

    Idempotent; CAs imported for a kind (``import_ca``) are kept and not duplicated.
    Also makes sure the master secret of the default key custody exists.
    """
    if not env_str("TERGEU_KEY_PASSPHRASE", ""):
        ensure_master_key()
    _serialise_set_up()
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


def active_officials() -> list[User]:
    """Active accounts with an IIN and an organisation: those ``pki_init`` enrols."""
    return list(
        User.objects.filter(is_active=True, organisation__isnull=False)
        .exclude(iin__isnull=True)
        .exclude(iin="")
        .order_by("username")
    )
