"""``tergeu manage pki_init``: set up the PKI and enrol every active official.

Creates what is missing (root CA, an issuing CA per organisation kind, the TSA, the
master secret of key custody), then gives each active account that has an IIN and an
organisation a signing certificate (keeping valid ones). Safe to run again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tergeu.core.errors import ServiceError

from ... import services
from ...models import CertificateAuthority


class Command(BaseCommand):
    """Set up the PKI (idempotent) and enrol all active officials."""

    help = "Create the root CA, issuing CAs and TSA if missing, and enrol active officials."

    def handle(self, *args: Any, **options: Any) -> None:
        services.ensure_pki()
        cas = CertificateAuthority.objects.order_by("name").values_list("name", flat=True)
        self.stdout.write(f"Certification authorities: {', '.join(cas)}")
        enrolled = failed = 0
        for user in services.active_officials():
            try:
                services.enrol(user)
                enrolled += 1
            except ServiceError as exc:
                failed += 1
                self.stderr.write(f"{user.username}: {exc.text()}")
        self.stdout.write(f"Officials with a valid signing certificate: {enrolled}")
        if failed:
            self.stderr.write(f"Not enrolled: {failed}")
