"""JSON API of the Criminal Code: search articles, read an article with its parts.

The router is mounted by the project's API (under ``/api/v1/code/``), which also brings
authentication and turns :mod:`tergeu.core.errors` into answers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from tergeu.core.pagination import paginate

from . import services

router = Router(tags=["criminal code"])


class ArticleOut(Schema):
    """An article of the Code, without its text."""

    number: str
    title: str
    chapter: str
    special_part: bool
    repealed: bool


class PartOut(Schema):
    """A part in force: number (``""`` for an article without parts), text, paragraphs."""

    number: str
    text: str
    paragraphs: list[str]


class ArticleDetailOut(ArticleOut):
    """An article with the text of its parts in force."""

    parts: list[PartOut]


class ArticlePageOut(Schema):
    """One page of articles found."""

    items: list[ArticleOut]
    page: int
    size: int
    total: int


class ArticleQuery(Schema):
    """Search terms: an article number prefix or words of its title."""

    q: str = ""
    page: int = 1
    size: int = 20


@router.get("/articles", response=ArticlePageOut, summary="Search articles of the Special Part")
def list_articles(request: HttpRequest, filters: Query[ArticleQuery]) -> dict[str, Any]:
    """Articles of the Special Part in force, by number prefix (``188``) or title words."""
    page = paginate(services.articles_matching(filters.q), filters.page, filters.size)
    return {"items": page.items, "page": page.page, "size": page.size, "total": page.total}


@router.get("/articles/{number}", response=ArticleDetailOut, summary="Read an article")
def get_article(request: HttpRequest, number: str) -> dict[str, Any]:
    """An article with its parts in force (any article of the Code, repealed ones too)."""
    article = services.get_article(number)
    return {
        "number": article.number,
        "title": article.title,
        "chapter": article.chapter,
        "special_part": article.special_part,
        "repealed": article.repealed,
        "parts": article.current_parts,  # type: ignore[attr-defined]
    }
