"""Legal aid: duty roster of the bar, appointment of a defender, offers to duty lawyers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalaidConfig(AppConfig):
    name = "tergeu.legalaid"
    label = "legalaid"
    verbose_name = _("Legal aid")
