"""The delivery worker: claims due messages from the outbox and hands them to the peers.

One round (:func:`deliver_due`):

1. **Claim** up to ``TERGEU_OUTBOX_BATCH`` due messages: ``pending`` or ``failed`` whose
   ``next_attempt_at`` has come, or ``sending`` whose lease (``claimed_until``) ran out
   because its worker died. On PostgreSQL the candidates are read with ``SELECT ... FOR
   UPDATE SKIP LOCKED``, so workers never wait for each other; on SQLite the transaction
   holds the write lock from its start. Either way the claim is a conditional ``UPDATE``
   (the row must still be due) that sets ``sending``, the worker's id, the lease and
   ``attempts + 1``; the claim is that (worker id, attempt) pair.
2. **Send** outside any transaction, one transport per channel opened for the batch.
3. **Record** each result with an ``UPDATE`` conditional on the claim (still ``sending``,
   same worker, same attempt) and journal it in the same transaction: ``message.sent``
   (with the peer's ids and the parts), ``message.failed`` (retry scheduled with
   exponential backoff) or ``message.dead`` (refused, or attempts exhausted).

The window of a duplicate (at least once): if the worker dies, or stalls past its lease,
after the peer accepted a message but before the result is recorded, the message is
still ``sending`` when the lease expires and another worker sends it again. E-mail keeps
the same Message-ID across attempts so the duplicate is recognisable. Nothing else sends
twice: a claim is exclusive, and a result is written only under its own claim.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import F, Q

from tergeu.core import clock
from tergeu.integrity.journal import event, record, record_all, service

from .models import Channel, Message, MessagePart, MessageStatus
from .signals import emit, message_failed, message_sent
from .transports import NotConfigured, PermanentError, Sent, TransientError, transport_for

logger = logging.getLogger("tergeu.notifications")

#: The error of a message whose worker stopped during its last allowed attempt.
ABANDONED = "The worker stopped before recording the result of the last attempt."


def _setting(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else default


@dataclass(frozen=True)
class Policy:
    """How a worker paces itself and retries (from the ``TERGEU_OUTBOX_*`` settings)."""

    batch: int = 20
    max_attempts: int = 8
    backoff: int = 30
    backoff_max: int = 3600
    lease: int = 300
    poll: int = 5

    @classmethod
    def from_settings(cls) -> Policy:
        """The policy the settings describe."""
        return cls(
            batch=max(1, _setting("TERGEU_OUTBOX_BATCH", 20)),
            max_attempts=max(1, _setting("TERGEU_OUTBOX_MAX_ATTEMPTS", 8)),
            backoff=max(0, _setting("TERGEU_OUTBOX_BACKOFF_SECONDS", 30)),
            backoff_max=max(0, _setting("TERGEU_OUTBOX_BACKOFF_MAX_SECONDS", 3600)),
            lease=max(1, _setting("TERGEU_OUTBOX_LEASE_SECONDS", 300)),
            poll=max(1, _setting("TERGEU_OUTBOX_POLL_SECONDS", 5)),
        )

    def delay(self, attempts: int) -> dt.timedelta:
        """The wait before the next attempt after ``attempts`` attempts (30 s, 60 s, ...)."""
        seconds = self.backoff * 2 ** max(0, min(attempts - 1, 30))
        return dt.timedelta(seconds=min(seconds, self.backoff_max))


@dataclass
class Round:
    """What one round did: counts by outcome."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    lost: int = 0  # results not recorded: the claim had passed to another worker

    def add(self, other: Round) -> None:
        """Add ``other``'s counts to these."""
        for name in ("claimed", "sent", "failed", "dead", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Claim:
    """A message held by a worker: the row as claimed, the worker and the attempt."""

    message: Message
    worker: str
    attempt: int = field(init=False)

    def __post_init__(self) -> None:
        self.attempt = self.message.attempts

    def held(self) -> Any:
        """The queryset of the message while this claim still holds it."""
        return Message.objects.filter(
            pk=self.message.pk,
            status=MessageStatus.SENDING,
            claimed_by=self.worker,
            attempts=self.attempt,
        )


def worker_id() -> str:
    """An id of this worker: host, process and thread."""
    name = f"{socket.gethostname()}/{os.getpid()}/{threading.current_thread().name}"
    return name[:100]


def _due(now: dt.datetime) -> Q:
    waiting = Q(status__in=[MessageStatus.PENDING, MessageStatus.FAILED]) & (
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    )
    abandoned = Q(status=MessageStatus.SENDING, claimed_until__lt=now)
    return waiting | abandoned


def claim(
    worker: str, *, channels: Iterable[str], limit: int, policy: Policy | None = None
) -> list[Claim]:
    """Claim up to ``limit`` due messages of ``channels`` for ``worker`` (see the module)."""
    policy = policy or Policy.from_settings()
    channels = list(channels)
    if not channels or limit <= 0:
        return []
    now = clock.now()
    due = _due(now) & Q(channel__in=channels)
    with transaction.atomic():
        candidates = Message.objects.filter(due).order_by("next_attempt_at", "created_at")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Message.objects.filter(due, pk__in=ids).update(
            status=MessageStatus.SENDING,
            claimed_by=worker,
            claimed_until=now + dt.timedelta(seconds=policy.lease),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        rows = Message.objects.filter(
            pk__in=ids, status=MessageStatus.SENDING, claimed_by=worker, claimed_until__gt=now
        ).order_by("next_attempt_at", "created_at")
        return [Claim(message, worker) for message in rows]


@service
def record_sent(held: Claim, sent: Sent) -> bool:
    """Record that the peer accepted the message; False if the claim was lost."""
    return bool(record_sent_all([(held, sent)]))


_SENT_FIELDS = [
    "status",
    "peer_id",
    "sent_at",
    "last_error",
    "claimed_by",
    "claimed_until",
    "next_attempt_at",
    "updated_at",
]


@service
def record_sent_all(accepted: list[tuple[Claim, Sent]]) -> list[Message]:
    """Record what the peer accepted, set-based: the messages whose claim still holds.

    One locking read, one update, the parts and the journal events in a few statements
    for the whole list, not five per message; returns the messages recorded (a message
    whose claim passed to another worker is left alone).
    """
    if not accepted:
        return []
    now = clock.now()
    holds = Q()
    for held, _sent in accepted:
        holds |= Q(pk=held.message.pk, claimed_by=held.worker, attempts=held.attempt)
    rows = {
        m.pk: m
        for m in Message.objects.select_for_update().filter(holds, status=MessageStatus.SENDING)
    }
    recorded: list[tuple[Message, Claim, Sent]] = []
    for held, sent in accepted:
        message = rows.get(held.message.pk)
        if message is None:
            continue
        message.status = MessageStatus.SENT
        message.peer_id = sent.peer_id[:255]
        message.sent_at = now
        message.last_error = ""
        message.claimed_by = ""
        message.claimed_until = None
        message.next_attempt_at = None
        message.updated_at = now
        recorded.append((message, held, sent))
    if not recorded:
        return []
    messages = [m for m, _h, _s in recorded]
    Message.objects.bulk_update(messages, _SENT_FIELDS)
    MessagePart.objects.filter(message__in=messages).delete()  # of an earlier send, if any
    MessagePart.objects.bulk_create(
        MessagePart(message=m, seq=seq, peer_id=peer_id[:255])
        for m, _h, sent in recorded
        for seq, peer_id in enumerate(sent.parts, start=1)
    )
    record_all(
        [
            event(
                "message.sent",
                obj=m,
                case_id=m.case_id,
                data={
                    "channel": m.channel,
                    "peer_id": m.peer_id,
                    "parts": list(sent.parts),
                    "attempt": held.attempt,
                },
            )
            for m, held, sent in recorded
        ]
    )
    for message in messages:
        emit(message_sent, message)
    return messages


@service
def record_failure(held: Claim, error: str, *, permanent: bool, policy: Policy) -> str | None:
    """Record a failed attempt: ``failed`` with a retry, or ``dead``; None if the claim was lost."""
    now = clock.now()
    error = (error or "").strip()[:2000] or "error"
    dead = permanent or held.attempt >= policy.max_attempts
    retry_at = None if dead else now + policy.delay(held.attempt)
    done = held.held().update(
        status=MessageStatus.DEAD if dead else MessageStatus.FAILED,
        last_error=error,
        next_attempt_at=retry_at,
        claimed_by="",
        claimed_until=None,
        updated_at=now,
    )
    if not done:
        return None
    message = Message.objects.get(pk=held.message.pk)
    data = {
        "channel": message.channel,
        "error": error,
        "attempt": held.attempt,
        "permanent": permanent,
    }
    if dead:
        record("message.dead", obj=message, case_id=message.case_id, data=data)
        emit(message_failed, message)
        return MessageStatus.DEAD
    data["next_attempt_at"] = retry_at
    record("message.failed", obj=message, case_id=message.case_id, data=data)
    return MessageStatus.FAILED


def _outcome(result: Round, status: str | None) -> None:
    if status is None:
        result.lost += 1
    elif status == MessageStatus.DEAD:
        result.dead += 1
    else:
        result.failed += 1


def _send_batch(transport: Any, claims: list[Claim], policy: Policy, result: Round) -> None:
    """Send ``claims`` through an unopened ``transport``; record each outcome."""
    try:
        transport.open()
    except (TransientError, PermanentError, OSError) as exc:
        # The peer is unreachable or refuses us: nobody's fault but ours, retry all.
        for held in claims:
            _outcome(result, record_failure(held, str(exc), permanent=False, policy=policy))
        return
    accepted: list[tuple[Claim, Sent]] = []
    try:
        for held in claims:
            try:
                sent = transport.send(held.message)
            except PermanentError as exc:
                _outcome(result, record_failure(held, str(exc), permanent=True, policy=policy))
            except Exception as exc:  # TransientError, or a bug: retried, never lost
                if not isinstance(exc, TransientError):
                    logger.exception("Transport %s failed on %s", transport, held.message.pk)
                _outcome(result, record_failure(held, str(exc), permanent=False, policy=policy))
            else:
                accepted.append((held, sent))
                if len(accepted) >= RECORD_EVERY:
                    _record_accepted(accepted, result)
    finally:
        _record_accepted(accepted, result)
        try:
            transport.close()
        except Exception:
            logger.exception("Closing transport %s failed", transport)


#: Accepted messages recorded together (:func:`record_sent_all`), in one transaction: one
#: commit and a few statements for this many messages instead of a commit and five each.
#: It widens the at-least-once window of a crash between the peer's acknowledgement and
#: the record to at most this many messages.
RECORD_EVERY = 50


def _record_accepted(accepted: list[tuple[Claim, Sent]], result: Round) -> None:
    """Record what the peer accepted (and empty ``accepted``)."""
    if not accepted:
        return
    recorded = {m.pk for m in record_sent_all(accepted)}
    for held, _sent in accepted:
        if held.message.pk in recorded:
            result.sent += 1
        else:
            result.lost += 1
            logger.warning(
                "Message %s was sent but its claim had passed to another worker",
                held.message.pk,
            )
    accepted.clear()


def configured_channels(transports: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The transports of the channels that have a peer: given ones, else from settings."""
    found: dict[str, Any] = dict(transports or {})
    if transports is not None:
        return found
    for channel in Channel.values:
        try:
            found[channel] = transport_for(channel)
        except (NotConfigured, ImportError) as exc:
            _warn_once(f"{channel}: {type(exc).__name__}: {exc}")
    return found


_warned: set[str] = set()


def _warn_once(reason: str) -> None:
    """Log why a channel's messages wait, once per reason (the loop polls every few s)."""
    if reason not in _warned:
        _warned.add(reason)
        logger.warning("Messages of %s wait in the outbox", reason)


def deliver_due(
    *,
    worker: str | None = None,
    transports: Mapping[str, Any] | None = None,
    policy: Policy | None = None,
) -> Round:
    """One round: claim a batch, send it, record the results (see the module).

    ``transports`` maps a channel to an unopened transport; by default every channel
    whose peer is configured gets one from :func:`.transports.transport_for`, and the
    messages of the other channels stay pending.
    """
    policy = policy or Policy.from_settings()
    worker = worker or worker_id()
    available = configured_channels(transports)
    claims = claim(worker, channels=available, limit=policy.batch, policy=policy)
    result = Round(claimed=len(claims))
    by_channel: dict[str, list[Claim]] = {}
    for held in claims:
        if held.attempt > policy.max_attempts:
            # Claimed again after its lease ran out on the last allowed attempt: the peer
            # may have it already; give up rather than send once more.
            _outcome(result, record_failure(held, ABANDONED, permanent=False, policy=policy))
        else:
            by_channel.setdefault(held.message.channel, []).append(held)
    for channel, batch in by_channel.items():
        _send_batch(available[channel], batch, policy, result)
    return result


def deliver_all(
    *,
    worker: str | None = None,
    transports: Mapping[str, Any] | None = None,
    policy: Policy | None = None,
) -> Round:
    """Rounds until nothing is due (``tergeu worker --once``); the totals."""
    policy = policy or Policy.from_settings()
    total = Round()
    while True:
        # A fresh transport per round: one opened and closed is not reopened.
        result = deliver_due(worker=worker, transports=transports, policy=policy)
        total.add(result)
        if result.claimed < policy.batch:
            return total


def run_delivery(stop_event: threading.Event, *, policy: Policy | None = None) -> None:
    """Deliver until ``stop_event``: a round, and a pause of the poll interval when the
    queue had less than a batch. Errors are logged and the loop goes on."""
    policy = policy or Policy.from_settings()
    worker = worker_id()
    try:
        while not stop_event.is_set():
            close_old_connections()
            try:
                result = deliver_due(worker=worker, policy=policy)
            except Exception:
                logger.exception("A delivery round failed")
                result = Round()
            if result.claimed < policy.batch:
                stop_event.wait(policy.poll)
    finally:
        connections.close_all()


def start_thread(stop_event: threading.Event | None = None) -> threading.Thread:
    """Start :func:`run_delivery` in a daemon thread and return it (for ``tergeu worker``)."""
    thread = threading.Thread(
        target=run_delivery,
        args=(stop_event or threading.Event(),),
        name="outbox-delivery",
        daemon=True,
    )
    thread.start()
    return thread
