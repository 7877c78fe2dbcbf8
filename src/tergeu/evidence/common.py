"""Helpers the evidence services share: lazy messages, holders, loading an item with its case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import Organisation, OrgKind, User
from tergeu.cases.access import Perm, get_case
from tergeu.cases.models import Case
from tergeu.core.errors import Message, NotFound
from tergeu.core.validation import Checker
from tergeu.integrity.journal import deny

from .models import CustodyEvent, EvidenceFile, EvidenceItem, holder_label

HOLDER_MAX = 300


def _render(message: Message, params: dict[str, Any]) -> str:
    values = {k: str(v) if isinstance(v, Promise) else v for k, v in params.items()}
    return str(message) % values


_lazy_render = lazy(_render, str)


def fmt(message: Message, **params: Any) -> Message:
    """``message % params``, translated when it is shown (in the reader's language)."""
    return _lazy_render(message, params)


def uuid_or_none(value: Any) -> uuid.UUID | None:
    """``value`` as a UUID, or None if it is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def clean_text(value: Any) -> str:
    """``value`` stripped if it is text, else the empty string."""
    return value.strip() if isinstance(value, str) else ""


# ---------------------------------------------------------------- holders


@dataclass
class Holder:
    """Who holds an item: free text and/or an organisation and/or a user."""

    text: str = ""
    organisation: Organisation | None = None
    user: User | None = None

    @property
    def empty(self) -> bool:
        return not (self.text or self.organisation or self.user)

    def label(self) -> str:
        return holder_label(self.text, self.organisation, self.user)

    def journaled(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "organisation": self.organisation.code if self.organisation else None,
            "user": self.user.pk if self.user else None,
        }


def read_holder(
    check: Checker,
    prefix: str,
    text: Any,
    organisation: Any,
    user_id: Any,
    *,
    forensic_only: bool = False,
) -> Holder:
    """Read a holder from the fields ``<prefix>_holder``/``_organisation``/``_user``."""
    text_field = "holder" if prefix == "holder" else f"{prefix}_holder"
    who = Holder(text=clean_text(text))
    check.max_length(text_field, who.text, HOLDER_MAX)
    code = getattr(organisation, "code", None) or clean_text(organisation)
    if code:
        who.organisation = Organisation.objects.filter(code=code).first()
        if who.organisation is None:
            check.add(f"{prefix}_organisation", _("No organisation with this code."))
        elif forensic_only and who.organisation.kind != OrgKind.FORENSIC:
            check.add(
                f"{prefix}_organisation",
                _("Items are sent for examination to a forensic centre."),
            )
    if user_id not in (None, ""):
        pk = getattr(user_id, "pk", user_id)
        who.user = User.objects.filter(pk=pk, is_active=True).first() if str(pk).isdigit() else None
        if who.user is None:
            check.add(f"{prefix}_user", _("No such official."))
    return who


# ---------------------------------------------------------------- reading


def item_queryset(case: Case | uuid.UUID) -> QuerySet[EvidenceItem]:
    """Items of an (already authorised) case with their files and custody, by number."""
    files = EvidenceFile.objects.select_related("uploaded_by").order_by("uploaded_at", "id")
    custody = CustodyEvent.objects.select_related("by", "to_organisation", "to_user").order_by(
        "at", "id"
    )
    return (
        EvidenceItem.objects.filter(case_id=getattr(case, "pk", case))
        .select_related("holder_organisation", "holder_user")
        .prefetch_related(Prefetch("files", queryset=files), Prefetch("custody", queryset=custody))
        .order_by("number")
    )


def item_and_case(
    user: Any, item_id: Any, perm: Perm, verb: str, *, lock: bool = False
) -> tuple[Case, EvidenceItem]:
    """The item and its case if the user holds ``perm``; locks the case, then the item."""
    pk = uuid_or_none(item_id)
    case_id = (
        EvidenceItem.objects.filter(pk=pk).values_list("case_id", flat=True).first() if pk else None
    )
    if case_id is None or pk is None:
        raise deny(NotFound(), user, f"evidence.{verb}", None, f"no item {str(item_id)[:40]}")
    case = get_case(user, case_id, perm, lock=lock)
    qs = EvidenceItem.objects.select_related("holder_organisation", "holder_user")
    if lock:
        qs = qs.select_for_update(of=("self",))
    item = qs.get(pk=pk)
    item.case = case
    return case, item
