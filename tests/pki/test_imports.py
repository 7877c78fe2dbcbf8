"""Production: CAs and roots made outside Tergeu, imported by services and commands."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.management import CommandError, call_command

from tergeu.accounts.models import OrgKind, Role, User
from tergeu.core.errors import ValidationFailed
from tergeu.integrity.models import Event
from tergeu.integrity.pki import services
from tergeu.integrity.pki.models import Certificate, CertificateAuthority, PrivateKey, TrustedRoot
from tests import factories

from .conftest import ExternalCA, key_file, pem_file

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, ...]:
    return (
        CertificateAuthority.objects.count(),
        TrustedRoot.objects.count(),
        PrivateKey.objects.count(),
        Event.objects.count(),
    )


def test_a_non_ca_certificate_is_refused(pki: None) -> None:
    national = ExternalCA()
    _, leaf = national.issue("rsa")
    leaf_pem = leaf.public_bytes(serialization.Encoding.PEM)
    before = _state()
    with pytest.raises(ValidationFailed) as info:
        services.import_trusted_root(leaf_pem, "leaf")
    assert info.value.field_texts() == {
        "certificate": ["This certificate is not a CA certificate (basicConstraints)."]
    }
    with pytest.raises(ValidationFailed) as info:
        services.import_ca(leaf_pem, name="leaf", kind="police")
    assert "certificate" in info.value.fields
    assert _state() == before


def test_bad_imports(pki: None) -> None:
    national = ExternalCA()
    _, sub = national.issue("rsa", ca=True)
    sub_pem = sub.public_bytes(serialization.Encoding.PEM)
    other = ExternalCA("Other")
    before = _state()
    cases: list[tuple[Any, str, str]] = [
        (lambda: services.import_trusted_root(b"garbage", "x"), "certificate",
         "This is not an X.509 certificate (PEM or DER)."),
        (lambda: services.import_trusted_root(sub_pem, "sub"), "certificate",
         "A trusted root must be self-signed; import an intermediate CA with pki_import_ca."),
        (lambda: services.import_trusted_root(national.pem, "Bad Name"), "name",
         "Use lower-case Latin letters, digits and hyphens for the name."),
        (lambda: services.import_ca(sub_pem, name="sub", kind="police"), "certificate",
         "The issuer of this CA is unknown; trust its root first (pki_trust_root)."),
        (lambda: services.import_ca(national.pem, name="n", kind="police"), "kind",
         "A root CA must be self-signed, and only a root CA may be."),
        (lambda: services.import_ca(national.pem, name="n", kind="nonsense"), "kind",
         "Unknown kind of CA."),
        (lambda: services.import_ca(national.pem, other.key_pem(), name="n", kind="root"), "key",
         "The private key does not belong to this certificate."),
        (lambda: services.import_ca(national.pem, b"not a key", name="n", kind="root"), "key",
         "The private key cannot be read."),
        (lambda: services.import_ca(national.pem, name="root", kind="root"), "name",
         "This name is already taken."),
    ]  # fmt: skip
    for call, field, message in cases:
        with pytest.raises(ValidationFailed) as info:
            call()
        assert info.value.field_texts() == {field: [message]}
    assert _state() == before


def test_trusting_a_root_is_idempotent_and_journaled(pki: None) -> None:
    national = ExternalCA()
    first = services.import_trusted_root(national.pem, "national")
    der = national.cert.public_bytes(serialization.Encoding.DER)
    assert services.import_trusted_root(der, "again").pk == first.pk
    assert Event.objects.filter(action="pki.root_trusted").count() == 1


def test_an_imported_issuing_ca_enrols_its_kind(pki: None) -> None:
    national = ExternalCA("Production Root", key_kind="ec")
    services.import_trusted_root(national.pem, "production-root")
    sub_key, sub = national.issue("ec", ca=True, cn="Production Police CA")
    sub_pem = sub.public_bytes(serialization.Encoding.PEM)
    key_pem = sub_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"s3cret"),
    )
    ca = services.import_ca(
        sub_pem, key_pem, name="production-police", kind="police", password=b"s3cret"
    )
    assert ca.external
    assert ca.active
    assert not CertificateAuthority.objects.get(name="police").active
    user = factories.user(Role.INVESTIGATOR, factories.org(OrgKind.POLICE))
    row = services.enrol(user)
    assert row.ca_id == ca.pk
    cert = x509.load_der_x509_certificate(bytes(row.der))
    cert.verify_directly_issued_by(sub)
    material = services.signing_material(user)
    assert [c.subject.native["common_name"] for c in material.chain] == [
        "Production Police CA",
        "Production Root",
    ]
    data = b"document"
    assert services.verify_detached_cms(data, services.sign_detached(user, data)).valid
    # and the imported CA's CRL is Tergeu's to sign
    crl = x509.load_der_x509_crl(services.crl_der("production-police"))
    assert crl.is_signature_valid(sub.public_key())  # type: ignore[arg-type]


def test_pki_init_enrols_active_officials(db: Any) -> None:
    unit = factories.Unit()
    no_iin = factories.user(Role.DEFENDER, factories.org(OrgKind.BAR), iin=None)
    out = StringIO()
    call_command("pki_init", stdout=out, stderr=StringIO())
    assert "Certification authorities: anticorruption, bar, court" in out.getvalue()
    enrolled = set(Certificate.objects.filter(purpose="signing").values_list("user", flat=True))
    assert {unit.investigator.pk, unit.prosecutor.pk, unit.judge.pk} <= enrolled
    assert no_iin.pk not in enrolled
    count = Certificate.objects.count()
    call_command("pki_init", stdout=StringIO())
    assert Certificate.objects.count() == count


def test_commands_import_roots_and_cas(pki: None, tmp_path: Path) -> None:
    national = ExternalCA("National Root")
    root_file = pem_file(tmp_path / "root.pem", [national.cert])
    out = StringIO()
    call_command("pki_trust_root", str(root_file), stdout=out)
    assert "Trusted root national-root" in out.getvalue()

    sub_key, sub = national.issue("rsa", ca=True, cn="National Court CA")
    out = StringIO()
    call_command(
        "pki_import_ca",
        "--cert", str(pem_file(tmp_path / "sub.pem", [sub])),
        "--key", str(key_file(tmp_path / "sub.key", sub_key)),
        "--kind", "court",
        stdout=out,
    )  # fmt: skip
    assert "Imported CA national-court-ca (court; issues certificates)" in out.getvalue()
    judge: User = factories.user(Role.JUDGE, factories.org(OrgKind.COURT))
    assert services.enrol(judge).ca.name == "national-court-ca"

    with pytest.raises(CommandError, match="An intermediate CA needs --kind"):
        call_command("pki_import_ca", "--cert", str(tmp_path / "sub.pem"))
    _, leaf = national.issue("rsa")
    leaf_file = str(pem_file(tmp_path / "leaf.pem", [leaf]))
    with pytest.raises(CommandError, match="not a CA certificate"):
        call_command("pki_trust_root", leaf_file)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("pki_trust_root", str(tmp_path / "missing.pem"))
