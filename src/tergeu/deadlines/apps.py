"""Deadlines: the CPC's time limits as clocks started, paused and ended by journal events."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "tergeu.deadlines"
    label = "deadlines"
    verbose_name = _("Procedural time limits")

    def ready(self) -> None:
        from . import hooks, rules

        rules.load_rules()  # validated at start: a bad rules.toml stops the process
        hooks.connect()
