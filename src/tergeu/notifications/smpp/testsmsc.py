"""A small SMSC for development, tests and the benchmark: never for production.

:class:`TestSmsc` is an SMPP 3.4 server on 127.0.0.1 (an ephemeral port by default) that
runs an asyncio loop in a thread of its own. It accepts ``bind_transmitter``,
``bind_receiver`` and ``bind_transceiver`` with one ``system_id``/``password``, answers
``submit_sm`` with a message id, keeps every accepted part (:attr:`TestSmsc.parts`),
reassembles concatenated messages (:meth:`TestSmsc.messages`) and sends delivery receipts
(``deliver_sm`` with esm_class 0x04) to a bound receiver or transceiver, re-sending a
receipt whose ``deliver_sm_resp`` is not ESME_ROK. It answers ``enquire_link`` and
``unbind``. It can be told to misbehave: refuse a destination, throttle, drop the
connection, report a destination undeliverable, put the id only in the receipt's text.

Run it by hand: ``python -m tergeu.notifications.smpp.testsmsc --port 2775``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import pdu as P
from .encoding import decode_text, split_udh


@dataclass
class Part:
    """One submit_sm the SMSC accepted."""

    message_id: str
    destination: str
    source: str
    data_coding: int
    esm_class: int
    registered_delivery: int
    short_message: bytes
    reference: int | None
    total: int
    seq: int
    text: str


@dataclass
class Received:
    """A whole message as the handset would show it: its parts joined in order."""

    destination: str
    text: str
    message_ids: list[str]
    data_coding: int
    reference: int | None


@dataclass
class _Receipt:
    message_id: str
    part: Part
    delivered: bool
    due: float = 0.0
    attempts: int = 0


@dataclass
class _Session:
    writer: asyncio.StreamWriter
    bound: int | None = None  # the bind command
    sequence: itertools.count = field(default_factory=lambda: itertools.count(1))
    outstanding: dict[int, _Receipt] = field(default_factory=dict)
    dropping: bool = False

    @property
    def receives(self) -> bool:
        return self.bound in (P.BIND_RECEIVER, P.BIND_TRANSCEIVER) and not self.dropping

    @property
    def transmits(self) -> bool:
        return self.bound in (P.BIND_TRANSMITTER, P.BIND_TRANSCEIVER)


class TestSmsc:
    """An SMPP server for tests; use it as a context manager or ``start()``/``stop()``."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        system_id: str = "tergeu",
        password: str = "secret",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        receipts: bool = True,
        receipt_tlv: bool = True,
        id_format: str = "decimal",
        text_id_format: str | None = None,
        receipt_delay: float = 0.0,
        receipt_retry: float = 0.2,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.system_id = system_id
        self.password = password
        self.host = host
        self.port = port
        self.receipts = receipts
        #: False: the receipt carries its id only in the text (``id:...``), no TLV 0x001E.
        self.receipt_tlv = receipt_tlv
        #: "decimal" or "hex": how submit_sm_resp spells message ids.
        self.id_format = id_format
        #: How the receipt's text spells the id (default: as in submit_sm_resp).
        self.text_id_format = text_id_format or id_format
        self.receipt_delay = receipt_delay
        self.receipt_retry = receipt_retry
        #: Serve TLS with this context (a server context with its certificate loaded).
        self.ssl_context = ssl_context
        self.parts: list[Part] = []
        self.binds: list[tuple[int, str, int]] = []  # (command, system_id, status)
        self.receipts_acknowledged = 0
        self.receipts_refused = 0
        self.pdus_received: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._refused: dict[str, int] = {}
        self._undeliverable: set[str] = set()
        self._throttle = 0
        self._drop_after: int | None = None
        self._drop_every: int | None = None
        self.drops = 0
        self._ids = itertools.count(100_000_001)
        self._sessions: list[_Session] = []
        self._pending: list[_Receipt] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()

    # ------------------------------------------------------------ control (any thread)

    def start(self) -> TestSmsc:
        self._thread = threading.Thread(target=self._run, name="test-smsc", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the test SMSC did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> TestSmsc:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def refuse(self, destination: str, status: int = P.ESME_RINVDSTADR) -> None:
        """Answer every submit_sm to ``destination`` with ``status``."""
        with self._lock:
            self._refused[destination] = status

    def undeliverable(self, destination: str) -> None:
        """Accept messages to ``destination`` but send receipts saying ``UNDELIV``."""
        with self._lock:
            self._undeliverable.add(destination)

    def throttle(self, count: int) -> None:
        """Answer the next ``count`` submit_sm with ESME_RTHROTTLED."""
        with self._lock:
            self._throttle = count

    def drop_after(self, count: int, *, repeat: bool = False) -> None:
        """Accept ``count`` more submit_sm, then close the connection on the next one
        (and again after each ``count`` more, with ``repeat``).

        The submit_sm that meets the closed connection is not accepted (no id, not kept).
        """
        with self._lock:
            self._drop_after = count
            self._drop_every = count if repeat else None

    def drop_all(self) -> None:
        """Close every client connection now."""
        assert self._loop is not None
        for session in list(self._sessions):
            self._loop.call_soon_threadsafe(session.writer.close)

    def messages(self) -> list[Received]:
        """Accepted messages, concatenated parts joined (complete messages only)."""
        with self._lock:
            parts = list(self.parts)
        whole: list[Received] = []
        groups: dict[tuple[str, int, int], dict[int, Part]] = {}
        for part in parts:
            if part.reference is None:
                whole.append(
                    Received(part.destination, part.text, [part.message_id], part.data_coding, None)
                )
                continue
            group = groups.setdefault((part.destination, part.reference, part.total), {})
            group.setdefault(part.seq, part)
            if len(group) == part.total:
                ordered = [group[i] for i in sorted(group)]
                whole.append(
                    Received(
                        part.destination,
                        "".join(p.text for p in ordered),
                        [p.message_id for p in ordered],
                        part.data_coding,
                        part.reference,
                    )
                )
                del groups[(part.destination, part.reference, part.total)]
        return whole

    def duplicates(self) -> int:
        """How many accepted parts repeat one accepted before (same text, header, address)."""
        with self._lock:
            keys = Counter((p.destination, p.short_message) for p in self.parts)
        return sum(n - 1 for n in keys.values())

    def pending_receipts(self) -> int:
        """Receipts not acknowledged yet (waiting, or sent and unanswered)."""
        with self._lock:
            return len(self._pending) + sum(len(s.outstanding) for s in self._sessions)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Wait until ``condition()`` is true; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.02)
        return condition()

    # ------------------------------------------------------------ the server (its thread)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(
            asyncio.start_server(self._serve, self.host, self.port, ssl=self.ssl_context)
        )
        self._server = server
        self.port = server.sockets[0].getsockname()[1]
        ticker = loop.create_task(self._tick())
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            ticker.cancel()
            server.close()
            for session in self._sessions:
                session.writer.close()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Session(writer)
        self._sessions.append(session)
        try:
            while True:
                head = await reader.readexactly(16)
                length = P.HEADER.unpack_from(head)[0]
                if length < 16 or length > P.MAX_PDU:
                    break
                pdu = P.decode(head + await reader.readexactly(length - 16))
                with self._lock:
                    self.pdus_received[pdu.command_id] += 1
                if not self._handle(session, pdu):
                    break
                await writer.drain()
            if session.dropping:
                # Close our side after the answers given so far, and read (and ignore)
                # what the client had already sent until it closes too: closing with
                # unread input would reset the connection and could destroy answers in
                # flight, a lost-response case the drop is not meant to stage.
                self._sessions.remove(session)
                writer.write_eof()
                while await reader.read(4096):
                    pass
                self._sessions.append(session)
        except (asyncio.IncompleteReadError, ConnectionError, P.PduError):
            pass
        finally:
            self._sessions.remove(session)
            with self._lock:  # receipts not acknowledged go back to the queue
                self._pending.extend(session.outstanding.values())
                session.outstanding.clear()
            writer.close()

    def _reply(self, session: _Session, request: P.Pdu, status: int = 0, body: bytes = b"") -> None:
        resp = P.Pdu(request.command_id | P.RESP, status, request.sequence, body)
        session.writer.write(resp.encode())

    def _handle(self, session: _Session, pdu: P.Pdu) -> bool:
        """Answer one PDU; False to close the connection."""
        cid = pdu.command_id
        if cid in P.BINDS:
            bind = P.Bind.decode(pdu.body)
            if session.bound is not None:
                status = P.ESME_RALYBND
            elif bind.system_id != self.system_id:
                status = P.ESME_RINVSYSID
            elif bind.password != self.password:
                status = P.ESME_RINVPASWD
            else:
                status = P.ESME_ROK
                session.bound = cid
            with self._lock:
                self.binds.append((cid, bind.system_id, status))
            self._reply(session, pdu, status, P.message_id_body("testsmsc"))
            return True
        if cid == P.ENQUIRE_LINK:
            self._reply(session, pdu)
            return True
        if cid == P.UNBIND:
            self._reply(session, pdu)
            return False
        if cid == P.SUBMIT_SM:
            return self._submit(session, pdu)
        if cid == P.DELIVER_SM | P.RESP:
            receipt = session.outstanding.pop(pdu.sequence, None)
            if receipt is not None:
                with self._lock:
                    if pdu.status == P.ESME_ROK:
                        self.receipts_acknowledged += 1
                    else:
                        self.receipts_refused += 1
                        receipt.due = time.monotonic() + self.receipt_retry
                        self._pending.append(receipt)
            return True
        if cid & P.RESP:
            return True  # enquire_link_resp, generic_nack: nothing to do
        session.writer.write(P.Pdu(P.GENERIC_NACK, P.ESME_RINVCMDID, pdu.sequence).encode())
        return True

    def _submit(self, session: _Session, pdu: P.Pdu) -> bool:
        with self._lock:
            if self._drop_after is not None:
                if self._drop_after <= 0:
                    self._drop_after = self._drop_every
                    self.drops += 1
                    session.dropping = True
                    return False
                self._drop_after -= 1
        if not session.transmits:
            self._reply(session, pdu, P.ESME_RINVBNDSTS)
            return True
        try:
            sm = P.ShortMessage.decode(pdu.body)
        except P.PduError:
            self._reply(session, pdu, P.ESME_RINVMSGLEN)
            return True
        status = self._check(sm)
        if status != P.ESME_ROK:
            self._reply(session, pdu, status)
            return True
        number = next(self._ids)
        message_id = format(number, "X") if self.id_format == "hex" else str(number)
        reference, total, seq, payload = None, 1, 1, sm.short_message
        if sm.esm_class & P.ESM_UDHI:
            concat, payload = split_udh(sm.short_message)
            if concat is not None:
                reference, total, seq = concat.reference, concat.total, concat.seq
        part = Part(
            message_id=message_id,
            destination=sm.destination_addr,
            source=sm.source_addr,
            data_coding=sm.data_coding,
            esm_class=sm.esm_class,
            registered_delivery=sm.registered_delivery,
            short_message=sm.short_message,
            reference=reference,
            total=total,
            seq=seq,
            text=decode_text(payload, sm.data_coding),
        )
        with self._lock:
            self.parts.append(part)
            if self.receipts and sm.registered_delivery & 0x03:
                delivered = sm.destination_addr not in self._undeliverable
                due = time.monotonic() + self.receipt_delay
                self._pending.append(_Receipt(message_id, part, delivered, due))
        self._reply(session, pdu, P.ESME_ROK, P.message_id_body(message_id))
        return True

    def _check(self, sm: P.ShortMessage) -> int:
        with self._lock:
            if self._throttle > 0:
                self._throttle -= 1
                return P.ESME_RTHROTTLED
            refused = self._refused.get(sm.destination_addr)
        if refused is not None:
            return refused
        if sm.dest_addr_ton != 1 or sm.dest_addr_npi != 1:
            return P.ESME_RINVDSTTON
        if not sm.destination_addr.isdigit():
            return P.ESME_RINVDSTADR
        return P.ESME_ROK

    async def _tick(self) -> None:
        """Send due receipts to the bound receivers and transceivers, in turn."""
        while True:
            await asyncio.sleep(0.005)
            now = time.monotonic()
            receivers = [s for s in self._sessions if s.receives]
            if not receivers:
                continue
            with self._lock:
                due = [r for r in self._pending if r.due <= now]
                if not due:
                    continue
                self._pending = [r for r in self._pending if r.due > now]
            for i, receipt in enumerate(due):
                session = receivers[i % len(receivers)]
                sequence = next(session.sequence)
                session.outstanding[sequence] = receipt
                receipt.attempts += 1
                session.writer.write(
                    P.Pdu(P.DELIVER_SM, 0, sequence, self._receipt_body(receipt)).encode()
                )
            for session in receivers:
                with contextlib.suppress(ConnectionError):
                    await session.writer.drain()

    def _receipt_body(self, receipt: _Receipt) -> bytes:
        part = receipt.part
        number = int(receipt.message_id, 16 if self.id_format == "hex" else 10)
        text_id = format(number, "X") if self.text_id_format == "hex" else str(number)
        stamp = datetime.now(UTC).strftime("%y%m%d%H%M")
        stat, err, state = ("DELIVRD", "000", 2) if receipt.delivered else ("UNDELIV", "001", 5)
        text = (
            f"id:{text_id} sub:001 dlvrd:{'001' if receipt.delivered else '000'} "
            f"submit date:{stamp} done date:{stamp} stat:{stat} err:{err} text:"
        )
        tlvs = {P.TLV_MESSAGE_STATE: bytes([state])}
        if self.receipt_tlv:
            tlvs[P.TLV_RECEIPTED_MESSAGE_ID] = receipt.message_id.encode() + b"\x00"
        return P.ShortMessage(
            destination_addr=part.source,
            source_addr=part.destination,
            source_addr_ton=1,
            source_addr_npi=1,
            dest_addr_ton=0,
            dest_addr_npi=0,
            esm_class=P.ESM_RECEIPT,
            short_message=text.encode("ascii"),
            tlvs=tlvs,
        ).encode()


def main() -> None:  # pragma: no cover - a development tool
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=2775)
    parser.add_argument("--system-id", default="tergeu")
    parser.add_argument("--password", default="secret")
    args = parser.parse_args()
    smsc = TestSmsc(args.system_id, args.password, port=args.port).start()
    print(f"test SMSC on 127.0.0.1:{smsc.port} (system_id {args.system_id}); Ctrl+C stops it")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        smsc.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
