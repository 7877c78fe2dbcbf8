"""Offline verification of a case export (``tergeu verify ARCHIVE``): no database, no network.

Everything is checked from the archive alone, with :mod:`.merkle` (RFC 9162 proofs),
:func:`.export_format.verify_checkpoint` (the signed checkpoint) and pyHanko (PAdES and
CMS signatures, with a validation context built only from the archive's certificates and
CRLs, ``allow_fetching=False``). docs/export-format.md describes the format and each check.

Trust: an archive could be forged whole, with its own root certificate and its own log
key. The report therefore says whether the root and the log key were *given* by the
person verifying (``--root FILE``, ``--log-key VKEY``), or only *taken from the archive*,
and prints their fingerprints to compare with the ones the authority publishes.

Nothing here reads Django's settings or a database: ``tergeu verify ARCHIVE`` runs with
neither configured (the tests run it with ``DATABASE_URL`` pointing nowhere and a data
directory that does not exist, and check that none is created).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import cms, crl
from asn1crypto import x509 as ax509

from . import merkle, verify_pdfs
from .export_format import (
    CHECKPOINT,
    DOCUMENT_ACTIONS,
    EVENTS,
    FILE_ACTION,
    LOG_KEY,
    MANIFEST,
    MANIFEST_SIGNATURE,
    PROOFS,
    ArchiveReader,
    Finding,
    LogKey,
    NoteError,
    Report,
    UnusableArchive,
    common_name,
    fingerprint,
    load_certificates,
    parse_log_key,
    parse_time,
    read_manifest,
    self_signed,
    verify_checkpoint,
)

# ---------------------------------------------------------------- the checks


@dataclass
class _Event:
    seq: int
    action: str
    uid: str
    object_id: str
    data: dict[str, Any]
    proven: bool


class _Verifier:
    def __init__(
        self, archive: ArchiveReader, manifest: dict[str, Any], raw: bytes, report: Report
    ) -> None:
        self.archive, self.manifest, self.raw, self.report = archive, manifest, raw, report
        self.listed: dict[str, dict[str, Any]] = {}
        self.events: dict[int, _Event] = {}
        self.by_object: dict[str, list[_Event]] = {}
        self.context: Any = None
        self.context_args: verify_pdfs.ContextArgs = ([], [], [], dt.datetime.now(dt.UTC))

    # -- members

    def members(self) -> None:
        entries = self.manifest.get("members")
        if not isinstance(entries, list):
            self.report.add(False, "manifest", "it has no list of members")
            return
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                self.listed[entry["path"]] = entry
        own = {MANIFEST, MANIFEST_SIGNATURE}
        missing = sorted(p for p in self.listed if p not in self.archive.names)
        extra = sorted(self.archive.names - set(self.listed) - own)
        problems = []
        if missing:
            problems.append(f"missing: {', '.join(missing)}")
        if extra:
            problems.append(f"not listed (extra): {', '.join(extra)}")
        if self.archive.duplicates:
            problems.append(f"present twice: {', '.join(self.archive.duplicates)}")
        if problems:
            self.report.add(False, "manifest", "; ".join(problems))
        else:
            self.report.add(
                True, "manifest", f"{len(self.listed)} members listed, all present, none extra"
            )

    def member_hash(self, path: str) -> tuple[bool, str]:
        """Whether member ``path`` is present and matches the manifest's SHA-256, and why not."""
        expected = self.listed.get(path, {}).get("sha256")
        if path not in self.archive.names:
            return False, f"{path} is missing from the archive"
        actual = self.archive.sha256(path)
        if actual is None:
            return False, f"{path} is damaged (its ZIP checksum fails: changed inside the ZIP)"
        if expected is None:
            return False, f"{path} is not listed in the manifest"
        if actual != expected:
            return False, f"{path} differs from the manifest (SHA-256 {actual}, listed {expected})"
        return True, ""

    def check_plain_members(self) -> None:
        covered = {d.get("path") for d in self._list("documents")}
        covered |= {f.get("path") for i in self._list("evidence") for f in _files(i)}
        certificates = 0
        for path in sorted(self.listed):
            if path in covered:
                continue
            ok, why = self.member_hash(path)
            if ok and path.startswith("pki/"):
                certificates += 1  # one line for all of them
            else:
                self.report.add(ok, f"member {path}", "SHA-256 matches the manifest" if ok else why)
        if certificates:
            self.report.add(
                True, "members pki/", f"{certificates} certificates and CRLs match the manifest"
            )

    def _list(self, key: str) -> list[dict[str, Any]]:
        value = self.manifest.get(key)
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    # -- trust

    def trust(self, trusted_root: bytes | None) -> None:
        archive_certs: list[tuple[str, ax509.Certificate]] = []
        crls: list[bytes] = []
        for entry in self._list("pki"):
            path = entry.get("path")
            data = self.archive.read(path) if isinstance(path, str) else None
            if data is None:
                continue
            try:
                if entry.get("kind") == "crl":
                    crl.CertificateList.load(data)["tbs_cert_list"]["issuer"].native  # noqa: B018
                    crls.append(data)
                else:
                    cert = ax509.Certificate.load(data)
                    cert.subject.native  # noqa: B018 - parse now: a broken one fails here
                    archive_certs.append((str(path), cert))
            except (ValueError, TypeError, KeyError):
                self.report.add(False, f"member {path}", "not a DER certificate or CRL")
        archive_roots = [c for _p, c in archive_certs if self_signed(c)]
        if trusted_root is not None:
            try:
                roots = load_certificates(trusted_root)
            except ValueError as exc:
                raise UnusableArchive(f"--root: not a PEM or DER certificate ({exc})") from exc
            self.report.notes.append("Trust anchors: GIVEN by you (--root):")
            for cert in roots:
                same = any(cert.dump() == r.dump() for r in archive_roots)
                self.report.notes.append(
                    f"  {common_name(cert)}  SHA-256 {fingerprint(cert.dump())}"
                    + ("" if same else "  (the archive carries a different root)")
                )
        else:
            roots = archive_roots
            self.report.self_asserted = True
            self.report.notes.append(
                "Trust anchors: SELF-ASSERTED (taken from the archive; give --root FILE to "
                "check against a root you trust). Compare the fingerprint with the one "
                "published by the certification authority:"
            )
            for cert in roots:
                self.report.notes.append(
                    f"  {common_name(cert)}  SHA-256 {fingerprint(cert.dump())}"
                )
        moment = parse_time(self.manifest.get("exported_at")) or dt.datetime.now(dt.UTC)
        others = [c.dump() for _p, c in archive_certs if not self_signed(c)]
        self.context_args = ([c.dump() for c in roots], others, crls, moment)
        self.context = verify_pdfs.build_context(*self.context_args)

    # -- manifest signature

    def manifest_signature(self) -> None:
        from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
        from pyhanko.sign.validation.settings import KeyUsageConstraints

        name = "manifest signature"
        data = self.archive.read(MANIFEST_SIGNATURE)
        if data is None:
            self.report.add(False, name, f"{MANIFEST_SIGNATURE} is missing or damaged")
            return
        try:
            info = cms.ContentInfo.load(data)
            signed_data = info["content"]
            status = asyncio.run(
                async_validate_detached_cms(
                    self.raw,
                    signed_data,
                    signer_validation_context=self.context,
                    key_usage_settings=KeyUsageConstraints(key_usage={"non_repudiation"}),
                )
            )
        except Exception as exc:  # a malformed signature is a failure, not a crash
            self.report.add(False, name, f"cannot be checked ({type(exc).__name__}: {exc})")
            return
        signer = common_name(status.signing_cert)
        ts = status.timestamp_validity
        problems = []
        if not status.intact:
            problems.append("the manifest was changed after it was signed")
        elif not status.valid:
            problems.append("the signature does not verify")
        elif not status.trusted:
            problems.append("the signer's certificate does not chain to a trust anchor")
        if ts is None:
            problems.append("no timestamp")
        elif not (ts.intact and ts.valid and ts.trusted):
            problems.append("the timestamp does not verify")
        when = f", timestamp {ts.timestamp:%Y-%m-%d %H:%M:%S} UTC" if ts is not None else ""
        detail = "; ".join(problems) if problems else "valid, trusted, timestamped"
        self.report.add(not problems, name, f"signed by {signer}{when}: {detail}")

    # -- checkpoint and events

    def checkpoint(self, log_key: str | None) -> tuple[int, bytes] | None:
        journal = _section(self.manifest, "journal")
        archive_key = (self.archive.read(LOG_KEY) or b"").decode("utf-8", "replace").strip()
        key: LogKey | None = None
        if log_key:
            try:
                key = parse_log_key(log_key)
            except NoteError as exc:
                raise UnusableArchive(f"--log-key: {exc}") from exc
            same = "" if archive_key == key.shown else "  (the archive carries a different key)"
            self.report.notes.append(f"Log key: GIVEN by you (--log-key): {key.shown}{same}")
        else:
            self.report.self_asserted = True
            self.report.notes.append(
                "Log key: SELF-ASSERTED (taken from the archive; give --log-key VKEY to check "
                "against the key the journal's operator publishes). Compare it:"
            )
            self.report.notes.append(f"  {archive_key or '(none in the archive)'}")
            try:
                key = parse_log_key(archive_key)
            except NoteError as exc:
                self.report.add(False, "checkpoint", f"the archive's {LOG_KEY} is unusable: {exc}")
                return None
        note = (self.archive.read(CHECKPOINT) or b"").decode("utf-8", "replace")
        try:
            origin, size, root = verify_checkpoint(note, key)
        except NoteError as exc:
            self.report.add(False, "checkpoint", f"its signature does not verify: {exc}")
            return None
        problems = []
        if journal.get("tree_size") != size:
            problems.append(f"the manifest says size {journal.get('tree_size')}")
        if journal.get("root") != base64.b64encode(root).decode():
            problems.append("the manifest names another root")
        detail = f"size {size}, root {base64.b64encode(root).decode()}, signed by {origin}"
        if problems:
            self.report.add(False, "checkpoint", f"{detail}, but {'; '.join(problems)}")
        else:
            self.report.add(True, "checkpoint", f"{detail}: signature valid")
        return size, root

    def events_and_proofs(self, head: tuple[int, bytes] | None) -> None:
        case_id = str(_section(self.manifest, "case").get("id"))
        try:
            proofs_doc = json.loads(self.archive.read(PROOFS) or b"null")
            proofs = {int(p["seq"]): p for p in proofs_doc["proofs"]}
            proof_size = int(proofs_doc["tree_size"])
        except (ValueError, TypeError, KeyError) as exc:
            self.report.add(False, "proofs", f"proofs.json is missing or malformed ({exc})")
            proofs, proof_size = {}, -1
        if head is not None and proof_size not in (-1, head[0]):
            self.report.add(
                False, "proofs", f"they are for size {proof_size}, the checkpoint for {head[0]}"
            )
        lines = (self.archive.read(EVENTS) or b"").split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for number, line in enumerate(lines, start=1):
            self._event(number, line, proofs, head, case_id)
        expected = _section(self.manifest, "journal").get("event_count")
        if expected != len(lines):
            self.report.add(
                False, "events", f"events.jsonl has {len(lines)} events, the manifest {expected}"
            )
        for seq in sorted(set(proofs) - set(self.events)):
            self.report.add(False, f"event #{seq}", "it has a proof but is not in events.jsonl")

    def _event(
        self,
        number: int,
        line: bytes,
        proofs: dict[int, Any],
        head: tuple[int, bytes] | None,
        case_id: str,
    ) -> None:
        try:
            leaf = json.loads(line)
            seq, action = int(leaf["seq"]), str(leaf["action"])
            payload = str(leaf["payload"])
            data = json.loads(payload).get("data") or {}
        except (ValueError, TypeError, KeyError, AttributeError):
            self.report.add(False, f"event on line {number}", "not a journal leaf (malformed JSON)")
            return
        name = f"event #{seq} {action}"
        problems = []
        if hashlib.sha256(payload.encode()).hexdigest() != leaf.get("payload_sha256"):
            problems.append("its payload does not match its payload_sha256")
        if leaf.get("case_id") != case_id:
            problems.append("it belongs to another case")
        proof = proofs.get(seq)
        where = ""
        if head is None:
            problems.append("no verified checkpoint to prove it against")
        elif proof is None:
            problems.append("it has no inclusion proof")
        else:
            try:
                index = int(proof["leaf_index"])
                path = [base64.b64decode(h, validate=True) for h in proof["hashes"]]
                merkle.verify_inclusion(merkle.leaf_hash(line), index, head[0], path, head[1])
                where = f"included at leaf {index} of {head[0]}"
            except (merkle.ProofError, ValueError, TypeError, KeyError, binascii.Error) as exc:
                problems.append(
                    f"its inclusion proof fails ({exc}): the event or proof was changed"
                )
        if seq in self.events:
            problems.append("it appears twice")
        event = self.events[seq] = _Event(
            seq=seq,
            action=action,
            uid=str(leaf.get("uid")),
            object_id=str(leaf.get("object_id")),
            data=data if isinstance(data, dict) else {},
            proven=not problems,
        )
        self.by_object.setdefault(event.object_id, []).append(event)
        self.report.add(not problems, name, "; ".join(problems) if problems else where)

    # -- documents and evidence

    def _recorded(self, object_id: Any, match: Any) -> tuple[_Event | None, _Event | None]:
        """The first proven event of ``object_id`` that ``match`` accepts, and an unproven one."""
        proven = unproven = None
        for event in self.by_object.get(str(object_id), []):
            if match(event):
                if event.proven and proven is None:
                    proven = event
                elif not event.proven and unproven is None:
                    unproven = event
        return proven, unproven

    def _verdicts(self, names: list[str]) -> dict[str, list[Any] | None]:
        """Verdicts on the signatures of the PDFs ``names`` (in parallel when there are many)."""
        from .signing import verify_with

        found = verify_pdfs.in_parallel(self.archive.path, names, self.context_args)
        if found is None:
            found = []
            for name in names:
                data = self.archive.read(name)
                found.append(verify_with(data, self.context) if data is not None else None)
        return dict(zip(names, found, strict=True))

    def documents(self) -> None:
        entries = self._list("documents")
        paths = [d.get("path") for d in entries]
        present = [p for p in paths if isinstance(p, str) and p in self.archive.names]
        verdicts_of = self._verdicts(list(dict.fromkeys(present)))
        for doc in entries:
            name = f"document No. {doc.get('number')} {doc.get('type')} ({doc.get('path')})"
            problems: list[str] = []
            sha, path = doc.get("sha256"), doc.get("path")
            pdf = self.archive.read(path) if isinstance(path, str) else None
            if doc.get("stored") is False:
                problems.append("its signed PDF was missing from the store at export")
            elif pdf is None:
                problems.append(f"{path} is missing from the archive or damaged")
            else:
                actual = hashlib.sha256(pdf).hexdigest()
                if actual != sha:
                    problems.append(f"the PDF differs from the recorded one (SHA-256 {actual})")
                elif self.listed.get(str(path), {}).get("sha256") != sha:
                    problems.append("the manifest's member list names another SHA-256")
            found, unproven = self._recorded(
                doc.get("document_id"),
                lambda e, d=doc: (
                    e.action in DOCUMENT_ACTIONS
                    and e.object_id == d.get("document_id")
                    and e.data.get("pdf_sha256") == d.get("sha256")
                ),
            )
            if found is None:
                problems.append(
                    f"the journal event #{unproven.seq} that records its SHA-256 is not proven"
                    if unproven
                    else "no journal event records its SHA-256"
                )
            elif found.data.get("content_sha256") != doc.get("content_sha256"):
                problems.append("its content hash differs from the one the journal recorded")
            signed = ""
            verdicts = verdicts_of.get(str(path))
            if pdf is not None and verdicts is not None:
                bad = [f"{v.field or 'PDF'}: {', '.join(v.problems)}" for v in verdicts if not v.ok]
                if bad:
                    problems.append("signatures: " + "; ".join(bad))
                expected = [s.get("field") for s in doc.get("signatures") or []]
                if [v.field for v in verdicts] != expected and not bad:
                    problems.append(f"it carries signatures {[v.field for v in verdicts]}")
                signed = ", ".join(f"{v.field} by {v.signer}" for v in verdicts)
            if problems:
                self.report.add(False, name, "; ".join(problems))
            else:
                self.report.add(
                    True,
                    name,
                    f"{len(expected)} signatures valid, trusted, timestamped ({signed}); "
                    f"SHA-256 matches the manifest and event #{found.seq} {found.action}",  # type: ignore[union-attr]
                )

    def evidence(self) -> None:
        for item in self._list("evidence"):
            for entry in _files(item):
                self._evidence_file(item, entry)

    def _evidence_file(self, item: dict[str, Any], entry: dict[str, Any]) -> None:
        name = f"evidence item No. {item.get('number')} file {entry.get('name')}"
        problems: list[str] = []
        sha, path = entry.get("sha256"), entry.get("path")
        found, unproven = self._recorded(
            entry.get("file_id"),
            lambda e: (
                e.action == FILE_ACTION
                and e.uid == entry.get("event_uid")
                and e.data.get("sha256") == sha
            ),
        )
        if found is None:
            problems.append(
                f"the journal event #{unproven.seq} that records its SHA-256 is not proven"
                if unproven
                else "no journal event records its SHA-256"
            )
        if path is None:
            held = "hash only (the file is not in the archive)"
        elif entry.get("stored") is False:
            problems.append("it was missing from the store at export")
            held = ""
        else:
            actual = self.archive.sha256(str(path))
            held = f"{path}"
            if actual is None:
                problems.append(f"{path} is missing from the archive or damaged")
            elif actual != sha:
                problems.append(f"the file differs from the recorded one (SHA-256 {actual})")
            elif self.listed.get(str(path), {}).get("sha256") != sha:
                problems.append("the manifest's member list names another SHA-256")
        if problems:
            self.report.add(False, name, "; ".join(problems))
        else:
            self.report.add(
                True,
                name,
                f"{held}: SHA-256 matches the manifest and event #{found.seq} {found.action}",  # type: ignore[union-attr]
            )


def _files(item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    files = item.get("files")
    if isinstance(files, list):
        yield from (f for f in files if isinstance(f, dict))


def _section(manifest: dict[str, Any], key: str) -> dict[str, Any]:
    value = manifest.get(key)
    return value if isinstance(value, dict) else {}


def _title(path: Path, manifest: dict[str, Any]) -> str:
    case, by = _section(manifest, "case"), _section(manifest, "exported_by")
    return (
        f"Tergeu case export {path.name}: case {case.get('erdr_number')}, format "
        f"{manifest.get('version')}, exported {manifest.get('exported_at')} by {by.get('name')}"
        + (f" ({by['organisation']})" if by.get("organisation") else "")
    )


def verify_archive(
    path: Path | str, *, trusted_root: bytes | None = None, log_key: str | None = None
) -> Report:
    """Check an exported case archive offline; the :class:`Report` has a verdict per item.

    ``trusted_root``: PEM (one or more) or DER certificates to use as the only trust
    anchors; without it the archive's own roots are used and the report says so.
    ``log_key``: the journal's verifier key (``name+hex+base64``) or Ed25519 public key
    PEM; without it the archive's ``log-key.vkey`` is used and the report says so.
    Raises :class:`UnusableArchive` when the input is not an export at all.
    """
    path = Path(path)
    archive = ArchiveReader(path)
    manifest, raw = read_manifest(archive)
    report = Report(title=_title(path, manifest))
    v = _Verifier(archive, manifest, raw, report)
    v.members()
    v.trust(trusted_root)
    v.manifest_signature()
    v.check_plain_members()
    head = v.checkpoint(log_key)
    v.events_and_proofs(head)
    v.documents()
    v.evidence()
    return report


def _log_key_argument(value: str) -> str:
    """``--log-key``: a file holding the key (vkey or PEM), or the verifier key itself."""
    try:
        candidate = Path(value)
        if candidate.is_file():
            return candidate.read_text()
    except OSError:
        pass
    return value


def command(archive: str | None, *, root: str | None, log_key: str | None) -> int:
    """``tergeu verify ARCHIVE``: print the report; exit 0 (all OK), 1 (a failure), 2 (unusable)."""
    import sys

    if not archive:
        print("tergeu verify: give an ARCHIVE to check, or --database", file=sys.stderr)
        return 2
    try:
        trusted = Path(root).read_bytes() if root else None
        key = _log_key_argument(log_key) if log_key else None
        report = verify_archive(archive, trusted_root=trusted, log_key=key)
    except UnusableArchive as exc:
        print(f"tergeu verify: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tergeu verify: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    sys.stdout.write(report.render())
    return report.exit_code


__all__ = [
    "Finding",
    "Report",
    "UnusableArchive",
    "command",
    "verify_archive",
]
