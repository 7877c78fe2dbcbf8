"""PKI: certificate authorities, officials' signing certificates, CRLs, timestamping."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PkiConfig(AppConfig):
    name = "tergeu.integrity.pki"
    label = "pki"
    verbose_name = _("Public key infrastructure")
