"""The periodic work of legal aid in ``tergeu worker``: every
``TERGEU_LEGALAID_POLL_SECONDS`` (default 60) offers not answered in time expire and go
to the next duty lawyer, and unfilled appointments are offered to lawyers now on duty."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections

from tergeu.settings.env import env_int

from .services import expire_offers

__all__ = ["expire_offers", "poll_seconds", "run", "start_thread"]

logger = logging.getLogger("tergeu.legalaid")


def poll_seconds() -> int:
    """Seconds between two runs (TERGEU_LEGALAID_POLL_SECONDS, default 60)."""
    value = getattr(settings, "TERGEU_LEGALAID_POLL_SECONDS", None)
    return max(1, int(value) if value else env_int("TERGEU_LEGALAID_POLL_SECONDS", 60))


def run(stop_event: threading.Event) -> None:
    """Expire offers until ``stop_event``; errors are logged and the loop goes on."""
    try:
        while not stop_event.is_set():
            close_old_connections()
            try:
                expired = expire_offers()
                if expired:
                    logger.info("%d legal-aid offers expired", expired)
            except Exception:
                logger.exception("A legal-aid round failed")
            stop_event.wait(poll_seconds())
    finally:
        connections.close_all()


def start_thread(stop_event: threading.Event | None = None) -> threading.Thread:
    """Start :func:`run` in a daemon thread (for ``tergeu worker``)."""
    thread = threading.Thread(
        target=run, args=(stop_event or threading.Event(),), name="legalaid-offers", daemon=True
    )
    thread.start()
    return thread
