"""A content-addressed store of files (signed PDFs, evidence, exports) by SHA-256.

A file's name is its hash, so a stored file cannot change without its name no longer
matching its content; ``verify`` re-hashes to detect that. Local directory now
(TERGEU_BLOB_DIR, default DATA_DIR/blobs); an S3-compatible store can implement the
same four functions later.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from tergeu.settings.env import DATA_DIR, env_str

CHUNK = 1024 * 1024


def root() -> Path:
    """The directory that holds the blobs."""
    return Path(env_str("TERGEU_BLOB_DIR", str(DATA_DIR / "blobs")))


def path_of(sha256: str) -> Path:
    """Where the blob with this hash lives (two levels of fan-out)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root() / sha256[:2] / sha256[2:4] / sha256


def _store(chunks: Iterable[bytes]) -> tuple[str, int]:
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=base, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        final = path_of(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(tmp)
        else:
            os.replace(tmp, final)
            final.chmod(0o444)
        return sha, size
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def put_bytes(data: bytes) -> str:
    """Store ``data``; return its SHA-256 (storing the same content twice keeps one copy)."""
    return _store([data])[0]


def put_stream(stream: BinaryIO) -> tuple[str, int]:
    """Store a file-like object in chunks; return its SHA-256 and size."""
    return _store(iter(lambda: stream.read(CHUNK), b""))


def read_bytes(sha256: str) -> bytes:
    """The content of a blob (FileNotFoundError if it is missing)."""
    return path_of(sha256).read_bytes()


def exists(sha256: str) -> bool:
    """Whether the blob is present."""
    return path_of(sha256).exists()


def verify(sha256: str) -> bool:
    """Whether the blob is present and its content still hashes to its name."""
    p = path_of(sha256)
    if not p.exists():
        return False
    digest = hashlib.sha256()
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest() == sha256
