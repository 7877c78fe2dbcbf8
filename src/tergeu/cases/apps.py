"""Cases: the ERDR register and the electronic case (card, stages, participants, access)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tergeu.cases"
    label = "cases"
    verbose_name = _("Criminal cases")
