"""``tergeu manage checkpoint``: sign a checkpoint of the journal now and print it.

``--show`` prints the newest checkpoint without issuing one; ``--vkey`` and ``--pem`` print
the log's public key (signed-note verifier key, or PEM for openssl) instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tergeu.integrity import checkpoints


class Command(BaseCommand):
    """Integrate the new journal events and issue a signed checkpoint if the tree grew."""

    help = "Issue a signed checkpoint of the journal (if it grew) and print the signed note."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--show", action="store_true", help="print the newest, issue none")
        group.add_argument("--vkey", action="store_true", help="print the verifier key")
        group.add_argument("--pem", action="store_true", help="print the public key (PEM)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["vkey"]:
            self.stdout.write(checkpoints.vkey())
            return
        if options["pem"]:
            self.stdout.write(checkpoints.public_key_pem(), ending="")
            return
        if options["show"]:
            checkpoint = checkpoints.latest()
            if checkpoint is None:
                raise CommandError("No checkpoint yet: run `tergeu manage checkpoint`.")
        else:
            before = checkpoints.latest()
            try:
                checkpoint = checkpoints.issue_checkpoint()
            except checkpoints.InconsistentLog as exc:
                raise CommandError(str(exc)) from exc
            fresh = before is None or before.pk != checkpoint.pk
            self.stderr.write(
                f"Checkpoint of {checkpoint.size} events "
                + ("issued." if fresh else "unchanged: no new events.")
            )
        self.stdout.write(checkpoint.note, ending="")
