"""Effects a finalised document has on its case (the catalogue's ``"effect"`` names).

An effect runs inside the finalising service's transaction. It is idempotent: a document
that confirms the state the case is already in (e.g. a correction of an electronic-format
resolution) changes nothing and journals nothing. ``precondition`` lets a new draft be
refused when its decision would be pointless.

The case row is updated here with ``Case.objects.filter(...).update(...)`` (the cases app
owns its own services; this is the one field a procedural document decides).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from tergeu.cases.models import Case
from tergeu.core import clock
from tergeu.core.errors import RuleViolation
from tergeu.integrity.journal import record

from .models import Document

FORMAT_RULE = "CPC art. 42-1(2)"


def _set_format(user: Any, case: Case, doc: Document, *, electronic: bool) -> None:
    current = Case.objects.filter(pk=case.pk).values_list("electronic", flat=True).get()
    if current == electronic:
        return
    Case.objects.filter(pk=case.pk).update(
        electronic=electronic, version=F("version") + 1, updated_at=clock.now()
    )
    case.refresh_from_db(fields=["electronic", "version", "updated_at"])
    record(
        "case.format_changed",
        actor=user,
        case_id=case.pk,
        obj=case,
        data={
            "electronic": electronic,
            "document": str(doc.pk),
            "number": doc.number,
            "rule": FORMAT_RULE,
        },
    )


def _format_check(electronic: bool) -> Callable[[Case], RuleViolation | None]:
    def check(case: Case) -> RuleViolation | None:
        if case.electronic == electronic:
            message = (
                _("The case is already conducted in electronic format.")
                if electronic
                else _("The case is already conducted in paper format.")
            )
            return RuleViolation(message, rule=FORMAT_RULE)
        return None

    return check


@dataclass(frozen=True)
class Effect:
    """What finalising a document does to its case, and when drafting it makes no sense."""

    apply: Callable[[Any, Case, Document], None]
    precondition: Callable[[Case], RuleViolation | None]


EFFECTS: dict[str, Effect] = {
    "electronic_format": Effect(
        apply=lambda user, case, doc: _set_format(user, case, doc, electronic=True),
        precondition=_format_check(True),
    ),
    "paper_format": Effect(
        apply=lambda user, case, doc: _set_format(user, case, doc, electronic=False),
        precondition=_format_check(False),
    ),
}


def check_precondition(name: str | None, case: Case) -> None:
    """Refuse a draft whose decision the case does not need (RuleViolation)."""
    if name:
        error = EFFECTS[name].precondition(case)
        if error is not None:
            raise error


def apply_effect(name: str | None, user: Any, case: Case, doc: Document) -> None:
    """Apply the effect ``name`` of the finalised ``doc`` to ``case``."""
    if name:
        EFFECTS[name].apply(user, case, doc)
