"""Small helpers shared by the roster and the appointment services."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tergeu.core.clock import KZ_TZ
from tergeu.core.validation import Checker


def as_uuid(value: Any) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def moment(check: Checker, field: str, value: Any, *, required: bool = False) -> dt.datetime | None:
    """A datetime from a datetime or an ISO 8601 string; without a zone it is Kazakhstan time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            check.add(field, _("This field is required."))
        return None
    parsed: dt.datetime | None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
    if parsed is None:
        check.add(field, _("Enter a date and time as YYYY-MM-DDTHH:MM."))
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=KZ_TZ)
    return parsed.astimezone(dt.UTC)


def local_text(value: dt.datetime | None) -> str:
    """A moment as messages write it: Kazakhstan local time, dd.mm.yyyy HH:MM."""
    return value.astimezone(KZ_TZ).strftime("%d.%m.%Y %H:%M") if value else ""
