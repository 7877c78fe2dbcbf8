"""Services that change a person's own account settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tergeu.core.errors import ValidationFailed
from tergeu.integrity.journal import record, service


@service
def set_language(user: Any, language: str) -> Any:
    """Remember the language the user works in (the UI and their notices use it)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed.one("language", _("Choose one of the offered values."))
    if user.language != language:
        before = user.language
        user.language = language
        user.save(update_fields=["language"])
        record("user.language_changed", actor=user, obj=user, data={"from": before, "to": language})
    return user
