"""The one source of 'now', so tests and deadline computations can inject time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone

KZ_TZ = ZoneInfo("Asia/Almaty")  # UTC+5 since 2024-03-01

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Current time, timezone-aware UTC (or the frozen time in tests)."""
    return _frozen if _frozen is not None else timezone.now()


@contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    """Freeze :func:`now` at ``at`` inside the block."""
    global _frozen
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous


def local(moment: dt.datetime) -> dt.datetime:
    """The moment in Kazakhstan local time."""
    return moment.astimezone(KZ_TZ)
