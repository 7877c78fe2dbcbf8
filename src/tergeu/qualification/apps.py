"""Qualification: the Criminal Code as reference data (triage and suggestions come later)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualificationConfig(AppConfig):
    name = "tergeu.qualification"
    label = "qualification"
    verbose_name = _("Criminal Code")
