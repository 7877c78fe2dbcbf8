"""Queueing messages in the outbox (the delivery worker is issue 5's).

:func:`enqueue` runs inside the caller's transaction: a message exists if and only if
the change that caused it was committed. The text is rendered at once, in the
recipient's language, from ``notifications/<kind>.txt``: the first line is the subject,
the rest the body. A one-time code is never journaled or logged: its event holds no text.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tergeu.core import clock
from tergeu.core.errors import ValidationFailed
from tergeu.core.validation import Checker
from tergeu.integrity.journal import record

from .models import Channel, Kind, Message

LANGUAGES = (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English"))

#: Kinds whose text is secret: the journal gets neither subject nor body.
SECRET_KINDS = frozenset({Kind.OTP})


def render(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of a message of ``kind`` in ``language``."""
    with translation.override(language):
        text = render_to_string(f"notifications/{kind}.txt", context)
    lines = text.strip().splitlines()
    subject = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    return subject, body + "\n"


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
    message = Message.objects.create(
        channel=channel,
        recipient=address,
        language=language,
        kind=kind,
        subject=subject[:300],
        body=body,
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
