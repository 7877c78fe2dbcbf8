"""The sequencer against concurrent writers and integrators on a real database server.

PostgreSQL only: the threads share the test database and race for real (the integrator's
advisory lock, events committing out of ``seq`` order). SQLite serialises every writer on
one database lock, and the suite's in-memory SQLite cannot be shared between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction

from tergeu.integrity import merkle, tree
from tergeu.integrity.journal import record
from tergeu.integrity.models import Event, Leaf, TreeNode

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="concurrent transactions between threads need PostgreSQL (SQLite: one writer)",
    ),
]

THREADS = 8


def _in_threads(work: Callable[[int], Any], threads: int = THREADS) -> list[Any]:
    """``work(i)`` in threads started together, each with its own connection."""
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * threads

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected for the assertions
            results[i] = exc
        finally:
            connections.close_all()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in pool), "a thread hangs"
    return results


def _assert_tree_is_whole() -> None:
    """Every event has exactly one leaf, leaves are 0..n-1, nodes are the complete subtrees."""
    events = {e.seq: e for e in Event.objects.all()}
    leaves = list(Leaf.objects.order_by("index").values_list("index", "event_id", "hash"))
    assert [index for index, _, _ in leaves] == list(range(len(events)))
    assert sorted(seq for _, seq, _ in leaves) == sorted(events)
    hashes = [bytes(h) for _, _, h in leaves]
    assert hashes == [tree.event_leaf_hash(events[seq]) for _, seq, _ in leaves]
    stored = {(n.level, n.index): bytes(n.hash) for n in TreeNode.objects.all()}
    level, expected, row = 0, {}, hashes
    while len(row) >= 2:
        level += 1
        row = [merkle.node_hash(row[2 * i], row[2 * i + 1]) for i in range(len(row) // 2)]
        expected.update({(level, i): h for i, h in enumerate(row)})
    assert stored == expected
    assert tree.root() == merkle.root_of(hashes)


def test_writers_and_integrators_at_once_build_one_whole_tree() -> None:
    def work(i: int) -> int:
        integrated = 0
        for k in range(15):
            with transaction.atomic():
                record("test.concurrent", data={"thread": i, "k": k})
            if k % 4 == i % 4:
                integrated += tree.integrate()
        return integrated

    results = _in_threads(work)
    assert [r for r in results if isinstance(r, Exception)] == []
    leftover = tree.integrate()
    assert sum(results) + leftover == THREADS * 15
    _assert_tree_is_whole()


def test_concurrent_integrators_give_each_event_one_leaf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tree, "BATCH", 7)
    for i in range(120):
        record("test.queued", data={"i": i})
    results = _in_threads(lambda i: tree.integrate())
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(results) == 120
    assert tree.integrate() == 0
    _assert_tree_is_whole()


def test_an_event_committing_after_a_higher_seq_gets_a_later_leaf() -> None:
    recorded = threading.Event()
    release = threading.Event()
    late: dict[str, Any] = {}

    def slow_writer(_: int) -> None:
        with transaction.atomic():
            late["event"] = record("test.late")
            recorded.set()
            assert release.wait(30)

    thread = threading.Thread(target=lambda: (slow_writer(0), connections.close_all()))
    thread.start()
    try:
        assert recorded.wait(30)
        early = record("test.early")  # a higher seq, committed first
        assert early.seq > late["event"].seq
        assert tree.integrate() == 1  # does not wait for the open transaction
    finally:
        release.set()
        thread.join(30)
    assert tree.integrate() == 1
    assert tree.leaf_of(early.seq).index == 0
    assert tree.leaf_of(late["event"].seq).index == 1
    _assert_tree_is_whole()
