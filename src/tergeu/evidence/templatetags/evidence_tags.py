"""Template filters of the evidence pages."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def breakable(digest: str, every: int = 16) -> SafeString:
    """A long hex digest with line-break opportunities (``<wbr>``) every ``every`` characters.

    Copying the text copies the digest unchanged.
    """
    text = escape(str(digest))
    return mark_safe("<wbr>".join(text[i : i + every] for i in range(0, len(text), every)))
