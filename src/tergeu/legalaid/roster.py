"""The bar's duty roster: which lawyer is on duty for which region, when, and for how many
appointments. Kept by the bar's head or administrator (``rules.ROSTER_ROLES``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import Organisation, OrgKind, Region, Role, User
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, NotFound
from tergeu.core.validation import Checker
from tergeu.integrity.journal import deny, record, service

from .common import as_uuid, local_text, moment
from .models import DutySlot
from .rules import ROSTER_ROLES

#: The most appointments one lawyer may be given in one slot.
MAX_CAPACITY = 50


def bar_of(user: Any) -> Organisation | None:
    """The bar whose roster ``user`` keeps, or None."""
    org = getattr(user, "organisation", None)
    if (
        user is None
        or not user.is_authenticated
        or org is None
        or org.kind != OrgKind.BAR
        or user.role not in ROSTER_ROLES
    ):
        return None
    return org


def require_bar(user: Any, action: str) -> Organisation:
    """The bar of a roster keeper; anyone else is refused (journaled)."""
    bar = bar_of(user)
    if bar is None:
        raise deny(
            AccessDenied(_("Only the head or the administrator of a bar keeps its duty roster.")),
            user,
            action,
            None,
            "not a roster keeper",
        )
    return bar


def lawyers_of(bar: Organisation) -> QuerySet[User]:
    """The active defenders of the bar (its own staff and that of its offices)."""
    return User.objects.filter(
        Q(organisation=bar) | Q(organisation__parent=bar), role=Role.DEFENDER, is_active=True
    ).order_by("last_name", "first_name")


@service
def roster(user: Any, *, include_past: bool = False) -> QuerySet[DutySlot]:
    """The slots of the user's bar, current and future first (or all with ``include_past``)."""
    bar = require_bar(user, "legalaid.roster")
    slots = DutySlot.objects.filter(bar=bar, cancelled_at__isnull=True)
    if not include_past:
        slots = slots.filter(ends_at__gt=clock.now())
    return slots.select_related("lawyer", "region").order_by("starts_at", "lawyer__last_name")


@service
def add_slot(
    user: Any,
    *,
    lawyer_id: Any,
    starts_at: Any,
    ends_at: Any,
    capacity: Any = 1,
    region: Any = None,
) -> DutySlot:
    """Put a lawyer of the bar on duty; unfilled appointments of the region are retried."""
    bar = require_bar(user, "legalaid.add_slot")
    check = Checker()
    lawyer = None
    if lawyer_id in (None, ""):
        check.add("lawyer_id", _("This field is required."))
    else:
        try:
            chosen = lawyers_of(bar).filter(pk=int(lawyer_id))
            lawyer = chosen.select_for_update(of=("self",)).first()
        except (TypeError, ValueError):
            lawyer = None
        if lawyer is None:
            check.add("lawyer_id", _("Choose a defender of your bar."))
    start = moment(check, "starts_at", starts_at, required=True)
    end = moment(check, "ends_at", ends_at, required=True)
    if start and end and end <= start:
        check.add("ends_at", _("The end must be after the start."))
    try:
        places = int(capacity)
    except (TypeError, ValueError):
        check.add("capacity", _("Enter a whole number."))
        places = 0
    else:
        if not 1 <= places <= MAX_CAPACITY:
            check.add(
                "capacity",
                _("Enter a number from 1 to %(limit)d.") % {"limit": MAX_CAPACITY},
            )
    area = bar.region
    if region not in (None, ""):
        area = Region.objects.filter(pk=str(region)).first()  # type: ignore[assignment]
        if area is None:
            check.add("region", _("Choose one of the offered values."))
    if lawyer is not None and start and end and end > start:
        clash = (
            DutySlot.objects.filter(
                lawyer=lawyer, cancelled_at__isnull=True, starts_at__lt=end, ends_at__gt=start
            )
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            check.add(
                "starts_at",
                _("This lawyer is already on duty from %(start)s to %(end)s.")
                % {"start": local_text(clash.starts_at), "end": local_text(clash.ends_at)},
            )
    check.done()
    assert lawyer is not None
    assert start is not None
    assert end is not None
    assert area is not None
    slot = DutySlot.objects.create(
        bar=bar,
        region=area,
        lawyer=lawyer,
        starts_at=start,
        ends_at=end,
        capacity=places,
        created_by=user,
    )
    record(
        "legalaid.slot_added",
        actor=user,
        obj=slot,
        data={
            "bar": bar.code,
            "region": area.pk,
            "lawyer": str(lawyer.pk),
            "starts_at": start,
            "ends_at": end,
            "capacity": places,
        },
    )
    now = clock.now()
    if start <= now < end:
        from .services import retry_unfilled_in

        retry_unfilled_in(area, now)
    return slot


@service
def cancel_slot(user: Any, slot_id: uuid.UUID | str) -> DutySlot:
    """Take a slot off the roster (offers already made stay until answered or expired)."""
    bar = require_bar(user, "legalaid.cancel_slot")
    pk = as_uuid(slot_id)
    slot = (
        DutySlot.objects.select_for_update()
        .filter(pk=pk, bar=bar, cancelled_at__isnull=True)
        .first()
        if pk
        else None
    )
    if slot is None:
        raise deny(NotFound(), user, "legalaid.cancel_slot", None, str(slot_id)[:40])
    slot.cancelled_at = clock.now()
    slot.save(update_fields=["cancelled_at", "updated_at"])
    record("legalaid.slot_cancelled", actor=user, obj=slot, data={"lawyer": str(slot.lawyer_id)})
    return slot
