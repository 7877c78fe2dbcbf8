"""Where this app listens: the journal (:class:`tergeu.integrity.models.Event`).

Every event the rules name (``rules.toml``), the engine's own adjustments and the
reassignment of the investigator run :func:`tergeu.deadlines.engine.on_event` in the
transaction that appended the event, so a clock never disagrees with the journal. The
apps that journal those events stay unaware of this one (apps depend downward).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from tergeu.integrity.models import Event


def _on_event(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    from .engine import on_event

    on_event(instance)


def connect() -> None:
    """Connect the receiver (once; dispatch_uid guards against a second call)."""
    post_save.connect(_on_event, sender=Event, dispatch_uid="deadlines.journal")
