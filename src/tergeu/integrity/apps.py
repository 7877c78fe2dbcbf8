"""Integrity: the append-only journal of events (Merkle tree, signing and PKI come next)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "tergeu.integrity"
    label = "integrity"
    verbose_name = _("Integrity")
