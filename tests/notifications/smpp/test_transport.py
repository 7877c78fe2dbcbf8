"""SMS through the outbox's worker to a real SMPP server (the development SMSC)."""

from __future__ import annotations

import ssl
import time
from pathlib import Path
from typing import Any

import pytest

from tergeu.notifications.models import Message, MessagePart, MessageStatus
from tergeu.notifications.services import enqueue
from tergeu.notifications.smpp import pdu as P
from tergeu.notifications.smpp.encoding import DC_DEFAULT, DC_UCS2, reference_for
from tergeu.notifications.smpp.testsmsc import TestSmsc
from tergeu.notifications.smpp.transport import SmppBindError, SmppTransport
from tergeu.notifications.transports import PermanentError, TransientError, transport_for
from tergeu.notifications.worker import Policy

from ..conftest import self_signed
from .conftest import FAST, config_for, deliver, queue_sms, transport_for_test

pytestmark = pytest.mark.django_db(transaction=True)

#: A policy whose retries come after the test.
SLOW = Policy(batch=20, max_attempts=8, backoff=3600, backoff_max=3600, lease=60, poll=1)
KAZAKH = "Сіздің арызыңыз тіркелді. Ә Ғ Қ Ң Ө Ұ Ү Һ І"
LONG_RU = (
    "Ваше заявление зарегистрировано в Едином реестре досудебных расследований. "
    "Номер ЕРДР 267500031000123. Следователь свяжется с вами в ближайшее время. "
    "Тергеу ісі бойынша хабарлама: қылмыстық іс қозғалды."
)


def test_a_kazakh_sms_arrives_in_ucs2_intact(smsc: TestSmsc) -> None:
    message = enqueue(
        channel="sms",
        recipient="8 701 234 56 78",
        language="kk",
        kind="report_incident",
        context={"kui_number": "2026-750101-000001", "reason": "Азаматтық дау."},
    )
    result = deliver(transport_for_test(smsc, receipts=False))
    assert result.sent == 1
    [received] = smsc.messages()
    assert received.destination == "77012345678"
    assert received.data_coding == DC_UCS2
    assert received.text == message.body.rstrip("\n")
    assert "оқиғаларға жатқызылды" in received.text
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.peer_id == received.message_ids[0]
    assert smsc.parts[0].source == "Tergeu"


def test_latin_text_goes_as_gsm7(smsc: TestSmsc) -> None:
    queue_sms("Your report K-1 is registered: {ERDR} 267500031000123 @ 10:00 €5")
    deliver(transport_for_test(smsc, receipts=False))
    [received] = smsc.messages()
    assert received.data_coding == DC_DEFAULT
    assert received.text == "Your report K-1 is registered: {ERDR} 267500031000123 @ 10:00 €5"


def test_a_long_text_arrives_as_numbered_parts_that_reassemble(smsc: TestSmsc) -> None:
    message = queue_sms(LONG_RU)
    deliver(transport_for_test(smsc, receipts=False))
    total = -(-len(LONG_RU) // 67)
    assert [(p.seq, p.total) for p in smsc.parts] == [(i, total) for i in range(1, total + 1)]
    assert {p.reference for p in smsc.parts} == {reference_for(str(message.pk))}
    assert {p.esm_class for p in smsc.parts} == {0x40}
    [received] = smsc.messages()
    assert received.text == LONG_RU
    message.refresh_from_db()
    parts = list(MessagePart.objects.filter(message=message).order_by("seq"))
    assert [p.peer_id for p in parts] == received.message_ids
    assert message.peer_id == received.message_ids[0]


def test_a_refused_destination_makes_the_message_dead(smsc: TestSmsc) -> None:
    smsc.refuse("77000000000")
    refused = queue_sms("Hello", recipient="+77000000000")
    fine = queue_sms("Hello", recipient="+77012345678")
    result = deliver(transport_for_test(smsc))
    assert (result.sent, result.dead) == (1, 1)
    refused.refresh_from_db()
    fine.refresh_from_db()
    assert refused.status == MessageStatus.DEAD
    assert "ESME_RINVDSTADR" in refused.last_error
    assert fine.status in (MessageStatus.SENT, MessageStatus.DELIVERED)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (P.ESME_RTHROTTLED, TransientError),
        (P.ESME_RMSGQFUL, TransientError),
        (P.ESME_RSYSERR, TransientError),
        (P.ESME_RINVDSTADR, PermanentError),
        (P.ESME_RINVSRCADR, PermanentError),
        (P.ESME_RINVDSTTON, PermanentError),
    ],
)
def test_submit_sm_resp_statuses_are_transient_or_permanent(
    smsc: TestSmsc, status: int, error: type[Exception]
) -> None:
    smsc.refuse("77000000000", status)
    transport = transport_for_test(smsc)
    transport.open()
    try:
        with pytest.raises(error) as caught:
            transport.send(queue_sms("Hello", recipient="+77000000000"))
        assert P.status_name(status).split()[0] in str(caught.value)
        assert not isinstance(caught.value, PermanentError) or error is PermanentError
    finally:
        transport.close()


def test_throttling_is_retried_later(smsc: TestSmsc) -> None:
    message = queue_sms("Hello")
    smsc.throttle(1)
    transport = transport_for_test(smsc, receipts=False)
    result = deliver(transport, SLOW)
    assert result.failed == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "ESME_RTHROTTLED" in message.last_error
    assert message.next_attempt_at is not None
    assert not smsc.parts
    Message.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert deliver(transport).sent == 1
    assert [m.text for m in smsc.messages()] == ["Hello"]


def test_a_dropped_connection_mid_burst_loses_and_duplicates_nothing(smsc: TestSmsc) -> None:
    texts = {}
    for i in range(50):
        text = f"{LONG_RU} #{i}" if i % 5 == 0 else f"Хабарлама {i}: арызыңыз тіркелді."
        # One recipient each: a handset joins parts by their 8-bit reference, which two
        # long texts to one phone may share (docs/sms.md).
        texts[str(queue_sms(text, recipient=f"+770100{i:05d}").pk)] = text
    # Every 23rd submit_sm meets a closed connection, in the middle of long messages too.
    smsc.drop_after(22, repeat=True)
    transport = transport_for_test(smsc, receipts=False, window=4)
    result = deliver(transport)
    assert smsc.drops >= 3
    assert result.failed >= 3
    assert result.sent == 50
    assert Message.objects.values_list("status", flat=True).distinct().get() == MessageStatus.SENT
    received = sorted(m.text for m in smsc.messages())
    assert received == sorted(texts.values())
    assert smsc.duplicates() == 0
    assert len(smsc.parts) == sum(-(-len(t) // 67) if len(t) > 70 else 1 for t in texts.values())
    binds = [b for b in smsc.binds if b[2] == P.ESME_ROK]
    assert len(binds) >= 3  # it reconnected and bound again after each drop


def test_send_reconnects_after_the_smsc_drops_the_session(smsc: TestSmsc) -> None:
    transport = transport_for_test(smsc, receipts=False)
    transport.open()
    try:
        transport.send(queue_sms("one"))
        smsc.drop_all()
        assert smsc.wait_for(lambda: not smsc._sessions)
        time.sleep(0.05)
        transport.send(queue_sms("two"))
    finally:
        transport.close()
    assert [m.text for m in smsc.messages()] == ["one", "two"]
    assert len(smsc.binds) == 2


def test_bad_credentials_are_a_clear_error_and_messages_wait(smsc: TestSmsc) -> None:
    message = queue_sms("Hello")
    transport = transport_for_test(smsc, password="wrong")
    with pytest.raises(SmppBindError, match=r"ESME_RINVPASWD.*TERGEU_SMPP_PASSWORD"):
        transport.open()
    result = deliver(transport, SLOW)
    assert result.failed == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "invalid password" in message.last_error
    other = transport_for_test(smsc, system_id="nobody")
    with pytest.raises(SmppBindError, match="ESME_RINVSYSID"):
        other.open()


def test_an_unreachable_smsc_is_transient() -> None:
    with TestSmsc() as server:
        port = server.port
    transport = SmppTransport(config_for(TestSmsc(port=port), port=port, connect_timeout=1.0))
    with pytest.raises(TransientError, match="cannot connect"):
        transport.open()


def test_an_idle_session_is_kept_alive_by_enquire_link(smsc: TestSmsc) -> None:
    transport = transport_for_test(smsc, enquire_link_interval=0.2)
    transport.open()
    try:
        assert smsc.wait_for(lambda: smsc.pdus_received[P.ENQUIRE_LINK] >= 2, timeout=3)
        transport.send(queue_sms("still here"))
    finally:
        transport.close()
    assert len(smsc.binds) == 1
    assert smsc.pdus_received[P.UNBIND] == 1


def test_the_worker_builds_the_transport_from_the_settings(smsc: TestSmsc, settings: Any) -> None:
    settings.TERGEU_SMPP_HOST = "127.0.0.1"
    settings.TERGEU_SMPP_PORT = smsc.port
    settings.TERGEU_SMPP_SYSTEM_ID = "tergeu"
    settings.TERGEU_SMPP_PASSWORD = "secret"
    settings.TERGEU_SMPP_SOURCE_ADDR = "1414"
    transport = transport_for("sms")
    assert isinstance(transport, SmppTransport)
    queue_sms("Hello")
    assert deliver(transport).sent == 1
    assert smsc.parts[0].source == "1414"


def test_throughput_limits_the_pace(smsc: TestSmsc) -> None:
    for i in range(6):
        queue_sms(f"m{i}")
    start = time.monotonic()
    deliver(transport_for_test(smsc, receipts=False, throughput=20.0), FAST)
    assert time.monotonic() - start >= 5 / 20
    assert len(smsc.parts) == 6


def test_tls_to_the_smsc_with_its_ca(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with TestSmsc(ssl_context=context) as server:
        queue_sms("Сәлем over TLS")
        transport = transport_for_test(server, tls=True, tls_ca_file=str(cert), receipts=False)
        assert deliver(transport).sent == 1
        assert [m.text for m in server.messages()] == ["Сәлем over TLS"]
        untrusted = transport_for_test(server, tls=True)  # the system's CAs only
        with pytest.raises(TransientError, match="TLS"):
            untrusted.open()
