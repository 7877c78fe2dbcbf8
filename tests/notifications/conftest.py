"""The catalogues compiled before messages are rendered in Kazakh and Russian; a real SMTP
server (aiosmtpd) on 127.0.0.1 and a self-signed certificate for its TLS."""

from __future__ import annotations

import datetime as dt
import email
import email.message
import email.policy
import fcntl
import ipaddress
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils.translation.reloader import translation_file_changed

from tergeu.web.translations import compile_catalogues


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


# ---------------------------------------------------------------- a real SMTP server


class Recorder:
    """An aiosmtpd handler that keeps what it receives and answers as a test tells it."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}  # address -> reply to RCPT TO
        self.data_replies: list[str] = []  # replies to DATA, used up first to last
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.data_replies:
                return self.data_replies.pop(0)
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def mails(self) -> list[email.message.EmailMessage]:
        """The messages received, parsed."""
        return [
            email.message_from_bytes(content, policy=email.policy.default)  # type: ignore[misc]
            for _from, _to, content in self.received
        ]


def free_port() -> int:
    """A port nobody listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[tuple[Recorder, int]]:
    """A plain SMTP server on 127.0.0.1, and the settings that send e-mail to it."""
    handler = Recorder()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.TERGEU_SMTP_HOST = "127.0.0.1"
    settings.TERGEU_SMTP_PORT = port
    settings.TERGEU_SMTP_TLS = "none"
    settings.TERGEU_SMTP_FROM = "Tergeu <noreply@tergeu.example>"
    settings.TERGEU_SMTP_TIMEOUT = 5
    try:
        yield handler, port
    finally:
        controller.stop()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.crt", directory / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
