"""Qualification: the Criminal Code as reference data (triage and suggestions come later)."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_code(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate`` or ``flush``: make sure the database still has the Code."""
    from .loader import ensure_code

    ensure_code(using=using, apps=kwargs.get("apps"))


class QualificationConfig(AppConfig):
    name = "tergeu.qualification"
    label = "qualification"
    verbose_name = _("Criminal Code")

    def ready(self) -> None:
        post_migrate.connect(_restore_code, sender=self, dispatch_uid="qualification.restore")
