"""One bound SMPP session: a socket, a reader thread, the window of outstanding requests.

The caller's thread writes requests (:meth:`Session.submit`) and waits for their
responses; a reader thread reads every PDU the SMSC sends and routes it: a response to the
request of its sequence number, a ``deliver_sm`` to the ``on_deliver`` callback (which
answers it with :meth:`Session.respond` when it has recorded it), an ``enquire_link`` to
its answer. When the session has been quiet for ``enquire_link_interval`` seconds the
reader sends an ``enquire_link``; no answer in the next interval and the session is dead.
A dead session fails every request still waiting with :class:`ConnectionLost`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import socket
import ssl
import threading
from collections.abc import Callable

from . import pdu as P
from .config import SmppConfig

log = logging.getLogger(__name__)

BIND_COMMANDS = {
    "transceiver": P.BIND_TRANSCEIVER,
    "transmitter": P.BIND_TRANSMITTER,
    "receiver": P.BIND_RECEIVER,
}


class ConnectionLost(Exception):
    """The connection to the SMSC closed, timed out or broke."""


class BindRefused(Exception):
    """The SMSC refused the bind (wrong system_id or password, ...)."""

    def __init__(self, status: int, system_id: str) -> None:
        self.status = status
        super().__init__(
            f"the SMSC refused to bind system_id {system_id!r}: {P.status_name(status)}; "
            "check TERGEU_SMPP_SYSTEM_ID and TERGEU_SMPP_PASSWORD"
        )


class Waiter:
    """A request waiting for its response."""

    __slots__ = ("_event", "error", "pdu", "windowed")

    def __init__(self, windowed: bool) -> None:
        self._event = threading.Event()
        self.pdu: P.Pdu | None = None
        self.error: str = ""
        self.windowed = windowed

    def resolve(self, pdu: P.Pdu | None, error: str = "") -> None:
        self.pdu = pdu
        self.error = error
        self._event.set()

    def wait(self, timeout: float) -> P.Pdu:
        """The response; :class:`ConnectionLost` if the session died or it timed out."""
        if not self._event.wait(timeout):
            raise ConnectionLost(f"no response from the SMSC in {timeout:g} s")
        if self.pdu is None:
            raise ConnectionLost(self.error or "the connection to the SMSC was lost")
        return self.pdu


class Session:
    """A connected, bound session; :meth:`close` unbinds and disconnects."""

    def __init__(
        self,
        config: SmppConfig,
        mode: str,
        on_deliver: Callable[[Session, P.Pdu], None] | None = None,
    ) -> None:
        self.config = config
        self.mode = mode
        self.on_deliver = on_deliver
        self._sequence = itertools.count(1)
        self._write_lock = threading.Lock()
        self._lock = threading.Lock()
        self._waiting: dict[int, Waiter] = {}
        self._window = threading.BoundedSemaphore(config.window)
        self._alive = False
        self._closing = False
        self._sock = self._connect()
        try:
            self._bind(BIND_COMMANDS[mode])
        except BaseException:
            self._sock.close()
            raise
        self._alive = True
        self._reader = threading.Thread(target=self._read_loop, name=f"smpp-{mode}", daemon=True)
        self._reader.start()

    @property
    def alive(self) -> bool:
        return self._alive

    # ------------------------------------------------------------ connecting

    def _connect(self) -> socket.socket:
        c = self.config
        try:
            sock = socket.create_connection((c.host, c.port), timeout=c.connect_timeout)
        except OSError as exc:
            raise ConnectionLost(f"cannot connect to the SMSC at {c.host}:{c.port}: {exc}") from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if c.tls:
            context = ssl.create_default_context(cafile=c.tls_ca_file or None)
            try:
                sock = context.wrap_socket(sock, server_hostname=c.host)
            except (OSError, ssl.SSLError) as exc:
                sock.close()
                raise ConnectionLost(f"TLS with the SMSC at {c.host}:{c.port}: {exc}") from exc
        return sock

    def _bind(self, command: int) -> None:
        c = self.config
        body = P.Bind(c.system_id, c.password, c.system_type).encode()
        request = P.Pdu(command, 0, next(self._sequence), body)
        try:
            self._sock.sendall(request.encode())
            while True:
                resp = P.read_pdu(self._sock)
                if resp.command_id == command | P.RESP or resp.command_id == P.GENERIC_NACK:
                    break
        except (OSError, P.PduError) as exc:
            raise ConnectionLost(f"binding to the SMSC: {exc}") from exc
        if resp.status != P.ESME_ROK:
            raise BindRefused(resp.status, c.system_id)

    # ------------------------------------------------------------ requests

    def submit(self, body: bytes) -> Waiter:
        """Send a submit_sm within the window; the waiter gives its submit_sm_resp."""
        if not self._window.acquire(timeout=self.config.response_timeout):
            self.kill("the SMSC's window stayed full")
            raise ConnectionLost("no submit_sm_resp freed the window in time")
        waiter = Waiter(windowed=True)
        try:
            self._send(P.SUBMIT_SM, body, waiter)
        except ConnectionLost:
            self._release(waiter)
            raise
        return waiter

    def request(self, command: int, body: bytes = b"") -> Waiter:
        """Send a request outside the window (enquire_link, unbind)."""
        waiter = Waiter(windowed=False)
        self._send(command, body, waiter)
        return waiter

    def _send(self, command: int, body: bytes, waiter: Waiter) -> None:
        with self._lock:
            if not self._alive:
                raise ConnectionLost("the connection to the SMSC was lost")
            sequence = next(self._sequence) & 0x7FFFFFFF or next(self._sequence)
            self._waiting[sequence] = waiter
        self._write(P.Pdu(command, 0, sequence, body))

    def respond(self, request: P.Pdu, status: int = P.ESME_ROK, body: bytes = b"") -> None:
        """Answer a request of the SMSC (deliver_sm, enquire_link, unbind)."""
        self._write(P.Pdu(request.command_id | P.RESP, status, request.sequence, body))

    def _write(self, pdu: P.Pdu) -> None:
        try:
            with self._write_lock:
                self._sock.sendall(pdu.encode())
        except OSError as exc:
            self.kill(f"writing to the SMSC: {exc}")
            raise ConnectionLost(str(exc)) from exc

    def _release(self, waiter: Waiter) -> None:
        if waiter.windowed:
            self._window.release()

    # ------------------------------------------------------------ the reader thread

    def _read_loop(self) -> None:
        interval = self.config.enquire_link_interval
        self._sock.settimeout(interval)
        probing = False
        reason = "the SMSC closed the connection"
        try:
            while self._alive:
                try:
                    pdu = P.read_pdu(self._sock)
                except TimeoutError:
                    if probing:
                        reason = f"no answer to enquire_link in {interval:g} s"
                        break
                    probing = True
                    self.request(P.ENQUIRE_LINK)
                    continue
                probing = False
                self._dispatch(pdu)
        except (OSError, ConnectionLost, P.PduError) as exc:
            reason = str(exc) or reason
        self.kill(reason)

    def _dispatch(self, pdu: P.Pdu) -> None:
        if pdu.is_response:
            with self._lock:
                waiter = self._waiting.pop(pdu.sequence, None)
            if waiter is not None:
                self._release(waiter)
                waiter.resolve(pdu)
            return
        if pdu.command_id == P.DELIVER_SM:
            if self.on_deliver is None:
                self.respond(pdu, P.ESME_RX_T_APPN)
            else:
                self.on_deliver(self, pdu)
        elif pdu.command_id == P.ENQUIRE_LINK:
            self.respond(pdu)
        elif pdu.command_id == P.UNBIND:
            self.respond(pdu)
            raise ConnectionLost("the SMSC unbound the session")
        else:
            self._write(P.Pdu(P.GENERIC_NACK, P.ESME_RINVCMDID, pdu.sequence))

    # ------------------------------------------------------------ closing

    def kill(self, reason: str) -> None:
        """Mark the session dead, fail the waiting requests and close the socket."""
        with self._lock:
            was_alive = self._alive
            self._alive = False
            waiting = list(self._waiting.values())
            self._waiting.clear()
        if was_alive and not self._closing:
            log.warning("SMPP %s session ended: %s", self.mode, reason)
        for waiter in waiting:
            self._release(waiter)
            waiter.resolve(None, reason)
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()

    def close(self) -> None:
        """Unbind (waiting briefly for unbind_resp) and disconnect; never raises."""
        self._closing = True
        if self._alive:
            with contextlib.suppress(ConnectionLost):
                self.request(P.UNBIND).wait(min(self.config.response_timeout, 2.0))
        self.kill("closed")
        if self._reader is not threading.current_thread():
            self._reader.join(2.0)
