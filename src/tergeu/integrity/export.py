"""Verifiable export of a case: one ZIP that anyone can check offline (docs/export-format.md).

:func:`export_case` writes the signed PDFs of the case's final documents, its evidence
files (or only their hashes), every journal event of the case as its exact leaf bytes,
an RFC 9162 inclusion proof of each event against a signed checkpoint, the checkpoint and
the log's public key, the certificates and fresh CRLs of the PKI, and a manifest that
lists every member with its SHA-256, signed by the exporting official (detached CMS with
an RFC 3161 timestamp). :mod:`.verify_archive` checks all of it without a database.

Who may export: the case team (investigator, team, head of unit), the supervising
prosecutor and the court, i.e. whoever holds :data:`EXPORT_PERMS` on the case. A
defender, expert or registrar sees parts of the file, not the whole of it (CPC art. 68,
295: the defence studies the complete file when the investigation ends, through the
familiarisation procedure), so they are refused, and the refusal is journaled.

The work is done in three steps so that no database lock is held while the archive is
written (evidence files may be large): a short transaction checks the right and reads
what the archive will hold; the journal is integrated and a checkpoint signed; the
archive is written; a last short transaction journals ``case.exported`` with the
archive's SHA-256. The events are those of the case in the checkpoint, so the export's own
event is not in its archive (it is in the next one).

This module sits above ``cases``, ``documents`` and ``evidence`` (it reads them; the last
two lazily); nothing below it imports it. The format's constants and the ZIP writer are in
:mod:`.export_format`, which has no Django, so that the offline verifier needs none.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from tergeu.cases.access import Perm, get_case, perms_of
from tergeu.cases.models import Case
from tergeu.core import blobs, clock
from tergeu.core.errors import AccessDenied, Conflict, ValidationFailed

from . import checkpoints, merkle, signing, tree, verify_pdfs
from .export_format import (
    CHECKPOINT,
    EVENTS,
    FORMAT,
    LOG_KEY,
    MANIFEST,
    MANIFEST_SIGNATURE,
    PROOFS,
    VERSION,
    ArchiveWriter,
    safe_name,
    to_json,
    utc,
)
from .journal import deny, record, service
from .models import Event

logger = logging.getLogger("tergeu.integrity")

#: Whoever holds one of these on the case may export it (see the module's docstring).
EXPORT_PERMS = frozenset({Perm.WORK, Perm.SUPERVISE, Perm.ADJUDICATE})
#: Inclusion proofs computed per database read (the stored nodes of this many proofs).
_PROOF_BATCH = 8

NOT_ENTITLED = _(
    "Only the case team, the supervising prosecutor and the court may export the whole case file."
)

CANNOT_SIGN = _(
    "The export is signed by the person who makes it, and you cannot sign: %(reason)s "
    "Ask an administrator to complete your account."
)


def may_export(user: Any, case: Case) -> bool:
    """Whether ``user`` may export ``case`` (for the button; the service checks again)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(perms_of(user, case) & EXPORT_PERMS)


@service
def authorise_export(user: Any, case_key: uuid.UUID | str) -> Case:
    """The case, if ``user`` may export it; else NotFound/AccessDenied (journaled)."""
    case = get_case(user, case_key, Perm.VIEW)
    if not perms_of(user, case) & EXPORT_PERMS:
        raise deny(AccessDenied(NOT_ENTITLED), user, "case.export", case.pk, "grant lacks export")
    return case


# ---------------------------------------------------------------- what the archive holds


@dataclass
class _Entry:
    """A document or evidence file: its manifest entry and the blob it comes from."""

    entry: dict[str, Any]
    sha256: str


@dataclass
class _Snapshot:
    """What was read from the database for one export."""

    case: Case
    exported_at: dt.datetime
    include_files: bool
    documents: list[_Entry] = field(default_factory=list)
    files: list[_Entry] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)


def _case_card(case: Case) -> dict[str, Any]:
    org = case.organisation
    return {
        "id": str(case.pk),
        "erdr_number": case.erdr_number,
        "registered_at": utc(case.registered_at),
        "organisation": {"code": org.code, "name_kk": org.name_kk, "name_ru": org.name_ru},
        "qualification": case.qualification,
        "article": case.article.number,
        "part": case.part.number if case.part_id else None,  # type: ignore[union-attr]
        "paragraph": case.paragraph,
        "offence_at": utc(case.offence_at),
        "address": case.address,
        "fabula": case.fabula,
        "stage": case.stage,
        "form": case.form,
        "electronic": case.electronic,
        "investigator": str(case.investigator) if case.investigator_id else None,
        "prosecutor": str(case.prosecutor) if case.prosecutor_id else None,
    }


def _read_documents(case: Case) -> list[_Entry]:
    from tergeu.documents.models import DocStatus, Document, DocumentSignature

    docs = list(
        Document.objects.filter(case=case, status=DocStatus.FINAL)
        .select_related("supersedes", "author")
        .order_by("number")
    )
    rows: dict[uuid.UUID, list[Any]] = {}
    for row in (
        DocumentSignature.objects.filter(case=case).select_related("signer").order_by("sequence")
    ):
        rows.setdefault(row.document_id, []).append(row)
    found = []
    for doc in docs:
        signatures = rows.get(doc.pk, [])
        sha = signatures[-1].pdf_sha256 if signatures else doc.pdf_sha256
        if not sha:
            continue  # finalised before documents were signed: there is no PDF to export
        found.append(
            _Entry(
                sha256=sha,
                entry={
                    "document_id": str(doc.pk),
                    "number": doc.number,
                    "type": doc.doc_type,
                    "title": doc.title,
                    "language": doc.language,
                    "finalised_at": utc(doc.finalised_at),
                    "content_sha256": doc.content_sha256,
                    "supersedes": doc.supersedes.number if doc.supersedes_id else None,  # type: ignore[union-attr]
                    "path": f"documents/{doc.number:03d}-{safe_name(doc.doc_type)}.pdf",
                    "sha256": sha,
                    "signatures": [
                        {
                            "sequence": s.sequence,
                            "role": s.role,
                            "field": s.field_name,
                            "signer": str(s.signer),
                            "certificate_serial": s.certificate_serial,
                            "signed_at": utc(s.signed_at),
                            "pdf_sha256": s.pdf_sha256,
                        }
                        for s in signatures
                    ],
                },
            )
        )
    return found


def _read_evidence(case: Case, include_files: bool) -> tuple[list[dict[str, Any]], list[_Entry]]:
    from tergeu.evidence.models import EvidenceFile, EvidenceItem

    items = list(EvidenceItem.objects.filter(case=case).order_by("number"))
    by_item: dict[uuid.UUID, list[Any]] = {}
    for row in EvidenceFile.objects.filter(case=case).order_by("uploaded_at", "id"):
        by_item.setdefault(row.item_id, []).append(row)
    entries, files = [], []
    for item in items:
        listed = []
        for k, row in enumerate(by_item.get(item.pk, []), start=1):
            path = f"evidence/{item.number:03d}/{k:02d}-{safe_name(row.name)}"
            entry = {
                "file_id": str(row.id),
                "name": row.name,
                "sha256": row.sha256,
                "size": row.size,
                "content_type": row.content_type,
                "uploaded_at": utc(row.uploaded_at),
                "event_uid": str(row.journal_event_uid),
                "path": path if include_files else None,
            }
            listed.append(entry)
            files.append(_Entry(entry=entry, sha256=row.sha256))
        entries.append(
            {
                "item_id": str(item.pk),
                "number": item.number,
                "kind": item.kind,
                "description": item.description,
                "status": item.status,
                "seized_at": utc(item.seized_at),
                "seized_where": item.seized_where,
                "files": listed,
            }
        )
    return entries, files


@service
def _snapshot(user: Any, case_key: uuid.UUID | str, include_files: bool) -> _Snapshot:
    """Check the right and read the documents and evidence, in one transaction."""
    case = authorise_export(user, case_key)
    case = Case.objects.select_related(
        "organisation", "article", "part", "investigator", "prosecutor"
    ).get(pk=case.pk)
    snap = _Snapshot(case=case, exported_at=clock.now(), include_files=include_files)
    snap.documents = _read_documents(case)
    snap.evidence, snap.files = _read_evidence(case, include_files)
    return snap


# ---------------------------------------------------------------- the journal's part


def _proofs(indexes: list[int], size: int) -> list[list[bytes]]:
    """Inclusion proofs of leaves ``indexes`` in the tree of ``size``, few reads for many."""
    paths: list[list[bytes]] = []
    for start in range(0, len(indexes), _PROOF_BATCH):
        chunk = indexes[start : start + _PROOF_BATCH]
        wanted: list[tuple[int, int]] = []
        for index in chunk:
            wanted += merkle.nodes_for(_path_builder(index, size))
        found = tree.read_nodes(list(dict.fromkeys(wanted)))
        paths += [merkle.inclusion_proof(i, size, _reader(found)) for i in chunk]
    return paths


def _path_builder(index: int, size: int) -> Callable[[merkle.GetNode], list[bytes]]:
    return lambda get_node: merkle.inclusion_proof(index, size, get_node)


def _reader(found: dict[tuple[int, int], bytes]) -> merkle.GetNode:
    return lambda level, index: found[(level, index)]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _journal_members(case: Case) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The checkpoint, log key, events and proofs; the journal section of the manifest."""
    checkpoint = checkpoints.issue_checkpoint()
    size, root = checkpoint.size, bytes(checkpoint.root_hash)
    events = list(
        Event.objects.filter(case_id=case.pk, leaf__index__lt=size)
        .select_related("leaf")
        .order_by("seq")
    )
    leaves = [tree.event_leaf_bytes(e) for e in events]
    indexes = [e.leaf.index for e in events]
    paths = _proofs(indexes, size)
    bad = 0
    for leaf, index, path in zip(leaves, indexes, paths, strict=True):
        try:
            merkle.verify_inclusion(merkle.leaf_hash(leaf), index, size, path, root)
        except merkle.ProofError:
            bad += 1
    if bad:
        logger.critical(
            "Export of case %s: %d events do not match the signed tree; the archive will "
            "fail verification. Run `tergeu verify --database`.",
            case.erdr_number,
            bad,
        )
    proofs = {
        "tree_size": size,
        "root": _b64(root),
        "proofs": [
            {"seq": e.seq, "leaf_index": i, "hashes": [_b64(h) for h in p]}
            for e, i, p in zip(events, indexes, paths, strict=True)
        ],
    }
    members = {
        CHECKPOINT: checkpoint.note.encode(),
        LOG_KEY: (checkpoints.vkey() + "\n").encode(),
        EVENTS: b"".join(leaf + b"\n" for leaf in leaves),
        PROOFS: to_json(proofs),
    }
    section = {
        "origin": checkpoint.origin,
        "tree_size": size,
        "root": _b64(root),
        "checkpoint": CHECKPOINT,
        "log_key": LOG_KEY,
        "events": EVENTS,
        "proofs": PROOFS,
        "event_count": len(events),
    }
    return section, members


def _pki_members(moment: dt.datetime) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """Certificates of every CA, trusted root and TSA, and a fresh CRL of every CA we run."""
    from cryptography import x509

    from .pki.authority import make_crl
    from .pki.models import Certificate, CertificateAuthority, Purpose, TrustedRoot

    listed: list[dict[str, Any]] = []
    members: dict[str, bytes] = {}

    def add(path: str, kind: str, der: bytes, subject: str) -> None:
        members[path] = der
        listed.append({"path": path, "kind": kind, "subject": subject})

    for ca in CertificateAuthority.objects.order_by("name"):
        cert = x509.load_der_x509_certificate(bytes(ca.der))
        kind = "root" if cert.issuer == cert.subject else "ca"
        add(f"pki/ca/{ca.name}.crt", kind, bytes(ca.der), ca.subject)
    for root in TrustedRoot.objects.order_by("name"):
        add(f"pki/roots/{root.name}.crt", "root", bytes(root.der), root.subject)
    for tsa in Certificate.objects.filter(purpose=Purpose.TIMESTAMPING).order_by("serial"):
        add(f"pki/tsa/{tsa.serial}.crt", "tsa", bytes(tsa.der), tsa.subject)
    for ca in CertificateAuthority.objects.exclude(key_ref="").order_by("name"):
        add(f"pki/crl/{ca.name}.crl", "crl", make_crl(ca, moment), ca.subject)
    return listed, members


# ---------------------------------------------------------------- writing the ZIP


def _exporter(user: Any) -> dict[str, Any]:
    org = getattr(user, "organisation", None)
    return {
        "username": user.get_username(),
        "name": str(user),
        "organisation": org.name_ru if org is not None else None,
    }


def _write(snap: _Snapshot, user: Any, path: Path) -> tuple[dict[str, Any], bytes]:
    """Write the archive to ``path``; return the manifest and its bytes."""
    from .pki import services as pki

    moment = snap.exported_at
    verify_pdfs.install_fast_hex_strings()  # (done on import; said here for the reader)
    verdict_context = pki.validation_context(at=moment)
    journal_section, journal_members = _journal_members(snap.case)
    pki_listed, pki_members = _pki_members(moment)
    writer = ArchiveWriter(path, moment)
    try:
        for name, data in journal_members.items():
            writer.add(name, data)
        for name in sorted(pki_members):
            writer.add(name, pki_members[name])
        for doc in snap.documents:
            try:
                pdf = blobs.read_bytes(doc.sha256)
            except FileNotFoundError:
                doc.entry["stored"] = False
                doc.entry["verdict_at_export"] = []
                continue
            doc.entry["stored"] = True
            doc.entry["verdict_at_export"] = [
                {
                    "field": v.field,
                    "signer": v.signer,
                    "serial": v.serial,
                    "ok": v.ok,
                    "problems": list(v.problems),
                    "timestamp": utc(v.timestamp),
                }
                for v in signing.verify_with(pdf, verdict_context)
            ]
            writer.add(doc.entry["path"], pdf, compress=False)
        for f in snap.files:
            if f.entry["path"] is not None:
                source = blobs.path_of(f.sha256)
                f.entry["stored"] = writer.add_file(f.entry["path"], source, f.entry["size"])
        for entry in pki_listed:
            entry["sha256"] = hashlib.sha256(pki_members[entry["path"]]).hexdigest()
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": utc(moment),
            "exported_by": _exporter(user),
            "files_included": snap.include_files,
            "case": _case_card(snap.case),
            "journal": journal_section,
            "documents": [d.entry for d in snap.documents],
            "evidence": snap.evidence,
            "pki": pki_listed,
            "members": writer.members,
        }
        manifest_bytes = to_json(manifest)
        writer.add(MANIFEST, manifest_bytes, listed=False)
        signature = pki.sign_detached(user, manifest_bytes)
        writer.add(MANIFEST_SIGNATURE, signature, compress=False, listed=False)
    finally:
        writer.close()
    return manifest, manifest_bytes


@service
def _record_export(
    user: Any, case_id: uuid.UUID, manifest: dict[str, Any], manifest_sha256: str, path: Path
) -> None:
    case = authorise_export(user, case_id)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(blobs.CHUNK), b""):
            digest.update(chunk)
    record(
        "case.exported",
        actor=user,
        case_id=case.pk,
        obj=case,
        data={
            "archive_sha256": digest.hexdigest(),
            "archive_size": path.stat().st_size,
            "manifest_sha256": manifest_sha256,
            "format_version": VERSION,
            "tree_size": manifest["journal"]["tree_size"],
            "events": manifest["journal"]["event_count"],
            "documents": len(manifest["documents"]),
            "evidence_files": sum(len(i["files"]) for i in manifest["evidence"]),
            "files_included": manifest["files_included"],
        },
    )


def _ready_to_sign(user: Any) -> None:
    """Make sure the user holds a signing certificate (issued now if needed) before the work."""
    from .pki import services as pki

    try:
        pki.enrol(user)
    except ValidationFailed as exc:
        reasons = "; ".join(t for texts in exc.field_texts().values() for t in texts)
        raise Conflict(CANNOT_SIGN, reason=reasons) from exc


def default_name(case: Case, moment: dt.datetime | None = None) -> str:
    """``case-<ERDR number>-<UTC time>.zip``."""
    stamp = (moment or clock.now()).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"case-{case.erdr_number}-{stamp}.zip"


def export_case(
    user: Any,
    case_key: uuid.UUID | str,
    *,
    include_files: bool = True,
    output: Path | str | None = None,
) -> Path:
    """Write the verifiable archive of a case and return its path (journaled ``case.exported``).

    ``output`` is the file to write (replaced atomically if it exists); without it the
    archive goes to a new temporary file, which the caller removes. ``include_files=False``
    puts only the names and SHA-256 of the evidence files in the manifest. Raises
    NotFound/AccessDenied (journaled) unless the user may export the case, and Conflict if
    the user cannot sign the manifest (no signing certificate can be issued).
    """
    snap = _snapshot(user, case_key, include_files)
    _ready_to_sign(user)
    if output is None:
        fd, name = tempfile.mkstemp(prefix=f"case-{snap.case.erdr_number}-", suffix=".zip")
        os.close(fd)
        target = Path(name)
    else:
        target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    partial_path = Path(partial)
    try:
        manifest, manifest_bytes = _write(snap, user, partial_path)
        _record_export(
            user,
            snap.case.pk,
            manifest,
            hashlib.sha256(manifest_bytes).hexdigest(),
            partial_path,
        )
        partial_path.chmod(0o644)
        os.replace(partial_path, target)
    except BaseException:
        partial_path.unlink(missing_ok=True)
        if output is None:
            target.unlink(missing_ok=True)
        raise
    return target


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of a file, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(blobs.CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def command(
    erdr_number: str, *, output: str | None, username: str | None, include_files: bool
) -> int:
    """``tergeu export-case``: export as ``username`` (default: the case's investigator)."""
    import sys

    from django.contrib.auth import get_user_model
    from django.utils import translation

    from tergeu.core.errors import ServiceError

    case = Case.objects.filter(erdr_number=erdr_number).select_related("investigator").first()
    if case is None:
        print(f"tergeu export-case: no case with ERDR number {erdr_number}", file=sys.stderr)
        return 1
    user = (
        get_user_model().objects.filter(username=username).first()
        if username
        else case.investigator
    )
    if user is None:
        who = f"no user {username}" if username else "the case has no investigator"
        print(
            f"tergeu export-case: {who}; name a member of the case team with --as", file=sys.stderr
        )
        return 1
    target = Path(output) if output else Path.cwd() / default_name(case)
    with translation.override("en"):
        try:
            path = export_case(user, case.pk, include_files=include_files, output=target)
        except ServiceError as exc:
            print(f"tergeu export-case: refused: {exc.text()}", file=sys.stderr)
            return 1
    print(path)
    print(f"SHA-256 {sha256_file(path)}")
    return 0


__all__ = [
    "EXPORT_PERMS",
    "authorise_export",
    "command",
    "default_name",
    "export_case",
    "may_export",
    "sha256_file",
]
