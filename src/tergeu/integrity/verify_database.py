"""Tamper detection in the database (``tergeu verify --database``): re-derive and compare.

What is checked, and what a mismatch means:

- **Events against their leaves.** Every leaf's hash is re-derived from its event's stored
  columns (:func:`.tree.event_leaf_bytes`): a difference means the event (or the leaf) was
  changed; a leaf whose event is gone means the event was deleted; a missing leaf index
  means a leaf was deleted. Gaps in the events' ``seq`` are warnings (on PostgreSQL a
  rolled-back transaction also leaves one).
- **The tree.** Every stored complete subtree (``TreeNode``) is recomputed from the stored
  leaves below it; nodes that should not exist are reported too.
- **Checkpoints.** Each signed checkpoint's signature (with the log's public key, when the
  key file is here), its note against its columns, and its root against the root
  recomputed from the events and from the stored tree. Where one of two successive
  checkpoints does not match, their consistency proof (from the stored nodes, against the
  signed roots) tells whether history was rewritten between them.
- **Documents.** Each final document's content hash is recomputed
  (:func:`tergeu.documents.content.content_hash`) and compared with the row and with the
  ``document.finalised`` event; each signature's PDF must be in the content-addressed
  store, still hash to its name, and be the one its journal event recorded.
- **Evidence files.** Each file's blob must be present and hash to its SHA-256, and its
  ``evidence.file_attached`` event must record that SHA-256.

The journal is read in batches of :data:`BATCH` leaves: memory stays flat at any size.
Nothing is written. Every mismatch is a finding that names what it concerns.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import checkpoints, merkle, tree
from .export_format import DOCUMENT_ACTIONS, FILE_ACTION, Report
from .models import Checkpoint, Event, Leaf, TreeNode

#: Leaves read per query.
BATCH = 5000
#: At most this many failures are listed per kind; the rest are counted in one line.
LIST_AT_MOST = 100
#: A gap of more leaf indexes than this stops the walk of the tree (the index is corrupt).
MAX_GAP = 1_000_000


@dataclass
class _Capped:
    """Failures of one kind, listed up to :data:`LIST_AT_MOST` and counted beyond."""

    report: Report
    kind: str
    count: int = 0

    def fail(self, name: str, detail: str) -> None:
        self.count += 1
        if self.count <= LIST_AT_MOST:
            self.report.add(False, name, detail)

    def close(self, ok_name: str, ok_detail: str) -> None:
        if self.count > LIST_AT_MOST:
            self.report.add(
                False, self.kind, f"{self.count - LIST_AT_MOST} more failures of this kind"
            )
        elif self.count == 0:
            self.report.add(True, ok_name, ok_detail)


@dataclass
class _Frontier:
    """The right edge of a tree being rebuilt leaf by leaf; ``None`` is an unknown hash."""

    stack: list[tuple[int, bytes | None]] = field(default_factory=list)
    size: int = 0

    def push(self, leaf: bytes | None) -> list[tuple[int, int, bytes | None]]:
        """Append a leaf hash; return the complete subtrees it closes, as (level, index, hash)."""
        self.stack.append((0, leaf))
        self.size += 1
        closed = []
        while len(self.stack) >= 2 and self.stack[-1][0] == self.stack[-2][0]:
            level, right = self.stack.pop()
            _, left = self.stack.pop()
            merged = merkle.node_hash(left, right) if left and right else None
            closed.append((level + 1, (self.size >> (level + 1)) - 1, merged))
            self.stack.append((level + 1, merged))
        return closed

    def root(self) -> bytes | None:
        """The root of the tree so far (RFC 9162), or None if an unknown leaf is in it."""
        if not self.stack:
            return merkle.EMPTY_ROOT
        head = self.stack[-1][1]
        for _level, h in reversed(self.stack[:-1]):
            head = merkle.node_hash(h, head) if h and head else None
        return head


def _b64(data: bytes | None) -> str:
    import base64

    return base64.b64encode(data).decode() if data else "?"


# ---------------------------------------------------------------- journal and tree


@dataclass
class _Walk:
    """State of one pass over the leaves."""

    report: Report
    events: _Capped
    nodes: _Capped
    derived: _Frontier = field(default_factory=_Frontier)
    stored: _Frontier = field(default_factory=_Frontier)
    roots: dict[int, tuple[bytes | None, bytes | None]] = field(default_factory=dict)
    wanted: set[int] = field(default_factory=set)
    first_altered: int | None = None
    broken_at: int | None = None
    node_count: int = 0

    def at_size(self) -> None:
        if self.derived.size in self.wanted:
            self.roots[self.derived.size] = (self.derived.root(), self.stored.root())

    def compare_nodes(self, closed: list[tuple[int, int, bytes | None]]) -> None:
        by_level: dict[int, list[int]] = {}
        for level, index, _h in closed:
            by_level.setdefault(level, []).append(index)
        stored: dict[tuple[int, int], bytes] = {}
        for level, indexes in by_level.items():
            for row in TreeNode.objects.filter(
                level=level, index__gte=min(indexes), index__lte=max(indexes)
            ).values_list("level", "index", "hash"):
                stored[(row[0], row[1])] = bytes(row[2])
        for level, index, h in closed:
            self.node_count += 1
            have = stored.get((level, index))
            if have is None:
                self.nodes.fail(
                    f"tree node (level {level}, index {index})", "missing from the stored tree"
                )
            elif h is not None and have != h:
                self.nodes.fail(
                    f"tree node (level {level}, index {index})",
                    f"does not match the leaves {index << level}-{((index + 1) << level) - 1} "
                    "below it: the stored tree was rewritten",
                )


def _leaf_rows(start: int, end: int) -> list[tuple[int, int, bytes]]:
    return [
        (index, event_id, bytes(h))
        for index, event_id, h in Leaf.objects.filter(index__gte=start, index__lt=end)
        .order_by("index")
        .values_list("index", "event_id", "hash")
    ]


def _case_label(case_id: uuid.UUID | None) -> str:
    """``, case <ERDR number>`` for a message (the id if the case is gone), or nothing."""
    if case_id is None:
        return ""
    from tergeu.cases.models import Case

    number = Case.objects.filter(pk=case_id).values_list("erdr_number", flat=True).first()
    return f", case {number or case_id}"


def _walk_leaves(walk: _Walk, size: int) -> None:
    expected = 0
    for start in range(0, size, BATCH):
        rows = _leaf_rows(start, min(size, start + BATCH))
        events = {e.seq: e for e in Event.objects.filter(seq__in=[r[1] for r in rows])}
        closed: list[tuple[int, int, bytes | None]] = []
        for index, seq, stored_hash in rows:
            if index > expected:
                if index - expected > MAX_GAP:
                    walk.events.fail(
                        f"leaf {expected}", f"the next stored leaf is {index}: the index is corrupt"
                    )
                    walk.broken_at = expected
                    return
                walk.events.fail(
                    f"leaves {expected}-{index - 1}"
                    if index - 1 > expected
                    else f"leaf {expected}",
                    "missing: the leaf and its event were deleted",
                )
                walk.broken_at = walk.broken_at if walk.broken_at is not None else expected
                for _ in range(expected, index):
                    closed += walk.stored.push(None)
                    walk.derived.push(None)
                    walk.at_size()
            expected = index + 1
            event = events.get(seq)
            if event is None:
                walk.events.fail(
                    f"event #{seq}",
                    f"deleted from the journal: leaf {index} still names it",
                )
                derived = stored_hash  # cannot be re-derived; the leaf stands in for it
            else:
                derived = tree.event_leaf_hash(event)
                if derived != stored_hash:
                    walk.events.fail(
                        f"event #{seq} {event.action}",
                        f"altered: its stored columns no longer hash to leaf {index} "
                        f"(occurred {event.occurred_at:%Y-%m-%d %H:%M:%S} UTC"
                        f"{_case_label(event.case_id)})",
                    )
                    if walk.first_altered is None:
                        walk.first_altered = index
            closed += walk.stored.push(stored_hash)
            walk.derived.push(derived)
            walk.at_size()
        walk.compare_nodes(closed)


def _extra_nodes(walk: _Walk, size: int) -> None:
    levels = TreeNode.objects.values_list("level", flat=True).distinct()
    for level in sorted(set(levels)):
        extra = TreeNode.objects.filter(level=level, index__gte=size >> level)
        for index in extra.values_list("index", flat=True)[:LIST_AT_MOST]:
            walk.nodes.fail(
                f"tree node (level {level}, index {index})",
                f"lies outside the tree of {size} leaves",
            )


def _log_key() -> Any:
    path = checkpoints.key_path()
    if not path.exists():
        return None
    return checkpoints.private_key().public_key()


def _signed_root(cp: Checkpoint, key: Any, problems: list[str]) -> bytes:
    """The root the checkpoint's note signs (its column if the key is not here)."""
    if key is None:
        return bytes(cp.root_hash)
    try:
        _origin, size, root = checkpoints.verify_note(cp.note, key)
    except checkpoints.CheckpointError as exc:
        problems.append(f"its signature does not verify ({exc})")
        return bytes(cp.root_hash)
    if (size, root) != (cp.size, bytes(cp.root_hash)):
        problems.append("its stored size or root differs from its signed note")
    return root


def _root_problems(walk: _Walk, size: int, signed: bytes) -> list[str]:
    """How the tree re-derived from events, leaves and nodes differs from a signed root."""
    if size > walk.derived.size:
        return [f"it is beyond the tree of {walk.derived.size} leaves: leaves were deleted"]
    derived, stored = walk.roots.get(size, (None, None))
    problems = []
    if derived is None:
        problems.append(f"cannot be re-derived: leaf {walk.broken_at} is missing")
    elif derived != signed:
        first = walk.first_altered
        where = f" (first altered leaf: {first})" if first is not None and first < size else ""
        problems.append(f"the stored events no longer lead to its signed root{where}")
    if stored is not None and stored != signed:
        problems.append("the stored leaves no longer lead to its signed root")
    if walk.nodes.count:
        try:
            nodes_root = tree.root(size)
        except LookupError:
            nodes_root = None
        if nodes_root != signed:
            problems.append(
                "the stored tree nodes no longer lead to its signed root: history was rewritten"
            )
    return problems


def _check_checkpoints(report: Report, walk: _Walk, stored_checkpoints: list[Checkpoint]) -> None:
    failed = _Capped(report, "checkpoints")
    key = _log_key()
    if key is None:
        report.warn(
            "checkpoint signatures",
            f"not checked: the log's key file {checkpoints.key_path()} is not here",
        )
    previous: tuple[int, bytes, bool] | None = None
    for cp in stored_checkpoints:
        problems: list[str] = []
        signed = _signed_root(cp, key, problems)
        problems += _root_problems(walk, cp.size, signed)
        if problems:
            failed.fail(f"checkpoint size {cp.size}", "; ".join(problems))
        if previous is not None and (problems or not previous[2]):
            _consistency(failed, previous[0], previous[1], cp.size, signed)
        previous = (cp.size, signed, not problems)
    failed.close(
        "checkpoints",
        f"{len(stored_checkpoints)} checkpoints: "
        + ("signatures valid, " if key is not None else "")
        + "roots match the events and the stored tree",
    )


def _consistency(failed: _Capped, size1: int, root1: bytes, size2: int, root2: bytes) -> None:
    """Whether the stored tree proves the second signed root extends the first."""
    try:
        if size1 > 0:
            proof = tree.consistency(size1, size2)
            merkle.verify_consistency(size1, size2, proof, root1, root2)
    except (merkle.ProofError, LookupError, ValueError) as exc:
        failed.fail(
            f"checkpoints size {size1} -> {size2}",
            f"inconsistent: history was rewritten between them ({exc})",
        )


def _seq_gaps(report: Report) -> None:
    seqs = Event.objects.order_by("seq").values_list("seq", flat=True)
    previous: int | None = None
    gaps = []
    for seq in seqs.iterator(chunk_size=BATCH):
        if previous is not None and seq > previous + 1:
            gaps.append((previous + 1, seq - 1))
        previous = seq
    for low, high in gaps[:LIST_AT_MOST]:
        report.warn(
            f"events #{low}-#{high}" if high > low else f"event #{low}",
            "not in the journal (a gap in seq: deleted before the sequencer reached them, or "
            "a rolled-back transaction on PostgreSQL)",
        )


def _journal(report: Report) -> None:
    size = tree.tree_size()
    stored_checkpoints = list(Checkpoint.objects.filter(size__lte=max(size, 0)).order_by("size"))
    beyond = list(Checkpoint.objects.filter(size__gt=size).order_by("size"))
    walk = _Walk(
        report=report,
        events=_Capped(report, "events"),
        nodes=_Capped(report, "tree nodes"),
        wanted={cp.size for cp in stored_checkpoints},
    )
    walk.at_size()
    _walk_leaves(walk, size)
    walk.events.close("journal", f"{size} leaves re-derived from their events: all match")
    _extra_nodes(walk, size)
    walk.nodes.close("tree", f"{walk.node_count} stored nodes match the leaves below them")
    _check_checkpoints(report, walk, stored_checkpoints + beyond)
    waiting = Event.objects.filter(leaf__isnull=True).count()
    if waiting:
        report.warn(
            "sequencer", f"{waiting} events have no leaf yet (the next checkpoint adds them)"
        )
    _seq_gaps(report)


# ---------------------------------------------------------------- documents and files


def _payloads(actions: Iterable[str]) -> dict[str, list[tuple[int, str, dict[str, Any]]]]:
    """Data of the events with these actions, by object id: (seq, action, data)."""
    found: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
    rows = Event.objects.filter(action__in=list(actions)).order_by("seq")
    for seq, action, object_id, payload in rows.values_list(
        "seq", "action", "object_id", "payload"
    ).iterator(chunk_size=BATCH):
        try:
            data = json.loads(payload).get("data") or {}
        except (ValueError, AttributeError):
            data = {}
        found.setdefault(object_id, []).append((seq, action, data))
    return found


class _Blobs:
    """Each blob verified once."""

    def __init__(self) -> None:
        self.seen: dict[str, bool] = {}

    def ok(self, sha256: str) -> bool:
        from tergeu.core import blobs

        if sha256 not in self.seen:
            try:
                self.seen[sha256] = blobs.verify(sha256)
            except ValueError:
                self.seen[sha256] = False
        return self.seen[sha256]

    @staticmethod
    def exists(sha256: str) -> bool:
        from tergeu.core import blobs

        try:
            return blobs.exists(sha256)
        except ValueError:
            return False


def _documents(report: Report, store: _Blobs) -> None:
    from tergeu.documents.content import content_hash
    from tergeu.documents.models import DocStatus, Document, DocumentSignature

    failed = _Capped(report, "documents")
    events = _payloads(DOCUMENT_ACTIONS)
    signatures: dict[uuid.UUID, list[DocumentSignature]] = {}
    for row in DocumentSignature.objects.order_by("document_id", "sequence").iterator(BATCH):
        signatures.setdefault(row.document_id, []).append(row)
    count = 0
    docs = Document.objects.filter(status=DocStatus.FINAL).select_related("case", "supersedes")
    for doc in docs.order_by("case_id", "number").iterator(chunk_size=500):
        count += 1
        name = f"document No. {doc.number} “{doc.title}” of case {doc.case.erdr_number}"
        problems = []
        if content_hash(doc) != doc.content_sha256:
            problems.append("edited in the database: its content no longer matches content_sha256")
        recorded = events.get(str(doc.pk), [])
        finalised = [e for e in recorded if e[1] == "document.finalised"]
        if not finalised:
            problems.append("no document.finalised event in the journal")
        else:
            seq, _action, data = finalised[0]
            if data.get("content_sha256") != doc.content_sha256:
                problems.append(f"its content hash is not the one event #{seq} recorded")
            if doc.pdf_sha256 and data.get("pdf_sha256") != doc.pdf_sha256:
                problems.append(f"its signed PDF is not the one event #{seq} recorded")
        journaled = {d.get("pdf_sha256") for _s, _a, d in recorded}
        for sig in signatures.get(doc.pk, []):
            label = f"the PDF after signature {sig.sequence} ({sig.role})"
            if sig.pdf_sha256 not in journaled:
                problems.append(f"{label} is not recorded by any journal event")
            if not store.exists(sig.pdf_sha256):
                problems.append(f"{label} is missing from the store")
            elif not store.ok(sig.pdf_sha256):
                problems.append(
                    f"{label} was changed in the store (it no longer hashes to its name)"
                )
        if doc.pdf_sha256 and not signatures.get(doc.pk) and not store.ok(doc.pdf_sha256):
            problems.append("its signed PDF is missing or changed in the store")
        if problems:
            failed.fail(name, "; ".join(problems))
    failed.close(
        "documents",
        f"{count} final documents: content, signed PDFs and journal events match",
    )


def _evidence(report: Report, store: _Blobs) -> None:
    from tergeu.evidence.models import EvidenceFile

    failed = _Capped(report, "evidence files")
    count = 0
    rows = EvidenceFile.objects.select_related("item", "case").order_by(
        "case_id", "item__number", "uploaded_at", "id"
    )
    for chunk in _chunks(rows.iterator(chunk_size=500), 500):
        uids = [row.journal_event_uid for row in chunk]
        events = {
            e.uid: e
            for e in Event.objects.filter(uid__in=uids).only("seq", "uid", "action", "payload")
        }
        for row in chunk:
            count += 1
            name = (
                f"file “{row.name}” of evidence item No. {row.item.number} "
                f"of case {row.case.erdr_number}"
            )
            problems = []
            if not store.exists(row.sha256):
                problems.append("missing from the store")
            elif not store.ok(row.sha256):
                problems.append(
                    "replaced or changed in the store (it no longer hashes to its SHA-256)"
                )
            event = events.get(row.journal_event_uid)
            if event is None:
                problems.append("its evidence.file_attached event is gone from the journal")
            else:
                try:
                    data = json.loads(event.payload).get("data") or {}
                except (ValueError, AttributeError):
                    data = {}
                if event.action != FILE_ACTION or data.get("sha256") != row.sha256:
                    problems.append(f"event #{event.seq} does not record its SHA-256")
            if problems:
                failed.fail(name, "; ".join(problems))
    failed.close("evidence files", f"{count} files match their SHA-256 and the journal")


def _chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def verify_database() -> Report:
    """Re-derive the journal's tree, check checkpoints, documents and files; name mismatches."""
    report = Report(
        title="Tergeu database verification: journal, tree, checkpoints, documents, files"
    )
    _journal(report)
    store = _Blobs()
    _documents(report, store)
    _evidence(report, store)
    return report


def command() -> int:
    """``tergeu verify --database``: print the report; exit 0 if all holds, else 1."""
    import sys

    report = verify_database()
    sys.stdout.write(report.render())
    return report.exit_code


__all__ = ["command", "verify_database"]
