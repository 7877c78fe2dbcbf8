"""SMPP 3.4 protocol data units: the few commands an ESME that sends SMS needs.

A PDU is a 16-byte header (command_length, command_id, command_status, sequence_number,
big-endian 32-bit) and a body of C-octet strings, integers and optional TLVs (SMPP 3.4,
sections 3.2 and 4). Both the client (:mod:`.transport`) and the development SMSC
(:mod:`.testsmsc`) use this module; the SMSC decodes what the client encodes and the
reverse, and the tests check the bytes against the specification's layouts.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field

HEADER = struct.Struct(">IIII")
#: Largest PDU we accept from a peer (a submit_sm is at most a few hundred bytes).
MAX_PDU = 64 * 1024

# Command ids (SMPP 3.4, 5.1.2.1); a response is the request's id with bit 31 set.
GENERIC_NACK = 0x80000000
BIND_RECEIVER = 0x00000001
BIND_TRANSMITTER = 0x00000002
SUBMIT_SM = 0x00000004
DELIVER_SM = 0x00000005
UNBIND = 0x00000006
BIND_TRANSCEIVER = 0x00000009
ENQUIRE_LINK = 0x00000015
RESP = 0x80000000
BINDS = frozenset({BIND_RECEIVER, BIND_TRANSMITTER, BIND_TRANSCEIVER})

# Command statuses (5.1.3) we name; any other is reported by number.
ESME_ROK = 0x00
ESME_RINVMSGLEN = 0x01
ESME_RINVCMDLEN = 0x02
ESME_RINVCMDID = 0x03
ESME_RINVBNDSTS = 0x04
ESME_RALYBND = 0x05
ESME_RSYSERR = 0x08
ESME_RINVSRCADR = 0x0A
ESME_RINVDSTADR = 0x0B
ESME_RBINDFAIL = 0x0D
ESME_RINVPASWD = 0x0E
ESME_RINVSYSID = 0x0F
ESME_RMSGQFUL = 0x14
ESME_RINVESMCLASS = 0x43
ESME_RSUBMITFAIL = 0x45
ESME_RINVSRCTON = 0x48
ESME_RINVSRCNPI = 0x49
ESME_RINVDSTTON = 0x50
ESME_RINVDSTNPI = 0x51
ESME_RTHROTTLED = 0x58
ESME_RINVDCS = 0x104
ESME_RX_T_APPN = 0x64
ESME_RX_P_APPN = 0x65
ESME_RX_R_APPN = 0x66

STATUS_NAMES = {
    ESME_ROK: "ESME_ROK",
    ESME_RINVMSGLEN: "ESME_RINVMSGLEN (message length invalid)",
    ESME_RINVCMDLEN: "ESME_RINVCMDLEN (command length invalid)",
    ESME_RINVCMDID: "ESME_RINVCMDID (invalid command id)",
    ESME_RINVBNDSTS: "ESME_RINVBNDSTS (incorrect bind status)",
    ESME_RALYBND: "ESME_RALYBND (already bound)",
    ESME_RSYSERR: "ESME_RSYSERR (system error)",
    ESME_RINVSRCADR: "ESME_RINVSRCADR (invalid source address)",
    ESME_RINVDSTADR: "ESME_RINVDSTADR (invalid destination address)",
    ESME_RBINDFAIL: "ESME_RBINDFAIL (bind failed)",
    ESME_RINVPASWD: "ESME_RINVPASWD (invalid password)",
    ESME_RINVSYSID: "ESME_RINVSYSID (invalid system_id)",
    ESME_RMSGQFUL: "ESME_RMSGQFUL (message queue full)",
    ESME_RINVESMCLASS: "ESME_RINVESMCLASS (invalid esm_class)",
    ESME_RSUBMITFAIL: "ESME_RSUBMITFAIL (submit_sm failed)",
    ESME_RINVSRCTON: "ESME_RINVSRCTON (invalid source TON)",
    ESME_RINVSRCNPI: "ESME_RINVSRCNPI (invalid source NPI)",
    ESME_RINVDSTTON: "ESME_RINVDSTTON (invalid destination TON)",
    ESME_RINVDSTNPI: "ESME_RINVDSTNPI (invalid destination NPI)",
    ESME_RTHROTTLED: "ESME_RTHROTTLED (throttling error)",
    ESME_RINVDCS: "ESME_RINVDCS (invalid data coding scheme)",
    ESME_RX_T_APPN: "ESME_RX_T_APPN (temporary application error)",
    ESME_RX_P_APPN: "ESME_RX_P_APPN (permanent application error)",
    ESME_RX_R_APPN: "ESME_RX_R_APPN (message rejected)",
}

# esm_class bits (5.2.12)
ESM_UDHI = 0x40
ESM_RECEIPT = 0x04
ESM_TYPE_MASK = 0x3C

# TLV tags (5.3.2)
TLV_RECEIPTED_MESSAGE_ID = 0x001E
TLV_NETWORK_ERROR_CODE = 0x0423
TLV_MESSAGE_STATE = 0x0427
TLV_SC_INTERFACE_VERSION = 0x0210

INTERFACE_VERSION = 0x34


def status_name(status: int) -> str:
    """A readable name of a command status, e.g. ``ESME_RTHROTTLED (throttling error)``."""
    return STATUS_NAMES.get(status, f"status 0x{status:08X}")


class PduError(Exception):
    """A PDU that does not parse."""


@dataclass
class Pdu:
    """One PDU: the header fields and the undecoded body."""

    command_id: int
    status: int = 0
    sequence: int = 0
    body: bytes = b""

    def encode(self) -> bytes:
        return HEADER.pack(16 + len(self.body), self.command_id, self.status, self.sequence) + (
            self.body
        )

    @property
    def is_response(self) -> bool:
        return bool(self.command_id & RESP)


def decode(data: bytes) -> Pdu:
    """A PDU from its bytes (the whole PDU, header included)."""
    if len(data) < 16:
        raise PduError("PDU shorter than its header")
    length, command_id, status, sequence = HEADER.unpack_from(data)
    if length != len(data):
        raise PduError(f"command_length {length} but {len(data)} bytes")
    return Pdu(command_id, status, sequence, bytes(data[16:]))


def read_pdu(sock: socket.socket) -> Pdu:
    """Read one PDU from a blocking socket; :class:`ConnectionError` when it closes."""
    head = _recv_exact(sock, 16)
    length = HEADER.unpack_from(head)[0]
    if length < 16 or length > MAX_PDU:
        raise PduError(f"command_length {length} out of range")
    return decode(head + _recv_exact(sock, length - 16))


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            raise ConnectionError("the SMSC closed the connection")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------- body fields


class _Reader:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.pos = 0

    def cstring(self) -> str:
        end = self.body.find(b"\x00", self.pos)
        if end < 0:
            raise PduError("C-octet string without its NULL")
        value = self.body[self.pos : end].decode("latin-1")
        self.pos = end + 1
        return value

    def byte(self) -> int:
        if self.pos >= len(self.body):
            raise PduError("body too short")
        value = self.body[self.pos]
        self.pos += 1
        return value

    def octets(self, size: int) -> bytes:
        if self.pos + size > len(self.body):
            raise PduError("body too short")
        value = self.body[self.pos : self.pos + size]
        self.pos += size
        return value

    def tlvs(self) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        while self.pos + 4 <= len(self.body):
            tag, size = struct.unpack_from(">HH", self.body, self.pos)
            self.pos += 4
            found[tag] = self.octets(size)
        return found


def _cstring(value: str) -> bytes:
    return value.encode("latin-1") + b"\x00"


def _tlvs(values: dict[int, bytes]) -> bytes:
    return b"".join(struct.pack(">HH", tag, len(v)) + v for tag, v in values.items())


@dataclass
class Bind:
    """bind_transmitter / bind_receiver / bind_transceiver (4.1)."""

    system_id: str
    password: str
    system_type: str = ""
    interface_version: int = INTERFACE_VERSION
    addr_ton: int = 0
    addr_npi: int = 0
    address_range: str = ""

    def encode(self) -> bytes:
        return (
            _cstring(self.system_id)
            + _cstring(self.password)
            + _cstring(self.system_type)
            + bytes([self.interface_version, self.addr_ton, self.addr_npi])
            + _cstring(self.address_range)
        )

    @classmethod
    def decode(cls, body: bytes) -> Bind:
        r = _Reader(body)
        return cls(r.cstring(), r.cstring(), r.cstring(), r.byte(), r.byte(), r.byte(), r.cstring())


@dataclass
class ShortMessage:
    """The body of submit_sm (4.4.1) and deliver_sm (4.6.1): they share one layout."""

    destination_addr: str
    short_message: bytes = b""
    source_addr: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    dest_addr_ton: int = 1
    dest_addr_npi: int = 1
    service_type: str = ""
    esm_class: int = 0
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    replace_if_present_flag: int = 0
    data_coding: int = 0
    sm_default_msg_id: int = 0
    tlvs: dict[int, bytes] = field(default_factory=dict)

    def encode(self) -> bytes:
        if len(self.short_message) > 254:
            raise PduError("short_message longer than 254 octets")
        return (
            _cstring(self.service_type)
            + bytes([self.source_addr_ton, self.source_addr_npi])
            + _cstring(self.source_addr)
            + bytes([self.dest_addr_ton, self.dest_addr_npi])
            + _cstring(self.destination_addr)
            + bytes([self.esm_class, self.protocol_id, self.priority_flag])
            + _cstring(self.schedule_delivery_time)
            + _cstring(self.validity_period)
            + bytes(
                [
                    self.registered_delivery,
                    self.replace_if_present_flag,
                    self.data_coding,
                    self.sm_default_msg_id,
                    len(self.short_message),
                ]
            )
            + self.short_message
            + _tlvs(self.tlvs)
        )

    @classmethod
    def decode(cls, body: bytes) -> ShortMessage:
        r = _Reader(body)
        service_type = r.cstring()
        src_ton, src_npi = r.byte(), r.byte()
        source = r.cstring()
        dst_ton, dst_npi = r.byte(), r.byte()
        destination = r.cstring()
        esm_class, protocol_id, priority = r.byte(), r.byte(), r.byte()
        schedule, validity = r.cstring(), r.cstring()
        registered, replace, coding, default_id, length = (r.byte() for _ in range(5))
        text = r.octets(length)
        return cls(
            destination_addr=destination,
            short_message=text,
            source_addr=source,
            source_addr_ton=src_ton,
            source_addr_npi=src_npi,
            dest_addr_ton=dst_ton,
            dest_addr_npi=dst_npi,
            service_type=service_type,
            esm_class=esm_class,
            protocol_id=protocol_id,
            priority_flag=priority,
            schedule_delivery_time=schedule,
            validity_period=validity,
            registered_delivery=registered,
            replace_if_present_flag=replace,
            data_coding=coding,
            sm_default_msg_id=default_id,
            tlvs=r.tlvs(),
        )


def message_id_body(message_id: str) -> bytes:
    """The body of submit_sm_resp / deliver_sm_resp / bind_*_resp: one C-octet string."""
    return _cstring(message_id)


def read_message_id(body: bytes) -> str:
    """The message_id of a submit_sm_resp (empty when the body is, as on an error)."""
    return _Reader(body).cstring() if body else ""
