"""Pieces every API router shares: the acting user, pages of lists, the error schema.

Routers of every app import these; they do not import each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import AuthenticationError

from .pagination import MAX_PAGE_SIZE, paginate

if TYPE_CHECKING:
    from tergeu.accounts.models import User

T = TypeVar("T")


def actor(request: HttpRequest) -> User:
    """The user an API request acts for (bearer token or signed-in session)."""
    user = getattr(request, "auth", None)
    if user is None or not getattr(user, "is_authenticated", False):
        raise AuthenticationError()
    return user


class ErrorOut(Schema):
    """Every refusal of the API, in the language of the request (Accept-Language)."""

    code: str = Field(
        ...,
        description="Stable machine-readable code: validation_failed, not_found, forbidden, "
        "rule_violation, conflict, unauthorized, bad_request...",
    )
    message: str = Field(..., description="What went wrong, for a person to read.")
    fields: dict[str, list[str]] | None = Field(
        None, description="For validation_failed: messages for each field of the request."
    )
    rule: str | None = Field(
        None, description="For rule_violation: the article of the law, e.g. 'CPC art. 45(9)'."
    )


#: Error answers every operation may give; spread into ``response={200: X, **ERRORS}``.
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class PageParams(Schema):
    """Query parameters of every list."""

    page: int = Field(1, ge=1, description="Page number, from 1 (past the end: the last page).")
    size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page (at most 200).")


class PageOut(Schema, Generic[T]):
    """One page of a list."""

    items: list[T] = Field(..., description="The items of this page.")
    page: int = Field(..., description="This page's number.")
    size: int = Field(..., description="Items per page.")
    total: int = Field(..., description="Number of items in the whole list.")


def paged(qs: QuerySet[Any], params: PageParams, convert: Callable[[Any], Any]) -> dict[str, Any]:
    """One page of ``qs`` as the API answers it, each item passed through ``convert``."""
    page = paginate(qs, params.page, params.size)
    return {
        "items": [convert(item) for item in page.items],
        "page": page.page,
        "size": page.size,
        "total": page.total,
    }


def labelled(value: str, choices: Iterable[tuple[str, Any]]) -> str:
    """The translated label of ``value`` among Django ``choices`` ('' if none)."""
    return next((str(label) for code, label in choices if code == value), "")
