"""Delivery receipts: parts, whole messages, duplicates, unknown ids; journal and signals."""

from __future__ import annotations

from typing import Any

import pytest

from tergeu.core import clock
from tergeu.integrity.models import Event
from tergeu.notifications.models import Message, MessagePart, MessageStatus, PartStatus
from tergeu.notifications.services import enqueue, record_receipt
from tergeu.notifications.signals import message_delivered, message_failed

pytestmark = pytest.mark.django_db


def _sent(channel: str = "sms", peer_id: str = "abc", parts: list[str] | None = None) -> Message:
    recipient = "+77012345678" if channel == "sms" else "a@example.kz"
    message = enqueue(
        channel=channel,
        recipient=recipient,
        language="ru",
        kind="otp",
        context={"code": "111222", "minutes": 10},
    )
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENT, peer_id=peer_id, sent_at=clock.now()
    )
    for seq, part in enumerate(parts or [], start=1):
        MessagePart.objects.create(message=message, seq=seq, peer_id=part)
    message.refresh_from_db()
    return message


@pytest.fixture
def heard() -> Any:
    got: list[tuple[str, Message]] = []

    def on_delivered(sender: Any, message: Message, **kwargs: Any) -> None:
        got.append(("delivered", message))

    def on_failed(sender: Any, message: Message, **kwargs: Any) -> None:
        got.append(("failed", message))

    message_delivered.connect(on_delivered)
    message_failed.connect(on_failed)
    yield got
    message_delivered.disconnect(on_delivered)
    message_failed.disconnect(on_failed)


def test_a_message_is_delivered_when_all_its_parts_are(heard: Any) -> None:
    message = _sent(peer_id="p1", parts=["p1", "p2"])
    assert record_receipt("sms", "p1", delivered=True) == message
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert not heard
    record_receipt("sms", "p2", delivered=True)
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None
    assert [kind for kind, _ in heard] == ["delivered"]
    assert Event.objects.filter(action="message.delivered").count() == 1
    # a duplicate receipt changes nothing
    record_receipt("sms", "p2", delivered=True)
    assert Event.objects.filter(action="message.delivered").count() == 1
    assert len(heard) == 1


def test_one_undeliverable_part_makes_the_message_dead(heard: Any) -> None:
    message = _sent(peer_id="q1", parts=["q1", "q2"])
    record_receipt("sms", "q2", delivered=False, error="UNDELIV")
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert message.last_error == "UNDELIV"
    assert MessagePart.objects.get(peer_id="q2").status == PartStatus.UNDELIVERED
    assert [kind for kind, _ in heard] == ["failed"]
    record_receipt("sms", "q1", delivered=True)
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert Event.objects.filter(action="message.undelivered").count() == 1
    assert not Event.objects.filter(action="message.delivered").exists()


def test_a_message_without_parts_is_decided_by_its_own_receipt(heard: Any) -> None:
    message = _sent(channel="email", peer_id="<x@tergeu.example>")
    assert record_receipt("sms", "<x@tergeu.example>", delivered=True) is None
    record_receipt("email", "<x@tergeu.example>", delivered=True)
    record_receipt("email", "<x@tergeu.example>", delivered=True)
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert Event.objects.filter(action="message.delivered").count() == 1


def test_an_unknown_or_empty_peer_id_finds_nothing() -> None:
    assert record_receipt("sms", "nope", delivered=True) is None
    assert record_receipt("sms", "", delivered=False) is None
    assert not Event.objects.filter(action__startswith="message.d").exists()
