"""Readable lines for the journal events of a case (the History tab)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tergeu.accounts.models import User
from tergeu.cases.models import GrantRole, ParticipantStatus
from tergeu.cases.stages import TRANSITIONS
from tergeu.evidence.models import CustodyKind
from tergeu.integrity.models import Event
from tergeu.qualification.services import qualification_text

#: Events whose text needs no data from the payload.
PLAIN = {
    "participant.updated": gettext_lazy("Participant's data changed"),
    "document.created": gettext_lazy("Document drafted"),
    "document.updated": gettext_lazy("Document draft changed"),
    "document.finalised": gettext_lazy("Document finalised"),
    "document.read": gettext_lazy("Documents of the case read"),
    "document.countersigned": gettext_lazy("Document countersigned"),
    "document.correction_created": gettext_lazy("Correction of a document drafted"),
    "document.discarded": gettext_lazy("Draft discarded"),
    "case.format_changed": gettext_lazy("Format of the proceedings changed"),
    "case.exported": gettext_lazy("Verifiable export of the case made"),
    "case.access_revoked": gettext_lazy("Access to the case revoked"),
    "evidence.file_attached": gettext_lazy("File attached to evidence"),
    "evidence.file_read": gettext_lazy("Evidence file opened"),
}

#: ``Case.qualification`` as journaled: "188", "188 ч.2", "188 ч.2 п.1", "188 п.1".
_STORED = re.compile(r"(?P<article>\S+)(?:\s+ч\.\s*(?P<part>\S+))?(?:\s+п\.\s*(?P<paragraph>\S+))?")


@dataclass
class Line:
    """One event as the History tab shows it."""

    at: Any
    who: str
    action: str
    text: str
    seq: int


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _ground_label(name: str, code: str) -> str:
    transition = TRANSITIONS.get(name)
    for ground in transition.grounds if transition else ():
        if ground.code == code:
            return f"{code}: {ground.label}"
    return code


def _stored_qualification(value: Any) -> str:
    """A qualification stored as ``Case.qualification`` ("188 ч.2 п.1") in the active
    language; anything that does not parse is shown as stored."""
    text = str(value or "").strip()
    match = _STORED.fullmatch(text)
    if not match:
        return text
    return qualification_text(match["article"], match["part"], match["paragraph"])


def _describe(event: Event, data: dict[str, Any], users: dict[str, str]) -> tuple[str, str]:
    """(action, details) of one event in the active language."""
    action = event.action
    app, _dot, verb = action.partition(".")
    if action == "case.registered":
        qualification = qualification_text(
            str(data.get("article", "")), data.get("part") or None, data.get("paragraph") or None
        )
        return _("Registered in ERDR"), _("No. %(number)s, %(qualification)s") % {
            "number": data.get("erdr_number", ""),
            "qualification": qualification,
        }
    if action == "case.access_granted":
        person = users.get(str(data.get("user")), "?")
        return _("Access granted"), f"{person}: {_label(GrantRole, str(data.get('role', '')))}"
    if action == "case.investigator_assigned":
        return _("Investigator assigned"), users.get(str(data.get("to")), "")
    if action == "case.requalified":
        return _("Qualification changed"), _("from %(old)s to %(new)s: %(reason)s") % {
            "old": _stored_qualification(data.get("from")),
            "new": _stored_qualification(data.get("to")),
            "reason": data.get("reason", ""),
        }
    if app == "case" and verb in TRANSITIONS:
        parts = [
            _ground_label(verb, str(data.get("ground") or "")),
            str(data.get("reason") or ""),
        ]
        if data.get("target_case"):
            parts.append(_("into case No. %(number)s") % {"number": data["target_case"]})
        if data.get("new_case"):
            parts.append(_("new case No. %(number)s") % {"number": data["new_case"]})
        return str(TRANSITIONS[verb].label), "; ".join(p for p in parts if p)
    if action == "participant.added":
        name = " ".join(
            str(data.get(k) or "") for k in ("last_name", "first_name", "patronymic")
        ).strip()
        status = _label(ParticipantStatus, str(data.get("status", "")))
        return _("Participant added"), f"{name} ({status})"
    if action == "participant.removed":
        return _("Participant removed"), str(data.get("reason") or "")
    if action == "allocation.proposed":
        officer = data.get("officer") or {}
        top = (officer.get("ranking") or [{}])[0]
        return _("Officer proposed"), str(top.get("name") or officer.get("username") or "—")
    if action == "allocation.accepted":
        return _("Proposed officer accepted"), users.get(str(data.get("chosen")), "")
    if action == "allocation.overridden":
        if data.get("self_assigned"):
            return _("Officer took the case himself"), users.get(str(data.get("chosen")), "")
        return _("Another officer chosen"), _("%(chosen)s instead of %(proposed)s: %(reason)s") % {
            "chosen": users.get(str(data.get("chosen")), "?"),
            "proposed": users.get(str(data.get("proposed")), "?"),
            "reason": data.get("reason", ""),
        }
    if action == "access.denied":
        return _("Access refused"), str(data.get("attempted") or "")
    if action.startswith("evidence.") and action not in PLAIN:
        kind = _label(CustodyKind, action.removeprefix("evidence."))
        return _("Evidence: %(kind)s") % {"kind": kind}, _item(data)
    if action in PLAIN:
        detail = data.get("title") or data.get("name") or ""
        if action.startswith("evidence."):
            detail = f"{_item(data)}: {detail}"
        return str(PLAIN[action]), str(detail)
    return action, ""


def _item(data: dict[str, Any]) -> str:
    """'item No. N' of an evidence event."""
    return _("item No. %(number)s") % {"number": data.get("number", "?")}


def describe_events(events: list[Event]) -> list[Line]:
    """Lines for ``events`` (actors preloaded); names of granted users in one query."""
    payloads = []
    ids: set[str] = set()
    for event in events:
        try:
            data = json.loads(event.payload).get("data") or {}
        except ValueError:
            data = {}
        payloads.append(data)
        for key in ("user", "to"):
            value = data.get(key) if event.action.startswith("case.") else None
            if isinstance(value, str) and value.isdigit():
                ids.add(value)
        if event.action in ("allocation.accepted", "allocation.overridden"):
            ids.update(str(data.get(k)) for k in ("proposed", "chosen") if data.get(k))
    users = {str(u.pk): str(u) for u in User.objects.filter(pk__in=ids)} if ids else {}
    lines = []
    for event, data in zip(events, payloads, strict=True):
        action, text = _describe(event, data, users)
        who = str(event.actor) if event.actor_id else (event.actor_label or _("System"))
        lines.append(Line(at=event.occurred_at, who=who, action=action, text=text, seq=event.seq))
    return lines
