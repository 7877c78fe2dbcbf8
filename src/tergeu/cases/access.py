"""Need-to-know access to cases (DESIGN.md principle 4).

A person sees a case only through an active :class:`~tergeu.cases.models.Grant`. Lists are
filtered in SQL by a semi-join on the (user, case) index; single cases are fetched with
:func:`get_case`, which answers "not found" to anyone without a grant (so the case's
existence is not revealed) and journals the denial.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from tergeu.core.errors import AccessDenied, NotFound
from tergeu.integrity.journal import deny, service

from .models import Case, Grant, GrantRole


class Perm(StrEnum):
    """What a person wants to do with a case."""

    VIEW = "view"  # read the card, participants, documents, history
    WORK = "work"  # investigate: participants, documents, stage moves of the investigation
    MANAGE = "manage"  # head of unit: assign or replace the investigator
    SUPERVISE = "supervise"  # prosecutor: decide on the case sent to them, send it to court
    ADJUDICATE = "adjudicate"  # court: record the verdict


#: Which grant roles carry which permissions.
ROLE_PERMS: dict[str, frozenset[Perm]] = {
    GrantRole.INVESTIGATOR: frozenset({Perm.VIEW, Perm.WORK}),
    GrantRole.TEAM: frozenset({Perm.VIEW, Perm.WORK}),
    GrantRole.HEAD: frozenset({Perm.VIEW, Perm.WORK, Perm.MANAGE}),
    GrantRole.REGISTRAR: frozenset({Perm.VIEW}),
    GrantRole.PROSECUTOR: frozenset({Perm.VIEW, Perm.SUPERVISE}),
    GrantRole.COURT: frozenset({Perm.VIEW, Perm.ADJUDICATE}),
    GrantRole.DEFENDER: frozenset({Perm.VIEW}),
    GrantRole.EXPERT: frozenset({Perm.VIEW}),
}


def active_grants(user: Any) -> QuerySet[Grant]:
    """The user's active grants."""
    return Grant.objects.filter(user=user, revoked_at__isnull=True)


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases the user may see, as one SQL query (semi-join on the grant index)."""
    if user is None or not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(pk__in=active_grants(user).values("case_id"))


def perms_of(user: Any, case: Case) -> frozenset[Perm]:
    """Everything the user may do with ``case`` through their grants."""
    roles = active_grants(user).filter(case=case).values_list("role", flat=True)
    perms: set[Perm] = set()
    for role in roles:
        perms |= ROLE_PERMS.get(role, frozenset())
    return frozenset(perms)


@service
def get_case(
    user: Any, key: uuid.UUID | str, perm: Perm = Perm.VIEW, *, lock: bool = False
) -> Case:
    """The case with id or ERDR number ``key``, if the user holds ``perm`` on it.

    Without any grant the answer is :class:`NotFound`, with a grant but not the permission
    it is :class:`AccessDenied`; both are journaled by the calling service.
    """
    qs = Case.objects.select_related(
        "article", "part", "organisation", "investigator", "prosecutor"
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    case: Case | None = None
    if isinstance(key, str) and key.isdigit():
        case = qs.filter(erdr_number=key).first()
    else:
        try:
            case = qs.filter(pk=uuid.UUID(str(key))).first()
        except ValueError:
            case = None
    if case is None:
        raise deny(NotFound(), user, f"case.{perm}", None, f"no case {str(key)[:40]}")
    require(user, case, perm)
    return case


def require(user: Any, case: Case, perm: Perm) -> None:
    """Refuse (journaled by the service) unless the user holds ``perm`` on ``case``."""
    perms = perms_of(user, case)
    if not perms:
        raise deny(NotFound(), user, f"case.{perm}", case.pk, "no grant")
    if perm not in perms:
        raise deny(AccessDenied(), user, f"case.{perm}", case.pk, "grant lacks permission")
