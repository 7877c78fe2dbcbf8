"""Rate limits kept in the database (:class:`RateEvent`), so all server processes share them.

:func:`hit` counts inside the caller's transaction: an action that is refused or rolled
back is not counted (a report that was not filed does not use up the day's quota).
:func:`consume` commits at once: for actions counted whether or not they succeed
(look-ups by tracking number). Both refuse with :class:`RateLimited` (HTTP 429).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils.translation import gettext_lazy as _

from tergeu.core import clock
from tergeu.core.errors import ServiceError
from tergeu.integrity.journal import service

from . import config
from .models import RateEvent

#: Events older than this are deleted now and then (longer than any window).
KEEP = dt.timedelta(days=2)


class RateLimited(ServiceError):
    """Too many requests of one kind from one person or address in a short time."""

    status = 429
    code = "rate_limited"

    def __init__(self, minutes: int) -> None:
        super().__init__(
            _(
                "Too many requests. For your safety this is limited; "
                "please try again in %(minutes)d minutes."
            ),
            minutes=minutes,
        )
        self.minutes = minutes


def hit(limit_name: str, subject: str) -> None:
    """Count one action under ``limit_name`` for ``subject``; refuse when over the limit."""
    if not subject:
        return
    count, seconds = config.rate_limit(limit_name)
    now = clock.now()
    key = f"{limit_name}:{subject}"[:200]
    since = now - dt.timedelta(seconds=seconds)
    recent = RateEvent.objects.filter(key=key, at__gt=since)
    if recent.count() >= count:
        oldest = recent.order_by("at").values_list("at", flat=True).first() or now
        wait = (oldest + dt.timedelta(seconds=seconds) - now).total_seconds()
        raise RateLimited(max(1, int(wait // 60) + 1))
    RateEvent.objects.create(key=key, at=now)
    if random.random() < 0.01:
        RateEvent.objects.filter(at__lt=now - KEEP).delete()


@service
def consume(limit_name: str, subject: str) -> None:
    """:func:`hit` in a transaction of its own: counted even if what follows fails."""
    hit(limit_name, subject)
