"""Keyset-free page/size pagination shared by the web UI and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet

T = TypeVar("T")

MAX_PAGE_SIZE = 200


@dataclass
class Page(Generic[T]):
    """One page of a list and the numbers needed to navigate it."""

    items: list[T]
    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def paginate(qs: QuerySet[Any], page: int = 1, size: int = 50) -> Page[Any]:
    """Slice ``qs`` into a page; page and size are clamped to sane bounds."""
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    total = qs.count()
    pages = max(1, -(-total // size))
    page = max(1, min(int(page), pages))
    start = (page - 1) * size
    return Page(items=list(qs[start : start + size]), page=page, size=size, total=total)
