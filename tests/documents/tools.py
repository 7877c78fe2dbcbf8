"""Command-line verifiers for the tests: poppler's pdftotext and pdfsig, NSS's certutil.

A missing tool skips its test on a developer's machine but fails it on CI (``CI=true``),
so that the independent checks are never silently dropped there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import pem


def tool(name: str) -> str:
    """The path of a command-line tool (scripts/setup.sh --dev installs them)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (scripts/setup.sh --dev installs it)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    """The text of a PDF as poppler's pdftotext extracts it, white space collapsed.

    ``-raw`` keeps the content stream's order and its spaces (the layout mode guesses
    word gaps from glyph positions and joins single letters separated by spaces).
    """
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", "-raw", str(source), "-"],
        check=True,
        capture_output=True,
    )
    return " ".join(out.stdout.decode().split())  # lines wrap where the page ends


def nss_database(directory: Path, roots: list[bytes]) -> str:
    """A fresh NSS database trusting ``roots`` (DER) for S/MIME and signing; its ``sql:`` path."""
    certutil = tool("certutil")
    directory.mkdir(parents=True, exist_ok=True)
    db = f"sql:{directory}"
    subprocess.run([certutil, "-N", "-d", db, "--empty-password"], check=True)
    for i, der in enumerate(roots):
        path = directory / f"root{i}.pem"
        path.write_bytes(pem.armor("CERTIFICATE", der))
        subprocess.run(
            [certutil, "-A", "-d", db, "-n", f"root{i}", "-t", "CT,C,C", "-i", str(path)],
            check=True,
        )
    return db


def pdfsig(pdf: bytes, db: str, tmp_path: Path) -> list[dict[str, str]]:
    """What pdfsig reports per signature, as ``{"Signature Validation": ..., ...}``.

    Not ``-no-ocsp``: poppler 22.x then reports a stale NSS error as "Unknown issue with
    Certificate"; our certificates name no OCSP responder, so nothing is fetched anyway.
    """
    source = tmp_path / "signed.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        [tool("pdfsig"), "-nssdir", db, str(source)], capture_output=True, text=True, check=False
    )
    signatures: list[dict[str, str]] = []
    for line in out.stdout.splitlines():
        if line.startswith("Signature #"):
            signatures.append({})
        elif line.strip().startswith("- ") and signatures:
            key, _sep, value = line.strip()[2:].partition(": ")
            signatures[-1][key] = value if _sep else ""
    return signatures
