"""Evidence: items, their files in the content-addressed store, and the chain of custody."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "tergeu.evidence"
    label = "evidence"
    verbose_name = _("Evidence")
