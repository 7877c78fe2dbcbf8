"""Enrolment of officials: subject, extensions, idempotence, refusals, key custody."""

from __future__ import annotations

import os
import stat
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tergeu.accounts.models import OrgKind, Role, User
from tergeu.core.errors import ValidationFailed
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tergeu.integrity.pki import services
from tergeu.integrity.pki.custody import (
    CustodyError,
    EncryptedDatabaseCustody,
    get_custody,
    master_key_path,
    new_key,
    sign_with,
)
from tergeu.integrity.pki.issuing import DOCUMENT_SIGNING
from tergeu.integrity.pki.models import Certificate, CertificateAuthority, PrivateKey
from tests import factories

pytestmark = pytest.mark.django_db


def _attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    return str(cert.subject.get_attributes_for_oid(oid)[0].value)


def test_certificate_of_an_official(official: User) -> None:
    row = services.enrol(official)
    cert = x509.load_der_x509_certificate(bytes(row.der))
    assert _attr(cert, NameOID.COMMON_NAME) == "Сейтқали Әлия Нұрланқызы"
    assert _attr(cert, NameOID.SERIAL_NUMBER) == f"IIN{official.iin}"
    assert official.organisation is not None
    assert _attr(cert, NameOID.ORGANIZATION_NAME) == official.organisation.name_ru
    assert _attr(cert, NameOID.SURNAME) == "Сейтқали"
    assert _attr(cert, NameOID.COUNTRY_NAME) == "KZ"
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical
    assert ku.value.digital_signature
    assert ku.value.content_commitment
    assert not ku.value.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert DOCUMENT_SIGNING in eku
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["aliya@example.kz"]
    police = CertificateAuthority.objects.get(name="police")
    cert.verify_directly_issued_by(x509.load_der_x509_certificate(bytes(police.der)))
    assert row.ca_id == police.pk
    assert row.serial == f"{cert.serial_number:X}"
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert row.key_ref.startswith("db:")

    event = Event.objects.get(action="pki.certificate_issued", object_id=str(row.pk))
    data = payload_of(event)["data"]
    assert data["serial"] == row.serial
    assert data["sha256"] == row.sha256
    assert data["subject"] == row.subject
    assert event.actor_id == official.pk


def test_enrolment_is_idempotent(official: User) -> None:
    first = services.enrol(official)
    events = Event.objects.count()
    assert services.enrol(official).pk == first.pk
    assert services.signing_material(official).key_ref == first.key_ref
    assert Event.objects.count() == events
    assert Certificate.objects.filter(user=official).count() == 1


def test_new_organisation_supersedes_the_certificate(official: User) -> None:
    first = services.enrol(official)
    official.organisation = factories.org(OrgKind.PROSECUTOR)
    official.save()
    second = services.enrol(official)
    assert second.pk != first.pk
    assert second.ca.name == "prosecutor"
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert first.revocation_reason == "superseded"


def test_signing_material_chain_goes_to_the_root(official: User) -> None:
    material = services.signing_material(official)
    assert [c.subject.native["common_name"] for c in material.chain] == [
        "Tergeu Issuing CA police",
        "Tergeu Root CA",
    ]
    assert material.cert.subject.native["common_name"] == "Сейтқали Әлия Нұрланқызы"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"iin": None}, "iin"),
        ({"organisation": None}, "organisation"),
        ({"is_active": False}, "user"),
    ],
)
def test_enrolment_refusals(pki: None, changes: dict[str, Any], field: str) -> None:
    user = factories.user(Role.INVESTIGATOR, factories.org(OrgKind.POLICE))
    for key, value in changes.items():
        setattr(user, key, value)
    user.save()
    before = (Certificate.objects.count(), PrivateKey.objects.count(), Event.objects.count())
    with pytest.raises(ValidationFailed) as info:
        services.enrol(user)
    assert field in info.value.fields
    assert (
        Certificate.objects.count(),
        PrivateKey.objects.count(),
        Event.objects.count(),
    ) == before


def test_refusal_message(pki: None) -> None:
    user = factories.user(Role.INVESTIGATOR, factories.org(OrgKind.POLICE), iin=None)
    with pytest.raises(ValidationFailed) as info:
        services.enrol(user)
    assert info.value.field_texts() == {"iin": ["A signing certificate needs the person's IIN."]}


def test_private_keys_are_encrypted_at_rest(official: User) -> None:
    services.enrol(official)
    rows = list(PrivateKey.objects.all())
    assert len(rows) >= 2 + len(OrgKind.values)
    for row in rows:
        assert row.encrypted_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert "BEGIN PRIVATE KEY" not in row.encrypted_pem
        assert "BEGIN EC PRIVATE KEY" not in row.encrypted_pem


def test_master_key_file_is_private(pki: None) -> None:
    if os.environ.get("TERGEU_KEY_PASSPHRASE"):
        pytest.skip("the master secret comes from the environment")
    mode = stat.S_IMODE(master_key_path().stat().st_mode)
    assert mode == 0o600


def test_passphrase_from_environment(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERGEU_KEY_PASSPHRASE", "a passphrase for this test only")
    custody = EncryptedDatabaseCustody()
    key_ref = custody.generate("ec-p256")
    public = custody.public_key(key_ref)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    signature = custody.sign(key_ref, b"data", "sha256")
    public.verify(signature, b"data", ec.ECDSA(hashes.SHA256()))
    monkeypatch.setenv("TERGEU_KEY_PASSPHRASE", "another passphrase")
    with pytest.raises(CustodyError, match="master secret"):
        EncryptedDatabaseCustody().sign(key_ref, b"data", "sha256")


class MemoryCustody:
    """A custody that is not the database one: what an HSM adapter looks like."""

    keys: dict[str, Any] = {}
    signed: list[str] = []

    def generate(self, kind: str) -> str:
        key_ref = f"mem:{len(self.keys)}"
        self.keys[key_ref] = new_key(kind)  # type: ignore[arg-type]
        return key_ref

    def public_key(self, key_ref: str) -> Any:
        return self.keys[key_ref].public_key()

    def sign(self, key_ref: str, data: bytes, hash_algo: str, padding: Any = None) -> bytes:
        self.signed.append(key_ref)
        return sign_with(self.keys[key_ref], data, hash_algo, padding)

    def prepare(self, key_ref: str) -> None:
        assert key_ref in self.keys

    def import_key(self, private_key: bytes, password: bytes | None = None) -> str:
        raise NotImplementedError


def test_custody_is_pluggable(db: Any, settings: Any) -> None:
    settings.TERGEU_KEY_CUSTODY = "tests.pki.test_enrolment.MemoryCustody"
    assert isinstance(get_custody(), MemoryCustody)
    services.ensure_pki()
    user = factories.user(Role.JUDGE, factories.org(OrgKind.COURT))
    row = services.enrol(user)
    assert row.key_ref.startswith("mem:")
    assert not PrivateKey.objects.exists()
    assert row.key_ref in MemoryCustody.keys
    assert MemoryCustody.signed  # the CAs signed through it
