"""Helpers shared by the views: service refusals as HTTP answers, paging, local time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from tergeu.cases.access import Perm, get_case
from tergeu.cases.models import Case
from tergeu.core.errors import AccessDenied, NotFound
from tergeu.integrity.journal import service

#: How many rows a list shows per page.
PAGE_SIZE = 25


@contextmanager
def http_errors() -> Iterator[None]:
    """Turn a service's NotFound into a 404 page and AccessDenied into a 403 page."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.text()) from exc
    except AccessDenied as exc:
        raise PermissionDenied(exc.text()) from exc


@service
def _case_for_view(user: Any, key: uuid.UUID | str) -> Case:
    """Read access to a case through the service runner, so that a denial is journaled."""
    return get_case(user, key, Perm.VIEW)


def load_case(user: Any, key: uuid.UUID | str) -> Case:
    """The case if the user may see it; otherwise a 404 page (the denial is journaled)."""
    with http_errors():
        return _case_for_view(user, key)


def page_number(request: HttpRequest) -> int:
    """The requested page number (1 when absent or not a number)."""
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def query_without_page(request: HttpRequest) -> str:
    """The current query string without ``page``, for the links of the pager."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
