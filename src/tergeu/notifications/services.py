"""Queueing messages in the outbox, and recording what the peers say about them.

:func:`enqueue` runs inside the caller's transaction: a message exists if and only if
the change that caused it was committed. The text is rendered at once, in the
recipient's language, from ``notifications/<kind>.txt``: the first line is the subject,
the rest the body. A one-time code is never journaled or logged: its event holds no text.

Sending is the worker's (:mod:`.worker`); :func:`record_receipt` records a delivery
receipt (an SMPP ``deliver_sm`` receipt, a DSN); :func:`retry_message` puts a dead letter
back in the queue.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tergeu.core import clock
from tergeu.core.errors import ValidationFailed
from tergeu.core.validation import Checker
from tergeu.integrity.journal import record, service

from .models import Channel, Kind, Message, MessagePart, MessageStatus, PartStatus
from .signals import emit, message_delivered, message_failed

LANGUAGES = (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English"))

#: Kinds whose text is secret: the journal gets neither subject nor body.
SECRET_KINDS = frozenset({Kind.OTP, Kind.SUMMONS})


def render(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of a message of ``kind`` in ``language``."""
    with translation.override(language):
        text = render_to_string(f"notifications/{kind}.txt", context)
    lines = text.strip().splitlines()
    subject = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    return subject, body + "\n"


def render_html(kind: str, language: str, context: dict[str, Any]) -> str:
    """The HTML version of an e-mail from ``notifications/<kind>.html``; "" if none.

    Without one, the e-mail transport makes a plain HTML version of the text.
    """
    with translation.override(language):
        try:
            return render_to_string(f"notifications/{kind}.html", context)
        except TemplateDoesNotExist:
            return ""


def normalise_recipient(check: Checker, channel: str, recipient: str) -> str:
    """The recipient as stored: a phone as +7XXXXXXXXXX, an e-mail address stripped."""
    value = (recipient or "").strip()
    if not value:
        check.add("recipient", _("This field is required."))
        return ""
    if channel == Channel.SMS:
        return check.phone("recipient", value)
    check.email("recipient", value)
    return value


def enqueue(
    *,
    channel: str,
    recipient: str,
    language: str,
    kind: str,
    context: dict[str, Any],
    report: Any = None,
    case_id: Any = None,
) -> Message:
    """Render and queue one message; journal ``message.queued`` (no text for a code)."""
    check = Checker()
    check.choice("channel", channel, Channel.choices)
    check.choice("kind", kind, Kind.choices)
    check.choice("language", language, LANGUAGES)
    address = normalise_recipient(check, channel, recipient)
    check.done()
    subject, body = render(kind, language, {**context, "channel": channel})
    if not body.strip():
        raise ValidationFailed.one("kind", _("The message has no text."))
    html = ""
    if channel == Channel.EMAIL:
        html = render_html(kind, language, {**context, "channel": channel, "subject": subject})
    message = Message.objects.create(
        channel=channel,
        recipient=address,
        language=language,
        kind=kind,
        subject=subject[:300],
        body=body,
        html=html,
        report=report,
        case_id=case_id,
        next_attempt_at=clock.now(),
    )
    data: dict[str, Any] = {
        "channel": channel,
        "recipient": address,
        "language": language,
        "kind": kind,
        "report": str(report.pk) if report is not None else None,
    }
    if kind not in SECRET_KINDS:
        data["subject"] = message.subject
        data["body"] = body
        data["body_sha256"] = hashlib.sha256(body.encode()).hexdigest()
    record("message.queued", obj=message, case_id=case_id, data=data)
    return message


@service
def record_receipt(
    channel: str, peer_id: str, *, delivered: bool, error: str = ""
) -> Message | None:
    """Record a delivery receipt for the message or part the peer calls ``peer_id``.

    A part's receipt marks the part; the message is ``delivered`` when every part is,
    and ``dead`` as soon as one part is undeliverable. A receipt for a message without
    parts decides it at once. Journals ``message.delivered`` or ``message.undelivered``
    and sends :data:`.signals.message_delivered` or :data:`.signals.message_failed`.
    Idempotent: a repeated receipt, or one for a message already decided, changes
    nothing. Returns the message, or ``None`` when no message has that peer id (yet).
    """
    peer_id = (peer_id or "").strip()
    if not peer_id:
        return None
    now = clock.now()
    part = (
        MessagePart.objects.select_for_update()
        .filter(peer_id=peer_id, message__channel=channel)
        .order_by("-created_at")
        .first()
    )
    if part is not None:
        message = Message.objects.select_for_update().get(pk=part.message_id)
        if part.status != PartStatus.SENT:
            return message  # a duplicate receipt
        part.status = PartStatus.DELIVERED if delivered else PartStatus.UNDELIVERED
        part.receipt_at = now
        part.error = error[:2000]
        part.save(update_fields=["status", "receipt_at", "error", "updated_at"])
        if delivered and message.parts.exclude(status=PartStatus.DELIVERED).exists():
            return message  # other parts still travelling
    else:
        found = (
            Message.objects.select_for_update()
            .filter(peer_id=peer_id, channel=channel)
            .order_by("-created_at")
            .first()
        )
        if found is None:
            return None
        message = found
    if message.status != MessageStatus.SENT:
        return message  # decided already (a duplicate), or being sent again since
    data = {"channel": channel, "peer_id": peer_id, "part": part.seq if part else None}
    if delivered:
        message.status = MessageStatus.DELIVERED
        message.delivered_at = now
        message.save(update_fields=["status", "delivered_at", "updated_at"])
        record("message.delivered", obj=message, case_id=message.case_id, data=data)
        emit(message_delivered, message)
    else:
        message.status = MessageStatus.DEAD
        message.last_error = error[:2000] or str(_("The peer reports the message undelivered."))
        message.save(update_fields=["status", "last_error", "updated_at"])
        record(
            "message.undelivered",
            obj=message,
            case_id=message.case_id,
            data=data | {"error": message.last_error},
        )
        emit(message_failed, message)
    return message
