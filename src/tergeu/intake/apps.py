"""Intake: the book of records of reports of offences (KUI) and the decision on each."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "tergeu.intake"
    label = "intake"
    verbose_name = _("Reports (KUI)")
