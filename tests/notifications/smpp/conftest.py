"""A real SMPP server for the SMS transport's tests: the development SMSC on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from tergeu.core import clock
from tergeu.notifications.models import Message
from tergeu.notifications.smpp import transport as transport_module
from tergeu.notifications.smpp.config import SmppConfig
from tergeu.notifications.smpp.testsmsc import TestSmsc
from tergeu.notifications.smpp.transport import SmppTransport
from tergeu.notifications.worker import Policy, Round, deliver_all

#: The worker's policy in tests: retries at once, small batches.
FAST = Policy(batch=20, max_attempts=8, backoff=0, backoff_max=0, lease=60, poll=1)


@pytest.fixture
def smsc() -> Iterator[TestSmsc]:
    server = TestSmsc("tergeu", "secret").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _forget_acknowledged() -> Iterator[None]:
    yield
    transport_module._acknowledged.clear()


def config_for(server: TestSmsc, **changes: Any) -> SmppConfig:
    """Settings that reach ``server``, with short timeouts."""
    base = SmppConfig(
        host="127.0.0.1",
        port=server.port,
        system_id="tergeu",
        password="secret",
        window=10,
        response_timeout=3.0,
        connect_timeout=3.0,
        receipt_wait=10.0,
    )
    return replace(base, **changes)


def transport_for_test(server: TestSmsc, **changes: Any) -> SmppTransport:
    return SmppTransport(config_for(server, **changes))


def queue_sms(text: str, recipient: str = "+77012345678", language: str = "ru") -> Message:
    """An SMS in the outbox with exactly ``text`` (tests need texts of chosen length)."""
    return Message.objects.create(
        channel="sms",
        recipient=recipient,
        language=language,
        kind="report_received",
        body=text,
        next_attempt_at=clock.now(),
    )


def deliver(transport: SmppTransport, policy: Policy = FAST, rounds: int = 20) -> Round:
    """The outbox's worker through ``transport``, until nothing is due (retries included)."""
    total = Round()
    for _ in range(rounds):
        result = deliver_all(transports={"sms": transport}, policy=policy)
        total.add(result)
        if not result.claimed:
            break
    return total
