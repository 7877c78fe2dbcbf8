"""Documents: the catalogue of procedural documents, drafts, finalisation, supersession."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "tergeu.documents"
    label = "documents"
    verbose_name = _("Procedural documents")
