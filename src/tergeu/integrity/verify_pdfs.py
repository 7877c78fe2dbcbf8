"""Verifying the signatures of many PDFs offline, fast: the part of ``tergeu verify`` that
costs the time (docs/performance.md, "Export and offline verification").

- :func:`build_context`: a pyHanko validation context from DER certificates and CRLs
  alone (no database, ``allow_fetching=False``), the signature algorithms restricted to
  the registry of :mod:`.pki.algorithms`.
- :func:`in_parallel`: the PDFs of an archive verified by worker processes (fork, one per
  core, at most 4), each with its own context, from :data:`PARALLEL_FROM` PDFs on.
- :func:`install_fast_hex_strings`: a faster reader of PDF hex strings for pyHanko,
  installed on import (the export imports this module too).

No Django here, as in :mod:`.export_format`.
"""

from __future__ import annotations

import binascii
import datetime as dt
import multiprocessing as mp
import os
import zipfile
import zlib
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from asn1crypto import x509 as ax509


def install_fast_hex_strings() -> None:
    """Read PDF hex strings with ``bytes`` operations instead of pyHanko's byte-by-byte loop.

    pyHanko 0.38 reads ``<...>`` strings one token at a time; a signature's ``/Contents``
    is tens of thousands of hex digits, which made reading the signatures of a PDF cost
    more than validating them (about 25 ms of 35 per document). The fast path finds the
    closing ``>``, drops PDF whitespace and unhexlifies; whatever it does not handle
    exactly as pyHanko does (a comment inside the string, a character that is not a hex
    digit, a string without its end) is handed to pyHanko's own reader from the start,
    so results and errors are pyHanko's. The tests compare the two.
    """
    from pyhanko.pdf_utils import generic, misc

    original = generic.read_hex_string_from_stream
    if getattr(original, "_tergeu_fast", False):
        return
    whitespace, digits_only = misc.PDF_WHITESPACE, generic.HEX_DIGITS

    def read_hex_string_from_stream(stream: Any) -> Any:
        start = stream.tell()
        stream.read(1)  # the "<"
        chunks, length = [], 0
        while True:
            block = stream.read(1 << 16)
            end = block.find(b">")
            if end >= 0 or not block:
                chunks.append(block[:end] if end >= 0 else block)
                length += end if end >= 0 else len(block)
                break
            chunks.append(block)
            length += len(block)
        body = b"".join(chunks)
        digits = body.translate(None, whitespace)
        if end < 0 or b"%" in body or digits.translate(None, digits_only):
            stream.seek(start)
            return original(stream)
        stream.seek(start + 1 + length + 1)
        if len(digits) % 2:
            digits += b"0"
        return generic.pdf_string(binascii.unhexlify(digits))

    read_hex_string_from_stream._tergeu_fast = True  # type: ignore[attr-defined]
    read_hex_string_from_stream.original = original  # type: ignore[attr-defined]
    generic.read_hex_string_from_stream = read_hex_string_from_stream


install_fast_hex_strings()

#: From this many PDFs on, they are verified in worker processes (one per core, at most 4).
PARALLEL_FROM = 24
#: DER of the trust anchors, DER of the other certificates, the CRLs, the moment.
ContextArgs = tuple[list[bytes], list[bytes], list[bytes], dt.datetime]


def build_context(roots: list[bytes], others: list[bytes], crls: list[bytes], moment: Any) -> Any:
    """An offline pyHanko validation context from DER certificates and CRLs alone."""
    from pyhanko_certvalidator import ValidationContext

    from .pki.algorithms import RegistrySignatureValidator

    return ValidationContext(
        trust_roots=[ax509.Certificate.load(d) for d in roots],
        other_certs=[ax509.Certificate.load(d) for d in others],
        crls=crls,
        allow_fetching=False,
        moment=moment,
        revocation_mode="soft-fail",
        retroactive_revinfo=True,
        signature_validator=RegistrySignatureValidator(),
    )


_worker: dict[str, Any] = {}


def _init_worker(archive: str, args: ContextArgs) -> None:
    _worker["zip"] = zipfile.ZipFile(archive)
    _worker["context"] = build_context(*args)


def _verify_member(name: str) -> list[Any] | None:
    from .signing import verify_with

    try:
        data = _worker["zip"].read(name)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError):
        return None
    return verify_with(data, _worker["context"])


def in_parallel(archive: Path, names: list[str], args: ContextArgs) -> list[Any] | None:
    """The verdicts of the PDFs ``names``, verified by worker processes; None if that fails."""
    cores = os.cpu_count() or 1
    if len(names) < PARALLEL_FROM or cores < 2 or "fork" not in mp.get_all_start_methods():
        return None
    try:
        with ProcessPoolExecutor(
            max_workers=min(cores, 4),
            mp_context=mp.get_context("fork"),
            initializer=_init_worker,
            initargs=(str(archive), args),
        ) as pool:
            return list(pool.map(_verify_member, names, chunksize=8))
    except (OSError, BrokenProcessPool):
        return None
