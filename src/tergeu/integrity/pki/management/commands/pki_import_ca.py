"""``tergeu manage pki_import_ca --cert FILE [--key FILE] [--kind KIND] [--name NAME]``.

Takes a CA created outside Tergeu (production). With ``--key`` (PEM or DER; encrypted
keys read their password from ``--password-file``) the key goes into key custody,
encrypted, and the CA issues: a root signs issuing CAs and the TSA, an issuing CA of
``--kind`` (an organisation kind) enrols that kind's staff from then on. With
``--key-ref`` the key is already in custody (an HSM). Without a key the CA only helps
build chains. ``--kind`` defaults to ``root`` for a self-signed certificate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tergeu.accounts.models import OrgKind
from tergeu.core.errors import ServiceError

from ... import services
from ...models import ROOT
from ._common import default_name, is_self_signed_bytes, read_file, service_error


class Command(BaseCommand):
    """Import an external CA certificate and (optionally) its private key."""

    help = "Import a CA certificate and its key made outside Tergeu."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cert", required=True, help="the CA certificate, PEM or DER")
        parser.add_argument("--key", help="its private key, PEM or DER (PKCS#8, PKCS#1, SEC1)")
        parser.add_argument("--password-file", help="a file holding the key's password")
        parser.add_argument("--key-ref", default="", help="a key already in custody (HSM)")
        parser.add_argument(
            "--kind", choices=[ROOT, *OrgKind.values], help="root, or the organisation kind"
        )
        parser.add_argument("--name", help="a short name (default: from the common name)")

    def handle(self, *args: Any, **options: Any) -> None:
        cert = read_file(options["cert"])
        key = read_file(options["key"]) if options["key"] else None
        password = None
        if options["password_file"]:
            password = Path(options["password_file"]).read_bytes().strip()
        kind = options["kind"] or (ROOT if is_self_signed_bytes(cert) else None)
        if kind is None:
            raise CommandError("An intermediate CA needs --kind (the organisation kind).")
        name = options["name"] or default_name(cert)
        try:
            ca = services.import_ca(
                cert, key, name=name, kind=kind, password=password, key_ref=options["key_ref"]
            )
        except ServiceError as exc:
            raise service_error(exc) from exc
        role = "issues certificates" if ca.key_ref else "no key: used for chains only"
        self.stdout.write(f"Imported CA {ca.name} ({ca.kind}; {role}): {ca.subject}")
