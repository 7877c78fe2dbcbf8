"""Allocation: proposals of the body and the officer for a report, with their reasons."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "tergeu.allocation"
    label = "allocation"
    verbose_name = _("Allocation")
