"""Where this app listens: the outbox's delivery signals and the journal.

- :mod:`tergeu.notifications.signals`: a summons' message sent, delivered, given up
  (:mod:`.services`).
- The journal (:class:`tergeu.integrity.models.Event`, created in the transaction of the
  change it records): ``document.finalised`` of a resolution on recognition as a victim
  and ``case.terminate`` queue the notices of :mod:`.notices` in that same transaction.
  The cases and documents apps stay unaware of this one (apps depend downward).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tergeu.notifications import signals

from .rules import VICTIM_DOCUMENT

#: Journal actions this app acts on.
ACTIONS = frozenset({"document.finalised", "case.terminate"})


def _on_sent(sender: Any, message: Any, **kwargs: Any) -> None:
    from .services import message_sent

    message_sent(message)


def _on_delivered(sender: Any, message: Any, **kwargs: Any) -> None:
    from .services import message_delivered

    message_delivered(message)


def _on_failed(sender: Any, message: Any, **kwargs: Any) -> None:
    from .services import message_failed

    message_failed(message)


def _on_event(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
    if not created or instance.action not in ACTIONS:
        return
    from tergeu.cases.models import Case
    from tergeu.documents.models import Document

    from . import notices

    data = payload_of(instance).get("data", {})
    if instance.action == "document.finalised":
        if data.get("type") != VICTIM_DOCUMENT:
            return
        doc = Document.objects.filter(pk=instance.object_id).first()
        if doc is not None:
            notices.victim_recognised(instance.actor, doc)
    else:
        case = Case.objects.select_related("organisation", "report").get(pk=str(instance.case_id))
        notices.case_terminated(instance.actor, case, str(data.get("ground") or ""))


def connect() -> None:
    """Connect the receivers (once; dispatch_uid guards against a second call)."""
    signals.message_sent.connect(_on_sent, dispatch_uid="summons.sent")
    signals.message_delivered.connect(_on_delivered, dispatch_uid="summons.delivered")
    signals.message_failed.connect(_on_failed, dispatch_uid="summons.failed")
    post_save.connect(_on_event, sender=Event, dispatch_uid="summons.journal")
