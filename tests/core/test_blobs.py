"""The content-addressed store: names are hashes, duplicates stored once, tampering seen."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from tergeu.core import blobs


@pytest.fixture(autouse=True)
def _blob_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERGEU_BLOB_DIR", str(tmp_path / "blobs"))


def test_put_and_read_back() -> None:
    data = "Қылмыстық іс".encode()
    sha = blobs.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert blobs.read_bytes(sha) == data
    assert blobs.put_bytes(data) == sha
    assert blobs.verify(sha)


def test_stream_in_chunks() -> None:
    data = bytes(range(256)) * 10_000
    sha, size = blobs.put_stream(io.BytesIO(data))
    assert (sha, size) == (hashlib.sha256(data).hexdigest(), len(data))


def test_tampering_and_absence_are_detected() -> None:
    sha = blobs.put_bytes(b"evidence")
    path = blobs.path_of(sha)
    path.chmod(0o644)
    path.write_bytes(b"evidencE")
    assert not blobs.verify(sha)
    path.unlink()
    assert not blobs.exists(sha)
    assert not blobs.verify(sha)


def test_names_must_be_hashes() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        blobs.path_of("../../etc/passwd")
