"""Delivery of e-mail by the worker to a real SMTP server (aiosmtpd on 127.0.0.1).

The worker claims due messages, sends them over SMTP (plain, STARTTLS, implicit TLS),
and records sent / failed with backoff / dead; time moves with ``clock.frozen``.
"""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tergeu.core import clock
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tergeu.notifications.models import Message, MessageStatus
from tergeu.notifications.services import enqueue
from tergeu.notifications.signals import message_failed, message_sent
from tergeu.notifications.transports import NotConfigured, transport_for
from tergeu.notifications.worker import Round, claim, deliver_all, deliver_due, record_sent

from .conftest import Recorder, free_port, self_signed

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


def _queue(recipient: str = "aliya@example.kz", language: str = "kk", **context: Any) -> Message:
    return enqueue(
        channel="email",
        recipient=recipient,
        language=language,
        kind="report_incident",
        context={"kui_number": "2026-750101-000001", "reason": "Азаматтық дау."} | context,
    )


def _deliver(worker: str = "test-worker") -> Round:
    return deliver_due(worker=worker, transports={"email": transport_for("email")})


def _heard(signal: Any) -> list[Message]:
    got: list[Message] = []

    def receiver(sender: Any, message: Message, **kwargs: Any) -> None:
        got.append(message)

    signal.connect(receiver, weak=False, dispatch_uid=f"test-{id(got)}")
    return got


@pytest.fixture
def signals() -> Any:
    sent, failed = _heard(message_sent), _heard(message_failed)
    yield {"sent": sent, "failed": failed}
    for signal, got in ((message_sent, sent), (message_failed, failed)):
        signal.disconnect(dispatch_uid=f"test-{id(got)}")


def test_an_email_arrives_as_text_and_html_in_kazakh_with_a_stable_message_id(
    smtp_server: tuple[Recorder, int], signals: Any
) -> None:
    handler, _port = smtp_server
    with clock.frozen(T0):
        message = _queue(reason="Азаматтық дау <b>кеңес</b> & ұсыныс")
        assert _deliver().sent == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.peer_id == f"<{message.pk}@tergeu.example>"
    assert message.sent_at == T0
    assert message.attempts == 1
    assert not message.claimed_by
    [(mail_from, rcpt_to, _content)] = handler.received
    assert (mail_from, rcpt_to) == ("noreply@tergeu.example", ["aliya@example.kz"])
    [mail] = handler.mails()
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Message-ID"] == message.peer_id
    assert mail["Subject"] == message.subject == "Сіздің 2026-750101-000001 арызыңыз бойынша шешім"
    assert mail["Content-Language"] == "kk"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "оқиғаларға жатқызылды" in text
    assert "Азаматтық дау <b>кеңес</b> & ұсыныс" in text
    assert "Азаматтық дау &lt;b&gt;кеңес&lt;/b&gt; &amp; ұсыныс" in html
    assert 'lang="kk"' in html
    assert "<b>" not in html
    event = Event.objects.get(action="message.sent")
    assert payload_of(event)["data"]["peer_id"] == message.peer_id
    assert signals["sent"] == [message]


def test_a_kind_with_an_html_template_sends_that_html(smtp_server: tuple[Recorder, int]) -> None:
    handler, _port = smtp_server
    message = enqueue(
        channel="email",
        recipient="a@example.kz",
        language="ru",
        kind="otp",
        context={"code": "493817", "minutes": 10},
    )
    assert "493817" in message.html
    _deliver()
    [mail] = handler.mails()
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "493817" in html
    assert 'lang="ru"' in html
    assert "493817" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_4xx_answer_fails_with_backoff_and_the_retry_sends_it(
    smtp_server: tuple[Recorder, int], signals: Any
) -> None:
    handler, _port = smtp_server
    handler.data_replies = ["451 4.3.0 Try again later"]
    with clock.frozen(T0):
        message = _queue()
        result = _deliver()
    assert (result.claimed, result.failed, result.sent) == (1, 1, 0)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert "451" in message.last_error
    assert not handler.received
    assert Event.objects.filter(action="message.failed").count() == 1
    with clock.frozen(T0 + dt.timedelta(seconds=29)):
        assert _deliver().claimed == 0
    with clock.frozen(T0 + dt.timedelta(seconds=30)):
        assert _deliver().sent == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert len(handler.received) == 1
    assert signals["failed"] == []


@pytest.mark.parametrize(
    "answer", ["rcpt:550 5.1.1 No such user here", "data:554 5.7.1 Message refused"]
)
def test_a_5xx_answer_or_a_refused_recipient_makes_a_dead_letter_never_retried(
    smtp_server: tuple[Recorder, int], signals: Any, answer: str
) -> None:
    handler, _port = smtp_server
    stage, reply = answer.split(":", 1)
    if stage == "rcpt":
        handler.refuse["nobody@example.kz"] = reply
    else:
        handler.data_replies = [reply]
    with clock.frozen(T0):
        message = _queue(recipient="nobody@example.kz")
        assert _deliver().dead == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert reply.split()[0] in message.last_error
    assert message.next_attempt_at is None
    with clock.frozen(T0 + dt.timedelta(days=2)):
        assert _deliver().claimed == 0
    assert not handler.received
    event = Event.objects.get(action="message.dead")
    assert payload_of(event)["data"]["permanent"] is True
    assert signals["failed"] == [message]


def test_a_refused_recipient_does_not_stop_the_rest_of_the_batch(
    smtp_server: tuple[Recorder, int],
) -> None:
    handler, _port = smtp_server
    handler.refuse["nobody@example.kz"] = "550 5.1.1 No such user here"
    with clock.frozen(T0):
        first = _queue(recipient="first@example.kz")
        _queue(recipient="nobody@example.kz")
        last = _queue(recipient="last@example.kz")
        result = _deliver()
    assert (result.sent, result.dead) == (2, 1)
    assert [to for _f, to, _c in handler.received] == [["first@example.kz"], ["last@example.kz"]]
    assert {m.pk for m in Message.objects.filter(status=MessageStatus.SENT)} == {first.pk, last.pk}


def test_a_server_that_is_down_fails_the_message_and_attempts_run_out(settings: Any) -> None:
    settings.TERGEU_SMTP_HOST = "127.0.0.1"
    settings.TERGEU_SMTP_PORT = free_port()
    settings.TERGEU_SMTP_TLS = "none"
    settings.TERGEU_SMTP_TIMEOUT = 2
    settings.TERGEU_OUTBOX_MAX_ATTEMPTS = 3
    with clock.frozen(T0):
        message = _queue()
        assert _deliver().failed == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.last_error.startswith("SMTP 127.0.0.1")
    assert message.next_attempt_at == T0 + dt.timedelta(seconds=30)
    with clock.frozen(T0 + dt.timedelta(seconds=30)):
        assert _deliver().failed == 1
    message.refresh_from_db()
    assert message.next_attempt_at == T0 + dt.timedelta(seconds=90)  # 30 s, then 60 s
    with clock.frozen(T0 + dt.timedelta(seconds=90)):
        assert _deliver().dead == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.DEAD, 3)
    assert payload_of(Event.objects.get(action="message.dead"))["data"]["permanent"] is False


def test_the_backoff_is_capped(settings: Any) -> None:
    from tergeu.notifications.worker import Policy

    policy = Policy(backoff=30, backoff_max=3600)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 40)] == [
        30,
        60,
        120,
        1920,
        3600,
        3600,
    ]


def test_without_an_smtp_host_e_mail_waits_in_the_outbox(settings: Any) -> None:
    settings.TERGEU_SMTP_HOST = ""
    settings.TERGEU_SMS_TRANSPORT = "tergeu.notifications.no_such_module.Transport"
    message = _queue()
    with pytest.raises(NotConfigured):
        transport_for("email")
    settings.TERGEU_SMTP_HOST = "127.0.0.1"
    settings.TERGEU_SMTP_TLS = "tls1.0"
    with pytest.raises(NotConfigured):
        transport_for("email")
    settings.TERGEU_SMTP_TLS, settings.TERGEU_SMTP_USER = "none", "officer"
    with pytest.raises(NotConfigured, match="needs TERGEU_SMTP_TLS"):
        transport_for("email")  # no password in clear text
    assert deliver_due(worker="w").claimed == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 0)


def test_deliver_all_empties_the_queue_batch_after_batch(
    smtp_server: tuple[Recorder, int], settings: Any
) -> None:
    handler, _port = smtp_server
    settings.TERGEU_OUTBOX_BATCH = 2
    for i in range(5):
        _queue(recipient=f"p{i}@example.kz", language="ru")
    total = deliver_all(worker="once", transports={"email": transport_for("email")})
    assert (total.claimed, total.sent) == (5, 5)
    assert len(handler.received) == 5
    assert not Message.objects.exclude(status=MessageStatus.SENT).exists()


def test_lease_expiry_resends_only_what_was_not_acknowledged(
    smtp_server: tuple[Recorder, int], settings: Any
) -> None:
    handler, _port = smtp_server
    settings.TERGEU_OUTBOX_LEASE_SECONDS = 60
    with clock.frozen(T0):
        acknowledged, lost = _queue(recipient="a@example.kz"), _queue(recipient="b@example.kz")
        claims = claim("worker-a", channels=["email"], limit=10)
        assert [held.message.pk for held in claims] == [acknowledged.pk, lost.pk]
        transport = transport_for("email")
        transport.open()
        answers = [transport.send(held.message) for held in claims]  # the peer has both
        transport.close()
        assert record_sent(claims[0], answers[0])
        # worker-a dies here: the result of the second message is never recorded
    with clock.frozen(T0 + dt.timedelta(seconds=59)):
        assert _deliver("worker-b").claimed == 0  # the lease still holds
    with clock.frozen(T0 + dt.timedelta(seconds=61)):
        result = _deliver("worker-b")
    assert (result.claimed, result.sent) == (1, 1)
    ids = [mail["Message-ID"] for mail in handler.mails()]
    assert ids == [f"<{acknowledged.pk}@tergeu.example>", *[f"<{lost.pk}@tergeu.example>"] * 2]
    lost.refresh_from_db()
    acknowledged.refresh_from_db()
    assert (acknowledged.status, acknowledged.attempts) == (MessageStatus.SENT, 1)
    assert (lost.status, lost.attempts) == (MessageStatus.SENT, 2)
    # worker-a's late result does not overwrite worker-b's
    assert record_sent(claims[1], answers[1]) is False


def test_a_message_abandoned_on_its_last_attempt_is_not_sent_again(
    smtp_server: tuple[Recorder, int], settings: Any
) -> None:
    handler, _port = smtp_server
    settings.TERGEU_OUTBOX_MAX_ATTEMPTS = 1
    settings.TERGEU_OUTBOX_LEASE_SECONDS = 60
    with clock.frozen(T0):
        message = _queue()
        assert len(claim("worker-a", channels=["email"], limit=10)) == 1
    with clock.frozen(T0 + dt.timedelta(seconds=61)):
        assert _deliver("worker-b").dead == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert "stopped" in message.last_error
    assert not handler.received


def _tls_server(
    tmp_path: Path, settings: Any, *, implicit: bool
) -> tuple[Controller, Recorder, Path]:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Recorder()
    port = free_port()

    def authenticate(*args: Any) -> AuthResult:
        auth = args[-1]
        return AuthResult(success=(auth.login, auth.password) == (b"officer", b"s3cret"))

    options: dict[str, Any] = {"authenticator": authenticate, "auth_required": True}
    if implicit:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; the socket itself is TLS here
        options |= {"ssl_context": context, "auth_require_tls": False}
    else:
        options |= {"tls_context": context, "require_starttls": True}
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    settings.TERGEU_SMTP_HOST = "127.0.0.1"
    settings.TERGEU_SMTP_PORT = port
    settings.TERGEU_SMTP_TLS = "ssl" if implicit else "starttls"
    settings.TERGEU_SMTP_USER = "officer"
    settings.TERGEU_SMTP_PASSWORD = "s3cret"
    settings.TERGEU_SMTP_TIMEOUT = 5
    return controller, handler, cert


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "ssl"])
def test_tls_with_the_relays_certificate_verified_and_a_login(
    tmp_path: Path, settings: Any, implicit: bool
) -> None:
    controller, handler, cert = _tls_server(tmp_path, settings, implicit=implicit)
    try:
        with clock.frozen(T0):
            untrusted = _queue(recipient="a@example.kz")
            assert _deliver().failed == 1  # the system's CAs do not know the relay
        untrusted.refresh_from_db()
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.last_error
        settings.TERGEU_SMTP_CA_FILE = str(cert)
        with clock.frozen(T0 + dt.timedelta(minutes=1)):
            assert _deliver().sent == 1
        [mail] = handler.mails()
        assert mail["Message-ID"] == f"<{untrusted.pk}@tergeu.example>"
        assert "оқиғаларға" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        settings.TERGEU_SMTP_PASSWORD = "wrong"
        with clock.frozen(T0 + dt.timedelta(minutes=2)):
            _queue(recipient="b@example.kz")
            assert _deliver().failed == 1  # a refused login is the operator's to fix
        assert len(handler.received) == 1
    finally:
        controller.stop()


def test_a_receiver_that_raises_does_not_undo_the_sent_status(
    smtp_server: tuple[Recorder, int],
) -> None:
    def broken(sender: Any, message: Message, **kwargs: Any) -> None:
        Message.objects.filter(pk=message.pk).update(last_error="written by the receiver")
        raise RuntimeError("a bug in a receiver")

    message_sent.connect(broken, weak=False, dispatch_uid="broken-receiver")
    try:
        message = _queue()
        assert _deliver().sent == 1
    finally:
        message_sent.disconnect(dispatch_uid="broken-receiver")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.last_error == ""  # the receiver's write was rolled back with it
    assert Event.objects.filter(action="message.sent").count() == 1


@pytest.mark.django_db(transaction=True)  # db_worker closes the connection
def test_tergeu_worker_once_delivers_what_is_due(smtp_server: tuple[Recorder, int]) -> None:
    from tergeu.cli import main

    handler, _port = smtp_server
    message = _queue(language="en")
    assert main(["worker", "--once"]) == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(handler.received) == 1
