"""Fixtures of the evidence tests: a police unit with a case, an item, file contents."""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.utils.translation.reloader import translation_file_changed

from tergeu.core import blobs
from tergeu.evidence import services
from tergeu.evidence.models import EvidenceFile, EvidenceItem
from tergeu.web.translations import compile_catalogues
from tests import factories as f


@pytest.fixture(scope="session", autouse=True)
def _catalogues() -> None:
    """The .po files compiled to .mo (build output), under the lock the other suites take."""
    lock = Path(tempfile.gettempdir()) / "tergeu-compile-catalogues.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            written = compile_catalogues()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if written:
        translation_file_changed(None, written[0])


def jpeg(tag: bytes = b"", size: int = 2048) -> bytes:
    """Bytes that start as a JPEG (SOI and a JFIF APP0 marker), unique per ``tag``."""
    body = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + tag
    return body + os.urandom(max(0, size - len(body)))


def pdf(tag: bytes = b"") -> bytes:
    """A small PDF-looking file."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + tag + b"\n%%EOF\n"


def attach(
    user: Any, item: EvidenceItem, data: bytes, name: str = "photo.jpg", ctype: str = "image/jpeg"
) -> EvidenceFile:
    """Attach ``data`` to ``item`` as ``user``."""
    return services.attach_file(
        user, item.pk, name=name, content_type=ctype, stream=io.BytesIO(data), size=len(data)
    )


def register(unit: f.Unit, case: Any, **fields: Any) -> EvidenceItem:
    """An item registered in ``case`` by the unit's investigator."""
    values: dict[str, Any] = {
        "description": "Мобильный телефон Samsung Galaxy A52, IMEI 356789104512345",
        "kind": "object",
        "seized_at": dt.datetime(2025, 3, 3, 10, 15, tzinfo=dt.UTC),
        "seized_where": "г. Алматы, ул. Абая 1, при осмотре места происшествия",
        **fields,
    }
    return services.register_item(unit.investigator, case.pk, **values)


def stored() -> set[Path]:
    """Every file under the blob store's root (temporary files included)."""
    root = blobs.root()
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def unit(db: Any) -> f.Unit:
    """A police unit with its staff, prosecutor's office and court."""
    return f.Unit()


@pytest.fixture
def case(unit: f.Unit) -> Any:
    """A case under investigation by the unit's investigator."""
    return unit.case()


@pytest.fixture
def item(unit: f.Unit, case: Any) -> EvidenceItem:
    """A phone registered as evidence in the case."""
    return register(unit, case)
