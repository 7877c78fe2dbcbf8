"""``tergeu manage issue_token USERNAME --name NAME [--days N]``: issue an API token.

The token is printed once, on standard output, and cannot be shown again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tergeu.accounts.models import User
from tergeu.accounts.tokens import issue_token
from tergeu.core.errors import ServiceError, ValidationFailed


class Command(BaseCommand):
    """Issue a bearer token for a user, for a system that calls the API on their behalf."""

    help = "Issue an API token for USERNAME and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user the token acts for")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument(
            "--days", type=int, default=None, help="lifetime (default: TERGEU_API_TOKEN_DAYS)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        try:
            row, token = issue_token(user, name=options["name"], days=options["days"])
        except ValidationFailed as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_texts().items())
            raise CommandError(problems) from exc
        except ServiceError as exc:
            raise CommandError(exc.text()) from exc
        self.stderr.write(
            f"Token {row.prefix}… for {user.username} ({row.name}), "
            f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only now:"
        )
        self.stdout.write(token)
