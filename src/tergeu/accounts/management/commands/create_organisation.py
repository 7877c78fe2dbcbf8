"""``tergeu manage create_organisation --code RRDDBB --kind KIND --name-kk ... [--as ADMIN]``.

Creates a body through :func:`tergeu.accounts.admin_services.create_organisation`, acting
as an administrator (``--as``, default: the first active one), so it is checked and
journaled like a change made on the administration page.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tergeu.accounts.admin_services import create_organisation
from tergeu.accounts.models import OrgKind, Role, User
from tergeu.core.errors import ServiceError, ValidationFailed


def acting_administrator(username: str | None) -> User:
    """The administrator a command acts as: ``username``, or the first active one."""
    admins = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True)
    if username:
        found = admins.filter(username=username).first()
        if found is None:
            raise CommandError(f"No active administrator {username!r}.")
        return found
    first = admins.order_by("date_joined", "pk").first()
    if first is None:
        raise CommandError(
            "No administrator exists yet: create the first one with "
            "`tergeu manage create_user --superadmin ...`."
        )
    return first


def refusal(exc: ServiceError) -> CommandError:
    """A service's refusal as a command error: every field message on one line."""
    if isinstance(exc, ValidationFailed):
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_texts().items())
        return CommandError(problems)
    return CommandError(exc.text())


class Command(BaseCommand):
    """Create a body (police unit, prosecutor's office, court, bar, forensic centre)."""

    help = "Create an organisation (a body) as an administrator; prints its code and id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="6 digits RRDDBB (DD 00: whole region)")
        parser.add_argument("--kind", required=True, choices=OrgKind.values)
        parser.add_argument("--name-kk", required=True, help="name in Kazakh")
        parser.add_argument("--name-ru", required=True, help="name in Russian")
        parser.add_argument("--name-en", required=True, help="name in English")
        parser.add_argument("--region", default="", help="region code (default: from the code)")
        parser.add_argument("--district", default="", help="district code (default: from the code)")
        parser.add_argument("--parent", default="", help="code of the body it is a unit of")
        parser.add_argument(
            "--supervisor", default="", help="code of the supervising prosecutor's office"
        )
        parser.add_argument(
            "--as",
            dest="acting",
            default=None,
            help="user name of the administrator acting (default: the first active one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        admin = acting_administrator(options["acting"])
        try:
            org = create_organisation(
                admin,
                code=options["code"],
                kind=options["kind"],
                name_kk=options["name_kk"],
                name_ru=options["name_ru"],
                name_en=options["name_en"],
                region_code=options["region"],
                district_code=options["district"],
                parent_code=options["parent"],
                supervisor_code=options["supervisor"],
            )
        except ServiceError as exc:
            raise refusal(exc) from exc
        self.stdout.write(f"Created {org.code} ({org.kind}): {org.name_ru} [id {org.pk}]")
