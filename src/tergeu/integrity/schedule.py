"""Checkpoints on a schedule: a loop the worker runs in a thread.

Every ``TERGEU_CHECKPOINT_SECONDS`` (default 300; 0 turns the schedule off) it integrates
the new events and signs a checkpoint if the tree grew. ``tergeu worker`` starts it with
:func:`start_thread`; errors are logged and the loop goes on (an inconsistent journal is
logged as critical by :mod:`.checkpoints` and no checkpoint is issued).
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connections

from tergeu.settings.env import env_int

from . import checkpoints

logger = logging.getLogger("tergeu.integrity")


def interval() -> int:
    """Seconds between checkpoints (TERGEU_CHECKPOINT_SECONDS; 0: no schedule)."""
    from django.conf import settings

    value = getattr(settings, "TERGEU_CHECKPOINT_SECONDS", None)
    return int(value) if value is not None else env_int("TERGEU_CHECKPOINT_SECONDS", 300)


def tick() -> None:
    """One round: issue a checkpoint if the tree grew; log, never raise."""
    close_old_connections()
    try:
        checkpoints.issue_checkpoint()
    except Exception:
        logger.exception("Scheduled journal checkpoint failed")


def run_schedule(stop_event: threading.Event, seconds: float | None = None) -> None:
    """Issue checkpoints every ``seconds`` (default :func:`interval`) until ``stop_event``.

    The first round runs at once. Closes its database connections when it stops.
    """
    period = interval() if seconds is None else seconds
    if period <= 0:
        logger.info("Journal checkpoint schedule is off (TERGEU_CHECKPOINT_SECONDS=0)")
        return
    try:
        while not stop_event.is_set():
            tick()
            stop_event.wait(period)
    finally:
        connections.close_all()


def start_thread(stop_event: threading.Event | None = None) -> threading.Thread:
    """Start :func:`run_schedule` in a daemon thread and return it (for ``tergeu worker``)."""
    thread = threading.Thread(
        target=run_schedule,
        args=(stop_event or threading.Event(),),
        name="journal-checkpoints",
        daemon=True,
    )
    thread.start()
    return thread
