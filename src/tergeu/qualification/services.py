"""Reading the Criminal Code: validating a qualification, finding articles, citing them.

Everything here only reads reference data, so nothing is journaled. Errors are
:class:`tergeu.core.errors.ValidationFailed` with the fields ``article``, ``part`` and
``paragraph``, or :class:`tergeu.core.errors.NotFound`.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tergeu.core.errors import Message, NotFound, ValidationFailed

from .models import Article, ArticlePart

_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-"})
_ARTICLE_PREFIX = re.compile(r"^(?:статья|ст\.?|бап|article|art\.?)\s*", re.IGNORECASE)
_NUMBER_QUERY = re.compile(r"^\d+(?:-\d*)?$")
_WORD = re.compile(r"\w+")


def _format(message: Message, **params: Any) -> Message:
    """``message % params``, rendered lazily in the language active when it is shown."""
    return lazy(lambda: str(message) % params, str)()


def _clean(value: str | None) -> str:
    """Normalise a number typed by a person: trim, unify dashes, drop spaces and ``)``."""
    return (value or "").translate(_DASHES).replace(" ", "").strip().rstrip(")").rstrip(".")


def _join(numbers: list[str]) -> str:
    return ", ".join(numbers)


#: Qualifications with a part that :func:`resolve` accepted: (article, part, paragraph) as
#: typed -> the part's id. Only a hint: the part and its article are fetched again (one
#: query instead of two) and checked again, so an edited or reloaded Code is never missed.
_RESOLVED: dict[tuple[str, str, str], int] = {}
_RESOLVED_MAX = 4096


def clear_resolve_cache() -> None:
    """Forget the hints of :func:`resolve` (tests that reload the Code may call it)."""
    _RESOLVED.clear()


def _resolve_hinted(
    key: tuple[str, str, str], number: str, part_no: str, para_no: str
) -> tuple[Article, ArticlePart | None, str] | None:
    part_id = _RESOLVED.get(key)
    if part_id is None:
        return None
    chosen = ArticlePart.objects.select_related("article").filter(pk=part_id).first()
    obj = chosen.article if chosen is not None else None
    if (
        chosen is None
        or obj is None
        or chosen.article_id != number
        or chosen.number != part_no
        or chosen.repealed
        or obj.repealed
        or not obj.special_part
        or (para_no and para_no not in (chosen.paragraphs or []))
    ):
        _RESOLVED.pop(key, None)
        return None
    return obj, chosen, para_no


def resolve(
    article: str, part: str | None = None, paragraph: str | None = None
) -> tuple[Article, ArticlePart | None, str]:
    """Check a qualification (article, part, paragraph) against the Code.

    Returns the article, its part (``None`` when the article has no numbered parts) and
    the paragraph number (``""`` when not given). The article must exist, belong to the
    Special Part and be in force; a part is required when the article has numbered parts
    and must be one of them; a paragraph is optional but must exist in that part.
    Raises :class:`ValidationFailed` on the field that is wrong.
    """
    number = _clean(_ARTICLE_PREFIX.sub("", (article or "").strip()))
    part_no, para_no = _clean(part), _clean(paragraph)
    key = (number, part_no, para_no)
    if number and part_no and (hinted := _resolve_hinted(key, number, part_no, para_no)):
        return hinted
    result = _resolve(number, part_no, para_no)
    if result[1] is not None:
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[key] = result[1].pk
    return result


def _resolve(number: str, part_no: str, para_no: str) -> tuple[Article, ArticlePart | None, str]:
    if not number:
        raise ValidationFailed.one("article", _("Enter the article of the Criminal Code."))
    obj = Article.objects.filter(number=number).first()
    if obj is None:
        raise ValidationFailed.one(
            "article",
            _format(_("Article %(article)s of the Criminal Code does not exist."), article=number),
        )
    if not obj.special_part:
        raise ValidationFailed.one(
            "article",
            _format(
                _(
                    "Article %(article)s of the Criminal Code does not define a criminal "
                    "offence; choose an article of the Special Part."
                ),
                article=number,
            ),
        )
    if obj.repealed:
        raise ValidationFailed.one(
            "article",
            _format(_("Article %(article)s of the Criminal Code is repealed."), article=number),
        )
    parts = list(obj.parts.filter(repealed=False))
    numbered = [p for p in parts if p.number]
    chosen: ArticlePart | None = None
    if numbered:
        names = _join([p.number for p in numbered])
        if not part_no:
            raise ValidationFailed.one(
                "part",
                _format(
                    _("Choose the part of article %(article)s: %(parts)s."),
                    article=number,
                    parts=names,
                ),
            )
        chosen = next((p for p in numbered if p.number == part_no), None)
        if chosen is None:
            raise ValidationFailed.one(
                "part",
                _format(
                    _("Article %(article)s has no part %(part)s; its parts are %(parts)s."),
                    article=number,
                    part=part_no,
                    parts=names,
                ),
            )
    elif part_no:
        raise ValidationFailed.one(
            "part",
            _format(_("Article %(article)s is not divided into parts."), article=number),
        )
    if para_no:
        holder = chosen or next((p for p in parts if not p.number), None)
        paragraphs: list[str] = list(holder.paragraphs) if holder else []
        if para_no not in paragraphs:
            raise ValidationFailed.one(
                "paragraph", _paragraph_error(number, chosen, para_no, paragraphs)
            )
    return obj, chosen, para_no


def _paragraph_error(
    article: str, part: ArticlePart | None, paragraph: str, paragraphs: list[str]
) -> Message:
    """The message for a paragraph that the part (or the partless article) does not have."""
    params = {"article": article, "paragraph": paragraph, "paragraphs": _join(paragraphs)}
    if part is not None:
        if paragraphs:
            msg = _(
                "Part %(part)s of article %(article)s has no paragraph %(paragraph)s; "
                "its paragraphs are %(paragraphs)s."
            )
        else:
            msg = _("Part %(part)s of article %(article)s has no paragraphs.")
        return _format(msg, part=part.number, **params)
    if paragraphs:
        msg = _(
            "Article %(article)s has no paragraph %(paragraph)s; its paragraphs are %(paragraphs)s."
        )
    else:
        msg = _("Article %(article)s has no paragraphs.")
    return _format(msg, **params)


def articles_matching(query: str = "") -> QuerySet[Article]:
    """Articles of the Special Part in force that match ``query``, in the Code's order.

    A number (``188``, ``ст. 24-``) matches by prefix; words match the title, each word
    anywhere and case-insensitively (a regular expression, since SQLite's ``LIKE`` folds
    the case of ASCII letters only). An empty query matches every such article.
    """
    qs = Article.objects.filter(special_part=True, repealed=False).order_by("sort_key")
    text = _ARTICLE_PREFIX.sub("", query.strip().translate(_DASHES))
    if not text:
        return qs
    if _NUMBER_QUERY.match(text):
        return qs.filter(number__startswith=text)
    condition = Q()
    for word in _WORD.findall(text):
        condition &= Q(title__iregex=word)
    return qs.filter(condition)


def search_articles(query: str, limit: int = 20) -> list[Article]:
    """At most ``limit`` articles matching ``query`` (see :func:`articles_matching`)."""
    return list(articles_matching(query)[: max(0, limit)])


def get_article(number: str) -> Article:
    """An article of the Code (any part, in force or not) with its parts in force.

    The parts are in ``article.current_parts``. Raises :class:`NotFound`.
    """
    number = _clean(number)
    obj = (
        Article.objects.filter(number=number)
        .prefetch_related(
            Prefetch(
                "parts",
                queryset=ArticlePart.objects.filter(repealed=False).order_by("id"),
                to_attr="current_parts",
            )
        )
        .first()
    )
    if obj is None:
        raise NotFound(
            _format(_("Article %(article)s of the Criminal Code does not exist."), article=number)
        )
    return obj


def _number(value: Article | ArticlePart | str | None) -> str:
    if isinstance(value, Article | ArticlePart):
        return value.number
    return _clean(value)


def qualification_text(
    article: Article | str,
    part: ArticlePart | str | None = None,
    paragraph: str | None = None,
) -> str:
    """How lawyers cite a qualification in the active language.

    ``ст. 188 ч. 2 п. 1 УК РК`` (ru), ``188-бап 2-бөлік 1-тармақ`` (kk),
    ``Art. 188(2)(1) CC`` (en).
    """
    art, prt, para = _number(article), _number(part), _number(paragraph)
    language = (get_language() or "ru").split("-")[0]
    if language == "kk":
        pieces = [f"{art}-бап"]
        pieces += [f"{prt}-бөлік"] if prt else []
        pieces += [f"{para}-тармақ"] if para else []
        return " ".join(pieces)
    if language == "en":
        if prt:
            return f"Art. {art}({prt})" + (f"({para})" if para else "") + " CC"
        return f"Art. {art}" + (f" para. {para}" if para else "") + " CC"
    pieces = [f"ст. {art}"]
    pieces += [f"ч. {prt}"] if prt else []
    pieces += [f"п. {para}"] if para else []
    return " ".join([*pieces, "УК РК"])
