"""The "Time limits" panel of the case card: the case's clocks, red and amber, and the
link to request an extension for the official responsible."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from tergeu.cases.access import Perm, perms_of
from tergeu.core import clock

from ..alerts import due_text
from ..models import Clock, ClockStatus
from ..rules import RULES
from ..views import decorate

register = template.Library()

#: Order of the panel: what runs out first on top, finished terms below.
_ORDER = {"expired": 0, "soon": 1, "ok": 2, "paused": 3, "late": 4, "done": 5}
#: Most clocks one panel shows.
LIMIT = 200


def can_extend(row: Clock, user: Any) -> bool:
    """Whether to offer ``user`` the extension form: a running term with extensions in its
    rule, and the user answers for it (by name, or by role in the body when none is named)."""
    rule = RULES.get(row.rule)
    if row.status != ClockStatus.RUNNING or rule is None or not rule.extensions:
        return False
    if row.responsible_user_id is not None:
        return bool(row.responsible_user_id == getattr(user, "pk", None))
    return bool(
        getattr(user, "role", None) == row.responsible_role
        and getattr(user, "organisation_id", None) == row.organisation_id
    )


@register.filter
def due_time(value: dt.datetime | None) -> str:
    """A due time as the pages write it (see :func:`..alerts.due_text`)."""
    return due_text(value) if value is not None else ""


@register.inclusion_tag("deadlines/_panel.html", takes_context=True)
def deadlines_panel(context: Any, case: Any, user: Any) -> dict[str, Any]:
    """The clocks of ``case`` (shown to users with a grant to it; the card's view checked it
    and gives ``can_work``; elsewhere the user's permissions are read). One query."""
    if "can_work" not in context:
        perms = perms_of(user, case) if getattr(user, "is_authenticated", False) else frozenset()
        if Perm.VIEW not in perms:
            return {"visible": False}
    now = clock.now()
    rows = list(
        Clock.objects.filter(case=case)
        .select_related("subject_participant")
        .order_by("due_at", "pk")[:LIMIT]
    )
    decorate(rows, now)
    for row in rows:
        row.case = case
        row.can_extend = can_extend(row, user)  # type: ignore[attr-defined]
    rows.sort(key=lambda r: _ORDER.get(r.state, 9))  # type: ignore[attr-defined]
    return {"visible": True, "case": case, "rows": rows}
