"""Importing CAs and trust roots created outside Tergeu (production).

Re-exported by :mod:`.services`; see docs/pki.md for the commands that call these.
"""

from __future__ import annotations

from cryptography import x509
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import OrgKind, User
from tergeu.core.errors import ValidationFailed
from tergeu.integrity.journal import record, service

from . import issuing
from .custody import CustodyError, get_custody
from .issuing import cert_fields, der_of, is_ca, is_self_signed, load_certificate, sha256_hex
from .models import ROOT, CertificateAuthority, TrustedRoot


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
    fields = cert_fields(der)
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
        **cert_fields(der),
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
