"""Summons: electronic summons to participants and the notices of the case (docs/summons.md)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummonsConfig(AppConfig):
    name = "tergeu.summons"
    label = "summons"
    verbose_name = _("Summons and notices")

    def ready(self) -> None:
        from . import hooks

        hooks.connect()
