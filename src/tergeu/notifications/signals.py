"""Signals of delivery, for apps that follow their messages (summons, legal aid, ...).

Each is sent with ``sender=Message`` and ``message=<the Message>`` inside the transaction
that records the change, in a savepoint: a receiver's writes commit with the new status,
and a receiver that raises is logged and rolled back without undoing the status.

- :data:`message_sent`: the peer accepted the message (status ``sent``);
- :data:`message_delivered`: a receipt says it arrived (status ``delivered``);
- :data:`message_failed`: it will not be delivered (status ``dead``: refused, too many
  attempts, or a receipt says undeliverable). A retry scheduled after a transient error
  sends no signal.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.dispatch import Signal

if TYPE_CHECKING:
    from .models import Message

logger = logging.getLogger("tergeu.notifications")

message_sent = Signal()
message_delivered = Signal()
message_failed = Signal()


def emit(signal: Signal, message: Message) -> None:
    """Send ``signal`` for ``message`` in a savepoint; log (never raise) a receiver's error."""
    try:
        with transaction.atomic():
            signal.send(sender=type(message), message=message)
    except Exception:
        logger.exception("A receiver of a delivery signal failed for message %s", message.pk)
