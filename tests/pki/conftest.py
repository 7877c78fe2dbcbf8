"""Fixtures of the PKI tests: the PKI itself (ECDSA P-256, so creating it is cheap),
officials to enrol, and helpers that run the real ``openssl``."""

from __future__ import annotations

import datetime as dt
import fcntl
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils.translation.reloader import translation_file_changed

from tergeu.accounts.models import OrgKind, Role, User
from tergeu.integrity.pki import services
from tergeu.web.translations import compile_catalogues
from tests import factories


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """The .po files compiled to .mo (build output), under the lock the other suites take."""
    lock = Path(tempfile.gettempdir()) / "tergeu-compile-catalogues.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            written = compile_catalogues()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if written:
        translation_file_changed(None, written[0])


@pytest.fixture
def pki(db: Any) -> None:
    """Tergeu's PKI in the test database (ensure_pki is idempotent and fast with ECDSA)."""
    services.ensure_pki()


@pytest.fixture
def official(pki: None) -> User:
    """An investigator of a police unit, with an IIN."""
    return factories.user(
        Role.INVESTIGATOR,
        factories.org(OrgKind.POLICE),
        first_name="Әлия",
        last_name="Сейтқали",
        patronymic="Нұрланқызы",
        email="aliya@example.kz",
    )


@pytest.fixture
def admin(pki: None) -> User:
    """An administrator."""
    return factories.user(Role.ADMINISTRATOR, factories.org(OrgKind.POLICE))


def openssl(*args: str | Path, stdin: bytes | None = None, check: bool = True) -> Any:
    """Run the real openssl; return the completed process."""
    return subprocess.run(
        ["openssl", *map(str, args)], input=stdin, capture_output=True, check=check, timeout=60
    )


def pem_file(path: Path, certs: Sequence[x509.Certificate | bytes]) -> Path:
    """Write certificates (objects or DER) to a PEM file."""
    out = b""
    for cert in certs:
        if isinstance(cert, bytes):
            cert = x509.load_der_x509_certificate(cert)
        out += cert.public_bytes(serialization.Encoding.PEM)
    path.write_bytes(out)
    return path


def key_file(path: Path, key: Any) -> Path:
    """Write an unencrypted private key (a test key, made outside custody) to a PEM file."""
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


class ExternalCA:
    """A CA outside Tergeu (think: the national CA), made with cryptography in the test."""

    def __init__(self, name: str = "Test National Root CA", key_kind: str = "rsa") -> None:
        self.key: Any = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if key_kind == "rsa"
            else ec.generate_private_key(ec.SECP256R1())
        )
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
                x509.NameAttribute(NameOID.COMMON_NAME, name),
            ]
        )
        now = dt.datetime.now(dt.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def issue(
        self, key_kind: str = "rsa", *, ca: bool = False, cn: str = "Иванов Иван"
    ) -> tuple[Any, x509.Certificate]:
        """A key pair and a signing certificate (or a sub-CA certificate) from this CA."""
        key: Any = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if key_kind == "rsa"
            else ec.generate_private_key(ec.SECP256R1())
        )
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
                        x509.NameAttribute(NameOID.SERIAL_NUMBER, "IIN800101300123"),
                        x509.NameAttribute(NameOID.COMMON_NAME, cn),
                    ]
                )
            )
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        if ca:
            builder = builder.add_extension(
                x509.BasicConstraints(ca=True, path_length=0), critical=True
            ).add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
        else:
            builder = builder.add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                critical=True,
            ).add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
        return key, builder.sign(self.key, hashes.SHA256())
