"""The legal-aid panel of the case card: appointments, their offers and the 24-hour deadline."""

from __future__ import annotations

from typing import Any

from django import template

from tergeu.cases.access import Perm, perms_of
from tergeu.core import clock

from ..models import Appointment
from ..rules import is_overdue

register = template.Library()


@register.inclusion_tag("legalaid/_panel.html", takes_context=True)
def defender_panel(context: Any, case: Any, user: Any) -> dict[str, Any]:
    """The appointments of ``case`` on its card (shown only to users with a grant to it).

    The card's view gives ``can_work``; elsewhere the user's permissions are read.
    """
    if "can_work" in context:
        can_work = bool(context["can_work"])
    else:
        perms = perms_of(user, case) if getattr(user, "is_authenticated", False) else frozenset()
        if Perm.VIEW not in perms:
            return {"visible": False}
        can_work = Perm.WORK in perms
    now = clock.now()
    rows = [
        {"appointment": a, "overdue": is_overdue(a.due_at, a.filled_at, now)}
        for a in Appointment.objects.filter(case=case)
        .select_related("participant", "defender")
        .prefetch_related("offers__lawyer")
    ]
    return {
        "visible": True,
        "case": case,
        "rows": rows,
        "can_work": can_work,
        "csrf_token": context.get("csrf_token"),
    }
