"""Several workers at once on PostgreSQL: SKIP LOCKED claims, no message sent twice."""

from __future__ import annotations

from typing import Any

from tergeu.notifications.models import Message, MessageStatus
from tergeu.notifications.services import enqueue
from tergeu.notifications.transports import transport_for
from tergeu.notifications.worker import Round, deliver_all
from tests.concurrency import POSTGRES_THREADS, in_threads

from .conftest import Recorder

pytestmark = POSTGRES_THREADS


def test_workers_claiming_the_same_queue_never_send_a_message_twice(
    smtp_server: tuple[Recorder, int], settings: Any
) -> None:
    handler, _port = smtp_server
    settings.TERGEU_OUTBOX_BATCH = 3
    queued = [
        enqueue(
            channel="email",
            recipient=f"person{i}@example.kz",
            language=("kk", "ru", "en")[i % 3],
            kind="otp",
            context={"code": f"{i:06d}", "minutes": 10},
        ).pk
        for i in range(36)
    ]

    def work(i: int) -> Round:
        return deliver_all(worker=f"worker-{i}", transports={"email": transport_for("email")})

    results = in_threads(work, threads=4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.sent for r in results) == 36
    assert sum(r.lost for r in results) == 0
    assert len([r for r in results if r.sent]) > 1, "one worker took everything"
    ids = sorted(mail["Message-ID"] for mail in handler.mails())
    assert ids == sorted(f"<{pk}@tergeu.example>" for pk in queued)
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
