"""Detention (CPC art. 128-133) and custody (art. 147-153) of participants of a case.

Each service authorises (:data:`Perm.WORK` on the case), checks its input (field errors)
and the order of events (:mod:`tergeu.cases.procedure`, a :class:`RuleViolation` naming
the article), writes the :class:`~tergeu.cases.models.Detention` row and journals one
event, all in one transaction. The deadlines engine listens to these events; their
actions and data keys are a contract:

========================================  ==============================================
``participant.detained``                  participant, detained_at, minor, grounds_72h
``participant.delivered``                 participant, at
``detention.protocol_drawn``              participant, at
``detention.prosecutor_notified``         participant, at
``participant.released``                  participant, at, ground
``custody.ordered``                       participant, from, until
``custody.extended``                      participant, until
``custody.ended``                         participant, at, ground
========================================  ==============================================

``participant`` is the participant's id, times are ISO 8601 in UTC.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tergeu.core import clock
from tergeu.core.errors import RuleViolation
from tergeu.core.validation import Checker
from tergeu.integrity.journal import record, service

from . import procedure
from .access import Perm, get_case
from .models import Case, Detention, Participant, ParticipantStatus
from .procedure import Facts

__all__ = [
    "CUSTODY_END_GROUNDS",
    "RELEASE_GROUNDS",
    "detain",
    "detentions",
    "draw_protocol",
    "end_custody",
    "extend_custody",
    "mark_delivered",
    "notify_prosecutor",
    "order_custody",
    "release",
]


@dataclass(frozen=True)
class Ground:
    """A legal ground with the article it comes from."""

    code: str
    label: Promise
    article: str


#: CPC art. 133: grounds on which a detained person is released. (The brief of issue 6
#: named art. 134; in the Code's text art. 134 is the order of holding detainees and the
#: grounds of release are art. 133.)
RELEASE_GROUNDS: tuple[Ground, ...] = (
    Ground("133.1.1", _("The suspicion was not confirmed"), "CPC art. 133(1)(1)"),
    Ground(
        "133.1.2",
        _("No grounds for custody, arrest or expulsion"),
        "CPC art. 133(1)(2)",
    ),
    Ground(
        "133.1.3",
        _("The detention substantially violated art. 131"),
        "CPC art. 133(1)(3)",
    ),
    Ground("133.1.4", _("There were no lawful grounds for the detention"), "CPC art. 133(1)(4)"),
    Ground(
        "133.2",
        _("No court order on custody arrived within the term of detention"),
        "CPC art. 133(2)",
    ),
)

#: CPC art. 151, 153: grounds on which custody ends.
CUSTODY_END_GROUNDS: tuple[Ground, ...] = (
    Ground(
        "153.1",
        _("The measure of restraint was cancelled or changed"),
        "CPC art. 153(1)",
    ),
    Ground(
        "151.9",
        _("The term expired and no extension was ordered"),
        "CPC art. 151(9)",
    ),
    Ground("151.5", _("The longest term of custody was reached"), "CPC art. 151(5)"),
    Ground("64.7", _("The suspicion was found groundless"), "CPC art. 64(7)"),
)

#: CPC art. 151(1): custody is ordered for at most two months; art. 151(4)-(5): with all
#: extensions, at most eighteen months at the pre-trial stage.
CUSTODY_FIRST_MONTHS = 2
CUSTODY_MAX_MONTHS = 18


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` plus ``months`` calendar months, in local time (CPC art. 48(3)).

    The same date of the last month, or that month's last day if it has no such date.
    """
    local = clock.local(moment)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(dt.UTC)


def _moment(check: Checker, name: str, value: Any, *, required: bool = True) -> dt.datetime | None:
    """A time from a datetime or an ISO string; a naive one is Kazakhstan local time."""
    if value is None or value == "":
        if required:
            check.add(name, _("This field is required."))
        return None
    moment: dt.datetime | None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
    if moment is None:
        check.add(name, _("Enter a date and time as YYYY-MM-DDTHH:MM."))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.KZ_TZ)
    moment = moment.astimezone(dt.UTC)
    check.not_future(name, moment)
    return moment


def _person(check: Checker, case: Case, participant_id: Any) -> Participant | None:
    try:
        pk = uuid.UUID(str(participant_id))
    except ValueError:
        pk = None
    person = (
        Participant.objects.filter(case=case, pk=pk, removed_at__isnull=True).first()
        if pk
        else None
    )
    if person is None:
        check.add("participant_id", _("Choose a participant of this case."))
    return person


def _ground(check: Checker, name: str, code: str, grounds: tuple[Ground, ...]) -> Ground | None:
    match = next((g for g in grounds if g.code == code), None)
    if match is None:
        check.add(name, _("Choose the legal ground."))
    return match


def _is_minor(person: Participant, at: dt.datetime) -> bool:
    born = person.birth_date
    if born is None:
        return False
    day = clock.local(at).date()
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return age < 18


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment else None


def _start(
    user: Any, case_key: uuid.UUID | str, participant_id: Any, check: Checker
) -> tuple[Case, Participant | None, Detention | None]:
    case = get_case(user, case_key, Perm.WORK, lock=True)
    person = _person(check, case, participant_id)
    detention = procedure.current_detention(person) if person else None
    return case, person, detention


def _save(detention: Detention, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(detention, name, value)
    detention.version += 1
    detention.save()


@service
def detain(
    user: Any,
    case_key: uuid.UUID | str,
    participant_id: uuid.UUID | str,
    *,
    detained_at: Any,
    minor: bool = False,
    grounds_72h: bool = False,
    place: str = "",
) -> Detention:
    """Record the detention of a participant (CPC art. 128, 131) from the minute it happened.

    A witness or civil defendant detained becomes a suspect (art. 64(1)(2)); the change of
    status is journaled as ``participant.updated``. ``minor`` is set as well when the
    person's date of birth shows they were under 18 at the detention (art. 131(4)).
    """
    check = Checker()
    case, person, current = _start(user, case_key, participant_id, check)
    at = _moment(check, "detained_at", detained_at)
    check.max_length("place", place or "", 500)
    check.done()
    assert person is not None
    assert at is not None
    procedure.check(
        "participant.detained", Facts(case=case, at=at, participant=person, detention=current)
    )
    minor = bool(minor) or _is_minor(person, at)
    row = Detention.objects.create(
        case=case,
        participant=person,
        detained_at=at,
        place=(place or "").strip(),
        minor=minor,
        grounds_72h=bool(grounds_72h),
        created_by=user,
    )
    if person.status != ParticipantStatus.SUSPECT:
        before = person.status
        person.status = ParticipantStatus.SUSPECT
        person.save(update_fields=["status", "updated_at"])
        record(
            "participant.updated",
            actor=user,
            case_id=case.pk,
            obj=person,
            data={
                "before": {"status": before},
                "after": {"status": person.status},
                "rule": "CPC art. 64(1)(2)",
            },
        )
    record(
        "participant.detained",
        actor=user,
        case_id=case.pk,
        obj=row,
        data={
            "participant": str(person.pk),
            "detained_at": _iso(at),
            "minor": minor,
            "grounds_72h": bool(grounds_72h),
        },
    )
    return row


def _mark(
    user: Any,
    case_key: uuid.UUID | str,
    participant_id: Any,
    at: Any,
    *,
    event: str,
    column: str,
) -> Detention:
    check = Checker()
    case, person, current = _start(user, case_key, participant_id, check)
    moment = _moment(check, "at", at)
    check.done()
    assert person is not None
    assert moment is not None
    procedure.check(event, Facts(case=case, at=moment, participant=person, detention=current))
    assert current is not None
    if getattr(current, column) is not None:
        raise RuleViolation(
            _("This has already been recorded for the detention (%(at)s)."),
            rule=procedure.rules_for(event)[0].article,
            at=procedure._local(getattr(current, column)),
        )
    _save(current, **{column: moment})
    record(
        event,
        actor=user,
        case_id=case.pk,
        obj=current,
        data={"participant": str(person.pk), "at": _iso(moment)},
    )
    return current


@service
def mark_delivered(
    user: Any, case_key: uuid.UUID | str, participant_id: uuid.UUID | str, *, at: Any
) -> Detention:
    """Record when the detained person was delivered to the body (CPC art. 129(1): 3 hours)."""
    return _mark(
        user, case_key, participant_id, at, event="participant.delivered", column="delivered_at"
    )


@service
def draw_protocol(
    user: Any, case_key: uuid.UUID | str, participant_id: uuid.UUID | str, *, at: Any
) -> Detention:
    """Record when the detention protocol was drawn up (CPC art. 131(2))."""
    return _mark(
        user, case_key, participant_id, at, event="detention.protocol_drawn", column="protocol_at"
    )


@service
def notify_prosecutor(
    user: Any, case_key: uuid.UUID | str, participant_id: uuid.UUID | str, *, at: Any
) -> Detention:
    """Record the written notice of the detention to the prosecutor (CPC art. 131(3): 12 h)."""
    return _mark(
        user,
        case_key,
        participant_id,
        at,
        event="detention.prosecutor_notified",
        column="prosecutor_notified_at",
    )


@service
def release(
    user: Any,
    case_key: uuid.UUID | str,
    participant_id: uuid.UUID | str,
    *,
    at: Any,
    ground: str,
) -> Detention:
    """Release a detained person on a ground of CPC art. 133."""
    return _end_on_ground(
        user,
        case_key,
        participant_id,
        at,
        ground,
        event="participant.released",
        grounds=RELEASE_GROUNDS,
        columns=("released_at", "release_ground"),
    )


def _end_on_ground(
    user: Any,
    case_key: uuid.UUID | str,
    participant_id: uuid.UUID | str,
    at: Any,
    ground: str,
    *,
    event: str,
    grounds: Any,
    columns: tuple[str, str],
) -> Detention:
    """End a detention or a custody at ``at`` on one of ``grounds``, and journal ``event``."""
    check = Checker()
    case, person, current = _start(user, case_key, participant_id, check)
    moment = _moment(check, "at", at)
    chosen = _ground(check, "ground", ground, grounds)
    check.done()
    assert person is not None
    assert moment is not None
    assert chosen is not None
    procedure.check(event, Facts(case=case, at=moment, participant=person, detention=current))
    assert current is not None
    _save(current, **{columns[0]: moment, columns[1]: chosen.code})
    record(
        event,
        actor=user,
        case_id=case.pk,
        obj=current,
        data={"participant": str(person.pk), "at": _iso(moment), "ground": chosen.code},
    )
    return current


def _until(check: Checker, value: Any, after: dt.datetime | None) -> dt.datetime | None:
    """The end of custody: a date (the term ends at 24:00 local) or a date-time."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(23, 59, 59), tzinfo=clock.KZ_TZ)
    elif isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = dt.date.fromisoformat(value.strip())
            value = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=clock.KZ_TZ)
        except ValueError:
            pass
    if value is None or value == "":
        check.add("until", _("This field is required."))
        return None
    moment: dt.datetime | None
    try:
        moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value).strip())
    except ValueError:
        moment = None
    if moment is None:
        check.add("until", _("Enter a date as YYYY-MM-DD."))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.KZ_TZ)
    moment = moment.astimezone(dt.UTC)
    if after is not None and moment <= after:
        check.add("until", _("The custody must end after it begins."))
    return moment


@service
def order_custody(
    user: Any,
    case_key: uuid.UUID | str,
    participant_id: uuid.UUID | str,
    *,
    from_: Any,
    until: Any,
    court_order_ref: str,
) -> Detention:
    """Record custody sanctioned by the investigating judge (CPC art. 147, 151(1)).

    Custody may follow a detention (it then ends the detention) or be ordered for a
    suspect or accused who was never detained (art. 147(1)-(2)).
    """
    check = Checker()
    case, person, current = _start(user, case_key, participant_id, check)
    start = _moment(check, "from_", from_)
    end = _until(check, until, start)
    check.required("court_order_ref", court_order_ref)
    check.max_length("court_order_ref", court_order_ref or "", 200)
    check.done()
    assert person is not None
    assert start is not None
    assert end is not None
    procedure.check(
        "custody.ordered", Facts(case=case, at=start, participant=person, detention=current)
    )
    if end > add_months(start, CUSTODY_FIRST_MONTHS):
        raise RuleViolation(
            _("The investigating judge orders custody for at most two months."),
            rule="CPC art. 151(1)",
        )
    changes = {
        "custody_from": start,
        "custody_until": end,
        "court_order_ref": court_order_ref.strip(),
    }
    if current is not None and current.detained_now:
        row = current
        _save(row, **changes)
    else:
        row = Detention.objects.create(case=case, participant=person, created_by=user, **changes)
    record(
        "custody.ordered",
        actor=user,
        case_id=case.pk,
        obj=row,
        data={"participant": str(person.pk), "from": _iso(start), "until": _iso(end)},
    )
    return row


@service
def extend_custody(
    user: Any,
    case_key: uuid.UUID | str,
    participant_id: uuid.UUID | str,
    *,
    until: Any,
    court_order_ref: str = "",
) -> Detention:
    """Extend custody to ``until`` by an order of the investigating judge (CPC art. 151)."""
    check = Checker()
    case, person, current = _start(user, case_key, participant_id, check)
    check.done()
    assert person is not None
    procedure.check("custody.extended", Facts(case=case, participant=person, detention=current))
    assert current is not None
    assert current.custody_from is not None
    end = _until(check, until, None)
    if end is not None and current.custody_until is not None and end <= current.custody_until:
        check.add("until", _("The extension must end after the current term."))
    check.max_length("court_order_ref", court_order_ref or "", 200)
    check.done()
    assert end is not None
    if end > add_months(current.custody_from, CUSTODY_MAX_MONTHS):
        raise RuleViolation(
            _(
                "Custody at the pre-trial stage cannot exceed eighteen months; the person "
                "must be released."
            ),
            rule="CPC art. 151(4)-(5)",
        )
    ref = (court_order_ref or "").strip()
    _save(
        current,
        custody_until=end,
        court_order_ref=f"{current.court_order_ref}; {ref}" if ref else current.court_order_ref,
    )
    record(
        "custody.extended",
        actor=user,
        case_id=case.pk,
        obj=current,
        data={"participant": str(person.pk), "until": _iso(end)},
    )
    return current


@service
def end_custody(
    user: Any,
    case_key: uuid.UUID | str,
    participant_id: uuid.UUID | str,
    *,
    at: Any,
    ground: str,
) -> Detention:
    """End custody (release from custody) on a ground of CPC art. 151 or 153."""
    return _end_on_ground(
        user,
        case_key,
        participant_id,
        at,
        ground,
        event="custody.ended",
        grounds=CUSTODY_END_GROUNDS,
        columns=("custody_ended_at", "custody_end_ground"),
    )


def detentions(user: Any, case_key: uuid.UUID | str) -> QuerySet[Detention]:
    """The case's detentions and custodies, newest first (needs the right to view the case)."""
    case = get_case(user, case_key, Perm.VIEW)
    return (
        Detention.objects.filter(case=case)
        .select_related("participant")
        .order_by("-created_at", "-id")
    )


def ground_label(code: str) -> str:
    """The label of a release or custody-end ground."""
    for g in RELEASE_GROUNDS + CUSTODY_END_GROUNDS:
        if g.code == code:
            return str(g.label)
    return code
