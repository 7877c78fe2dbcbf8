"""The language switch: Django's set_language, plus the choice remembered on the user."""

from __future__ import annotations

import contextlib

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from tergeu.accounts.services import set_language as remember_language
from tergeu.core.errors import ValidationFailed


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language; a signed-in user keeps it for the next sign-in too."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        # an unknown code was already ignored by set_language; the user keeps theirs
        with contextlib.suppress(ValidationFailed):
            remember_language(request.user, language)
    return response
