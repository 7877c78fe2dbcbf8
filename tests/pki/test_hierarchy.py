"""The hierarchy that ensure_pki creates: chain, extensions, idempotence, journal."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

from tergeu.accounts.models import OrgKind
from tergeu.integrity.models import Event
from tergeu.integrity.pki import services
from tergeu.integrity.pki.authority import chain_of, current_tsa
from tergeu.integrity.pki.models import Certificate, CertificateAuthority, PrivateKey

pytestmark = pytest.mark.django_db


def _cert(der: Any) -> x509.Certificate:
    return x509.load_der_x509_certificate(bytes(der))


def _ext(cert: x509.Certificate, cls: type) -> x509.Extension:
    return cert.extensions.get_extension_for_class(cls)


def _crl_urls(cert: x509.Certificate) -> list[str]:
    dps = _ext(cert, x509.CRLDistributionPoints).value
    return [str(name.value) for dp in dps for name in dp.full_name]


def test_root_issuing_cas_and_tsa(pki: None) -> None:
    root = CertificateAuthority.objects.get(name="root")
    root_cert = _cert(root.der)
    assert root_cert.issuer == root_cert.subject
    root_cert.verify_directly_issued_by(root_cert)
    bc = _ext(root_cert, x509.BasicConstraints)
    assert bc.critical
    assert bc.value.ca
    assert bc.value.path_length is None
    ku = _ext(root_cert, x509.KeyUsage)
    assert ku.critical
    assert ku.value.key_cert_sign
    assert ku.value.crl_sign
    root_ski = _ext(root_cert, x509.SubjectKeyIdentifier).value.digest
    assert _ext(root_cert, x509.AuthorityKeyIdentifier).value.key_identifier == root_ski
    assert root_cert.public_key().curve.name == "secp256r1"  # type: ignore[union-attr]

    for kind in OrgKind.values:
        ca = CertificateAuthority.objects.get(kind=kind, active=True)
        cert = _cert(ca.der)
        cert.verify_directly_issued_by(root_cert)
        assert ca.parent_id == root.pk
        assert ca.key_ref
        bc = _ext(cert, x509.BasicConstraints)
        assert bc.critical
        assert bc.value.ca
        assert bc.value.path_length == 0
        assert _ext(cert, x509.KeyUsage).value.key_cert_sign
        assert _ext(cert, x509.AuthorityKeyIdentifier).value.key_identifier == root_ski
        assert _ext(cert, x509.SubjectKeyIdentifier).value.digest
        assert _crl_urls(cert) == ["http://127.0.0.1:8000/pki/crl/root.crl"]
        assert [chain.subject for chain in chain_of(cert)] == [root_cert.subject]

    tsa = current_tsa()
    assert tsa is not None
    assert tsa.ca_id == root.pk
    tsa_cert = _cert(tsa.der)
    tsa_cert.verify_directly_issued_by(root_cert)
    eku = tsa_cert.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    assert eku.critical
    assert list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]  # type: ignore[call-overload]
    assert not _ext(tsa_cert, x509.BasicConstraints).value.ca
    assert _crl_urls(tsa_cert) == ["http://127.0.0.1:8000/pki/crl/root.crl"]


def test_serials_are_random_127_bit(pki: None) -> None:
    serials = [_cert(ca.der).serial_number for ca in CertificateAuthority.objects.all()]
    serials += [_cert(c.der).serial_number for c in Certificate.objects.all()]
    assert len(set(serials)) == len(serials)
    assert all(s.bit_length() == 127 for s in serials)


def test_ensure_pki_is_idempotent(pki: None) -> None:
    counts = (
        CertificateAuthority.objects.count(),
        Certificate.objects.count(),
        PrivateKey.objects.count(),
        Event.objects.count(),
    )
    services.ensure_pki()
    services.ensure_pki()
    assert counts == (
        CertificateAuthority.objects.count(),
        Certificate.objects.count(),
        PrivateKey.objects.count(),
        Event.objects.count(),
    )
    assert counts[0] == 1 + len(OrgKind.values)


def test_set_up_is_journaled(pki: None) -> None:
    actions = list(Event.objects.filter(action__startswith="pki.").values_list("action", flat=True))
    assert actions.count("pki.ca_created") == 1 + len(OrgKind.values)
    assert actions.count("pki.certificate_issued") == 1  # the TSA


def test_base_url_goes_into_new_certificates(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERGEU_PKI_BASE_URL", "https://tergeu.example.kz/")
    services.ensure_pki()
    cert = _cert(CertificateAuthority.objects.get(name="court").der)
    assert _crl_urls(cert) == ["https://tergeu.example.kz/pki/crl/root.crl"]
    aia = _ext(cert, x509.AuthorityInformationAccess).value
    assert [str(d.access_location.value) for d in aia] == [
        "https://tergeu.example.kz/pki/ca/root.crt"
    ]
