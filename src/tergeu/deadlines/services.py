"""Services of procedural time limits: reading clocks, extending them, downtime certificates.

Reading: :func:`clocks_for_case` (through the case's grants), :func:`my_clocks`,
:func:`supervised_clocks`, :func:`due_between`, :func:`time_left`. Changing:
:func:`extend_clock` and :func:`record_outage` validate, then journal
``deadline.extended`` / ``deadline.adjusted``; the engine applies those events to the
clock in the same transaction (so a recompute from the journal gives the same result).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.admin_services import is_administrator
from tergeu.accounts.models import Role
from tergeu.cases.access import Perm, get_case, perms_of
from tergeu.cases.models import Case, Grant, GrantRole
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, NotFound
from tergeu.core.validation import Checker
from tergeu.integrity.journal import deny, event, record, record_all, service

from . import counting
from .calendar import UnknownCalendarYear, is_working_day, weekends_only
from .engine import parse_until
from .models import OPEN_STATUSES, Clock, ClockStatus, Outage, OutageRule
from .rebuild import recompute_case, recompute_cases
from .rules import RULES

__all__ = [
    "clocks_for_case",
    "due_between",
    "expire_overdue",
    "extend_clock",
    "max_extension",
    "my_clocks",
    "recompute_case",
    "recompute_cases",
    "record_outage",
    "supervised_clocks",
    "time_left",
]

S = ClockStatus
#: Clocks that still need someone's action: running, interrupted, or expired and unresolved.
_ACTIVE = Q(status__in=OPEN_STATUSES) | Q(status=S.EXPIRED, ended_at__isnull=True)


# ---------------------------------------------------------------- reading


def clocks_for_case(user: Any, case_key: uuid.UUID | str) -> list[Clock]:
    """All clocks of a case the user may see (CPC terms of the case card), by due time."""
    case = get_case(user, case_key, Perm.VIEW)
    return list(
        Clock.objects.filter(case=case)
        .select_related("subject_participant", "responsible_user")
        .order_by("due_at", "rule")
    )


def my_clocks(user: Any) -> QuerySet[Clock]:
    """Clocks the user answers for, soonest first: their own, and those of their role in
    their body that name no one (duty officer's KUI terms, head of unit's requests)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Clock.objects.none()
    mine = Q(responsible_user=user) | Q(
        responsible_user__isnull=True,
        responsible_role=user.role,
        organisation_id=user.organisation_id,
    )
    if user.role == Role.HEAD_OF_UNIT:
        mine |= Q(responsible_role=Role.HEAD_OF_UNIT, organisation_id=user.organisation_id)
    return (
        Clock.objects.filter(mine)
        .filter(_ACTIVE)
        .select_related("case", "report", "subject_participant")
        .order_by("due_at", "id")
    )


def supervised_clocks(prosecutor: Any) -> QuerySet[Clock]:
    """Clocks of the cases the prosecutor supervises (active grant), violations first.

    A violation is an expired clock (resolved late or not at all); then the active ones by
    due time, then those met or ended.
    """
    if prosecutor is None or not getattr(prosecutor, "is_authenticated", False):
        return Clock.objects.none()
    cases = Grant.objects.filter(
        user=prosecutor, role=GrantRole.PROSECUTOR, revoked_at__isnull=True
    ).values("case_id")
    return (
        Clock.objects.filter(case_id__in=cases)
        .annotate(
            rank=When_(
                When(status=S.EXPIRED, then=Value(0)),
                When(status__in=OPEN_STATUSES, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("case", "subject_participant", "responsible_user")
        .order_by("rank", "due_at", "id")
    )


def due_between(start: dt.datetime, end: dt.datetime) -> QuerySet[Clock]:
    """Running clocks due in [start, end): what the periodic alerts job looks at."""
    return Clock.objects.filter(status=S.RUNNING, due_at__gte=start, due_at__lt=end).order_by(
        "due_at"
    )


def time_left(c: Clock, now: dt.datetime | None = None) -> dt.timedelta:
    """Time until the clock runs out; an interrupted clock keeps what remained; negative
    when past due; zero for a clock ended in time."""
    now = now or clock.now()
    if c.status == S.PAUSED:
        return c.remaining or dt.timedelta(0)
    if c.ended_at is not None:
        return c.due_at - c.ended_at if c.status == S.EXPIRED else dt.timedelta(0)
    return c.due_at - now


def expire_overdue(now: dt.datetime | None = None) -> int:
    """Mark running clocks past due as expired (the alerts job calls it); their number.

    Not journaled on its own: expiry follows from the clock's due time and the journal;
    the escalation that follows is journaled by the alerts.
    """
    now = now or clock.now()
    return Clock.objects.filter(status=S.RUNNING, due_at__lt=now).update(status=S.EXPIRED)


# ---------------------------------------------------------------- extensions


def max_extension(c: Clock, authority: str) -> dt.datetime | None:
    """The latest end the ``authority`` may give the clock's term (None: no fixed limit),
    counting the time the term stood interrupted (art. 45(9)) on top."""
    rule = RULES[c.rule]
    ext = rule.extension_for(authority)
    if ext is None or ext.max_amount is None:
        return None
    try:
        limit = counting.due_at(
            c.started_at, ext.max_amount, ext.max_unit, rule.counting, is_working_day
        )
    except UnknownCalendarYear:
        limit = counting.due_at(
            c.started_at, ext.max_amount, ext.max_unit, rule.counting, weekends_only
        )
    interrupted = sum(
        (
            dt.timedelta(seconds=int(a.get("paused_seconds", 0)))
            for a in c.adjustments
            if a.get("kind") in ("resumed", "outage")
        ),
        dt.timedelta(0),
    )
    return limit + interrupted


def _clock_for(user: Any, clock_id: Any, perm_any: tuple[Perm, ...]) -> Clock:
    try:
        c = Clock.objects.select_for_update().filter(pk=uuid.UUID(str(clock_id))).first()
    except ValueError:
        c = None
    if c is None or c.case_id is None:
        raise deny(NotFound(), user, "deadline.extend", None, str(clock_id)[:40])
    case = Case.objects.get(pk=c.case_id)
    perms = perms_of(user, case)
    if not perms:
        raise deny(NotFound(), user, "deadline.extend", case.pk, "no grant")
    if not any(p in perms for p in perm_any):
        raise deny(AccessDenied(), user, "deadline.extend", case.pk, "grant lacks permission")
    return c


@service
def extend_clock(
    user: Any,
    clock_id: uuid.UUID | str,
    *,
    until: dt.datetime | dt.date | str,
    reason: str,
    authority: str,
) -> Clock:
    """Record an extension of a term granted by ``authority`` (CPC art. 192(4)-(6), 151).

    Refused with field errors: after the term expired, to a time not later than the
    current one, beyond what the authority may grant, or for a rule that has no
    extension by that authority. Journaled as ``deadline.extended``.
    """
    c = _clock_for(user, clock_id, (Perm.WORK, Perm.SUPERVISE))
    rule = RULES[c.rule]
    now = clock.now()
    check = Checker()
    check.required("reason", reason)
    check.max_length("reason", reason or "", 5000)
    ext = rule.extension_for(authority)
    if ext is None:
        choices = ", ".join(e.authority for e in rule.extensions) or "-"
        check.add(
            "authority",
            _("This term cannot be extended by that authority (allowed: %(choices)s).")
            % {"choices": choices},
        )
    if isinstance(until, dt.datetime):
        new_due: dt.datetime | None = until if until.tzinfo else until.replace(tzinfo=dt.UTC)
    elif isinstance(until, dt.date):
        new_due = counting.end_of_day(until)
    else:
        new_due = parse_until(str(until or ""))
    if new_due is None:
        check.add("until", _("Enter the new end of the term (a date like 2027-03-31)."))
    if c.status not in OPEN_STATUSES or c.status == S.PAUSED:
        check.add("clock_id", _("Only a running term can be extended."))
    elif c.due_at <= now:
        check.add(
            "until",
            _(
                "The term expired at %(due)s; an extension must be decided before the term "
                "runs out (CPC art. 192(6))."
            )
            % {"due": clock.local(c.due_at).strftime("%Y-%m-%d %H:%M")},
        )
    if new_due is not None and new_due <= c.due_at:
        check.add("until", _("The new end must be later than the current one."))
    if ext is not None and new_due is not None:
        limit = max_extension(c, authority)
        if limit is not None and new_due > limit:
            check.add(
                "until",
                _("%(authority)s may extend this term to %(limit)s at most (%(article)s).")
                % {
                    "authority": authority,
                    "limit": clock.local(limit).strftime("%Y-%m-%d %H:%M"),
                    "article": ext.article,
                },
            )
    check.done()
    assert new_due is not None
    assert ext is not None
    record(
        "deadline.extended",
        actor=user,
        case_id=c.case_id,
        obj=c,
        data={
            "clock": str(c.pk),
            "rule": c.rule,
            "subject": c.subject,
            "source_event": c.source_event,
            "before": c.due_at,
            "after": new_due,
            "authority": authority,
            "article": ext.article,
            "reason": reason.strip(),
        },
    )
    c.refresh_from_db()
    return c


# ---------------------------------------------------------------- outages


def _outage_due(c: Clock, outage: Outage) -> dt.datetime:
    if outage.rule == OutageRule.EXTEND_BY_DURATION:
        return c.due_at + (outage.ended_at - outage.started_at)
    day = counting.local_date(outage.ended_at) + dt.timedelta(days=1)
    try:
        day = counting.next_working_day(day, is_working_day)
    except UnknownCalendarYear:
        day = counting.next_working_day(day, weekends_only)
    return max(c.due_at, counting.end_of_day(day))


@service
def record_outage(
    admin: Any,
    *,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    reason: str,
    rule: str,
) -> Outage:
    """A downtime certificate: the system was down from ``started_at`` to ``ended_at``.

    Every term that was running during the outage (due after its start, started before
    its end, not yet resolved) is extended by ``rule``: by the length of the outage, or to
    the end of the next working day after it. Detention, custody and house arrest are
    never extended (art. 48(5): a person is released when the term runs out). Each change
    is journaled as ``deadline.adjusted`` with before/after and shown on the clock.
    """
    if not is_administrator(admin):
        raise deny(
            AccessDenied(_("Only an administrator may record an outage.")),
            admin if getattr(admin, "pk", None) else None,
            "deadline.outage",
            None,
        )
    check = Checker()
    check.required("reason", reason)
    check.choice("rule", rule, OutageRule.choices)
    times_ok = True
    if not isinstance(started_at, dt.datetime) or started_at.tzinfo is None:
        check.add("started_at", _("Enter the start of the outage with its time zone."))
        times_ok = False
    if not isinstance(ended_at, dt.datetime) or ended_at.tzinfo is None:
        check.add("ended_at", _("Enter the end of the outage with its time zone."))
        times_ok = False
    if times_ok:
        if ended_at <= started_at:
            check.add("ended_at", _("The end of the outage must be after its start."))
        if ended_at > clock.now():
            check.add("ended_at", _("An outage is recorded once it is over."))
    check.done()
    outage = Outage.objects.create(
        started_at=started_at,
        ended_at=ended_at,
        reason=reason.strip(),
        rule=rule,
        recorded_by=admin,
    )
    custodial = [code for code, r in RULES.items() if r.counting == "custodial"]
    affected = list(
        Clock.objects.filter(
            Q(status=S.RUNNING) | Q(status=S.EXPIRED, ended_at__isnull=True),
            started_at__lt=ended_at,
            due_at__gte=started_at,
            parent__isnull=True,
        )
        .exclude(rule__in=custodial)
        .order_by("due_at")
    )
    events = [
        event(
            "deadline.outage_recorded",
            actor=admin,
            obj=outage,
            data={
                "from": started_at,
                "until": ended_at,
                "rule": rule,
                "reason": outage.reason,
                "clocks": len(affected),
            },
        )
    ]
    for c in affected:
        after = _outage_due(c, outage)
        if after == c.due_at:
            continue
        events.append(
            event(
                "deadline.adjusted",
                actor=admin,
                case_id=c.case_id,
                obj=c,
                data={
                    "clock": str(c.pk),
                    "report": str(c.report_id) if c.report_id else None,
                    "rule": c.rule,
                    "subject": c.subject,
                    "source_event": c.source_event,
                    "kind": "outage",
                    "outage": str(outage.pk),
                    "outage_rule": rule,
                    "before": c.due_at,
                    "after": after,
                    "reason": outage.reason,
                },
            )
        )
    outage.clocks_adjusted = len(events) - 1
    outage.save(update_fields=["clocks_adjusted", "updated_at"])
    record_all(events)
    return outage
