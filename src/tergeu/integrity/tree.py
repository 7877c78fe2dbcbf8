"""The journal as a Merkle tree: the leaf of an event, the sequencer, roots and proofs.

Events are journaled by :func:`tergeu.integrity.journal.record` in the services'
transactions; a trigger queues each new one in :class:`~.models.Unsequenced`. The
sequencer :func:`integrate` gives the queued events the next leaf indexes, in ``seq``
order, and stores every subtree the new leaves complete. One integrator runs at a time
(``pg_advisory_xact_lock`` on PostgreSQL; on SQLite the ``BEGIN IMMEDIATE`` transactions
of the project's settings serialise writers), so concurrent calls are safe and a repeated
call finds nothing to do.

Leaf order is the order in which events reach the sequencer: on PostgreSQL an event with a
lower ``seq`` may commit after a higher one; it then simply gets a later leaf index.

Proofs read O(log n) stored hashes in two queries (leaves and nodes), whatever the size.
docs/journal.md has the formats.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import rfc8785
from django.db import connection, transaction
from django.db.models import Q

from . import merkle
from .models import Event, Leaf, TreeNode, Unsequenced

#: Version of the leaf format (the ``v`` member of every leaf).
LEAF_VERSION = 1
#: Events integrated per transaction.
BATCH = 5000
#: Key of the PostgreSQL advisory lock held by the integrator ("tergeu.j").
_LOCK_KEY = int.from_bytes(b"tergeu.j", "big") & 0x7FFF_FFFF_FFFF_FFFF


class NotIntegrated(LookupError):
    """The event exists but has no leaf yet (the sequencer has not reached it)."""


# ---------------------------------------------------------------- leaves


def _utc(moment: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ``: one spelling of an instant, whatever the database."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_leaf_data(event: Event) -> dict[str, Any]:
    """Every stored column of ``event``, as the leaf's JSON object (docs/journal.md)."""
    return {
        "v": LEAF_VERSION,
        "seq": event.seq,
        "uid": str(event.uid),
        "occurred_at": _utc(event.occurred_at),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "case_id": str(event.case_id) if event.case_id else None,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "payload": event.payload,
        "payload_sha256": event.payload_sha256,
    }


def event_leaf_bytes(event: Event) -> bytes:
    """The leaf data of ``event``: RFC 8785 canonical JSON of all its stored columns.

    ``payload`` is included as the stored string (itself canonical JSON), so any change
    of any column, even one that keeps the payload's meaning, changes the leaf.
    """
    return rfc8785.dumps(event_leaf_data(event))


def event_leaf_hash(event: Event) -> bytes:
    """``SHA-256(0x00 || event_leaf_bytes(event))``."""
    return merkle.leaf_hash(event_leaf_bytes(event))


# ---------------------------------------------------------------- stored hashes


def _node_filter(wanted: Iterable[tuple[int, int]]) -> Q:
    q = Q()
    for level, index in wanted:
        q |= Q(level=level, index=index)
    return q


def read_nodes(wanted: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of complete subtrees ``(level, index)``, in at most two queries."""
    found: dict[tuple[int, int], bytes] = {}
    leaves = [index for level, index in wanted if level == 0]
    nodes = [(level, index) for level, index in wanted if level > 0]
    if leaves:
        for index, h in Leaf.objects.filter(index__in=leaves).values_list("index", "hash"):
            found[(0, index)] = bytes(h)
    if nodes:
        rows = TreeNode.objects.filter(_node_filter(nodes)).values_list("level", "index", "hash")
        for level, index, h in rows:
            found[(level, index)] = bytes(h)
    missing = [w for w in wanted if w not in found]
    if missing:
        raise LookupError(f"the tree has no stored node {missing[0]}: is it damaged?")
    return found


def _compute(build: Any) -> Any:
    """Run ``build(get_node)`` on stored nodes, fetched in one go beforehand."""
    found = read_nodes(merkle.nodes_for(build))
    return build(lambda level, index: found[(level, index)])


# ---------------------------------------------------------------- the sequencer


def _lock() -> None:
    """Take the integrator's lock until the end of the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    # SQLite: the transaction began IMMEDIATE and holds the database's write lock.


def tree_size() -> int:
    """The number of leaves in the tree (committed ones)."""
    last = Leaf.objects.order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def _integrate_batch(want: int) -> tuple[int, int]:
    """Integrate up to ``want`` queued events; returns (queue rows taken, leaves added)."""
    seqs = list(Unsequenced.objects.order_by("seq").values_list("seq", flat=True)[:want])
    if not seqs:
        return 0, 0
    events = list(Event.objects.filter(seq__in=seqs, leaf__isnull=True).order_by("seq"))
    size = tree_size()
    if events:
        edge_nodes = merkle.frontier(size)
        found = read_nodes(edge_nodes)
        hashes = [event_leaf_hash(event) for event in events]
        _, completed = merkle.append(size, [found[n] for n in edge_nodes], hashes)
        Leaf.objects.bulk_create(
            [
                Leaf(index=size + i, event_id=event.seq, hash=h)
                for i, (event, h) in enumerate(zip(events, hashes, strict=True))
            ],
            batch_size=1000,
        )
        TreeNode.objects.bulk_create(
            [TreeNode(level=level, index=index, hash=h) for level, index, h in completed],
            batch_size=1000,
        )
    # Only the rows read above: a late event committing meanwhile stays queued.
    Unsequenced.objects.filter(seq__in=seqs).delete()
    return len(seqs), len(events)


def integrate(limit: int | None = None) -> int:
    """Give the queued events their leaves, in ``seq`` order; returns how many.

    Works in transactions of :data:`BATCH` events, each under the integrator's lock;
    inside a caller's transaction the batches are savepoints of it. Idempotent: an event
    gets one leaf, ever (the queue row goes with the leaf's transaction; the leaf's
    ``event`` is unique).
    """
    added = 0
    taken_total = 0
    while limit is None or taken_total < limit:
        want = BATCH if limit is None else min(BATCH, limit - taken_total)
        with transaction.atomic():
            _lock()
            taken, new = _integrate_batch(want)
        added += new
        taken_total += taken
        if taken < want:
            break
    return added


def requeue_missing() -> int:
    """Queue again every event that has no leaf and is not queued; returns how many.

    The queue is mutable (it is not evidence): should its rows be lost, this full scan
    finds the events again. O(journal); for repair, not for the schedule.
    """
    with transaction.atomic():
        _lock()
        missing = list(
            Event.objects.filter(leaf__isnull=True)
            .exclude(seq__in=Unsequenced.objects.values("seq"))
            .values_list("seq", flat=True)
        )
        Unsequenced.objects.bulk_create([Unsequenced(seq=s) for s in missing], batch_size=1000)
    return len(missing)


# ---------------------------------------------------------------- roots and proofs


def _size_or_current(size: int | None) -> int:
    current = tree_size()
    if size is None:
        return current
    if not 0 <= size <= current:
        raise ValueError(f"the tree has {current} leaves, not {size}")
    return size


def root(size: int | None = None) -> bytes:
    """The root hash of the tree of ``size`` leaves (default: the whole tree now)."""
    n = _size_or_current(size)
    return _compute(lambda g: merkle.root(n, g))


def leaf_of(key: uuid.UUID | str | int) -> Leaf:
    """The leaf of the event with uid or seq ``key`` (``Event.DoesNotExist``, NotIntegrated)."""
    if isinstance(key, int):
        event = Event.objects.get(seq=key)
    else:
        event = Event.objects.get(uid=uuid.UUID(str(key)))
    leaf = Leaf.objects.filter(event=event).select_related("event").first()
    if leaf is None:
        raise NotIntegrated(f"event {event.uid} has no leaf yet")
    return leaf


def inclusion_proof(index: int, size: int | None = None) -> tuple[int, list[bytes]]:
    """``(size, path)``: the audit path of leaf ``index`` in the tree of ``size`` leaves."""
    n = _size_or_current(size)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in the tree of {n} leaves")
    return n, _compute(lambda g: merkle.inclusion_proof(index, n, g))


def inclusion_proof_for_event(
    key: uuid.UUID | str | int, size: int | None = None
) -> tuple[int, int, list[bytes]]:
    """``(leaf_index, size, path)`` for the event with uid or seq ``key``."""
    leaf = leaf_of(key)
    n, path = inclusion_proof(leaf.index, size)
    return leaf.index, n, path


def consistency(size1: int, size2: int | None = None) -> list[bytes]:
    """The RFC 9162 consistency proof from ``size1`` to ``size2`` (default: now)."""
    n = _size_or_current(size2)
    if not 0 < size1 <= n:
        raise ValueError(f"no consistency proof from size {size1} to size {n}")
    return _compute(lambda g: merkle.consistency_proof(size1, n, g))
