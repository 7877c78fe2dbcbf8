"""The operators' view of the outbox: queue depth, failures, dead letters, and retry.

Only administrators (the role that runs the installation, or Django staff) may read the
outbox or retry a dead letter; anyone else is refused and the refusal is journaled. The
text of a message is never shown here (it may hold a one-time code): subject, recipient,
status and the peer's last error are enough to diagnose a delivery.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.admin_services import is_administrator
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, Conflict, NotFound
from tergeu.core.validation import Checker
from tergeu.integrity.journal import deny, record, service

from .models import Channel, Message, MessageStatus

#: Statuses of a message still on its way to the peer.
WAITING = (MessageStatus.PENDING, MessageStatus.FAILED, MessageStatus.SENDING)


def may_operate(user: Any) -> bool:
    """True for an active administrator, or an active member of Django's staff."""
    if is_administrator(user):
        return True
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def _require_operator(user: Any, action: str) -> None:
    if not may_operate(user):
        raise deny(
            AccessDenied(_("Only an administrator may manage the outbox.")),
            user if getattr(user, "pk", None) else None,
            f"notifications.{action}",
            None,
            "not an administrator",
        )


@dataclass
class Overview:
    """Queue depth by channel and status, and how long the oldest waiting message waits."""

    #: ``counts[channel][status]`` for every channel and status (zeros included).
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    waiting: int = 0
    oldest_waiting_at: dt.datetime | None = None
    oldest_waiting_seconds: int | None = None

    def rows(self) -> list[dict[str, Any]]:
        """Rows for a table: the channel, its label and its counts in status order."""
        labels = dict(Channel.choices)
        return [
            {
                "channel": channel,
                "label": labels[channel],
                "counts": [counts[status] for status in MessageStatus.values],
            }
            for channel, counts in self.counts.items()
        ]


@service
def outbox_overview(user: Any) -> Overview:
    """The overview of the outbox (administrators only)."""
    _require_operator(user, "overview")
    overview = Overview(
        counts={c: dict.fromkeys(MessageStatus.values, 0) for c in Channel.values},
        totals=dict.fromkeys(MessageStatus.values, 0),
    )
    rows = Message.objects.order_by().values("channel", "status").annotate(n=Count("pk"))
    for row in rows:
        if row["channel"] in overview.counts and row["status"] in overview.totals:
            overview.counts[row["channel"]][row["status"]] += row["n"]
            overview.totals[row["status"]] += row["n"]
    overview.waiting = sum(overview.totals[s] for s in WAITING)
    oldest = Message.objects.filter(status__in=WAITING).aggregate(at=Min("created_at"))["at"]
    if oldest is not None:
        overview.oldest_waiting_at = oldest
        overview.oldest_waiting_seconds = max(0, int((clock.now() - oldest).total_seconds()))
    return overview


@service
def outbox_messages(
    user: Any, *, status: str = "", channel: str = "", q: str = ""
) -> QuerySet[Message]:
    """Messages of the outbox, newest change first, filtered by status, channel and the
    beginning of the recipient or the peer's id (administrators only)."""
    _require_operator(user, "list")
    check = Checker()
    if status:
        check.choice("status", status, MessageStatus.choices)
    if channel:
        check.choice("channel", channel, Channel.choices)
    check.done()
    qs = Message.objects.order_by("-updated_at", "-created_at")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(recipient__istartswith=q) | Q(peer_id__istartswith=q))
    return qs


def _message(message_id: Any) -> Message:
    try:
        key = uuid.UUID(str(message_id))
    except ValueError as exc:
        raise NotFound(_("No such message.")) from exc
    message = Message.objects.select_for_update().filter(pk=key).first()
    if message is None:
        raise NotFound(_("No such message."))
    return message


@service
def retry_message(user: Any, message_id: Any) -> Message:
    """Put a dead letter back in the queue, due now, with its attempts reset.

    Journals ``message.retried`` with the error that killed it. Only a ``dead`` message
    may be retried: any other is on its way already (or delivered), a :class:`Conflict`.
    """
    _require_operator(user, "retry")
    message = _message(message_id)
    if message.status != MessageStatus.DEAD:
        raise Conflict(
            _("Only a message that was not delivered can be retried; this one is “%(status)s”."),
            status=message.get_status_display(),
        )
    previous = {"error": message.last_error, "attempts": message.attempts}
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = clock.now()
    message.last_error = ""
    message.claimed_by = ""
    message.claimed_until = None
    message.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "claimed_by",
            "claimed_until",
            "updated_at",
        ]
    )
    record(
        "message.retried",
        actor=user,
        obj=message,
        case_id=message.case_id,
        data={"channel": message.channel, "previous": previous},
    )
    return message
