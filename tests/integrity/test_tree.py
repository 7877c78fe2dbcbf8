"""The journal's Merkle tree in the database: leaves, the sequencer, stored nodes, proofs."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import pytest
import rfc8785
from django.db import DatabaseError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from tergeu.core.triggers import maintenance
from tergeu.integrity import merkle, tree
from tergeu.integrity.journal import record
from tergeu.integrity.models import Checkpoint, Event, Leaf, TreeNode, Unsequenced

pytestmark = pytest.mark.django_db


def _record(n: int, action: str = "test.happened") -> list[Event]:
    return [record(action, data={"i": i, "text": "Әлия"}) for i in range(n)]


def _leaf_hashes() -> list[bytes]:
    return [bytes(h) for h in Leaf.objects.order_by("index").values_list("hash", flat=True)]


def _stored_nodes() -> dict[tuple[int, int], bytes]:
    return {(n.level, n.index): bytes(n.hash) for n in TreeNode.objects.all()}


def _complete_nodes(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every complete subtree of level >= 1, computed from the leaves level by level."""
    nodes: dict[tuple[int, int], bytes] = {}
    level_hashes = list(leaves)
    level = 0
    while len(level_hashes) >= 2:
        level += 1
        level_hashes = [
            merkle.node_hash(level_hashes[2 * i], level_hashes[2 * i + 1])
            for i in range(len(level_hashes) // 2)
        ]
        nodes.update({(level, i): h for i, h in enumerate(level_hashes)})
    return nodes


# ---------------------------------------------------------------- the leaf


def test_leaf_is_the_canonical_json_of_every_column() -> None:
    (event,) = _record(1)
    stored = Event.objects.get(pk=event.pk)
    data = tree.event_leaf_bytes(stored)
    assert data == tree.event_leaf_bytes(event)  # the same before and after a round trip
    assert data == rfc8785.dumps(json.loads(data))
    assert "Әлия".encode() in data  # UTF-8 as is, not \\u escapes
    parsed = json.loads(data)
    assert parsed["v"] == tree.LEAF_VERSION
    assert parsed["seq"] == stored.seq
    assert parsed["uid"] == str(stored.uid)
    assert parsed["payload"] == stored.payload
    assert parsed["occurred_at"].endswith("Z")
    assert tree.event_leaf_hash(stored) == hashlib.sha256(b"\x00" + data).digest()


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.text(), min_size=9, max_size=9),
    numbers=st.lists(st.integers(-(2**60), 2**60), min_size=2, max_size=2),
)
def test_the_fast_canonical_json_is_rfc8785(texts: list[str], numbers: list[int]) -> None:
    keys = ["uid", "occurred_at", "actor_label", "action", "case_id", "object_type"]
    data: dict[str, Any] = dict(zip(keys, texts, strict=False))
    data.update(payload=texts[6] + "\x00\x1f\x7f\u2028\ud83d\ude00", payload_sha256=texts[7])
    data.update(seq=numbers[0], actor=None, v=1, object_id=texts[8])
    try:
        expected = rfc8785.dumps(data)
    except Exception as exc:
        with pytest.raises(type(exc)):
            tree.canonical(data)
        return
    assert tree.canonical(data) == expected
    data["actor"] = numbers[1]
    assert tree.canonical(data) == rfc8785.dumps(data)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("seq", 10**9),
        ("uid", uuid.UUID(int=1)),
        ("occurred_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("actor_id", 424242),
        ("actor_label", "someone else"),
        ("action", "test.rewritten"),
        ("case_id", uuid.UUID(int=2)),
        ("object_type", "Other"),
        ("object_id", "other"),
        ("payload", '{"action": "test.happened"}'),  # same meaning, other bytes
        ("payload_sha256", "0" * 64),
    ],
)
def test_changing_any_column_changes_the_leaf(column: str, value: Any) -> None:
    (event,) = _record(1)
    altered = copy.copy(event)
    setattr(altered, column, value)
    assert tree.event_leaf_bytes(altered) != tree.event_leaf_bytes(event)


def test_every_column_of_an_event_is_in_the_leaf() -> None:
    """A column added to Event must be added to the leaf format too (docs/journal.md)."""
    columns = {f.attname for f in Event._meta.concrete_fields}
    in_leaf = {"actor_id" if k == "actor" else k for k in tree.event_leaf_data(_record(1)[0])}
    assert columns <= in_leaf, columns - in_leaf


# ---------------------------------------------------------------- the sequencer


def test_new_events_are_queued_by_the_trigger() -> None:
    events = _record(3)
    queued = set(Unsequenced.objects.values_list("seq", flat=True))
    assert {e.seq for e in events} <= queued


def test_integrate_gives_leaves_in_seq_order_and_is_idempotent() -> None:
    events = _record(11)
    assert tree.tree_size() == 0
    assert tree.integrate() == 11
    assert tree.integrate() == 0
    assert tree.tree_size() == 11
    leaves = list(Leaf.objects.order_by("index").values_list("index", "event_id"))
    assert leaves == [(i, e.seq) for i, e in enumerate(events)]
    assert not Unsequenced.objects.exists()
    assert _leaf_hashes() == [tree.event_leaf_hash(e) for e in events]


def test_stored_nodes_roots_and_proofs_match_the_naive_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tree, "BATCH", 4)  # several transactions per call
    events = _record(5)
    tree.integrate(limit=3)
    assert tree.tree_size() == 3
    events += _record(32)
    tree.integrate()
    assert tree.tree_size() == 37
    leaves = _leaf_hashes()
    assert _stored_nodes() == _complete_nodes(leaves)
    for size in range(1, 38):
        assert tree.root(size) == merkle.root_of(leaves[:size])
        m = max(1, size // 3)
        merkle.verify_consistency(
            m, size, tree.consistency(m, size), merkle.root_of(leaves[:m]), tree.root(size)
        )
    root = tree.root()
    for event in events:
        index, size, path = tree.inclusion_proof_for_event(event.uid)
        assert size == 37
        merkle.verify_inclusion(tree.event_leaf_hash(event), index, size, path, root)
    assert tree.inclusion_proof_for_event(events[3].seq)[0] == 3


def test_limit_takes_that_many_events() -> None:
    _record(7)
    assert tree.integrate(limit=2) == 2
    assert tree.integrate(limit=2) == 2
    assert tree.tree_size() == 4
    assert Unsequenced.objects.count() == 3


def test_a_late_event_with_a_lower_seq_gets_a_later_leaf() -> None:
    """On PostgreSQL a lower seq can commit after a higher one; its leaf simply comes later."""
    (first,) = _record(1)
    high = Event.objects.create(
        seq=first.seq + 1000, occurred_at=first.occurred_at, action="test.high", payload="{}"
    )
    tree.integrate()
    low = Event.objects.create(
        seq=first.seq + 500, occurred_at=first.occurred_at, action="test.low", payload="{}"
    )
    tree.integrate()
    assert tree.leaf_of(high.seq).index == 1
    assert tree.leaf_of(low.seq).index == 2
    leaves = _leaf_hashes()
    merkle.verify_inclusion(
        tree.event_leaf_hash(low), 2, 3, tree.inclusion_proof(2)[1], merkle.root_of(leaves)
    )


def test_events_lost_from_the_queue_are_found_again() -> None:
    events = _record(4)
    Unsequenced.objects.filter(seq__in=[events[2].seq, events[3].seq]).delete()
    tree.integrate()
    assert tree.tree_size() == 2
    assert tree.requeue_missing() == 2
    assert tree.requeue_missing() == 0
    tree.integrate()
    assert sorted(Leaf.objects.values_list("event_id", flat=True)) == [e.seq for e in events]


def test_an_unqueued_event_among_queued_ones_is_integrated_too() -> None:
    events = _record(3)
    Unsequenced.objects.filter(seq=events[1].seq).delete()
    assert tree.integrate() == 3
    assert [tree.leaf_index(e.seq) for e in events] == [0, 1, 2]


def test_proofs_refuse_what_is_not_there() -> None:
    events = _record(3)
    tree.integrate(limit=2)
    with pytest.raises(tree.NotIntegrated):
        tree.inclusion_proof_for_event(events[2].uid)
    with pytest.raises(Event.DoesNotExist):
        tree.inclusion_proof_for_event(uuid.UUID(int=7))
    with pytest.raises(ValueError, match="2 leaves"):
        tree.root(3)
    with pytest.raises(ValueError, match="not in the tree"):
        tree.inclusion_proof(1, 1)
    with pytest.raises(ValueError, match="no consistency proof"):
        tree.consistency(0, 2)
    assert tree.root(0) == merkle.EMPTY_ROOT


def test_a_damaged_tree_is_reported() -> None:
    _record(4)
    tree.integrate()
    with maintenance(connection):
        TreeNode.objects.filter(level=2, index=0).delete()
    with pytest.raises(LookupError, match="damaged"):
        tree.root(4)


# ---------------------------------------------------------------- append-only


def test_tree_tables_are_append_only() -> None:
    _record(2)
    tree.integrate()
    checkpoint = Checkpoint.objects.create(
        size=2,
        root_hash=tree.root(),
        origin="test",
        key_id="00000000",
        signature=b"\x00" * 64,
        note="test",
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    for qs, change in [
        (Leaf.objects.filter(index=0), {"hash": b"\x00" * 32}),
        (TreeNode.objects.filter(level=1, index=0), {"hash": b"\x00" * 32}),
        (Checkpoint.objects.filter(pk=checkpoint.pk), {"size": 3}),
    ]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            qs.update(**change)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            qs.delete()
    assert Leaf.objects.count() == 2
    assert TreeNode.objects.count() == 1
    assert Checkpoint.objects.get().size == 2
