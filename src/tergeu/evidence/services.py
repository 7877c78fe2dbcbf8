"""Services of evidence: registering items, moving them along their chain of custody,
attaching and reading their files.

Every change runs through :func:`tergeu.integrity.journal.service` and journals one event
with the case's id: ``evidence.received`` (the receipt, made by :func:`register_item`),
``evidence.<kind>`` for each custody move (its kind from :class:`~.models.CustodyKind`),
and, in :mod:`.files`, ``evidence.file_attached`` and ``evidence.file_read``. Custody
events carry the item's number and the SHA-256 of every file of the item, so a file
changed in the store no longer matches the journal.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Max, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tergeu.cases.access import Perm, get_case, perms_of
from tergeu.cases.models import Case
from tergeu.core import clock
from tergeu.core.errors import Conflict, RuleViolation, ValidationFailed
from tergeu.core.ids import uuid7
from tergeu.core.validation import Checker
from tergeu.integrity.journal import record, service

from .common import HOLDER_MAX, Holder, clean_text, item_and_case, item_queryset, read_holder
from .files import (
    attach_file,
    blob_ok,
    check_files,
    max_upload_bytes,
    open_verified,
    read_file,
    verify_files,
)
from .models import CustodyEvent, CustodyKind, EvidenceFile, EvidenceItem, ItemKind, ItemStatus
from .rules import MOVES, RECEIPT_RULE, Move

__all__ = [
    "attach_file",
    "blob_ok",
    "case_of",
    "check_files",
    "custody_of",
    "destroy",
    "get_item",
    "item_queryset",
    "items_of",
    "max_upload_bytes",
    "may_work",
    "move_item",
    "open_verified",
    "read_file",
    "register_item",
    "return_from_examination",
    "return_to_owner",
    "send_for_examination",
    "transfer",
    "verify_files",
]

DESCRIPTION_MAX = 2000
PLACE_MAX = 500
NOTE_MAX = 2000

STALE = _("The item was changed meanwhile (perhaps by a second submission). Reload the page.")


@service
def case_of(user: Any, case_key: uuid.UUID | str, perm: Perm = Perm.VIEW) -> Case:
    """The case, if the user holds ``perm`` on it (a refusal is journaled)."""
    return get_case(user, case_key, perm)


def may_work(user: Any, case: Case) -> bool:
    """Whether the user may register items, attach files and move items in ``case``."""
    return Perm.WORK in perms_of(user, case)


@service
def items_of(user: Any, case_key: uuid.UUID | str) -> QuerySet[EvidenceItem]:
    """The evidence of a case the user may see, in number order."""
    return item_queryset(get_case(user, case_key, Perm.VIEW))


@service
def get_item(user: Any, item_id: uuid.UUID | str) -> EvidenceItem:
    """An item of evidence with its files and custody, if the user may see its case."""
    case, _item = item_and_case(user, item_id, Perm.VIEW, "view")
    item = item_queryset(case).get(pk=_item.pk)
    item.case = case
    return item


@service
def custody_of(user: Any, item_id: uuid.UUID | str) -> QuerySet[CustodyEvent]:
    """The chain of custody of an item, oldest first."""
    _case, item = item_and_case(user, item_id, Perm.VIEW, "view")
    return (
        CustodyEvent.objects.filter(item=item)
        .select_related("by", "to_organisation", "to_user")
        .order_by("at", "id")
    )


# ---------------------------------------------------------------- registration


def _seized_at(check: Checker, value: Any) -> dt.datetime | None:
    if isinstance(value, str) and value.strip():
        parsed = parse_datetime(value.strip())
        if parsed is None:
            check.add("seized_at", _("Enter a date and time like 2025-01-31T14:30:00+05:00."))
            return None
        value = parsed
    if not isinstance(value, dt.datetime):
        check.add("seized_at", _("This field is required."))
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.KZ_TZ)
    check.not_future("seized_at", value)
    return value


def _number(case: Case) -> int:
    """The next number of an item in ``case``; the caller holds the case row lock."""
    top = EvidenceItem.objects.filter(case=case).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def _digests(item: EvidenceItem) -> list[dict[str, Any]]:
    """The files of an item as journaled: SHA-256, size and name, in upload order."""
    rows = EvidenceFile.objects.filter(item=item).order_by("uploaded_at", "id")
    return [{"sha256": f.sha256, "size": f.size, "name": f.name} for f in rows]


@service
def register_item(
    user: Any,
    case_key: uuid.UUID | str,
    *,
    description: str,
    kind: str,
    seized_at: dt.datetime | str | None,
    seized_where: str,
    holder: str = "",
    holder_organisation: Any = "",
    holder_user: Any = None,
) -> EvidenceItem:
    """Register an item of evidence in the case: its receipt, the first custody event.

    With no holder given, the user registering it holds it.
    """
    case = get_case(user, case_key, Perm.WORK, lock=True)
    check = Checker()
    description, seized_where = clean_text(description), clean_text(seized_where)
    check.required("description", description)
    check.max_length("description", description, DESCRIPTION_MAX)
    check.choice("kind", kind, ItemKind.choices)
    when = _seized_at(check, seized_at)
    check.required("seized_where", seized_where)
    check.max_length("seized_where", seized_where, PLACE_MAX)
    who = read_holder(check, "holder", holder, holder_organisation, holder_user)
    check.done()
    assert when is not None
    if who.empty:
        who.user = user
    item = EvidenceItem.objects.create(
        case=case,
        number=_number(case),
        description=description,
        kind=kind,
        seized_at=when,
        seized_where=seized_where,
        holder=who.text,
        holder_organisation=who.organisation,
        holder_user=who.user,
        status=ItemStatus.IN_CUSTODY,
        registered_by=user,
    )
    _custody(
        user, case, item, CustodyKind.RECEIVED, RECEIPT_RULE, "", who, "", ItemStatus.IN_CUSTODY
    )
    return item


def _custody(
    user: Any,
    case: Case,
    item: EvidenceItem,
    kind: str,
    rule: str,
    before: str,
    who: Holder,
    note: str,
    status_from: str,
) -> CustodyEvent:
    """Journal ``evidence.<kind>`` and write its custody event (after the item's change)."""
    custody_id = uuid7()
    data: dict[str, Any] = {
        "number": item.number,
        "item": str(item.pk),
        "custody": str(custody_id),
        "from": before,
        "to": who.journaled(),
        "status_from": status_from,
        "status_to": item.status,
        "note": note,
        "rule": rule,
        "files": _digests(item),
    }
    if kind == CustodyKind.RECEIVED:
        data.update(
            status_from=None,
            item_kind=item.kind,
            description=item.description,
            seized_at=item.seized_at,
            seized_where=item.seized_where,
        )
    event = record(
        f"evidence.{kind}",
        actor=user,
        case_id=case.pk,
        obj=item,
        data=data,
    )
    return CustodyEvent.objects.create(
        id=custody_id,
        item=item,
        case=case,
        kind=kind,
        from_holder=before[:HOLDER_MAX],
        to_holder=who.text,
        to_organisation=who.organisation,
        to_user=who.user,
        at=event.occurred_at,
        by=user,
        note=note,
        rule=rule,
        journal_event_uid=event.uid,
    )


# ---------------------------------------------------------------- custody moves


@service
def move_item(
    user: Any,
    item_id: uuid.UUID | str,
    move: str,
    *,
    to_holder: str = "",
    to_organisation: Any = "",
    to_user: Any = None,
    note: str = "",
    version: int | None = None,
) -> EvidenceItem:
    """Move an item along its chain of custody, if :data:`.rules.MOVES` allows it now."""
    spec: Move | None = MOVES.get(move)
    if spec is None:
        raise ValidationFailed.one("move", _("Unknown custody action."))
    case, item = item_and_case(user, item_id, Perm.WORK, spec.name, lock=True)
    if version is not None and int(version) != item.version:
        raise Conflict(STALE)
    if item.status not in spec.sources:
        raise RuleViolation(
            _("“%(action)s” is not possible while the item is “%(status)s”."),
            rule=spec.rule,
            action=spec.label,
            status=item.get_status_display(),
        )
    check = Checker()
    note = clean_text(note)
    if spec.needs_note and not note:
        check.add("note", _("Give the decision this is based on (resolution, sentence)."))
    check.max_length("note", note, NOTE_MAX)
    who = Holder()
    if spec.holder != "none":
        who = read_holder(
            check, "to", to_holder, to_organisation, to_user, forensic_only=spec.forensic_only
        )
        if who.empty and spec.holder == "required":
            check.add("to_holder", _("Say to whom the item goes."))
    check.done()
    if who.empty and spec.holder == "optional":
        who.user = user
    before = item.holder_label
    status_from = item.status
    item.holder, item.holder_organisation, item.holder_user = who.text, who.organisation, who.user
    item.status = spec.target
    item.version += 1
    item.save()
    _custody(user, case, item, spec.kind, spec.rule, before, who, note, status_from)
    return item


@service
def transfer(user: Any, item_id: uuid.UUID | str, *, to_holder: str, **kw: Any) -> EvidenceItem:
    """Hand an item over to another holder for safekeeping (CPC art. 221(3), (5))."""
    return move_item(user, item_id, "transfer", to_holder=to_holder, **kw)


@service
def send_for_examination(
    user: Any, item_id: uuid.UUID | str, *, to_holder: str = "", **kw: Any
) -> EvidenceItem:
    """Send an item to a forensic centre for examination (CPC art. 272(1), 276(1))."""
    return move_item(user, item_id, "send_for_examination", to_holder=to_holder, **kw)


@service
def return_from_examination(user: Any, item_id: uuid.UUID | str, **kw: Any) -> EvidenceItem:
    """Receive an item back from examination (by default the user now holds it)."""
    return move_item(user, item_id, "return_from_examination", **kw)


@service
def return_to_owner(
    user: Any, item_id: uuid.UUID | str, *, to_holder: str, note: str, **kw: Any
) -> EvidenceItem:
    """Return an item to its lawful owner, on a decision (CPC art. 118(3), 120(4))."""
    return move_item(user, item_id, "return_to_owner", to_holder=to_holder, note=note, **kw)


@service
def destroy(user: Any, item_id: uuid.UUID | str, *, note: str, **kw: Any) -> EvidenceItem:
    """Record the destruction of an item, on a decision (CPC art. 118(3), 221(4))."""
    return move_item(user, item_id, "destroy", note=note, **kw)
