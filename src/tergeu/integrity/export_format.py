"""The case export's format and the pieces its verifiers share, with no Django at all.

:mod:`.export` writes archives in this format, :mod:`.verify_archive` checks them
offline and :mod:`.verify_database` checks the database; all three report through
:class:`Report`. Nothing here imports Django or Tergeu's settings, so ``tergeu verify
ARCHIVE`` runs on a machine with Tergeu installed and nothing else: no settings, no data
directory, no database.

Signed notes (the journal's checkpoints, C2SP tlog-checkpoint in a C2SP signed note with
Ed25519) are checked by :func:`verify_checkpoint`, which follows
:func:`tergeu.integrity.checkpoints.verify_note` (the tests hold the two to the same
answers) without importing it: that module reads the installation's settings.
docs/export-format.md describes every member of the archive.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as ax509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

#: The ``format`` member of every manifest, and the version of the layout.
FORMAT = "tergeu-case-export"
VERSION = 1
#: The manifest and its detached CMS signature: the two members the manifest cannot list.
MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.json.p7s"
CHECKPOINT = "checkpoint.txt"
LOG_KEY = "log-key.vkey"
EVENTS = "events.jsonl"
PROOFS = "proofs.json"
#: Actions of the events that record the SHA-256 of a document's signed PDF.
DOCUMENT_ACTIONS = ("document.finalised", "document.countersigned")
#: The action of the event that records the SHA-256 of an evidence file.
FILE_ACTION = "evidence.file_attached"

#: Bytes read at a time from files and members.
CHUNK = 1024 * 1024
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")
_SIG_PREFIX = "\u2014 "
_ALG_ED25519 = 0x01


def utc(moment: dt.datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (the spelling of the journal's leaves), or None."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: object) -> dt.datetime | None:
    """The instant :func:`utc` wrote, or None."""
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def safe_name(name: str, fallback: str = "file") -> str:
    """A file name that is one harmless path component (no separators, no leading dots)."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip().lstrip(".").strip()
    return cleaned[:150] or fallback


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class Finding:
    """The verdict on one item: ``status`` is ``OK``, ``FAIL`` or ``WARN``."""

    status: str
    name: str
    detail: str

    @property
    def ok(self) -> bool:
        """True unless this is a failure (a warning does not fail the verification)."""
        return self.status != "FAIL"


@dataclass
class Report:
    """Findings of a verification, in the order they were made, and notes on trust."""

    title: str
    notes: list[str] = field(default_factory=list)
    #: Set when the trust anchors or the log key came from the archive itself.
    self_asserted: bool = False
    findings: list[Finding] = field(default_factory=list)

    def add(self, ok: bool, name: str, detail: str) -> Finding:
        """Record an OK or a FAIL."""
        finding = Finding("OK" if ok else "FAIL", name, detail)
        self.findings.append(finding)
        return finding

    def warn(self, name: str, detail: str) -> Finding:
        """Record a warning: worth a look, not a failure."""
        finding = Finding("WARN", name, detail)
        self.findings.append(finding)
        return finding

    @property
    def failures(self) -> list[Finding]:
        """The failed findings."""
        return [f for f in self.findings if not f.ok]

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures

    @property
    def exit_code(self) -> int:
        """0 when everything holds, 1 when anything failed."""
        return 0 if self.ok else 1

    def find(self, text: str) -> list[Finding]:
        """Findings whose name contains ``text`` (for tests and scripts)."""
        return [f for f in self.findings if text in f.name]

    def render(self) -> str:
        """The report as text: title, notes, one line per finding, the verdict."""
        lines = [self.title, *self.notes, ""]
        lines += [f"{f.status:<5} {f.name}: {f.detail}" for f in self.findings]
        failed = self.failures
        lines.append("")
        if failed:
            lines.append(f"VERDICT: FAILED, {len(failed)} of {len(self.findings)} checks failed:")
            lines += [f"  - {f.name}: {f.detail}" for f in failed]
        else:
            lines.append(f"VERDICT: OK, all {len(self.findings)} checks passed.")
            if self.self_asserted:
                lines.append(
                    "  (against the archive's own root and log key: compare their "
                    "fingerprints above with the published ones)"
                )
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- certificates


def fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate as ``AB:CD:...`` (``openssl x509 -fingerprint -sha256``)."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def load_certificates(data: bytes) -> list[ax509.Certificate]:
    """Certificates from PEM (one or more) or DER bytes (ValueError if there are none)."""
    if pem.detect(data):
        certs = [ax509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]
    else:
        certs = [ax509.Certificate.load(data)]
    for cert in certs:
        cert.subject.native  # noqa: B018 - parse now: a bad certificate fails here
    if not certs:
        raise ValueError("no certificate")
    return certs


def self_signed(cert: ax509.Certificate) -> bool:
    """Whether ``cert`` is its own issuer (a root)."""
    return bool(cert.subject == cert.issuer and cert.self_signed in ("maybe", "yes"))


def common_name(cert: ax509.Certificate) -> str:
    """The subject's common name, else the whole subject."""
    return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)


# ---------------------------------------------------------------- signed notes


class NoteError(ValueError):
    """A signed note or verifier key is malformed, or the signature does not verify."""


@dataclass(frozen=True)
class LogKey:
    """A journal's public key: its name (None for a bare PEM key) and raw Ed25519 bytes."""

    name: str | None
    raw: bytes

    @property
    def shown(self) -> str:
        """How to print it: the verifier key, or the base64 key when there is no name."""
        if self.name is None:
            return base64.b64encode(self.raw).decode()
        return vkey(self.name, self.raw)


def key_id(name: str, raw: bytes) -> bytes:
    """SHA-256(name || 0x0A || 0x01 || key)[:4], the signed-note key hash."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([_ALG_ED25519]) + raw).digest()[:4]


def vkey(name: str, raw: bytes) -> str:
    """``<name>+<hex key ID>+<base64(0x01 || key)>``."""
    encoded = base64.b64encode(bytes([_ALG_ED25519]) + raw).decode()
    return f"{name}+{key_id(name, raw).hex()}+{encoded}"


def parse_log_key(text: str) -> LogKey:
    """A verifier key (``name+hex+base64``) or an Ed25519 public key PEM."""
    text = text.strip()
    if "BEGIN PUBLIC KEY" in text:
        try:
            key = serialization.load_pem_public_key(text.encode())
        except ValueError as exc:
            raise NoteError("not a PEM public key") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise NoteError("not an Ed25519 public key")
        return LogKey(
            None, key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
    try:
        name, hex_id, encoded = text.split("+", 2)
        blob = base64.b64decode(encoded, validate=True)
        kid = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error) as exc:
        raise NoteError("not a verifier key <name>+<hex>+<base64>") from exc
    if not name or len(blob) != 33 or blob[0] != _ALG_ED25519 or len(kid) != 4:
        raise NoteError("not an Ed25519 verifier key")
    if key_id(name, blob[1:]) != kid:
        raise NoteError("the verifier key's key ID does not match its name and key")
    return LogKey(name, blob[1:])


def verify_checkpoint(note: str, key: LogKey) -> tuple[str, int, bytes]:
    """``(origin, size, root)`` of a checkpoint note signed by ``key`` (else NoteError)."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n") or len(note) > 64 * 1024:
        raise NoteError("a signed note is text, a blank line and signature lines")
    body, signatures = note[: split + 1], note[split + 2 :]
    public = Ed25519PublicKey.from_public_bytes(key.raw)
    checked = False
    for line in signatures[:-1].split("\n"):
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("a signature line starts with an em dash and a space")
        parts = line[len(_SIG_PREFIX) :].split(" ")
        if len(parts) != 2 or not parts[0]:
            raise NoteError("a signature line is '— <name> <base64 signature>'")
        signer, encoded = parts
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise NoteError("the signature is not base64") from exc
        if (key.name is not None and signer != key.name) or blob[:4] != key_id(signer, key.raw):
            continue  # another signer's line
        try:
            public.verify(blob[4:], body.encode())
        except InvalidSignature as exc:
            raise NoteError("the signature does not verify") from exc
        checked = True
    if not checked:
        raise NoteError("no signature by this key")
    lines = body.split("\n")
    if len(lines) < 4 or not lines[0] or not _DECIMAL.fullmatch(lines[1]):
        raise NoteError("not a checkpoint (origin, size, root hash)")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error as exc:
        raise NoteError("the root hash line is not base64") from exc
    if len(root) != 32 or base64.b64encode(root).decode() != lines[2]:
        raise NoteError("the root hash line is not a base64 SHA-256 hash")
    return lines[0], int(lines[1]), root


# ---------------------------------------------------------------- reading and writing ZIPs


def to_json(data: Any) -> bytes:
    """JSON as the archive writes it: UTF-8, sorted keys, indented, a final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


class ArchiveWriter:
    """A ZIP written member by member in a fixed order, each member hashed as written.

    Every member gets the same time (the export's, UTC) and mode 0644; text members are
    deflated, PDFs and evidence files stored as they are.
    """

    def __init__(self, path: Path, moment: dt.datetime) -> None:
        self.zip = zipfile.ZipFile(path, "w", allowZip64=True)
        t = moment.astimezone(dt.UTC)
        self.date_time = (t.year, t.month, t.day, t.hour, t.minute, t.second)
        #: ``{"path", "sha256", "size"}`` of every listed member, in order.
        self.members: list[dict[str, Any]] = []

    def _info(self, path: str, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return info

    def add(self, path: str, data: bytes, *, compress: bool = True, listed: bool = True) -> str:
        """Add a member; return its SHA-256 (``listed=False``: not in :attr:`members`)."""
        self.zip.writestr(self._info(path, compress), data)
        sha = hashlib.sha256(data).hexdigest()
        if listed:
            self.members.append({"path": path, "sha256": sha, "size": len(data)})
        return sha

    def add_file(self, path: str, source: Path, size: int) -> bool:
        """Copy a file in, in chunks, hashing what is written; False if it does not exist."""
        try:
            fh = source.open("rb")
        except FileNotFoundError:
            return False
        digest, written = hashlib.sha256(), 0
        info = self._info(path, compress=False)
        info.file_size = size
        with fh, self.zip.open(info, "w", force_zip64=size > 2**31) as out:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
                written += len(chunk)
                out.write(chunk)
        self.members.append({"path": path, "sha256": digest.hexdigest(), "size": written})
        return True

    def close(self) -> None:
        """Write the central directory."""
        self.zip.close()


class UnusableArchive(Exception):
    """The input is not a Tergeu case export at all (exit code 2)."""


class ArchiveReader:
    """Read access to the members of the ZIP, with CRC failures turned into None."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except FileNotFoundError as exc:
            raise UnusableArchive(f"{path}: no such file") from exc
        except (zipfile.BadZipFile, OSError) as exc:
            raise UnusableArchive(f"{path} is not a ZIP archive ({exc})") from exc
        names = self.zip.namelist()
        self.names = set(names)
        self.duplicates = sorted({n for n in names if names.count(n) > 1})

    def read(self, name: str) -> bytes | None:
        """The member's bytes; None if it is absent or fails its ZIP checksum."""
        if name not in self.names:
            return None
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            return None

    def sha256(self, name: str) -> str | None:
        """SHA-256 of a member, streamed; None if absent or unreadable."""
        if name not in self.names:
            return None
        digest = hashlib.sha256()
        try:
            with self.zip.open(name) as fh:
                for chunk in iter(lambda: fh.read(CHUNK), b""):
                    digest.update(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            return None
        return digest.hexdigest()


def read_manifest(archive: ArchiveReader) -> tuple[dict[str, Any], bytes]:
    """The manifest and its bytes; UnusableArchive unless this is an export we can read."""
    data = archive.read(MANIFEST)
    if data is None:
        raise UnusableArchive(
            f"the archive has no readable {MANIFEST}: it is not a Tergeu case export"
        )
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnusableArchive(f"{MANIFEST} is not JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise UnusableArchive(f"{MANIFEST} is not the manifest of a Tergeu case export")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise UnusableArchive(
            f"format version {version!r} is newer than this verifier ({VERSION}): "
            "verify with a newer Tergeu"
        )
    return manifest, data
