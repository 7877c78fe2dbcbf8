"""``tergeu manage create_user --username U --last-name ... --role ROLE [--superadmin]``.

Creates an account through :mod:`tergeu.accounts.admin_services`, acting as an
administrator (``--as``, default: the first active one). On a fresh installation,
``--superadmin`` creates the first administrator with no one acting (journaled without
an actor); it is refused once an active administrator exists.

The password is read from standard input with ``--password-stdin`` (one line), else asked
for twice on the terminal; it is never taken from the command line, where other users of
the machine could see it.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tergeu.accounts.admin_services import bootstrap_administrator, create_user
from tergeu.accounts.models import Role
from tergeu.core.errors import ServiceError

from .create_organisation import acting_administrator, refusal


class Command(BaseCommand):
    """Create an official's account, or the first administrator of an installation."""

    help = "Create a user account as an administrator, or the first one with --superadmin."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--patronymic", default="")
        parser.add_argument("--iin", required=True, help="IIN, 12 digits")
        parser.add_argument(
            "--role", choices=Role.values, help="the role (with --superadmin: administrator)"
        )
        parser.add_argument("--organisation", default="", help="code of the body")
        parser.add_argument(
            "--language", default="ru", choices=[code for code, _name in settings.LANGUAGES]
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input instead of asking for it",
        )
        parser.add_argument(
            "--superadmin",
            action="store_true",
            help="create the first administrator of a fresh installation (no one acting)",
        )
        parser.add_argument(
            "--as",
            dest="acting",
            default=None,
            help="user name of the administrator acting (default: the first active one)",
        )

    def _password(self, options: dict[str, Any]) -> str:
        stdin = options.get("stdin") or sys.stdin
        if options["password_stdin"]:
            return stdin.readline().rstrip("\r\n")
        if not stdin.isatty():
            raise CommandError("No terminal to ask for the password: use --password-stdin.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        if options["superadmin"]:
            if options["role"] not in (None, Role.ADMINISTRATOR):
                raise CommandError("--superadmin creates an administrator: drop --role.")
        elif not options["role"]:
            raise CommandError("--role is required (or --superadmin for the first administrator).")
        admin = None if options["superadmin"] else acting_administrator(options["acting"])
        fields = {
            "username": options["username"],
            "last_name": options["last_name"],
            "first_name": options["first_name"],
            "patronymic": options["patronymic"],
            "iin": options["iin"],
            "organisation_code": options["organisation"],
            "language": options["language"],
            "email": options["email"],
            "phone": options["phone"],
        }
        password = self._password(options)
        try:
            if admin is None:
                user = bootstrap_administrator(password=password, **fields)
            else:
                user = create_user(admin, role=options["role"], password=password, **fields)
        except ServiceError as exc:
            raise refusal(exc) from exc
        org = user.organisation.code if user.organisation else "—"
        self.stdout.write(f"Created {user.username} ({user.role}, {org}) [id {user.pk}]")
