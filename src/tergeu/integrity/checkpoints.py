"""Signed checkpoints of the journal: C2SP tlog-checkpoint bodies in C2SP signed notes.

A checkpoint commits to the first ``size`` leaves of the tree::

    tergeu.example/journal          origin (TERGEU_LOG_ORIGIN)
    1234                            tree size, decimal
    0hLk...=                        root hash, base64
                                    (blank line)
    — tergeu.example/journal AbCd...=   signature line: base64(key ID || Ed25519 signature)

The key ID is ``SHA-256(name || 0x0A || 0x01 || public key)[:4]`` (signed-note spec, 0x01
= Ed25519) and the signature covers the body (the three lines with their newlines). The
log's key is an Ed25519 PEM file: ``TERGEU_LOG_KEY_FILE``, else
``$TERGEU_DATA_DIR/keys/journal-ed25519.pem``, created there (mode 0600) on first use.

A new checkpoint is stored only after it is proven consistent with the previous one;
a checkpoint is not an event (nothing is journaled). docs/journal.md has the details.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from tergeu.core import clock
from tergeu.settings.env import DATA_DIR, env_str

from . import merkle, tree
from .models import Checkpoint

logger = logging.getLogger("tergeu.integrity")

DEFAULT_ORIGIN = "tergeu.example/journal"
#: Signature algorithm byte of Ed25519 in signed notes.
ALG_ED25519 = 0x01
#: The em dash (U+2014) and space that open a signature line.
SIG_PREFIX = "\u2014 "
MAX_NOTE = 64 * 1024
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")


class CheckpointError(ValueError):
    """A note or checkpoint is malformed, or its signature does not verify."""


class InconsistentLog(RuntimeError):
    """The tree does not extend the last checkpoint: history was rewritten. Refused."""


# ---------------------------------------------------------------- configuration and keys


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    return str(value) if value else env_str(name, default)


def origin() -> str:
    """The log's origin line (TERGEU_LOG_ORIGIN), also the name of its signing key."""
    value = _setting("TERGEU_LOG_ORIGIN", DEFAULT_ORIGIN).strip()
    if not value or any(c.isspace() or c == "+" for c in value):
        raise ImproperlyConfigured("TERGEU_LOG_ORIGIN must be non-empty, without spaces or '+'")
    return value


def key_path() -> Path:
    """Where the log's Ed25519 private key is (TERGEU_LOG_KEY_FILE or the data directory)."""
    configured = _setting("TERGEU_LOG_KEY_FILE", "")
    return Path(configured) if configured else DATA_DIR / "keys" / "journal-ed25519.pem"


def generate_key(path: Path) -> Path:
    """Write a new Ed25519 private key (PKCS#8 PEM, mode 0600) to ``path`` unless one exists.

    Written beside and hard-linked into place, so concurrent processes agree on one key.
    """
    if path.exists():
        return path
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".journal-key-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    logger.warning("Created the journal's signing key %s: back it up.", path)
    return path


@functools.lru_cache(maxsize=4)
def _load_key(path: str, mtime_ns: int) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 private key")
    return key


def private_key() -> Ed25519PrivateKey:
    """The log's signing key; created in the data directory on first use if missing.

    A file named by TERGEU_LOG_KEY_FILE must exist: it is never invented.
    """
    path = key_path()
    if not path.exists():
        if _setting("TERGEU_LOG_KEY_FILE", ""):
            raise ImproperlyConfigured(f"TERGEU_LOG_KEY_FILE: no key file at {path}")
        generate_key(path)
    return _load_key(str(path), path.stat().st_mtime_ns)


def public_key() -> Ed25519PublicKey:
    """The log's public key."""
    return private_key().public_key()


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, key: Ed25519PublicKey) -> bytes:
    """The 4-byte key hash of the signed-note spec: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + _raw(key)).digest()[:4]


def vkey(name: str | None = None, key: Ed25519PublicKey | None = None) -> str:
    """The verifier key in the signed-note format: ``<name>+<hex key ID>+<base64(0x01||key)>``."""
    name = name or origin()
    key = key or public_key()
    encoded = base64.b64encode(bytes([ALG_ED25519]) + _raw(key)).decode()
    return f"{name}+{key_id(name, key).hex()}+{encoded}"


def public_key_pem(key: Ed25519PublicKey | None = None) -> str:
    """The log's public key as a SubjectPublicKeyInfo PEM (for openssl)."""
    key = key or public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def parse_vkey(text: str) -> tuple[str, Ed25519PublicKey]:
    """``(name, public key)`` from a verifier key; checks its key ID."""
    try:
        name, hex_id, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        kid = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error) as exc:
        raise CheckpointError("not a verifier key <name>+<hex>+<base64>") from exc
    if not name or len(raw) != 33 or raw[0] != ALG_ED25519 or len(kid) != 4:
        raise CheckpointError("not an Ed25519 verifier key")
    key = Ed25519PublicKey.from_public_bytes(raw[1:])
    if key_id(name, key) != kid:
        raise CheckpointError("the verifier key's key ID does not match its name and key")
    return name, key


# ---------------------------------------------------------------- notes


def checkpoint_body(log_origin: str, size: int, root_hash: bytes) -> str:
    """The C2SP tlog-checkpoint body: origin, size and base64 root, each with a newline."""
    return f"{log_origin}\n{size}\n{base64.b64encode(root_hash).decode()}\n"


def sign_note(body: str, name: str, key: Ed25519PrivateKey) -> tuple[str, bytes]:
    """``(signed note, signature)``: ``body``, a blank line and one signature line."""
    if not body.endswith("\n"):
        raise CheckpointError("a note's text ends with a newline")
    signature = key.sign(body.encode())
    line = base64.b64encode(key_id(name, key.public_key()) + signature).decode()
    return f"{body}\n{SIG_PREFIX}{name} {line}\n", signature


@dataclass(frozen=True)
class Verified:
    """A checkpoint whose signature verified."""

    origin: str
    size: int
    root: bytes


def _parse_body(body: str) -> Verified:
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise CheckpointError("a checkpoint has an origin, a size and a root hash line")
    log_origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not log_origin:
        raise CheckpointError("the origin line is empty")
    if not _DECIMAL.fullmatch(size_text):
        raise CheckpointError("the size line is not a decimal number")
    try:
        root_hash = base64.b64decode(root_text, validate=True)
    except binascii.Error as exc:
        raise CheckpointError("the root hash line is not base64") from exc
    if len(root_hash) != merkle.HASH_SIZE or base64.b64encode(root_hash).decode() != root_text:
        raise CheckpointError("the root hash line is not a base64 SHA-256 hash")
    return Verified(log_origin, int(size_text), root_hash)


def open_note(note: str, key: Ed25519PublicKey | str) -> str:
    """The text of a C2SP signed note, if ``key`` signed it (else :class:`CheckpointError`).

    ``key`` is an Ed25519 public key or a verifier key (``name+hex+base64``). With a
    verifier key the signature line of that name counts; with a bare public key, the line
    whose key ID matches its own name and ``key``. Lines of other signers are skipped.
    """
    if len(note) > MAX_NOTE:
        raise CheckpointError("the note is too long")
    if isinstance(key, str):
        name: str | None
        name, public = parse_vkey(key)
    else:
        name, public = None, key
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise CheckpointError("a signed note is text, a blank line and signature lines")
    body, signatures = note[: split + 1], note[split + 2 :]
    checked = False
    for line in signatures[:-1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise CheckpointError("a signature line starts with an em dash and a space")
        parts = line[len(SIG_PREFIX) :].split(" ")
        if len(parts) != 2 or not parts[0]:
            raise CheckpointError("a signature line is '— <name> <base64 signature>'")
        signer, encoded = parts
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise CheckpointError("the signature is not base64") from exc
        if len(blob) < 5:
            raise CheckpointError("the signature is too short")
        if (name is not None and signer != name) or blob[:4] != key_id(signer, public):
            continue  # another signer's line: not ours to check
        try:
            public.verify(blob[4:], body.encode())
        except InvalidSignature as exc:
            raise CheckpointError("the signature does not verify") from exc
        checked = True
    if not checked:
        raise CheckpointError("no signature by this key")
    return body


def verify_note(
    note: str, key: Ed25519PublicKey | str, *, expected_origin: str | None = None
) -> tuple[str, int, bytes]:
    """``(origin, size, root)`` of a signed checkpoint, if ``key`` signed it.

    ``key`` as for :func:`open_note`. Raises :class:`CheckpointError` if the signature
    does not verify, the body is not a tlog-checkpoint, or the origin is not the
    expected one.
    """
    parsed = _parse_body(open_note(note, key))
    if expected_origin is not None and parsed.origin != expected_origin:
        raise CheckpointError(f"the origin is {parsed.origin!r}, not {expected_origin!r}")
    return parsed.origin, parsed.size, parsed.root


# ---------------------------------------------------------------- issuing


def latest() -> Checkpoint | None:
    """The newest checkpoint, or None before the first."""
    return Checkpoint.objects.order_by("-size").first()


def check_consistent(previous: Checkpoint, size: int, root_hash: bytes) -> None:
    """Prove that the tree ``(size, root_hash)`` extends ``previous``; else raise and alert.

    The proof is built from the stored nodes and checked against the *signed* previous
    root, so a rewritten leaf or node under the old checkpoint is caught here.
    """
    try:
        if previous.size > 0:
            proof = tree.consistency(previous.size, size)
            merkle.verify_consistency(
                previous.size, size, proof, bytes(previous.root_hash), root_hash
            )
    except (merkle.ProofError, LookupError, ValueError) as exc:
        logger.critical(
            "JOURNAL INCONSISTENT: the tree of %d leaves does not extend checkpoint %d (%s); "
            "no checkpoint issued. Run `tergeu verify --database`.",
            size,
            previous.size,
            exc,
        )
        raise InconsistentLog(
            f"the tree of {size} leaves does not extend checkpoint {previous.size}: {exc}"
        ) from exc


def issue_checkpoint() -> Checkpoint:
    """Integrate the queued events and sign a checkpoint if the tree grew; return the newest.

    The first call signs one even for an empty tree. Concurrent calls serialise on the
    integrator's lock; a checkpoint never repeats a size.
    """
    tree.integrate()
    key = private_key()
    log_origin = origin()
    with transaction.atomic():
        tree._lock()
        tree.integrate()  # what arrived meanwhile (a savepoint of this transaction)
        previous = latest()
        size = tree.tree_size()
        if previous is not None and size <= previous.size:
            return previous
        root_hash = tree.root(size)
        if previous is not None:
            check_consistent(previous, size, root_hash)
        note, signature = sign_note(checkpoint_body(log_origin, size, root_hash), log_origin, key)
        checkpoint = Checkpoint.objects.create(
            size=size,
            root_hash=root_hash,
            origin=log_origin,
            key_id=key_id(log_origin, key.public_key()).hex(),
            signature=signature,
            note=note,
            created_at=clock.now(),
        )
    logger.info("Journal checkpoint %d issued", size)
    return checkpoint
