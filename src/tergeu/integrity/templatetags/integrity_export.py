"""Template filters of the verifiable export: whether the reader may export a case."""

from __future__ import annotations

from typing import Any

from django import template

from tergeu.integrity.export import may_export

register = template.Library()


@register.filter
def exportable_by(case: Any, user: Any) -> bool:
    """``{% if case|exportable_by:user %}``: the case team, the prosecutor, the court."""
    return may_export(user, case)
