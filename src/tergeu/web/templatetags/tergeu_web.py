"""Template helpers: the qualification as lawyers cite it, in the active language."""

from __future__ import annotations

from typing import Any

from django import template

from tergeu.qualification.services import qualification_text

register = template.Library()


@register.simple_tag
def qualification(case: Any) -> str:
    """'ст. 188 ч. 2 п. 1 УК РК' (ru), '188-бап 2-бөлік' (kk), 'Art. 188(2) CC' (en)."""
    part = case.part.number if case.part_id else None
    return qualification_text(case.article_id, part, case.paragraph or None)
