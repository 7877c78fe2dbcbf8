"""Text to SMS parts: GSM-7 for plain Latin text, UCS-2 for the rest, concatenation by UDH.

- A text made only of characters of the GSM 03.38 default alphabet (and its extension
  table, each of those two septets) goes as GSM-7, ``data_coding`` 0x00, one septet per
  octet (unpacked, as SMPP carries it): up to 160 septets in one SMS, 153 per part.
- Anything else (Cyrillic, Kazakh Ә Ғ Қ Ң Ө Ұ Ү Һ І, ...) goes as UCS-2 (UTF-16BE),
  ``data_coding`` 0x08: up to 70 characters in one SMS, 67 per part; a surrogate pair is
  never cut.
- A longer text is split into parts, each starting with the user data header
  ``05 00 03 <ref> <total> <seq>`` (IEI 0x00, concatenated SM with an 8-bit reference),
  sent with ``esm_class`` 0x40 (UDHI). The reference is derived from the message's id, so a
  retry that sends only the missing parts carries the same reference and the handset
  still joins them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

DC_DEFAULT = 0x00
DC_LATIN1 = 0x03
DC_UCS2 = 0x08

_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENSION = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
_ESC = 0x1B
_ENCODE = {ch: bytes([i]) for i, ch in enumerate(_BASIC) if i != _ESC}
_ENCODE.update({ch: bytes([_ESC, code]) for ch, code in _EXTENSION.items()})
_DECODE_EXT = {code: ch for ch, code in _EXTENSION.items()}

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 140, 134  # octets
MAX_PARTS = 255


class TextTooLong(ValueError):
    """A text that needs more than 255 parts."""


@dataclass(frozen=True)
class Encoded:
    """A text ready for submit_sm: the data_coding, the esm_class and each part's octets."""

    data_coding: int
    esm_class: int
    parts: list[bytes]


def gsm7_encode(text: str) -> bytes | None:
    """The text as unpacked GSM-7 septets, or None if a character is not in the alphabet."""
    out = []
    for ch in text:
        code = _ENCODE.get(ch)
        if code is None:
            return None
        out.append(code)
    return b"".join(out)


def gsm7_decode(data: bytes) -> str:
    """Unpacked GSM-7 septets back to text."""
    out = []
    escape = False
    for b in data:
        if escape:
            out.append(_DECODE_EXT.get(b, " "))
            escape = False
        elif b == _ESC:
            escape = True
        else:
            out.append(_BASIC[b & 0x7F])
    return "".join(out)


def reference_for(key: str) -> int:
    """The 8-bit concatenation reference of a message: stable for its id."""
    return hashlib.sha256(key.encode()).digest()[0]


def _chunks(units: list[bytes], limit: int) -> list[bytes]:
    """Join indivisible units (a septet or escape pair, a UTF-16 unit or pair) into chunks."""
    chunks: list[bytes] = []
    current = b""
    for unit in units:
        if len(current) + len(unit) > limit:
            chunks.append(current)
            current = b""
        current += unit
    if current or not chunks:
        chunks.append(current)
    return chunks


def encode(text: str, key: str) -> Encoded:
    """``text`` as SMS parts; ``key`` (the message's id) fixes the concatenation reference."""
    septets = gsm7_encode(text)
    if septets is not None:
        coding, single, part = DC_DEFAULT, GSM7_SINGLE, GSM7_PART
        units = [_ENCODE[ch] for ch in text]
        data = septets
    else:
        coding, single, part = DC_UCS2, UCS2_SINGLE, UCS2_PART
        units = [ch.encode("utf-16-be") for ch in text]
        data = b"".join(units)
    if len(data) <= single:
        return Encoded(coding, 0, [data])
    chunks = _chunks(units, part)
    if len(chunks) > MAX_PARTS:
        raise TextTooLong(f"{len(chunks)} parts")
    ref = reference_for(key)
    total = len(chunks)
    parts = [bytes([5, 0, 3, ref, total, seq]) + c for seq, c in enumerate(chunks, start=1)]
    return Encoded(coding, 0x40, parts)


@dataclass(frozen=True)
class Concatenation:
    """The concatenation header of one part: reference, number of parts, this part's number."""

    reference: int
    total: int
    seq: int


def split_udh(short_message: bytes) -> tuple[Concatenation | None, bytes]:
    """The concatenation header (IEI 0x00 or 0x08) of a part sent with UDHI, and its text."""
    udhl = short_message[0]
    header, payload = short_message[1 : 1 + udhl], short_message[1 + udhl :]
    found = None
    pos = 0
    while pos + 2 <= len(header):
        iei, size = header[pos], header[pos + 1]
        value = header[pos + 2 : pos + 2 + size]
        if iei == 0x00 and size == 3:
            found = Concatenation(value[0], value[1], value[2])
        elif iei == 0x08 and size == 4:
            found = Concatenation(value[0] << 8 | value[1], value[2], value[3])
        pos += 2 + size
    return found, payload


def decode_text(data: bytes, data_coding: int) -> str:
    """Octets of a short message (without its UDH) back to text."""
    if data_coding == DC_UCS2:
        return data.decode("utf-16-be")
    if data_coding == DC_DEFAULT:
        return gsm7_decode(data)
    return data.decode("latin-1")
