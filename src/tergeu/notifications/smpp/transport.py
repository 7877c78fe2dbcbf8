"""SMS over SMPP 3.4: the transport ``tergeu worker`` sends SMS with (docs/sms.md).

:class:`SmppTransport` implements :class:`tergeu.notifications.transports.Transport`. It
binds to the SMSC of ``TERGEU_SMPP_*`` as a transceiver (receipts come back on the same
session and are recorded while it is open) or a transmitter, encodes each message (GSM-7
or UCS-2, concatenated parts with a UDH, :mod:`.encoding`), sends the parts within the
window of outstanding submit_sm and the configured throughput, and maps what the SMSC
answers:

- every part acknowledged: :class:`~tergeu.notifications.transports.Sent` with the id of
  the first part and, for a long text, the ids of all parts;
- a transient status (throttled, queue full, system error, ...), a lost connection or a
  timeout: :class:`~tergeu.notifications.transports.TransientError`; the next ``send``
  reconnects and re-binds;
- any other status (invalid destination or source, ...):
  :class:`~tergeu.notifications.transports.PermanentError`.

Parts the SMSC acknowledged before a failure are remembered (by message, in the process)
and the retry sends only the missing ones, with the same concatenation reference.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from tergeu.notifications.transports import PermanentError, Sent, TransientError

from . import pdu as P
from .config import SmppConfig
from .encoding import TextTooLong, encode
from .receipts import ReceiptRecorder
from .session import BindRefused, ConnectionLost, Session

if TYPE_CHECKING:
    from tergeu.notifications.models import Message

log = logging.getLogger(__name__)

#: submit_sm_resp statuses worth retrying later; every other error is permanent.
TRANSIENT_STATUSES = frozenset(
    {
        P.ESME_RTHROTTLED,
        P.ESME_RMSGQFUL,
        P.ESME_RSYSERR,
        P.ESME_RSUBMITFAIL,
        P.ESME_RX_T_APPN,
        P.ESME_RINVBNDSTS,  # our session is not (or no longer) bound: bind again
    }
)

#: How long sending pauses after the SMSC answered ESME_RTHROTTLED.
THROTTLE_PAUSE = 1.0

_acknowledged_lock = threading.Lock()
#: Parts the SMSC acknowledged of messages whose send failed: {message id: {seq: SMSC id}}.
_acknowledged: dict[str, dict[int, str]] = {}
#: At most this many messages are remembered (the oldest are forgotten first).
MAX_REMEMBERED = 10_000


class SmppBindError(TransientError):
    """The SMSC refused our bind: a configuration error, reported in plain words.

    A :class:`TransientError` for the messages: they stay queued until the credentials
    are fixed.
    """


def _address(value: str) -> tuple[int, int, str]:
    """TON, NPI and digits of an address: +7701... is international, letters alphanumeric."""
    text = value.strip()
    digits = text.lstrip("+")
    if digits.isdigit():
        return (1, 1, digits) if text.startswith("+") or len(digits) > 8 else (3, 0, digits)
    return 5, 0, text[:11]


class SmppTransport:
    """The SMS transport: one SMPP session, opened by :meth:`open`, kept until :meth:`close`."""

    channel = "sms"

    def __init__(self, config: SmppConfig | None = None) -> None:
        self.config = config or SmppConfig.from_env()
        self._session: Session | None = None
        self._recorder: ReceiptRecorder | None = None
        self._next_submit = 0.0
        self._interval = 1.0 / self.config.throughput if self.config.throughput > 0 else 0.0

    @classmethod
    def from_settings(cls) -> SmppTransport:
        """The transport of ``TERGEU_SMPP_*``; :class:`NotConfigured` without a host."""
        from tergeu.notifications.transports import NotConfigured

        config = SmppConfig.from_env()
        if not config.host:
            raise NotConfigured("TERGEU_SMPP_HOST is not set")
        return cls(config)

    # ------------------------------------------------------------ the session

    def open(self) -> None:
        """Connect and bind; :class:`TransientError` if the SMSC is unreachable or refuses."""
        self._connect()

    def _connect(self) -> Session:
        if self._session is not None and self._session.alive:
            return self._session
        if self._session is not None:
            self._session.close()
            self._session = None
        on_deliver = None
        if self.config.bind == "transceiver":
            if self._recorder is None:
                self._recorder = ReceiptRecorder(self.config.receipt_wait)
            on_deliver = self._deliver
        try:
            self._session = Session(self.config, self.config.bind, on_deliver)
        except BindRefused as exc:
            raise SmppBindError(str(exc)) from exc
        except ConnectionLost as exc:
            raise TransientError(str(exc)) from exc
        return self._session

    def _deliver(self, session: Session, pdu: P.Pdu) -> None:
        recorder = self._recorder
        if recorder is None:  # closing: the SMSC sends it again
            session.respond(pdu, P.ESME_RX_T_APPN)
        else:
            recorder.put(pdu, session.respond)

    def poll_receipts(self) -> None:
        """Record the receipts received so far (``send`` and ``close`` do it too)."""
        if self._recorder is not None:
            self._recorder.drain()

    def close(self) -> None:
        """Record the receipts received, unbind and disconnect; never raises."""
        if self._recorder is not None:
            try:
                self._recorder.drain(final=True)
            except Exception:
                log.exception("recording SMS receipts")
        if self._session is not None:
            self._session.close()
            self._session = None
        self._recorder = None

    # ------------------------------------------------------------ sending

    def _pace(self) -> None:
        now = time.monotonic()
        if self._next_submit > now:
            time.sleep(self._next_submit - now)
            now = self._next_submit
        self._next_submit = max(now, self._next_submit) + self._interval

    def _body(self, message: Message, short_message: bytes, coding: int, esm: int) -> bytes:
        c = self.config
        src_ton, src_npi, source = _address(c.source_addr)
        dst_ton, dst_npi, destination = _address(message.recipient)
        return P.ShortMessage(
            destination_addr=destination,
            dest_addr_ton=dst_ton,
            dest_addr_npi=dst_npi,
            source_addr=source,
            source_addr_ton=src_ton,
            source_addr_npi=src_npi,
            esm_class=esm,
            data_coding=coding,
            registered_delivery=1 if c.receipts else 0,
            short_message=short_message,
        ).encode()

    def send(self, message: Message) -> Sent:
        """Send every part of ``message`` not yet acknowledged; see the module's doc."""
        key = str(message.pk)
        try:
            encoded = encode(message.body.rstrip("\n"), key)
        except TextTooLong as exc:
            raise PermanentError(f"the text needs {exc} (255 at most)") from exc
        total = len(encoded.parts)
        with _acknowledged_lock:
            done = dict(_acknowledged.get(key, {}))
        session = self._connect()
        if self._recorder is not None:
            self._recorder.drain()  # receipts of the messages sent before this one
        waiting: list[tuple[int, object]] = []
        failure: Exception | None = None
        for seq, short_message in enumerate(encoded.parts, start=1):
            if seq in done:
                continue
            self._pace()
            body = self._body(message, short_message, encoded.data_coding, encoded.esm_class)
            try:
                waiting.append((seq, session.submit(body)))
            except ConnectionLost as exc:
                failure = TransientError(f"SMSC connection lost: {exc}")
                break
        for seq, waiter in waiting:
            try:
                resp = waiter.wait(self.config.response_timeout)  # type: ignore[attr-defined]
            except ConnectionLost as exc:
                session.kill(str(exc))
                failure = failure or TransientError(f"SMSC connection lost: {exc}")
                continue
            if resp.status == P.ESME_ROK:
                done[seq] = P.read_message_id(resp.body)
                continue
            failure = self._classify(resp.status, failure)
        if len(done) == total:
            with _acknowledged_lock:
                _acknowledged.pop(key, None)
            ids = [done[seq] for seq in range(1, total + 1)]
            return Sent(peer_id=ids[0], parts=ids if total > 1 else [])
        assert failure is not None
        with _acknowledged_lock:
            if done and not isinstance(failure, PermanentError):
                _acknowledged[key] = done
                while len(_acknowledged) > MAX_REMEMBERED:  # of messages never retried
                    del _acknowledged[next(iter(_acknowledged))]
            else:
                _acknowledged.pop(key, None)
        raise failure

    def _classify(self, status: int, previous: Exception | None) -> Exception:
        """The error of a refused part; a permanent one wins over a transient one."""
        reason = f"the SMSC refused the message: {P.status_name(status)}"
        if status == P.ESME_RTHROTTLED:
            self._next_submit = max(self._next_submit, time.monotonic() + THROTTLE_PAUSE)
        if status in TRANSIENT_STATUSES:
            return previous or TransientError(reason)
        if isinstance(previous, PermanentError):
            return previous
        return PermanentError(reason)
