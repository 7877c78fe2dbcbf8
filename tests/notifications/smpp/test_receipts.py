"""Delivery receipts from the SMSC recorded through the outbox's record_receipt."""

from __future__ import annotations

import time

import pytest

from tergeu.notifications.models import Message, MessagePart, MessageStatus, PartStatus
from tergeu.notifications.smpp.config import SmppConfig
from tergeu.notifications.smpp.receipts import start_receipt_listener
from tergeu.notifications.smpp.testsmsc import TestSmsc
from tergeu.notifications.smpp.transport import SmppTransport

from .conftest import config_for, deliver, queue_sms, transport_for_test

pytestmark = pytest.mark.django_db(transaction=True)

KAZAKH = "Сіздің арызыңыз тіркелді. Ә Ғ Қ Ң Ө Ұ Ү Һ І"
LONG = "Тергеу туралы хабарлама: сіздің арызыңыз бойынша қылмыстық іс қозғалды. " * 3


def collect(transport: SmppTransport, smsc: TestSmsc, receipts: int) -> None:
    """Keep the session open until the SMSC has had ``receipts`` receipts acknowledged."""
    transport.open()
    try:
        assert smsc.wait_for(
            lambda: (transport.poll_receipts(), smsc.receipts_acknowledged >= receipts)[1],
            timeout=10,
        ), (smsc.receipts_acknowledged, smsc.receipts_refused)
    finally:
        transport.close()


def test_a_receipt_with_the_tlv_marks_the_message_delivered(smsc: TestSmsc) -> None:
    message = queue_sms(KAZAKH)
    transport = transport_for_test(smsc)
    assert deliver(transport).sent == 1
    collect(transport, smsc, 1)
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None


def test_a_receipt_with_the_id_only_in_its_text_in_another_base(smsc: TestSmsc) -> None:
    server = TestSmsc(receipt_tlv=False, id_format="decimal", text_id_format="hex").start()
    try:
        messages = [queue_sms(f"Hello {i}") for i in range(3)]
        transport = transport_for_test(server)
        assert deliver(transport).sent == 3
        collect(transport, server, 3)
    finally:
        server.stop()
    assert {m.peer_id.isdigit() for m in Message.objects.all()} == {True}
    for message in messages:
        message.refresh_from_db()
        assert message.status == MessageStatus.DELIVERED


def test_every_part_delivered_makes_a_long_message_delivered(smsc: TestSmsc) -> None:
    message = queue_sms(LONG)
    transport = transport_for_test(smsc)
    deliver(transport)
    parts = MessagePart.objects.filter(message=message).count()
    assert parts == len(smsc.parts) > 1
    collect(transport, smsc, parts)
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert set(message.parts.values_list("status", flat=True)) == {PartStatus.DELIVERED}


def test_an_undelivered_receipt_makes_the_message_dead(smsc: TestSmsc) -> None:
    smsc.undeliverable("77019999999")
    message = queue_sms("Hello", recipient="+77019999999")
    transport = transport_for_test(smsc)
    deliver(transport)
    collect(transport, smsc, 1)
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert "stat:UNDELIV" in message.last_error


def test_a_receipt_for_an_unknown_message_is_refused_for_the_smsc_to_send_again(
    smsc: TestSmsc,
) -> None:
    message = queue_sms("Hello")
    transport = transport_for_test(smsc)
    transport.open()
    sent = transport.send(message)  # accepted, but not recorded by a worker (yet)
    time.sleep(0.3)  # the receipt arrives, and waits for a message with its id
    transport.close()  # which never came: refused
    assert smsc.wait_for(lambda: smsc.receipts_refused >= 1)
    assert smsc.receipts_acknowledged == 0
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT, peer_id=sent.peer_id)
    collect(transport, smsc, 1)
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def test_the_listener_records_receipts_for_a_transmitter(smsc: TestSmsc) -> None:
    messages = [queue_sms(f"Hello {i}") for i in range(5)]
    transport = transport_for_test(smsc, bind="transmitter")
    assert deliver(transport).sent == 5
    assert smsc.receipts_acknowledged == 0  # a transmitter gets no receipts
    listener = start_receipt_listener(config_for(smsc))
    assert listener is not None
    try:
        assert smsc.wait_for(lambda: smsc.receipts_acknowledged >= 5)
    finally:
        listener.stop()
    assert {b[0] for b in smsc.binds} == {0x02, 0x01}  # transmitter, then receiver
    for message in messages:
        message.refresh_from_db()
        assert message.status == MessageStatus.DELIVERED


def test_no_listener_without_an_smsc() -> None:
    assert start_receipt_listener(SmppConfig(host="")) is None


def test_after_drops_mid_burst_every_message_is_delivered(smsc: TestSmsc) -> None:
    """Receipts of parts acknowledged before a drop overtake their message; none is lost."""
    messages = [queue_sms(f"{LONG} #{i}", recipient=f"+770100{i:05d}") for i in range(8)]
    smsc.drop_after(9, repeat=True)
    transport = transport_for_test(smsc, window=4)
    assert deliver(transport).sent == 8
    parts = MessagePart.objects.count()
    assert parts == len(smsc.parts)
    smsc.drop_after(10**6)
    collect(transport, smsc, parts)
    assert smsc.duplicates() == 0
    for message in messages:
        message.refresh_from_db()
        assert message.status == MessageStatus.DELIVERED
