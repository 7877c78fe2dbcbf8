"""Detached CMS signatures: made by openssl (RSA PKCS#1 v1.5, RSA-PSS, ECDSA) and checked by
Tergeu; made by Tergeu (pyHanko through key custody) and checked by ``openssl cms -verify``."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from pyhanko.sign.signers import Signer

from tergeu.accounts.models import OrgKind, Role, User
from tergeu.core import clock
from tergeu.integrity.pki import services
from tergeu.integrity.pki.models import CertificateAuthority, TrustedRoot
from tests import factories

from .conftest import ExternalCA, key_file, openssl, pem_file

pytestmark = pytest.mark.django_db

DATA = "Қаулы: іс бойынша сараптама тағайындау туралы. Постановление о назначении экспертизы.\n"


def _openssl_sign(
    tmp_path: Path, key: Any, cert: Any, data: bytes, *extra: str, certfile: Any = None
) -> bytes:
    (tmp_path / "data.txt").write_bytes(data)
    args: list[Any] = [
        "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
        "-in", tmp_path / "data.txt",
        "-signer", pem_file(tmp_path / "signer.pem", [cert]),
        "-inkey", key_file(tmp_path / "signer.key", key),
        "-out", tmp_path / "sig.der", *extra,
    ]  # fmt: skip
    if certfile is not None:
        args += ["-certfile", pem_file(tmp_path / "chain.pem", certfile)]
    openssl(*args)
    return (tmp_path / "sig.der").read_bytes()


def _sign_with_tergeu(user: User, data: bytes, **kwargs: Any) -> bytes:
    return services.sign_detached(user, data, with_timestamp=False, **kwargs)


def _codes(verdict: services.CmsVerdict) -> list[str]:
    return [r.code for r in verdict.reasons]


@pytest.fixture
def national(pki: None) -> ExternalCA:
    """An external RSA root, trusted with import_trusted_root."""
    ca = ExternalCA("Test National Root CA")
    services.import_trusted_root(ca.pem, "national-root")
    return ca


@pytest.mark.parametrize("pss", [False, True], ids=["pkcs1v15", "pss"])
def test_openssl_rsa_signature_is_accepted(national: ExternalCA, tmp_path: Path, pss: bool) -> None:
    key, cert = national.issue("rsa")
    extra = ["-keyopt", "rsa_padding_mode:pss"] if pss else []
    sig = _openssl_sign(tmp_path, key, cert, DATA.encode(), *extra)
    algo = cms.ContentInfo.load(sig)["content"]["signer_infos"][0]["signature_algorithm"]
    assert algo["algorithm"].native == ("rsassa_pss" if pss else "rsassa_pkcs1v15")

    verdict = services.verify_detached_cms(DATA.encode(), sig)
    assert verdict.reasons == []
    assert verdict.valid
    assert "CN=Иванов Иван" in verdict.signer_subject
    assert verdict.certificate_serial == f"{cert.serial_number:X}"
    assert verdict.signing_time is not None
    assert verdict.trust_anchor == "CN=Test National Root CA,C=KZ"


def test_openssl_ecdsa_signature_from_an_imported_ca(pki: None, tmp_path: Path) -> None:
    external = ExternalCA("Test ECDSA Root CA", key_kind="ec")
    services.import_ca(external.pem, external.key_pem(), name="test-ec-root", kind="root")
    key, cert = external.issue("ec", cn="Петров Пётр")
    sig = _openssl_sign(tmp_path, key, cert, DATA.encode())
    verdict = services.verify_detached_cms(DATA.encode(), sig)
    assert verdict.valid, verdict.texts()
    assert verdict.algorithm == "sha256_ecdsa"
    # the imported CA's key is in custody: Tergeu signs its CRL
    assert services.crl_der("test-ec-root")


def test_pem_input_is_accepted(national: ExternalCA, tmp_path: Path) -> None:
    key, cert = national.issue("rsa")
    sig = _openssl_sign(tmp_path, key, cert, DATA.encode(), "-outform", "PEM")
    assert sig.startswith(b"-----BEGIN")
    assert services.verify_detached_cms(DATA.encode(), sig).valid


def test_wrong_data_is_refused(national: ExternalCA, tmp_path: Path) -> None:
    key, cert = national.issue("rsa")
    sig = _openssl_sign(tmp_path, key, cert, DATA.encode())
    verdict = services.verify_detached_cms(DATA.encode() + b" ", sig)
    assert not verdict.valid
    assert _codes(verdict) == ["mismatch"]
    assert verdict.texts() == [
        "The signature does not match the document: the document was changed, "
        "or the signature is for another one."
    ]


def test_untrusted_signer_is_refused(pki: None, tmp_path: Path) -> None:
    stranger = ExternalCA("Unknown CA")  # never imported
    key, cert = stranger.issue("rsa")
    sig = _openssl_sign(tmp_path, key, cert, DATA.encode(), certfile=[stranger.cert])
    verdict = services.verify_detached_cms(DATA.encode(), sig)
    assert not verdict.valid
    assert _codes(verdict) == ["untrusted"]
    assert verdict.texts() == [
        "The signer's certificate does not chain to a trusted certification authority."
    ]


def test_certificate_without_non_repudiation_is_refused(
    national: ExternalCA, tmp_path: Path
) -> None:
    key, cert = national.issue("rsa", ca=True)  # a CA certificate: keyCertSign only
    sig = _openssl_sign(tmp_path, key, cert, DATA.encode())
    verdict = services.verify_detached_cms(DATA.encode(), sig)
    assert not verdict.valid
    assert _codes(verdict) == ["key_usage"]


def test_garbage_is_not_a_signature(pki: None) -> None:
    for garbage in (b"", b"not a signature", b"\x30\x03\x02\x01\x01"):
        verdict = services.verify_detached_cms(b"data", garbage)
        assert not verdict.valid
        assert verdict.texts() == ["This is not a CMS (PKCS#7) signature."]


def test_tergeu_signature_accepted_by_openssl_and_by_tergeu(official: User, tmp_path: Path) -> None:
    sig = services.sign_detached(official, DATA.encode())  # with an RFC 3161 timestamp
    (tmp_path / "sig.der").write_bytes(sig)
    (tmp_path / "data.txt").write_bytes(DATA.encode())
    root = pem_file(tmp_path / "root.pem", [CertificateAuthority.objects.get(name="root").der])
    result = openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "sig.der",
        "-content", tmp_path / "data.txt", "-CAfile", root, "-out", tmp_path / "out.txt",
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert b"Verification successful" in result.stderr
    assert (tmp_path / "out.txt").read_bytes() == DATA.encode()

    verdict = services.verify_detached_cms(DATA.encode(), sig)
    assert verdict.valid, verdict.texts()
    assert verdict.signer_subject.startswith("CN=Сейтқали Әлия Нұрланқызы")
    assert verdict.trust_anchor == "CN=Tergeu Root CA,O=Tergeu,C=KZ"

    # and openssl refuses it for other data
    (tmp_path / "data.txt").write_bytes(b"other")
    result = openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "sig.der",
        "-content", tmp_path / "data.txt", "-CAfile", root, "-out", tmp_path / "out.txt",
        check=False,
    )  # fmt: skip
    assert result.returncode != 0


def test_revoked_signer_fails(official: User, admin: User) -> None:
    sig = _sign_with_tergeu(official, DATA.encode())
    assert services.verify_detached_cms(DATA.encode(), sig).valid
    services.revoke(admin, services.enrol(official).pk, "key_compromise")
    verdict = services.verify_detached_cms(DATA.encode(), sig)
    assert not verdict.valid
    assert _codes(verdict) == ["revoked"]
    assert verdict.texts()[0].startswith("The signer's certificate was revoked on ")


def test_signature_with_a_timestamp(official: User) -> None:
    signer: Signer = services.pyhanko_signer(official)
    info = asyncio.run(
        signer.async_sign_general_data(
            DATA.encode(), "sha256", detached=True, timestamper=services.timestamper()
        )
    )
    unsigned = info["content"]["signer_infos"][0]["unsigned_attrs"]
    assert [a["type"].native for a in unsigned] == ["signature_time_stamp_token"]
    verdict = services.verify_detached_cms(DATA.encode(), info.dump())
    assert verdict.valid, verdict.texts()
    assert verdict.signing_time is not None


def test_attached_signature_over_the_same_data(national: ExternalCA, tmp_path: Path) -> None:
    key, cert = national.issue("rsa")
    sig = _openssl_sign(tmp_path, key, cert, DATA.encode(), "-nodetach")
    assert services.verify_detached_cms(DATA.encode(), sig).valid
    verdict = services.verify_detached_cms(b"another document", sig)
    assert _codes(verdict) == ["content"]


def test_rsa_keys_in_custody_sign_pss(
    pki: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERGEU_PKI_USER_KEY", "rsa-3072")
    user = factories.user(Role.PROSECUTOR, factories.org(OrgKind.PROSECUTOR))
    for pss in (False, True):
        sig = _sign_with_tergeu(user, DATA.encode(), prefer_pss=pss)
        algo = cms.ContentInfo.load(sig)["content"]["signer_infos"][0]["signature_algorithm"]
        assert algo["algorithm"].native == ("rsassa_pss" if pss else "sha256_rsa")
        verdict = services.verify_detached_cms(DATA.encode(), sig)
        assert verdict.valid, verdict.texts()
        (tmp_path / "sig.der").write_bytes(sig)
        (tmp_path / "data.txt").write_bytes(DATA.encode())
        root = pem_file(tmp_path / "root.pem", [CertificateAuthority.objects.get(name="root").der])
        result = openssl(
            "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "sig.der",
            "-content", tmp_path / "data.txt", "-CAfile", root, "-out", "/dev/null",
            check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr.decode()


def test_trusted_roots(national: ExternalCA) -> None:
    names = {c.subject.native["common_name"] for c in services.trust_roots()}
    assert names == {"Tergeu Root CA", "Test National Root CA"}
    assert TrustedRoot.objects.count() == 1


def test_revocation_after_the_moment_of_checking_does_not_count(
    official: User, admin: User
) -> None:
    signed_at = clock.now()
    sig = services.sign_detached(official, DATA.encode())
    with clock.frozen(signed_at + dt.timedelta(hours=1)):
        services.revoke(admin, services.enrol(official).pk, "affiliation_changed")
    with clock.frozen(signed_at + dt.timedelta(hours=2)):
        before = services.verify_detached_cms(
            DATA.encode(), sig, at=signed_at + dt.timedelta(minutes=1)
        )
        after = services.verify_detached_cms(
            DATA.encode(), sig, at=signed_at + dt.timedelta(minutes=90)
        )
    assert before.valid, before.texts()
    assert _codes(after) == ["revoked"]


def test_checking_outside_the_validity_of_the_certificates(official: User) -> None:
    sig = services.sign_detached(official, DATA.encode())
    with clock.frozen(clock.now() + dt.timedelta(days=400)):
        later = services.verify_detached_cms(DATA.encode(), sig)
    assert _codes(later) == ["expired"]  # the person's certificate lasts a year, the CAs longer
    earlier = services.verify_detached_cms(
        DATA.encode(), sig, at=clock.now() - dt.timedelta(days=2)
    )
    assert _codes(earlier) == ["chain", "timestamp"]  # nothing existed yet
