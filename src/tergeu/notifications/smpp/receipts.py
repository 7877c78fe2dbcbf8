"""Delivery receipts: parse a ``deliver_sm`` receipt and record it in the outbox.

A receipt is a ``deliver_sm`` whose esm_class has the receipt bit (0x04). Its id is the
``receipted_message_id`` TLV (0x001E) when the SMSC sends one, else the ``id:`` of the
text (SMPP 3.4 appendix B: ``id:IIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done
date:YYMMDDhhmm stat:DDDDDDD err:E text:...``). SMSCs disagree on how they spell an id:
some answer submit_sm_resp in hex and write the receipt in decimal, or the reverse, so an
id not found as written is looked up in the other base too.

:class:`ReceiptRecorder` collects the receipts a session's reader hands it; whoever drains
it calls :func:`tergeu.notifications.services.record_receipt` for each and only then
answers ``deliver_sm_resp`` (ESME_ROK), so a receipt is never acknowledged before it is
in the database. The transceiver transport drains it in the worker's thread before each
send and when it closes; the listener in a thread of its own. A receipt for an id the
outbox does not know yet (the worker has not recorded the message it just sent) waits
for ``receipt_wait`` seconds (or until the transport closes), then is refused with
ESME_RX_T_APPN so that the SMSC delivers it again later.

:func:`start_receipt_listener` keeps a receiver session of its own (for
``TERGEU_SMPP_BIND=transmitter``, or to listen while nothing is being sent).
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from . import pdu as P
from .config import SmppConfig

log = logging.getLogger(__name__)

#: message_state TLV values (5.3.2.35) that mean delivered / not delivered.
STATE_NAMES = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}
FINAL_STATES = frozenset({"DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "REJECTD", "UNKNOWN"})

_FIELD = re.compile(r"(id|sub|dlvrd|submit date|done date|stat|err):(\S*)", re.IGNORECASE)


@dataclass(frozen=True)
class Receipt:
    """What a delivery receipt says."""

    message_id: str
    stat: str
    err: str = ""

    @property
    def delivered(self) -> bool:
        return self.stat == "DELIVRD"

    @property
    def final(self) -> bool:
        return self.stat in FINAL_STATES

    @property
    def error(self) -> str:
        if self.delivered:
            return ""
        return f"SMSC receipt: stat:{self.stat} err:{self.err or '-'}"


def parse_receipt(sm: P.ShortMessage) -> Receipt | None:
    """The receipt a deliver_sm carries, or None if it is not a receipt."""
    if not sm.esm_class & P.ESM_RECEIPT:
        return None
    text = sm.short_message.decode("latin-1")
    head = re.split(r"\btext:", text, maxsplit=1, flags=re.IGNORECASE)[0]
    fields = {k.lower(): v for k, v in _FIELD.findall(head)}
    tlv_id = sm.tlvs.get(P.TLV_RECEIPTED_MESSAGE_ID, b"").rstrip(b"\x00").decode("latin-1")
    message_id = tlv_id.strip() or fields.get("id", "").strip()
    stat = fields.get("stat", "").upper()
    state = sm.tlvs.get(P.TLV_MESSAGE_STATE)
    if not stat and state:
        stat = STATE_NAMES.get(state[0], "UNKNOWN")
    err = fields.get("err", "")
    network = sm.tlvs.get(P.TLV_NETWORK_ERROR_CODE)
    if not err and network and len(network) == 3:
        err = f"{network[0]}:{int.from_bytes(network[1:], 'big')}"
    if not message_id or not stat:
        return None
    return Receipt(message_id, stat, err)


def id_forms(message_id: str) -> list[str]:
    """The id as written, then as the other base would write it (decimal ⇄ hex)."""
    forms = [message_id]
    text = message_id.strip()
    if re.fullmatch(r"[0-9]+", text):
        number = int(text)
        forms += [format(number, "x"), format(number, "X")]
    if re.fullmatch(r"[0-9A-Fa-f]+", text):
        forms.append(str(int(text, 16)))
    if text != text.lstrip("0") and text.lstrip("0"):
        forms.append(text.lstrip("0"))
    seen: list[str] = []
    for form in forms:
        if form not in seen:
            seen.append(form)
    return seen


def known_id(message_id: str) -> str | None:
    """The form of ``message_id`` the outbox holds (a part's or a message's peer id)."""
    from tergeu.notifications.models import Message, MessagePart

    forms = id_forms(message_id)
    found = set(
        MessagePart.objects.filter(peer_id__in=forms, message__channel="sms").values_list(
            "peer_id", flat=True
        )
    )
    if not found:
        found = set(
            Message.objects.filter(peer_id__in=forms, channel="sms").values_list(
                "peer_id", flat=True
            )
        )
    return next((form for form in forms if form in found), None)


def record(receipt: Receipt) -> bool:
    """Record a final receipt through the outbox's service; False if no message has its id."""
    from tergeu.notifications.services import record_receipt

    peer_id = known_id(receipt.message_id)
    if peer_id is None:
        return False
    found = record_receipt("sms", peer_id, delivered=receipt.delivered, error=receipt.error)
    return found is not None


Answer = Callable[[P.Pdu, int], None]


class ReceiptRecorder:
    """Receipts handed over by a session's reader, recorded by whoever calls :meth:`drain`.

    The transceiver transport drains them in the worker's own thread (before each send
    and when it closes), so receipts and sends never contend for the database; the
    listener drains them in a thread of its own (:meth:`start`).
    """

    #: Most receipts recorded in one transaction.
    BATCH = 100

    def __init__(self, receipt_wait: float = 30.0) -> None:
        self.receipt_wait = receipt_wait
        self._queue: queue.SimpleQueue[tuple[P.Pdu, Answer, float]] = queue.SimpleQueue()
        self._later: list[tuple[P.Pdu, Answer, float]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.recorded = 0

    def put(self, pdu: P.Pdu, answer: Answer) -> None:
        """A deliver_sm to handle; ``answer(pdu, status)`` sends its deliver_sm_resp."""
        self._queue.put((pdu, answer, time.monotonic()))

    def drain(self, *, final: bool = False) -> None:
        """Record the receipts received so far; with ``final``, refuse the unknown ones.

        Up to :attr:`BATCH` receipts are recorded in one transaction (each in a savepoint
        of its own); their deliver_sm_resp go out after it commits.
        """
        items, self._later = self._later, []
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        now = time.monotonic()
        for start in range(0, len(items), self.BATCH):
            chunk = items[start : start + self.BATCH]
            answers: list[tuple[Answer, P.Pdu, int]] = []
            waiting: list[tuple[P.Pdu, Answer, float]] = []
            try:
                with transaction.atomic():
                    for pdu, answer, since in chunk:
                        status = self._outcome(pdu)
                        if status is not None:
                            answers.append((answer, pdu, status))
                        elif final or now - since > self.receipt_wait:
                            answers.append((answer, pdu, P.ESME_RX_T_APPN))  # no such message
                        else:
                            waiting.append((pdu, answer, since))
            except Exception:
                log.exception("recording %d SMS receipts", len(chunk))
                answers = [(answer, pdu, P.ESME_RX_T_APPN) for pdu, answer, _ in chunk]
                waiting = []
            self._later.extend(waiting)
            for answer, pdu, status in answers:
                if status == P.ESME_ROK:
                    self.recorded += 1
                self._answer(answer, pdu, status)

    def start(self, every: float = 0.05) -> ReceiptRecorder:
        """Drain in a thread of its own every ``every`` seconds until :meth:`stop`."""

        def run() -> None:
            from django.db import close_old_connections, connection

            try:
                while not self._stop.wait(every):
                    close_old_connections()
                    self.drain()
                self.drain(final=True)
            finally:
                connection.close()

        self._thread = threading.Thread(target=run, name="smpp-receipts", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread of :meth:`start` (after a last, final drain)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _outcome(self, pdu: P.Pdu) -> int | None:
        """Record a deliver_sm's receipt: the status to answer, None to try again later."""
        try:
            sm = P.ShortMessage.decode(pdu.body)
        except P.PduError:
            return P.ESME_RINVMSGLEN
        receipt = parse_receipt(sm)
        if receipt is None or not receipt.final:
            return P.ESME_ROK  # a mobile-originated text, or ENROUTE: nothing to record
        try:
            with transaction.atomic():
                known = record(receipt)
        except Exception:
            log.exception("recording the receipt of SMS %s", receipt.message_id)
            return P.ESME_RX_T_APPN  # the SMSC sends it again
        return P.ESME_ROK if known else None

    @staticmethod
    def _answer(answer: Answer, pdu: P.Pdu, status: int) -> None:
        if status != P.ESME_ROK:
            log.info("refusing a receipt (%s); the SMSC will send it again", P.status_name(status))
        try:
            answer(pdu, status)
        except Exception as exc:  # the session died: the SMSC will send it again
            log.info("could not answer a deliver_sm: %s", exc)


class ReceiptListener:
    """A receiver session that stays bound (re-binding after a drop) and records receipts."""

    def __init__(self, config: SmppConfig, *, mode: str = "receiver") -> None:
        self.config = config
        self.mode = mode
        self.recorder = ReceiptRecorder(config.receipt_wait).start()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="smpp-listener", daemon=True)

    def start(self) -> ReceiptListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.recorder.stop()

    def _run(self) -> None:
        from .session import BindRefused, ConnectionLost, Session

        delay = 1.0
        while not self._stop.is_set():
            try:
                session = Session(self.config, self.mode, self._deliver)
            except (ConnectionLost, BindRefused) as exc:
                log.warning("receipt listener: %s", exc)
                self._stop.wait(delay)
                delay = min(delay * 2, 60.0)
                continue
            delay = 1.0
            while session.alive and not self._stop.wait(0.2):
                pass
            session.close()

    def _deliver(self, session: object, pdu: P.Pdu) -> None:
        respond = session.respond  # type: ignore[attr-defined]
        self.recorder.put(pdu, lambda request, status: respond(request, status))


def start_receipt_listener(config: SmppConfig | None = None) -> ReceiptListener | None:
    """Start a receiver session that records receipts until ``stop()``; for ``tergeu worker``.

    Needed when the transport binds as a transmitter (receipts never come on that
    session), and to receive receipts while the worker has nothing to send. Returns None
    (and starts nothing) when no SMSC is configured (``TERGEU_SMPP_HOST`` empty).
    """
    config = config or SmppConfig.from_env()
    if not config.host:
        return None
    return ReceiptListener(config).start()
