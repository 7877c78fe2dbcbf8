"""Revocation: administrators only, journaled, on the CA's CRL; the public endpoints."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from cryptography import x509
from django.test import Client

from tergeu.accounts.models import User
from tergeu.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tergeu.integrity.pki import services
from tergeu.integrity.pki.models import Certificate, CertificateAuthority

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.pki.urls")]


def _ca_cert(name: str) -> x509.Certificate:
    return x509.load_der_x509_certificate(bytes(CertificateAuthority.objects.get(name=name).der))


def test_revoked_certificate_is_on_the_crl(official: User, admin: User) -> None:
    row = services.enrol(official)
    crl = x509.load_der_x509_crl(services.crl_der("police"))
    assert crl.get_revoked_certificate_by_serial_number(row.serial_int) is None

    services.revoke(admin, row.pk, "key_compromise")

    crl = x509.load_der_x509_crl(services.crl_der("police"))
    police = _ca_cert("police")
    assert crl.issuer == police.subject
    assert crl.is_signature_valid(police.public_key())  # type: ignore[arg-type]
    entry = crl.get_revoked_certificate_by_serial_number(row.serial_int)
    assert entry is not None
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason == x509.ReasonFlags.key_compromise
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number > 0
    aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = police.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert crl.next_update_utc is not None
    assert crl.next_update_utc > crl.last_update_utc

    event = Event.objects.get(action="pki.certificate_revoked")
    assert event.actor_id == admin.pk
    assert payload_of(event)["data"] == {
        "serial": row.serial,
        "sha256": row.sha256,
        "ca": "police",
        "reason": "key_compromise",
    }
    # a new enrolment gives a new certificate
    assert services.enrol(official).pk != row.pk


def test_only_an_administrator_revokes(official: User) -> None:
    row = services.enrol(official)
    with pytest.raises(AccessDenied) as info:
        services.revoke(official, row.pk, "key_compromise")
    assert info.value.text() == "Only an administrator may revoke certificates."
    row.refresh_from_db()
    assert row.revoked_at is None
    denial = Event.objects.get(action="access.denied")
    assert payload_of(denial)["data"]["attempted"] == "pki.revoke"
    assert not Event.objects.filter(action="pki.certificate_revoked").exists()


def test_bad_revocations(official: User, admin: User) -> None:
    row = services.enrol(official)
    with pytest.raises(ValidationFailed) as info:
        services.revoke(admin, row.pk, "because")
    assert info.value.field_texts() == {"reason": ["Choose a reason of revocation from the list."]}
    with pytest.raises(NotFound):
        services.revoke(admin, uuid.uuid4(), "unspecified")
    with pytest.raises(NotFound):
        services.revoke(admin, "not-a-uuid", "unspecified")
    assert not Certificate.objects.filter(revoked_at__isnull=False).exists()
    services.revoke(admin, row.pk, "unspecified")
    with pytest.raises(Conflict):
        services.revoke(admin, row.pk, "unspecified")
    assert Event.objects.filter(action="pki.certificate_revoked").count() == 1


def test_crl_and_certificates_over_http(official: User, admin: User, client: Client) -> None:
    row = services.enrol(official)
    services.revoke(admin, row.pk, "affiliation_changed")
    response = client.get("/pki/crl/police.crl")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    assert crl.get_revoked_certificate_by_serial_number(row.serial_int) is not None

    response = client.get("/pki/ca/root.crt")
    assert response["Content-Type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(response.content) == _ca_cert("root")
    response = client.get("/pki/tsa.crt")
    assert response.status_code == 200
    x509.load_der_x509_certificate(response.content)

    for url in ("/pki/crl/nowhere.crl", "/pki/ca/nowhere.crt"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.content.decode().strip() == "No such certification authority."


def test_crl_of_the_root_lists_a_revoked_tsa(pki: None, admin: User) -> None:
    tsa = Certificate.objects.get(purpose="timestamping")
    services.revoke(admin, tsa.pk, "cessation_of_operation")
    crl = x509.load_der_x509_crl(services.crl_der("root"))
    assert crl.get_revoked_certificate_by_serial_number(tsa.serial_int) is not None
    # a new TSA certificate is issued when the PKI is ensured again
    services.ensure_pki()
    assert Certificate.objects.filter(purpose="timestamping", revoked_at__isnull=True).count() == 1


def test_ca_urls_in_certificates_match_the_routes(official: User, client: Client) -> None:
    cert = x509.load_der_x509_certificate(bytes(services.enrol(official).der))
    dps: Any = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    url = str(dps[0].full_name[0].value)
    assert url.endswith("/pki/crl/police.crl")
    path = url.split("8000", 1)[1]
    assert client.get(path).status_code == 200
