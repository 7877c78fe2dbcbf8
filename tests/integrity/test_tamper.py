"""Tamper detection in the database: ``tergeu verify --database`` names every mismatch.

Each test changes one thing behind the application's back, the way an intruder with
database or disk access would (the append-only triggers are opened with
``tergeu.core.triggers.maintenance``, stored files are made writable first): a byte of a
stored document, a document's row, an event's payload, an evidence file, an event
removed (with or without its leaf), a stored tree node, a checkpoint. Each is reported,
by name; the untouched database verifies clean.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tergeu import cli
from tergeu.core import blobs
from tergeu.core.triggers import maintenance
from tergeu.documents import services as documents
from tergeu.documents.models import Document
from tergeu.documents.signatures import latest_pdf_sha256
from tergeu.integrity import checkpoints
from tergeu.integrity.models import Checkpoint, Event, Leaf, TreeNode
from tergeu.integrity.verify_database import verify_database

from . import test_export as shared
from .test_export import Built

_compiled_catalogues = shared._compiled_catalogues
log_key = shared.log_key
built = shared.built


@dataclass
class Scene:
    """A case in a journal with two checkpoints, and how its things are named."""

    built: Built
    document_name: str
    file_name: str


@pytest.fixture
def scene(built: Built) -> Scene:
    checkpoints.issue_checkpoint()
    documents.get_document(built.unit.prosecutor, built.document.pk)  # more events
    checkpoints.issue_checkpoint()
    doc = Document.objects.get(pk=built.document.pk)
    return Scene(
        built=built,
        document_name=f"document No. 1 “{doc.title}” of case {built.case.erdr_number}",
        file_name=f"file “фото места.png” of evidence item No. 1 of case {built.case.erdr_number}",
    )


def failed(report: Any) -> dict[str, str]:
    return {f.name: f.detail for f in report.failures}


@contextlib.contextmanager
def writable(path: Path) -> Iterator[bytes]:
    """Make a stored (read-only) blob writable; put its content back afterwards."""
    original = path.read_bytes()
    path.chmod(0o644)
    try:
        yield original
    finally:
        path.write_bytes(original)
        path.chmod(0o444)


def test_an_untouched_database_verifies(scene: Scene) -> None:
    report = verify_database()
    assert report.ok, report.render()
    names = {f.name for f in report.findings if f.status == "OK"}
    assert {"journal", "tree", "checkpoints", "documents", "evidence files"} <= names
    assert "2 checkpoints" in report.find("checkpoints")[0].detail or Checkpoint.objects.count()


def test_a_changed_byte_of_a_stored_document_is_named(scene: Scene) -> None:
    path = blobs.path_of(latest_pdf_sha256(scene.built.document) or "")
    with writable(path) as original:
        middle = len(original) // 2
        path.write_bytes(original[:middle] + bytes([original[middle] ^ 1]) + original[middle + 1 :])
        report = verify_database()
    problems = failed(report)
    assert list(problems) == [scene.document_name]
    assert "after signature 2 (approval) was changed in the store" in problems[scene.document_name]
    assert report.exit_code == 1


@pytest.mark.parametrize(
    ("column", "value"), [("body", "Другой текст."), ("title", "Постановление о другом")]
)
def test_an_edited_document_row_is_named(scene: Scene, column: str, value: str) -> None:
    with maintenance(connection):
        Document.objects.filter(pk=scene.built.document.pk).update(**{column: value})
    problems = failed(verify_database())
    edited = [text for name, text in problems.items() if name.startswith("document No.")]
    assert any("edited in the database" in text for text in edited)


def test_a_changed_event_payload_is_named(scene: Scene) -> None:
    event = Event.objects.get(action="document.finalised", case_id=scene.built.case.pk)
    with maintenance(connection):
        Event.objects.filter(seq=event.seq).update(
            payload=event.payload.replace('"number":1', '"number":2')
        )
    problems = failed(verify_database())
    name = f"event #{event.seq} document.finalised"
    assert (
        f"altered: its stored columns no longer hash to leaf {event.leaf.index}" in problems[name]
    )
    assert any(n.startswith("checkpoint size") for n in problems)
    assert all(
        "the stored events no longer lead to its signed root" in d
        for n, d in problems.items()
        if n.startswith("checkpoint size")
    )


def test_a_replaced_evidence_file_is_named(scene: Scene) -> None:
    path = blobs.path_of(scene.built.file.sha256)
    with writable(path) as original:
        path.write_bytes(original[:-1] + b"\x00")
        problems = failed(verify_database())
    assert list(problems) == [scene.file_name]
    assert "replaced or changed in the store" in problems[scene.file_name]


def test_a_removed_event_is_named(scene: Scene) -> None:
    event = Event.objects.get(action="evidence.received", case_id=scene.built.case.pk)
    index = event.leaf.index
    table = Event._meta.db_table
    with maintenance(connection), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE seq = %s", [event.seq])
    try:
        problems = failed(verify_database())
    finally:  # put it back, so that the foreign key holds when the test's transaction ends
        with maintenance(connection):
            event.save(force_insert=True)
    name = f"event #{event.seq}"
    assert problems[name] == f"deleted from the journal: leaf {index} still names it"


def test_a_removed_event_and_its_leaf_are_named(scene: Scene) -> None:
    event = Event.objects.get(action="evidence.received", case_id=scene.built.case.pk)
    index = event.leaf.index
    with maintenance(connection):
        Leaf.objects.filter(index=index).delete()
        Event.objects.filter(seq=event.seq).delete()  # nothing protects it any more
    report = verify_database()
    problems = failed(report)
    assert problems[f"leaf {index}"] == "missing: the leaf and its event were deleted"
    assert any("cannot be re-derived" in d for n, d in problems.items() if "checkpoint" in n)
    assert report.find(f"event #{event.seq}")  # the gap in seq is pointed at too


def test_a_rewritten_tree_node_is_named(scene: Scene) -> None:
    node = TreeNode.objects.order_by("-level").first()
    assert node is not None
    with maintenance(connection):
        TreeNode.objects.filter(level=node.level, index=node.index).update(hash=b"\x00" * 32)
    problems = failed(verify_database())
    name = f"tree node (level {node.level}, index {node.index})"
    assert "the stored tree was rewritten" in problems[name]
    assert any(
        "history was rewritten" in d for n, d in problems.items() if n.startswith("checkpoint")
    )


def test_a_replaced_checkpoint_root_is_named(scene: Scene) -> None:
    first = Checkpoint.objects.order_by("size").first()
    assert first is not None
    with maintenance(connection):
        Checkpoint.objects.filter(pk=first.pk).update(root_hash=b"\x01" * 32)
    problems = failed(verify_database())
    assert (
        "its stored size or root differs from its signed note"
        in problems[f"checkpoint size {first.size}"]
    )


def test_a_rewritten_history_breaks_the_consistency_of_checkpoints(
    scene: Scene, log_key: Path
) -> None:
    """A checkpoint re-signed over a rewritten history (the key was stolen too)."""
    last = Checkpoint.objects.order_by("-size").first()
    assert last is not None
    forged_root = b"\x02" * 32
    note, signature = checkpoints.sign_note(
        checkpoints.checkpoint_body(last.origin, last.size, forged_root),
        last.origin,
        checkpoints.private_key(),
    )
    with maintenance(connection):
        Checkpoint.objects.filter(pk=last.pk).update(
            root_hash=forged_root, note=note, signature=signature
        )
    problems = failed(verify_database())
    assert (
        "the stored events no longer lead to its signed root"
        in problems[f"checkpoint size {last.size}"]
    )
    assert any(
        n.startswith("checkpoints size ") and "inconsistent" in d for n, d in problems.items()
    )


def test_tergeu_verify_database_exit_codes(
    scene: Scene, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["verify", "--database"]) == 0
    assert "VERDICT: OK" in capsys.readouterr().out
    with maintenance(connection):
        Document.objects.filter(pk=scene.built.document.pk).update(fields={"established": "-"})
    assert cli.main(["verify", "--database"]) == 1
    out = capsys.readouterr().out
    assert f"FAIL  {scene.document_name}: edited in the database" in out
