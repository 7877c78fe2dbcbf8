"""RFC 9162 Merkle trees: hashes, proofs and their verification, with no Django in sight.

The tree over ``n`` leaves is the one of RFC 9162 section 2.1.1 (SHA-256)::

    MTH({})      = SHA-256()
    MTH({d0})    = SHA-256(0x00 || d0)                       leaf_hash
    MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  node_hash,
                   k the largest power of two smaller than n

Storage is the caller's business: proofs are built from ``get_node(level, index)``, the
hash of the *complete* subtree at ``level`` whose leaves are
``[index * 2**level, (index + 1) * 2**level)`` (level 0: the leaf hashes). Hashes of the
incomplete right edge of a tree are computed here from at most ``log2(n)`` complete
nodes, so a proof reads O(log n) stored hashes at any size. :func:`nodes_for` lists the
nodes a proof will ask for, so a database can fetch them in one query.

Verification follows RFC 9162 sections 2.1.3.2 (inclusion) and 2.1.4.2 (consistency) to
the letter and raises :class:`ProofError` with the reason when a proof does not hold or
is malformed (wrong number or size of hashes, index outside the tree, sizes in the wrong
order). Proofs and consistency checks from size 0 are refused: RFC 9162 defines them
only for ``0 < m <= n``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
#: The root of the empty tree: SHA-256 of nothing.
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: ``get_node(level, index)``: the hash of a complete stored subtree.
GetNode = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof does not verify, or is malformed; the message says why."""


# ---------------------------------------------------------------- hashes


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of a leaf (RFC 9162 section 2.1.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The tree head over ``leaf_hashes`` (already hashed with :func:`leaf_hash`).

    Computed bottom-up in O(n); the reference the tests compare stored trees with.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])  # an odd node is promoted unchanged
        level = paired
    return level[0]


def subtree_hash(start: int, end: int, get_node: GetNode) -> bytes:
    """``MTH(D[start:end])`` for a range the RFC's recursion produces.

    ``start`` is a multiple of the largest power of two not above ``end - start`` (always
    so in the recursion), so the range is one stored node or a complete left part and a
    smaller right edge.
    """
    size = end - start
    if size <= 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0:  # a complete subtree: stored
        level = size.bit_length() - 1
        return get_node(level, start >> level)
    k = _split(size)
    left = subtree_hash(start, start + k, get_node)
    return node_hash(left, subtree_hash(start + k, end, get_node))


def root(size: int, get_node: GetNode) -> bytes:
    """The tree head of the first ``size`` leaves, from stored complete subtrees."""
    return subtree_hash(0, size, get_node)


# ---------------------------------------------------------------- proofs


def inclusion_proof(index: int, size: int, get_node: GetNode) -> list[bytes]:
    """The audit path ``PATH(index, D[size])`` of RFC 9162 section 2.1.3.1."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, end, m = 0, size, index
    # Walk down from the root, collecting the sibling of each step; the RFC's list is
    # bottom-up, so the siblings are reversed at the end.
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            path.append(subtree_hash(start + k, end, get_node))
            end = start + k
        else:
            path.append(subtree_hash(start, start + k, get_node))
            start, m = start + k, m - k
    path.reverse()
    return path


def consistency_proof(size1: int, size2: int, get_node: GetNode) -> list[bytes]:
    """``PROOF(size1, D[size2])`` of RFC 9162 section 2.1.4.1, for ``0 < size1 <= size2``.

    Equal sizes have the empty proof.
    """
    if not 0 < size1 <= size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    proof: list[bytes] = []
    start, end, m, complete = 0, size2, size1, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                proof.append(subtree_hash(start, end, get_node))
            break
        k = _split(n)
        if m <= k:
            proof.append(subtree_hash(start + k, end, get_node))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k, get_node))
            start, m, complete = start + k, m - k, False
    proof.reverse()
    return proof


def nodes_for(build: Callable[[GetNode], object]) -> list[tuple[int, int]]:
    """The stored nodes ``build(get_node)`` asks for, in the order it asks.

    Which nodes a proof needs depends only on the sizes, not on hash values, so a dry run
    with a recording ``get_node`` lists them; storage then reads them all at once::

        wanted = nodes_for(lambda g: inclusion_proof(5, 1000, g))
    """
    seen: list[tuple[int, int]] = []

    def record(level: int, index: int) -> bytes:
        seen.append((level, index))
        return EMPTY_ROOT

    build(record)
    return list(dict.fromkeys(seen))


# ---------------------------------------------------------------- verification


def _check_hashes(hashes: Iterable[bytes], what: str) -> list[bytes]:
    items = list(hashes)
    for i, h in enumerate(items):
        if not isinstance(h, bytes | bytearray) or len(h) != HASH_SIZE:
            raise ProofError(f"{what} element {i} is not a {HASH_SIZE}-byte hash")
    return [bytes(h) for h in items]


def _lsb(x: int) -> int:
    return x & 1


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root a valid inclusion proof leads to (RFC 9162 section 2.1.3.2, steps 1-5)."""
    if size < 1 or not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    if not isinstance(leaf, bytes | bytearray) or len(leaf) != HASH_SIZE:
        raise ProofError(f"the leaf hash is not {HASH_SIZE} bytes")
    path = _check_hashes(proof, "proof")
    fn, sn, r = index, size - 1, bytes(leaf)
    for p in path:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is high")
        if _lsb(fn) or fn == sn:
            r = node_hash(p, r)
            if not _lsb(fn):
                while not (_lsb(fn) or fn == 0):
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is high")
    return r


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """Check that ``leaf`` (a leaf hash) is leaf ``index`` of the tree ``(size, root_hash)``.

    Raises :class:`ProofError` unless the proof holds.
    """
    if root_from_inclusion_proof(leaf, index, size, proof) != root_hash:
        raise ProofError("the proof leads to a different root")


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree ``(size2, root2)`` extends ``(size1, root1)`` (RFC 9162 2.1.4.2).

    Raises :class:`ProofError` unless the proof holds. Equal sizes need an empty proof and
    equal roots; size 0 is refused (RFC 9162 defines the proof for ``0 < size1``).
    """
    if size1 < 1:
        raise ProofError("a consistency proof needs a first tree of at least one leaf")
    if size2 < size1:
        raise ProofError(f"the second size {size2} is smaller than the first {size1}")
    if size1 == size2:
        if len(proof) > 0:
            raise ProofError("equal sizes have an empty proof")
        if root1 != root2:
            raise ProofError("equal sizes but different roots")
        return
    path = _check_hashes(proof, "proof")
    # 1. An empty proof fails.
    if not path:
        raise ProofError("empty proof")
    # 2. If size1 is a power of two, the first root is the start of the path.
    if size1 & (size1 - 1) == 0:
        path = [bytes(root1), *path]
    # 3.-4.
    fn, sn = size1 - 1, size2 - 1
    while _lsb(fn):
        fn, sn = fn >> 1, sn >> 1
    # 5.-6.
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than needed")
        if _lsb(fn) or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not _lsb(fn):
                while not (_lsb(fn) or fn == 0):
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    # 7.
    if sn != 0:
        raise ProofError("the proof is shorter than needed")
    if fr != root1:
        raise ProofError("the proof does not lead to the first root")
    if sr != root2:
        raise ProofError("the proof does not lead to the second root")


# ---------------------------------------------------------------- appending


def frontier(size: int) -> list[tuple[int, int]]:
    """The complete subtrees on the right edge of a tree of ``size`` leaves, left to right.

    One per set bit of ``size``, as ``(level, index)``; appending needs only these.
    """
    nodes: list[tuple[int, int]] = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def append(
    size: int, edge: Sequence[bytes], leaves: Iterable[bytes]
) -> tuple[list[bytes], list[tuple[int, int, bytes]]]:
    """Append leaf hashes to a tree of ``size`` leaves whose :func:`frontier` hashes are ``edge``.

    Returns the new frontier's hashes and every subtree completed on the way, as
    ``(level, index, hash)`` with level >= 1 (level 0 are the leaves themselves).
    """
    stack = [(level, h) for (level, _), h in zip(frontier(size), edge, strict=True)]
    completed: list[tuple[int, int, bytes]] = []
    n = size
    for leaf in leaves:
        stack.append((0, leaf))
        n += 1
        while len(stack) >= 2 and stack[-1][0] == stack[-2][0]:
            level, right = stack.pop()
            _, left = stack.pop()
            merged = node_hash(left, right)
            # The merged subtree ends at leaf n, so it is number n / 2**(level+1) - 1.
            completed.append((level + 1, (n >> (level + 1)) - 1, merged))
            stack.append((level + 1, merged))
    return [h for _, h in stack], completed
