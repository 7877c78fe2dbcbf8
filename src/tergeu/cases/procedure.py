"""The order of procedural events, as data: what each event requires to have happened first.

Each :class:`OrderRule` names an event (a journal action, or ``document.<type>`` /
``document.*`` for a procedural document), the requirement that must hold for it, the
article of the Criminal Procedure Code the requirement comes from and the message shown
when it does not hold. :func:`check` is called by the services before they write
(:mod:`tergeu.cases.detention`, :mod:`tergeu.cases.services`,
:mod:`tergeu.documents.services`); a failed requirement is a :class:`RuleViolation` naming
the article, and the service's transaction writes nothing.

Requirements are small predicates over :class:`Facts` (the case, the participant, their
current detention, the moment of the event), registered by name in :data:`REQUIREMENTS`.
Whether a stage move is legal (e.g. resumption only of an interrupted case, CPC art. 45(9))
is decided by the stage machine, :data:`tergeu.cases.stages.TRANSITIONS`, not here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tergeu.core import clock
from tergeu.core.errors import RuleViolation
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event

from .models import Case, Detention, Participant, ParticipantStatus

PS = ParticipantStatus

#: Statuses of a person who may be deprived of liberty in a case: CPC art. 128(1) detains a
#: suspect, art. 147(1) takes a suspect or an accused into custody.
SUSPECT_STATUSES = frozenset({PS.SUSPECT, PS.ACCUSED})

#: Statuses of a person whose detention makes them a suspect (CPC art. 64(1)(2): a person
#: detained under art. 131 is a suspect). Victims, representatives, defenders, experts,
#: specialists and interpreters take part in the case in another capacity and are not
#: detained in it; an accused is no longer a suspect (art. 64(8)) and is not detained under
#: art. 128.
DETAINABLE_STATUSES = frozenset(
    {PS.SUSPECT, PS.WITNESS, PS.WITNESS_WITH_DEFENCE, PS.CIVIL_DEFENDANT}
)


@dataclass
class Facts:
    """What a requirement looks at: the case, the person, their current detention, the time."""

    case: Case
    at: dt.datetime | None = None
    participant: Participant | None = None
    detention: Detention | None = None
    status: str = ""
    dated: dict[str, dt.datetime] = field(default_factory=dict)
    event: str = ""


@dataclass(frozen=True)
class OrderRule:
    """``event`` may happen only if ``requires`` holds (CPC ``article``); else ``message``."""

    event: str
    requires: str
    article: str
    message: Promise


def _local(moment: dt.datetime | None) -> str:
    return date_format(clock.local(moment), "DATETIME_FORMAT") if moment else ""


def current_detention(person: Participant) -> Detention | None:
    """The person's detention or custody that has not ended, if any (at most one)."""
    rows = Detention.objects.filter(participant=person).order_by("-created_at")
    return next((d for d in rows if d.active), None)


def suspect_since(person: Participant) -> dt.datetime | None:
    """When the person first became a suspect (or accused) in the case, as the system knows.

    The earliest of: their detention (CPC art. 64(1)(2)), the journal event that added them
    with the status of a suspect or accused or changed their status to it (art. 64(1)(1),
    (3), art. 202). A suspect with no journal event (data loaded directly, not through the
    services) counts from the case's registration: the system cannot tell, so it does not
    refuse.
    """
    times: list[dt.datetime] = []
    first = Detention.objects.filter(participant=person, detained_at__isnull=False).aggregate(
        first=Min("detained_at")
    )["first"]
    if first is not None:
        times.append(first)
    events = Event.objects.filter(
        case_id=person.case_id,
        object_type="Participant",
        object_id=str(person.pk),
        action__in=("participant.added", "participant.updated"),
    ).order_by("seq")
    seen = False
    for row in events:
        seen = True
        data = payload_of(row).get("data", {})
        status = data.get("status") if row.action == "participant.added" else None
        if row.action == "participant.updated":
            status = (data.get("after") or {}).get("status")
        if status in SUSPECT_STATUSES:
            times.append(row.occurred_at)
            break
    if not seen and person.status in SUSPECT_STATUSES:
        times.append(person.case.registered_at)
    return min(times) if times else None


def _after_detention(f: Facts) -> bool:
    d = f.detention
    if d is None or f.at is None:
        return True
    marks = [m for m in (d.detained_at, d.delivered_at, d.protocol_at) if m is not None]
    return not marks or f.at >= max(marks)


#: Urgent investigative actions, which CPC art. 179(1)-(2) lets precede the registration
#: in ERDR (the investigation then begins with them): their documents may be dated from the
#: receipt of the report (KUI), not from the registration.
URGENT_ACTIONS = frozenset({"document.protocol_scene_inspection"})


def earliest_date(f: Facts) -> dt.datetime:
    """The earliest moment a document of the case may be dated."""
    if f.event in URGENT_ACTIONS:
        report = f.case.report
        if report is not None and report.received_at < f.case.registered_at:
            return report.received_at
    return f.case.registered_at


def _dated_after_registration(f: Facts) -> bool:
    earliest = earliest_date(f)
    return all(moment >= earliest for moment in f.dated.values())


def _recognised_suspect(f: Facts) -> bool:
    if f.participant is None or f.at is None:
        return True
    since = suspect_since(f.participant)
    return since is not None and since <= f.at


def _custody_from_after_detention(f: Facts) -> bool:
    d = f.detention
    if d is None or not d.detained_now or f.at is None or d.detained_at is None:
        return True
    return f.at >= d.detained_at


#: Named requirements; each answers True when the event may happen.
REQUIREMENTS: dict[str, Callable[[Facts], bool]] = {
    "case_registered": lambda f: f.at is None or f.at >= f.case.registered_at,
    "detainable": lambda f: (
        f.participant is not None and f.participant.status in DETAINABLE_STATUSES
    ),
    "not_deprived_of_liberty": lambda f: f.detention is None or not f.detention.active,
    "detained": lambda f: f.detention is not None and f.detention.detained_now,
    "after_detention": lambda f: (
        f.detention is None
        or f.at is None
        or f.detention.detained_at is None
        or f.at >= f.detention.detained_at
    ),
    "after_delivery": lambda f: (
        f.detention is None
        or f.at is None
        or f.detention.delivered_at is None
        or f.at >= f.detention.delivered_at
    ),
    "protocol_drawn": lambda f: (
        f.detention is not None
        and f.detention.protocol_at is not None
        and (f.at is None or f.at >= f.detention.protocol_at)
    ),
    "after_everything_recorded": _after_detention,
    "suspect_or_accused": lambda f: (
        f.participant is not None and f.participant.status in SUSPECT_STATUSES
    ),
    "not_in_custody": lambda f: f.detention is None or not f.detention.in_custody,
    "custody_after_detention": _custody_from_after_detention,
    "in_custody": lambda f: f.detention is not None and f.detention.in_custody,
    "after_custody_from": lambda f: (
        f.detention is None
        or f.at is None
        or f.detention.custody_from is None
        or f.at >= f.detention.custody_from
    ),
    "remains_suspect_while_deprived": lambda f: (
        f.detention is None or not f.detention.active or f.status in SUSPECT_STATUSES
    ),
    "dated_after_registration": _dated_after_registration,
    "recognised_suspect": _recognised_suspect,
}


R = OrderRule

#: The order of events. Checked in this order; the first failing rule is reported.
RULES: tuple[OrderRule, ...] = (
    # Detention (CPC art. 64, 128-133).
    R(
        "participant.detained",
        "case_registered",
        "CPC art. 179(1), 128(1)",
        _(
            "A person cannot be detained before the case is registered in ERDR "
            "(registered %(registered)s, detention given as %(at)s)."
        ),
    ),
    R(
        "participant.detained",
        "detainable",
        "CPC art. 128(1), 64(1)",
        _(
            "Only a suspect, or a witness or civil defendant who becomes a suspect by the "
            "detention, can be detained; %(person)s takes part as %(status)s."
        ),
    ),
    R(
        "participant.detained",
        "not_deprived_of_liberty",
        "CPC art. 128(5), 131",
        _("%(person)s is already detained or in custody in this case; release them first."),
    ),
    R(
        "participant.delivered",
        "detained",
        "CPC art. 129(1)",
        _("%(person)s is not detained now; record the detention first."),
    ),
    R(
        "participant.delivered",
        "after_detention",
        "CPC art. 129(1)",
        _("The delivery cannot be earlier than the detention (%(detained)s)."),
    ),
    R(
        "detention.protocol_drawn",
        "detained",
        "CPC art. 131(2)",
        _("%(person)s is not detained now; record the detention first."),
    ),
    R(
        "detention.protocol_drawn",
        "after_detention",
        "CPC art. 131(2)",
        _("The detention protocol cannot be earlier than the detention (%(detained)s)."),
    ),
    R(
        "detention.protocol_drawn",
        "after_delivery",
        "CPC art. 131(2)",
        _("The detention protocol cannot be earlier than the delivery (%(delivered)s)."),
    ),
    R(
        "detention.prosecutor_notified",
        "detained",
        "CPC art. 131(3)",
        _("%(person)s is not detained now; record the detention first."),
    ),
    R(
        "detention.prosecutor_notified",
        "protocol_drawn",
        "CPC art. 131(3)",
        _(
            "The prosecutor is notified in writing of a detention after its protocol is "
            "drawn up; record the protocol first (at or before the notice)."
        ),
    ),
    R(
        "participant.released",
        "detained",
        "CPC art. 133",
        _("%(person)s is not detained now, so cannot be released from detention."),
    ),
    R(
        "participant.released",
        "after_everything_recorded",
        "CPC art. 133",
        _("The release cannot be earlier than the detention, delivery or protocol recorded."),
    ),
    # Custody (CPC art. 147-153).
    R(
        "custody.ordered",
        "suspect_or_accused",
        "CPC art. 147(1)",
        _(
            "Custody is ordered only for a suspect or an accused; %(person)s takes part as "
            "%(status)s."
        ),
    ),
    R(
        "custody.ordered",
        "case_registered",
        "CPC art. 179(1), 147(1)",
        _("Custody cannot start before the case is registered in ERDR (%(registered)s)."),
    ),
    R(
        "custody.ordered",
        "not_in_custody",
        "CPC art. 151",
        _("%(person)s is already in custody; extend the custody instead."),
    ),
    R(
        "custody.ordered",
        "custody_after_detention",
        "CPC art. 147, 151",
        _("Custody cannot start before the detention it follows (%(detained)s)."),
    ),
    R(
        "custody.extended",
        "in_custody",
        "CPC art. 151(2)",
        _("%(person)s is not in custody, so the custody cannot be extended."),
    ),
    R(
        "custody.ended",
        "in_custody",
        "CPC art. 153(1)",
        _("%(person)s is not in custody."),
    ),
    R(
        "custody.ended",
        "after_custody_from",
        "CPC art. 153(1)",
        _("The custody cannot end before it began (%(custody_from)s)."),
    ),
    # Participants (CPC art. 64(7), 147(1)).
    R(
        "participant.status_changed",
        "remains_suspect_while_deprived",
        "CPC art. 64(7), 147(1)",
        _(
            "%(person)s is detained or in custody; release them (or end the custody) before "
            "changing their status from suspect or accused."
        ),
    ),
    R(
        "participant.removed",
        "not_deprived_of_liberty",
        "CPC art. 64(7)",
        _("%(person)s is detained or in custody; release them before removing them."),
    ),
    # Documents (CPC art. 179(1), 64, 202, 216).
    R(
        "document.*",
        "dated_after_registration",
        "CPC art. 179(1)",
        _(
            "A document of the case cannot be dated before the case is registered in ERDR "
            "(%(registered)s; an urgent investigative action: before the report was "
            "received); check: %(fields)s."
        ),
    ),
    R(
        "document.protocol_interrogation_suspect",
        "recognised_suspect",
        "CPC art. 64(1), 202, 216(1)",
        _(
            "%(person)s was not recognised as a suspect at the time of the interrogation "
            "(%(at)s); a person is interrogated as a suspect after the resolution recognising "
            "them as one, or their detention."
        ),
    ),
)


def rules_for(event: str) -> list[OrderRule]:
    """The rules that apply to ``event`` (``document.*`` applies to every document)."""
    return [
        r
        for r in RULES
        if r.event == event or (r.event == "document.*" and event.startswith("document."))
    ]


def _params(f: Facts) -> dict[str, Any]:
    person = f.participant
    d = f.detention
    return {
        "person": person.full_name if person else "",
        "status": person.get_status_display() if person else "",
        "registered": _local(f.case.registered_at),
        "at": _local(f.at),
        "detained": _local(d.detained_at if d else None),
        "delivered": _local(d.delivered_at if d else None),
        "custody_from": _local(d.custody_from if d else None),
        "fields": ", ".join(sorted(f.dated)),
    }


def check(event: str, facts: Facts) -> None:
    """Refuse ``event`` with :class:`RuleViolation` if one of its rules does not hold."""
    facts.event = event
    for rule in rules_for(event):
        if not REQUIREMENTS[rule.requires](facts):
            if rule.requires == "dated_after_registration":
                facts = Facts(
                    case=facts.case,
                    at=facts.at,
                    participant=facts.participant,
                    detention=facts.detention,
                    dated={k: v for k, v in facts.dated.items() if v < earliest_date(facts)},
                    event=event,
                )
            raise RuleViolation(rule.message, rule=rule.article, **_params(facts))


# --- Documents -----------------------------------------------------------------------------


def _moment(ftype: str, value: str) -> dt.datetime:
    if ftype == "date":
        # A date is before the case only if the whole day is: compare its local end of day.
        day = dt.date.fromisoformat(value)
        return dt.datetime.combine(day, dt.time.max, tzinfo=clock.KZ_TZ)
    return dt.datetime.fromisoformat(value)


#: Fields that record when something happened before the document was drawn up, not when
#: the document itself was: a person may be detained before the report is registered
#: (CPC art. 128(5) counts detention from the actual capture), and the resolution appointing
#: their defender states that moment.
EARLIER_EVENT_FIELDS = frozenset({"detained_at"})


def check_document(doc_type: Any, fields: dict[str, Any], case: Case) -> None:
    """Refuse a document whose dates or participant contradict the order of events.

    ``doc_type`` is a catalogue :class:`~tergeu.documents.catalogue.DocType` and ``fields``
    its cleaned fields. Every date or date-time field must not be before the case's
    registration (CPC art. 179(1)); a suspect's interrogation protocol must concern a
    person recognised as a suspect by its start (art. 64(1), 202, 216).
    """
    dated: dict[str, dt.datetime] = {}
    person: Participant | None = None
    for spec in doc_type.fields:
        value = fields.get(spec.name)
        if value in (None, ""):
            continue
        if spec.type in ("date", "datetime") and spec.name not in EARLIER_EVENT_FIELDS:
            label = spec.label.text(None) if hasattr(spec.label, "text") else spec.name
            dated[str(label)] = _moment(spec.type, value)
        elif spec.type == "participant" and person is None:
            person = Participant.objects.filter(case=case, pk=value).first()
    duration = getattr(doc_type, "duration", None)
    started = fields.get(duration.start) if duration else None
    at = dt.datetime.fromisoformat(started) if started else None
    check(
        f"document.{doc_type.code}",
        Facts(case=case, at=at, participant=person, dated=dated),
    )
