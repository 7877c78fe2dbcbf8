"""Warnings before a term expires and escalation after it (issue 6 part 4).

:func:`run_alerts` is run by ``tergeu worker`` every ``TERGEU_DEADLINES_POLL_SECONDS``
(and once by ``tergeu worker --once``). Each clock is handled in its own transaction with
its row locked, so two workers never send the same message twice:

- a **warning** goes to the responsible official when the time left falls below one of
  the rule's thresholds (default: ``TERGEU_DEADLINES_WARN_HOURS`` for terms counted in
  hours, e.g. 24 h and 2 h for detention; ``TERGEU_DEADLINES_WARN_HOURS_LONG`` for terms in
  days and months); each threshold once per clock (``Clock.warned``);
- an **expired** term is escalated once (``Clock.escalated_at``) to the head of unit and
  the supervising prosecutor, journaled ``deadline.escalated``;
- a **detention** that runs out without a court order asks the investigator, the head
  and the prosecutor to release the person, journaled ``deadline.release_required``.

Messages go through the outbox: SMS to the person's phone and e-mail to their address
(whichever they have), in their language. Time comes from :mod:`tergeu.core.clock`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from tergeu.accounts.models import Role, User
from tergeu.cases.models import GrantRole
from tergeu.core import clock
from tergeu.core.clock import KZ_TZ
from tergeu.integrity.journal import record
from tergeu.notifications.models import Channel
from tergeu.notifications.services import enqueue
from tergeu.settings.env import env_int, env_str

from . import services
from .models import Clock, ClockStatus
from .rules import RULES

logger = logging.getLogger("tergeu.deadlines")

KIND_WARNING = "deadline_warning"
KIND_EXPIRED = "deadline_expired"
KIND_RELEASE = "deadline_release"

#: Clocks looked at in one round, per kind of alert (the rest wait for the next round).
BATCH = 500

# ---------------------------------------------------------------- settings


def _hours(name: str, default: str) -> tuple[int, ...]:
    value = getattr(settings, name, None)
    text = str(value) if value is not None else env_str(name, default)
    if isinstance(value, list | tuple):
        text = ",".join(str(v) for v in value)
    found = {int(p) for p in text.replace(" ", "").split(",") if p.strip().isdigit()}
    return tuple(sorted((h for h in found if h > 0), reverse=True))


def warn_hours_short() -> tuple[int, ...]:
    """Thresholds of terms in hours (TERGEU_DEADLINES_WARN_HOURS, default "24,2")."""
    return _hours("TERGEU_DEADLINES_WARN_HOURS", "24,2")


def warn_hours_long() -> tuple[int, ...]:
    """Thresholds of terms in days or months (TERGEU_DEADLINES_WARN_HOURS_LONG, "120,24")."""
    return _hours("TERGEU_DEADLINES_WARN_HOURS_LONG", "120,24")


def poll_seconds() -> int:
    """Seconds between two rounds (TERGEU_DEADLINES_POLL_SECONDS, default 60)."""
    value = getattr(settings, "TERGEU_DEADLINES_POLL_SECONDS", None)
    return max(1, int(value) if value else env_int("TERGEU_DEADLINES_POLL_SECONDS", 60))


def base_url() -> str:
    """Where links in messages start (TERGEU_PUBLIC_URL, docs/operations.md)."""
    value = getattr(settings, "TERGEU_PUBLIC_URL", None)
    if value:
        return str(value).rstrip("/")
    default = "http://{}:{}".format(
        env_str("TERGEU_HOST", "127.0.0.1"), env_str("TERGEU_PORT", "8000")
    )
    return env_str("TERGEU_PUBLIC_URL", default).rstrip("/")


# ---------------------------------------------------------------- rules and thresholds


def rule_of(clock_row: Any) -> Any:
    """The rule a clock runs by (None for a code no longer in the rules)."""
    return RULES.get(clock_row.rule)


def thresholds(clock_row: Any) -> tuple[dt.timedelta, ...]:
    """The warning thresholds of a clock, largest first.

    The rule's own (``warn_hours``) or the defaults for its unit; only thresholds shorter
    than the whole term apply (a 3-hour term is not warned 24 hours ahead).
    """
    return thresholds_of(clock_row.rule, clock_row.started_at, clock_row.due_at)


def thresholds_of(
    code: str, started_at: dt.datetime | None, due_at: dt.datetime | None
) -> tuple[dt.timedelta, ...]:
    """:func:`thresholds` from a clock's rule code and times."""
    rule = RULES.get(code)
    if rule is not None and rule.warn_hours:
        hours = tuple(sorted(set(rule.warn_hours), reverse=True))
    elif rule is not None and rule.unit == "hours":
        hours = warn_hours_short()
    else:
        hours = warn_hours_long()
    total = due_at - started_at if started_at and due_at else None
    return tuple(
        dt.timedelta(hours=h) for h in hours if total is None or dt.timedelta(hours=h) < total
    )


def label(threshold: dt.timedelta) -> int:
    """How a threshold is kept in ``Clock.warned``: hours before ``due_at``."""
    return int(threshold.total_seconds() // 3600)


def _marker(due_at: dt.datetime) -> str:
    return "due:" + due_at.astimezone(dt.UTC).isoformat()


def warned_for(warned: Any, due_at: dt.datetime) -> list[int]:
    """The thresholds already warned for the clock's *current* due time.

    ``Clock.warned`` holds the hours sent and a marker ``"due:<when>"`` of the due time
    they were sent for; when an extension or an outage moved ``due_at``, the old warnings
    no longer count and the thresholds warn again before the new end.
    """
    items = list(warned or [])
    markers = [w for w in items if isinstance(w, str) and w.startswith("due:")]
    if markers and markers[-1] != _marker(due_at):
        return []
    return [w for w in items if isinstance(w, int)]


def is_detention(clock_row: Any) -> bool:
    """Whether the clock is a detention term (release when it runs out, CPC art. 131)."""
    rule = rule_of(clock_row)
    return rule is not None and rule.on_expiry == "release"


def describe(code: str) -> tuple[Any, Any]:
    """The name of a clock's rule in the active language (lazy) and its article.

    The titles and articles of ``rules.toml`` are translated in the deadlines catalogue
    (the English text is shown for one that is not); a request for
    an extension (``<rule>.request``) is named after its rule.
    """
    rule = RULES.get(code)
    if rule is not None:
        return gettext_lazy(rule.title), gettext_lazy(rule.article)
    base = RULES.get(code.removesuffix(".request"))
    if code.endswith(".request") and base is not None:
        name = format_lazy("{}: {}", _REQUEST, gettext_lazy(base.title))
        return name, gettext_lazy(base.request.article if base.request else base.article)
    return code, ""


_REQUEST = gettext_lazy("Request for an extension")


# ---------------------------------------------------------------- recipients


def contacts(user: Any) -> list[tuple[str, str]]:
    """(channel, address) of a person: SMS to the phone, e-mail to the address."""
    found: list[tuple[str, str]] = []
    if getattr(user, "phone", ""):
        found.append((Channel.SMS, user.phone))
    if getattr(user, "email", ""):
        found.append((Channel.EMAIL, user.email))
    return found


def responsible(clock_row: Any) -> list[Any]:
    """Who answers for the clock: its responsible official; without one, the officials of
    its responsible role in its body (or the case's investigator)."""
    if clock_row.responsible_user is not None:
        return [clock_row.responsible_user]
    if clock_row.organisation_id and clock_row.responsible_role:
        people = list(
            User.objects.filter(
                organisation_id=clock_row.organisation_id,
                role=clock_row.responsible_role,
                is_active=True,
            )[:20]
        )
        if people:
            return people
    if clock_row.case_id is not None and clock_row.case.investigator is not None:
        return [clock_row.case.investigator]
    return []


def supervisors(clock_row: Any) -> list[Any]:
    """The head of unit and the supervising prosecutor of the clock's case (or report).

    Through the case's active grants (head, prosecutor) and its prosecutor; without a
    head among the grants, the heads of unit of the body that runs it.
    """
    people: dict[int, Any] = {}
    case = clock_row.case if clock_row.case_id is not None else None
    organisation_id = None
    if case is not None:
        organisation_id = case.organisation_id
        granted = User.objects.filter(
            case_grants__case_id=case.pk,
            case_grants__revoked_at__isnull=True,
            case_grants__role__in=[GrantRole.HEAD, GrantRole.PROSECUTOR],
        ).distinct()
        for user in granted:
            people[user.pk] = user
        if case.prosecutor_id and case.prosecutor_id not in people:
            people[case.prosecutor_id] = case.prosecutor
    elif clock_row.report_id is not None:
        organisation_id = clock_row.report.organisation_id
    organisation_id = clock_row.organisation_id or organisation_id
    if organisation_id and not any(p.role == Role.HEAD_OF_UNIT for p in people.values()):
        for user in User.objects.filter(
            organisation_id=organisation_id, role=Role.HEAD_OF_UNIT, is_active=True
        ):
            people[user.pk] = user
    return list(people.values())


def _send(people: list[Any], kind: str, context: dict[str, Any], clock_row: Any) -> list[str]:
    """Queue ``kind`` to each person on each of their channels; who got it, for the journal."""
    sent = []
    for person in people:
        language = person.language if person.language in ("kk", "ru", "en") else "ru"
        for channel, address in contacts(person):
            enqueue(
                channel=channel,
                recipient=address,
                language=language,
                kind=kind,
                context={**context, "name": person.full_name or person.username},
                case_id=clock_row.case_id,
            )
        sent.append(str(person.pk))
    return sent


def due_text(value: dt.datetime) -> str:
    """A due time in Kazakhstan local time; a day term's end is written 24:00 of its last
    day (CPC art. 48(3)), not 00:00 of the next."""
    local = value.astimezone(KZ_TZ)
    if local.time() == dt.time(0, 0):
        return f"{local - dt.timedelta(days=1):%d.%m.%Y} 24:00"
    return f"{local:%d.%m.%Y %H:%M}"


def message_context(clock_row: Any, now: dt.datetime) -> dict[str, Any]:
    """What the message templates say: the case, the rule, the due time, how long is left."""
    case = clock_row.case if clock_row.case_id is not None else None
    report = clock_row.report if clock_row.report_id is not None else None
    link = base_url() + (
        reverse("web:case", args=[case.pk]) if case is not None else reverse("deadlines:mine")
    )
    subject = clock_row.subject_participant
    return {
        "erdr_number": case.erdr_number if case is not None else "",
        "kui_number": report.kui_number if report is not None else "",
        "rule": describe(clock_row.rule)[0],
        "article": describe(clock_row.rule)[1],
        "detention": clock_row.rule.startswith("detention."),
        "due": due_text(clock_row.due_at),
        "hours_left": max(0, int((clock_row.due_at - now).total_seconds() // 3600)),
        "person": subject.full_name if subject is not None else "",
        "link": link,
    }


# ---------------------------------------------------------------- one clock


def _locked(pk: Any) -> Any:
    return (
        Clock.objects.select_for_update(of=("self",))
        .select_related("case", "case__prosecutor", "case__investigator", "report")
        .select_related("responsible_user", "subject_participant")
        .filter(pk=pk)
        .first()
    )


def warn_one(pk: Any, now: dt.datetime) -> int:
    """Warn of one clock if it crossed a threshold not yet warned; 1 if a warning went."""
    with transaction.atomic():
        row = _locked(pk)
        if row is None or row.status != ClockStatus.RUNNING or row.due_at <= now:
            return 0
        warned = warned_for(row.warned, row.due_at)
        crossed = [t for t in thresholds(row) if row.due_at - t <= now and label(t) not in warned]
        if not crossed:
            return 0
        row.warned = [*warned, *(label(t) for t in crossed), _marker(row.due_at)]
        row.save(update_fields=["warned"])
        threshold = min(crossed)
        context = message_context(row, now)
        people = responsible(row)
        sent = _send(people, KIND_WARNING, context, row)
        record(
            "deadline.warned",
            obj=row,
            case_id=row.case_id,
            data={
                "rule": row.rule,
                "threshold": label(threshold),
                "due_at": row.due_at,
                "recipients": sent,
            },
        )
        return 1


def escalate_one(pk: Any, now: dt.datetime) -> tuple[int, int]:
    """Escalate one expired clock (once); for a detention, ask for the release.

    Returns (escalated, release alerts): each 0 or 1.
    """
    with transaction.atomic():
        row = _locked(pk)
        if (
            row is None
            or row.escalated_at is not None
            or row.ended_at is not None
            or row.status not in (ClockStatus.RUNNING, ClockStatus.EXPIRED)
            or row.due_at > now
        ):
            return 0, 0
        row.escalated_at = now
        fields = ["escalated_at"]
        if row.status == ClockStatus.RUNNING:
            row.status = ClockStatus.EXPIRED
            fields.append("status")
        row.save(update_fields=fields)
        context = message_context(row, now)
        heads = supervisors(row)
        sent = _send(heads, KIND_EXPIRED, context, row)
        record(
            "deadline.escalated",
            obj=row,
            case_id=row.case_id,
            data={"rule": row.rule, "due_at": row.due_at, "recipients": sent},
        )
        if not is_detention(row):
            return 1, 0
        people = {p.pk: p for p in responsible(row) + heads}
        released = _send(list(people.values()), KIND_RELEASE, context, row)
        record(
            "deadline.release_required",
            obj=row,
            case_id=row.case_id,
            data={
                "rule": row.rule,
                "due_at": row.due_at,
                "subject": str(row.subject_participant_id) if row.subject_participant_id else None,
                "recipients": released,
            },
        )
        return 1, 1


# ---------------------------------------------------------------- a round


def run_alerts(now: dt.datetime | None = None) -> dict[str, int]:
    """One round: warnings due now, escalations of expired terms, release alerts.

    Returns how many of each were sent: ``{"warned", "escalated", "release"}``.
    """
    now = now or clock.now()
    services.expire_overdue(now)
    widest = max((*warn_hours_short(), *warn_hours_long(), *_rule_hours()), default=0)
    tick = dt.timedelta(microseconds=1)
    soon = services.due_between(now + tick, now + dt.timedelta(hours=widest) + tick)
    due = [
        pk
        for pk, code, started_at, due_at, done in soon.values_list(
            "pk", "rule", "started_at", "due_at", "warned"
        ).iterator(chunk_size=2000)
        if any(
            due_at - t <= now and label(t) not in warned_for(done, due_at)
            for t in thresholds_of(code, started_at, due_at)
        )
    ]
    warned = sum(warn_one(pk, now) for pk in due[:BATCH])
    late = list(
        Clock.objects.filter(
            Q(status=ClockStatus.RUNNING) | Q(status=ClockStatus.EXPIRED),
            due_at__lte=now,
            escalated_at__isnull=True,
            ended_at__isnull=True,
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    escalated = release = 0
    for pk in late:
        one, other = escalate_one(pk, now)
        escalated += one
        release += other
    return {"warned": warned, "escalated": escalated, "release": release}


def _rule_hours() -> list[int]:
    return [h for rule in RULES.values() for h in rule.warn_hours]


def run(stop_event: threading.Event) -> None:
    """Rounds of :func:`run_alerts` until ``stop_event``; errors are logged, the loop goes on."""
    try:
        while not stop_event.is_set():
            close_old_connections()
            try:
                done = run_alerts()
                if any(done.values()):
                    logger.info("deadline alerts: %s", done)
            except Exception:
                logger.exception("A round of deadline alerts failed")
            stop_event.wait(poll_seconds())
    finally:
        connections.close_all()


def start_thread(stop_event: threading.Event | None = None) -> threading.Thread:
    """Start :func:`run` in a daemon thread (for ``tergeu worker``)."""
    thread = threading.Thread(
        target=run, args=(stop_event or threading.Event(),), name="deadline-alerts", daemon=True
    )
    thread.start()
    return thread
