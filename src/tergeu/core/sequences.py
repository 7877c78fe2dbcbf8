"""Gap-free numbering (ERDR and KUI numbers) on top of :class:`~tergeu.core.models.Counter`."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import Counter


def next_value(scope: str) -> int:
    """Take the next number of ``scope``; must run inside the caller's transaction."""
    assert transaction.get_connection().in_atomic_block, "next_value needs a transaction"
    counter = Counter.objects.select_for_update().filter(scope=scope).first()
    if counter is None:
        try:
            with transaction.atomic():
                Counter.objects.create(scope=scope, value=0)
        except IntegrityError:
            pass  # another transaction created it first
        counter = Counter.objects.select_for_update().get(scope=scope)
    counter.value += 1
    Counter.objects.filter(scope=scope).update(value=counter.value)
    return counter.value
