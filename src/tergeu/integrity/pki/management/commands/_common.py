"""Helpers shared by the PKI management commands."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.core.management.base import CommandError
from django.utils.text import slugify

from tergeu.core.errors import ServiceError, ValidationFailed

from ...issuing import load_certificate


def read_file(path: str) -> bytes:
    """The bytes of ``path`` (a CommandError saying so if it cannot be read)."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc


def default_name(cert_bytes: bytes) -> str:
    """A slug from the certificate's common name (``ca`` if it has none or is unreadable)."""
    try:
        cert = load_certificate(cert_bytes)
    except ValueError:
        return "ca"
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = names[0].value if names else ""
    return slugify(str(value))[:60] or "ca"


def is_self_signed_bytes(cert_bytes: bytes) -> bool:
    """Whether the certificate names itself as its issuer (unreadable: False)."""
    try:
        cert: x509.Certificate = load_certificate(cert_bytes)
    except ValueError:
        return False
    return cert.issuer == cert.subject


def service_error(exc: ServiceError) -> CommandError:
    """A CommandError with the service's message(s) in the active language."""
    if isinstance(exc, ValidationFailed):
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_texts().items())
        return CommandError(problems)
    return CommandError(exc.text())
