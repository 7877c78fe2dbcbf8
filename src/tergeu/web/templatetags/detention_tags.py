"""The Detention panel of the case card (:mod:`tergeu.web.views.detention`)."""

from __future__ import annotations

from typing import Any

from django import template

from ..views.detention import panel

register = template.Library()


@register.inclusion_tag("web/cases/_detention_panel.html", takes_context=True)
def detention_panel(context: Any, case: Any, user: Any) -> dict[str, Any]:
    """Detentions and custody of ``case``, with the forms the user may use."""
    can_work = bool(context["can_work"]) if "can_work" in context else None
    data = panel(case, user, can_work)
    data["csrf_token"] = context.get("csrf_token")
    return data
