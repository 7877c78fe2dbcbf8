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
import json
import uuid
from collections.abc import Sequence
from typing import Any

import rfc8785
from django.db import connection, transaction

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

#: The stored columns of an event, in the order the sequencer reads them.
COLUMNS = (
    "seq",
    "uid",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "case_id",
    "object_type",
    "object_id",
    "payload",
    "payload_sha256",
)
_MAX_SAFE_INTEGER = 2**53 - 1
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def _utc(moment: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ``: one spelling of an instant, whatever the database."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _leaf_data(
    seq: int,
    uid: uuid.UUID,
    occurred_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    case_id: uuid.UUID | None,
    object_type: str,
    object_id: str,
    payload: str,
    payload_sha256: str,
) -> dict[str, Any]:
    return {
        "v": LEAF_VERSION,
        "seq": seq,
        "uid": str(uid),
        "occurred_at": _utc(occurred_at),
        "actor": actor_id,
        "actor_label": actor_label,
        "action": action,
        "case_id": str(case_id) if case_id else None,
        "object_type": object_type,
        "object_id": object_id,
        "payload": payload,
        "payload_sha256": payload_sha256,
    }


def event_leaf_data(event: Event) -> dict[str, Any]:
    """Every stored column of ``event``, as the leaf's JSON object (docs/journal.md)."""
    return _leaf_data(*(getattr(event, column) for column in COLUMNS))


def canonical(data: dict[str, Any]) -> bytes:
    """RFC 8785 canonical JSON of a leaf object (flat: ASCII keys; strings, integers, null).

    For such objects RFC 8785 is exactly what :mod:`json` writes with sorted keys, no
    spaces and no ASCII escaping (strings escape only ``"``, ``\\`` and control
    characters, integers are decimal), so the C encoder does it; anything else (a nested
    value, a float, an integer beyond 2**53, a lone surrogate) goes to :mod:`rfc8785`.
    The tests compare both on random text.
    """
    for value in data.values():
        if not (
            value is None
            or type(value) is str
            or (type(value) is int and -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER)
        ):
            return rfc8785.dumps(data)
    try:
        return _ENCODER.encode(data).encode("utf-8")
    except UnicodeEncodeError:
        return rfc8785.dumps(data)


def event_leaf_bytes(event: Event) -> bytes:
    """The leaf data of ``event``: RFC 8785 canonical JSON of all its stored columns.

    ``payload`` is included as the stored string (itself canonical JSON), so any change
    of any column, even one that keeps the payload's meaning, changes the leaf.
    """
    return canonical(event_leaf_data(event))


def event_leaf_hash(event: Event) -> bytes:
    """``SHA-256(0x00 || event_leaf_bytes(event))``."""
    return merkle.leaf_hash(event_leaf_bytes(event))


# ---------------------------------------------------------------- stored hashes
# Raw SQL: these run for every proof, and the ORM's compilation of a few dozen
# conditions costs more than the database's index lookups.


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def read_nodes(wanted: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of complete subtrees ``(level, index)``, in one query."""
    leaves = sorted({index for level, index in wanted if level == 0})
    nodes = sorted({(level, index) for level, index in wanted if level > 0})
    parts: list[str] = []
    params: list[int] = []
    if leaves:
        marks = ", ".join(["%s"] * len(leaves))
        parts.append(
            f"SELECT 0, {_q('index')}, hash FROM {_q(Leaf._meta.db_table)} "
            f"WHERE {_q('index')} IN ({marks})"
        )
        params += leaves
    if nodes:
        where = " OR ".join([f"(level = %s AND {_q('index')} = %s)"] * len(nodes))
        parts.append(
            f"SELECT level, {_q('index')}, hash FROM {_q(TreeNode._meta.db_table)} WHERE {where}"
        )
        params += [n for node in nodes for n in node]
    found: dict[tuple[int, int], bytes] = {}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for level, index, h in cursor.fetchall():
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
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({_q('index')}) FROM {_q(Leaf._meta.db_table)}")
        (last,) = cursor.fetchone()
    return 0 if last is None else int(last) + 1


#: PostgreSQL array types of the columns the sequencer writes.
_PG_ARRAYS = {"index": "bigint[]", "event_id": "bigint[]", "level": "smallint[]", "hash": "bytea[]"}


def _insert(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows``: one ``unnest`` of arrays on PostgreSQL, ``executemany`` on SQLite."""
    if not rows:
        return
    names = ", ".join(_q(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{_PG_ARRAYS[c]}" for c in columns)
            cursor.execute(
                f"INSERT INTO {_q(table)} ({names}) SELECT * FROM unnest({arrays})",
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {_q(table)} ({names}) VALUES ({marks})", rows)


def _dequeue(seqs: list[int]) -> None:
    """Delete exactly these queue rows."""
    table = _q(Unsequenced._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {table} WHERE seq = ANY(%s::bigint[])", [seqs])
        else:
            marks = ", ".join(["%s"] * len(seqs))
            cursor.execute(f"DELETE FROM {table} WHERE seq IN ({marks})", seqs)


def _integrate_batch(want: int) -> tuple[int, int]:
    """Integrate up to ``want`` queued events; returns (queue rows taken, leaves added).

    The events are read by the range of the queued ``seq`` values: an event of that range
    that committed after the queue was read, or lost its queue row, is integrated too
    (its queue row, if any, goes in a later round). Events that have a leaf are skipped.
    """
    seqs = list(Unsequenced.objects.order_by("seq").values_list("seq", flat=True)[:want])
    if not seqs:
        return 0, 0
    rows = list(
        Event.objects.filter(seq__gte=seqs[0], seq__lte=seqs[-1], leaf__isnull=True)
        .order_by("seq")
        .values_list(*COLUMNS)
    )
    if rows:
        size = tree_size()
        edge_nodes = merkle.frontier(size)
        found = read_nodes(edge_nodes)
        hashes = [merkle.leaf_hash(canonical(_leaf_data(*row))) for row in rows]
        _, completed = merkle.append(size, [found[n] for n in edge_nodes], hashes)
        _insert(
            Leaf._meta.db_table,
            ("index", "event_id", "hash"),
            [(size + i, row[0], h) for i, (row, h) in enumerate(zip(rows, hashes, strict=True))],
        )
        _insert(TreeNode._meta.db_table, ("level", "index", "hash"), completed)
    # Only the rows read above: a late event committing meanwhile stays queued.
    _dequeue(seqs)
    return len(seqs), len(rows)


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


def leaf_index(key: uuid.UUID | str | int) -> int:
    """The leaf index of the event with uid or seq ``key``.

    Raises ``Event.DoesNotExist`` if there is no such event, :class:`NotIntegrated` if it
    has no leaf yet. One indexed query when it has one.
    """
    if isinstance(key, int):
        column, value = "seq", key
    else:
        column = "uid"
        value = Event._meta.get_field("uid").get_db_prep_value(
            uuid.UUID(str(key)), connection, prepared=False
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.{_q('index')} FROM {_q(Leaf._meta.db_table)} l "
            f"JOIN {_q(Event._meta.db_table)} e ON e.seq = l.event_id WHERE e.{column} = %s",
            [value],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    lookup: dict[str, Any] = {column: key if column == "seq" else uuid.UUID(str(key))}
    if not Event.objects.filter(**lookup).exists():
        raise Event.DoesNotExist(f"no event {key}")
    raise NotIntegrated(f"event {key} has no leaf yet")


def leaf_of(key: uuid.UUID | str | int) -> Leaf:
    """The leaf of the event with uid or seq ``key`` (``Event.DoesNotExist``, NotIntegrated)."""
    return Leaf.objects.select_related("event").get(index=leaf_index(key))


def inclusion_proof(index: int, size: int | None = None) -> tuple[int, list[bytes]]:
    """``(size, path)``: the audit path of leaf ``index`` in the tree of ``size`` leaves."""
    n = _size_or_current(size)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in the tree of {n} leaves")
    return n, _compute(lambda g: merkle.inclusion_proof(index, n, g))


def inclusion_proof_and_root(index: int, size: int | None = None) -> tuple[int, list[bytes], bytes]:
    """``(size, path, root)``: the audit path of leaf ``index`` and the root, in one read."""
    n = _size_or_current(size)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in the tree of {n} leaves")
    path, head = _compute(lambda g: (merkle.inclusion_proof(index, n, g), merkle.root(n, g)))
    return n, path, head


def inclusion_proof_for_event(
    key: uuid.UUID | str | int, size: int | None = None
) -> tuple[int, int, list[bytes]]:
    """``(leaf_index, size, path)`` for the event with uid or seq ``key``."""
    index = leaf_index(key)
    n, path = inclusion_proof(index, size)
    return index, n, path


def consistency(size1: int, size2: int | None = None) -> list[bytes]:
    """The RFC 9162 consistency proof from ``size1`` to ``size2`` (default: now)."""
    n = _size_or_current(size2)
    if not 0 < size1 <= n:
        raise ValueError(f"no consistency proof from size {size1} to size {n}")
    return _compute(lambda g: merkle.consistency_proof(size1, n, g))
