"""``tergeu manage pki_trust_root FILE [--name NAME]``: trust a root CA made outside Tergeu.

Signatures (detached CMS) whose certificates chain to it are then accepted, e.g. those
made with the national e-signature tool once the national CA's root is trusted.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tergeu.core.errors import ServiceError

from ... import services
from ._common import default_name, read_file, service_error


class Command(BaseCommand):
    """Trust an external root CA certificate (PEM or DER)."""

    help = "Trust a self-signed root CA certificate (PEM or DER) made outside Tergeu."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the root certificate, PEM or DER")
        parser.add_argument("--name", help="a short name (default: from the common name)")

    def handle(self, *args: Any, **options: Any) -> None:
        data = read_file(options["file"])
        name = options["name"] or default_name(data)
        try:
            row = services.import_trusted_root(data, name)
        except ServiceError as exc:
            raise service_error(exc) from exc
        self.stdout.write(f"Trusted root {row.name}: {row.subject} (SHA-256 {row.sha256})")
