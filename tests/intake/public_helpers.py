"""Helpers of the public report tests: a citizen, the code from the outbox, a report."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tergeu.core.iin import make_iin
from tergeu.notifications.models import Message

IIN = make_iin(dt.date(1990, 5, 17), False, 4321)
DESCRIPTION = "Из квартиры по ул. Абая, 10 похищен ноутбук Lenovo, дверь была взломана."
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"0" * 200
EXE = b"MZ\x90\x00" + b"\x00" * 200


def last_code(recipient: str) -> str:
    """The one-time code of the latest message to ``recipient`` (the SMS text holds it)."""
    message = Message.objects.filter(recipient=recipient, kind="otp").order_by("-created_at")[0]
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


def identity(**extra: Any) -> dict[str, Any]:
    data = {
        "iin": IIN,
        "full_name": "Сейтқали Әлия Нұрланқызы",
        "phone": "+7 701 234 56 78",
        "email": "",
        "language": "kk",
    }
    data.update(extra)
    return data
