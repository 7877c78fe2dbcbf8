"""Error pages (404, 403, 500) in the user's language, wired as the root URLconf's handlers."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render

log = logging.getLogger(__name__)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Page not found, or a case the user has no grant to (its existence is not revealed)."""
    return render(request, "web/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The user may see the object but not do this; the service's message if it gave one."""
    message = str(exception) if exception is not None and str(exception) else ""
    return render(request, "web/403.html", {"message": message}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """An unexpected error; the page touches neither the database nor the user."""
    try:
        return render(request, "web/500.html", {"bare": True}, status=500)
    except Exception:  # the error page must not fail in turn
        log.exception("rendering the 500 page failed")
        return HttpResponseServerError(
            b"<!doctype html><title>500</title><h1>500</h1>", content_type="text/html"
        )
