"""The RFC 9162 tree without a database: the shared test vectors and property tests.

The vectors (transparency-dev/merkle, in ``../shared/testdata/rfc9162``) are read from
beside the repository; without them the tests skip, except under CI (``CI=true``) where
a missing directory fails.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tergeu.integrity import merkle

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / ".." / "shared" / "testdata" / "rfc9162"


def _vector_files(kind: str) -> list[Path]:
    directory = VECTORS / kind
    if not directory.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            return [directory / "MISSING"]  # fails in the test, loudly
        return []
    return sorted(directory.rglob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        pytest.fail(f"RFC 9162 test vectors missing: {VECTORS.resolve()}")
    return json.loads(path.read_text())


def _b(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _proof(data: dict[str, Any]) -> list[bytes]:
    return [_b(p) for p in data["proof"] or []]


def _id(path: Path) -> str:
    return str(path.relative_to(VECTORS)) if path.is_relative_to(VECTORS) else str(path)


INCLUSION = _vector_files("inclusion")
CONSISTENCY = _vector_files("consistency")


def test_vectors_are_there_or_skipped_knowingly() -> None:
    if not VECTORS.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"RFC 9162 test vectors missing: {VECTORS.resolve()}")
        pytest.skip(f"no RFC 9162 test vectors at {VECTORS.resolve()}")
    assert len(INCLUSION) > 50
    assert len(CONSISTENCY) > 50
    wanted = [_load(p)["wantErr"] for p in INCLUSION + CONSISTENCY]
    assert True in wanted
    assert False in wanted


def test_missing_vectors_fail_under_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules[__name__], "VECTORS", tmp_path / "absent")
    monkeypatch.setenv("CI", "true")
    (missing,) = _vector_files("inclusion")
    with pytest.raises(pytest.fail.Exception, match="vectors missing"):
        _load(missing)
    monkeypatch.setenv("CI", "")
    assert _vector_files("inclusion") == []


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_inclusion_vector(path: Path) -> None:
    data = _load(path)
    args = (_b(data["leafHash"]), data["leafIdx"], data["treeSize"], _proof(data), _b(data["root"]))
    if data["wantErr"]:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(*args)
    else:
        merkle.verify_inclusion(*args)


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_consistency_vector(path: Path) -> None:
    data = _load(path)
    args = (data["size1"], data["size2"], _proof(data), _b(data["root1"]), _b(data["root2"]))
    if data["wantErr"]:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(*args)
    else:
        merkle.verify_consistency(*args)


# ---------------------------------------------------------------- reference tree


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def _stored(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every complete subtree, computed level by level (independent of merkle.append)."""
    nodes = {(0, i): h for i, h in enumerate(leaves)}
    level = 1
    while 1 << level <= len(leaves):
        for i in range(len(leaves) >> level):
            nodes[(level, i)] = merkle.node_hash(
                nodes[(level - 1, 2 * i)], nodes[(level - 1, 2 * i + 1)]
            )
        level += 1
    return nodes


def _naive_root(leaves: list[bytes]) -> bytes:
    """MTH by the RFC's recursive definition."""
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(_naive_root(leaves[:k]), _naive_root(leaves[k:]))


MAX = 3000
ALL = _leaves(MAX)
NODES = _stored(ALL)


def _get(level: int, index: int) -> bytes:
    return NODES[(level, index)]


def test_known_roots() -> None:
    """Roots of the RFC 6962 reference leaves (as in transparency-dev/merkle's tests)."""
    data = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243"]]
    leaves = [merkle.leaf_hash(d) for d in data]
    assert merkle.root_of([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.root_of(leaves[:1]).hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert merkle.root_of(leaves[:2]).hex() == (
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
    )


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, MAX), data=st.data())
def test_root_matches_the_recursive_definition(size: int, data: st.DataObject) -> None:
    assert merkle.root(size, _get) == _naive_root(ALL[:size]) == merkle.root_of(ALL[:size])


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_every_inclusion_proof_verifies_and_a_flipped_byte_fails(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = merkle.root_of(ALL[:size])
    proof = merkle.inclusion_proof(index, size, _get)
    merkle.verify_inclusion(ALL[index], index, size, proof, root)
    assert len(proof) <= size.bit_length()

    if proof:
        k = data.draw(st.integers(0, len(proof) - 1), label="element")
        byte = data.draw(st.integers(0, 31), label="byte")
        broken = [bytearray(p) for p in proof]
        broken[k][byte] ^= 0x01
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(ALL[index], index, size, [bytes(p) for p in broken], root)
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(ALL[index], index, size, proof[:-1], root)
    bad_leaf = bytearray(ALL[index])
    bad_leaf[data.draw(st.integers(0, 31), label="leaf byte")] ^= 0x80
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(bytes(bad_leaf), index, size, proof, root)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(ALL[index], index, size, [*proof, root], root)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_every_consistency_proof_verifies_and_a_flipped_byte_fails(data: st.DataObject) -> None:
    size2 = data.draw(st.integers(1, MAX), label="size2")
    size1 = data.draw(st.integers(1, size2), label="size1")
    root1, root2 = merkle.root_of(ALL[:size1]), merkle.root_of(ALL[:size2])
    proof = merkle.consistency_proof(size1, size2, _get)
    merkle.verify_consistency(size1, size2, proof, root1, root2)
    assert len(proof) <= 2 * size2.bit_length()

    if proof:
        k = data.draw(st.integers(0, len(proof) - 1), label="element")
        byte = data.draw(st.integers(0, 31), label="byte")
        broken = [bytearray(p) for p in proof]
        broken[k][byte] ^= 0x01
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(size1, size2, [bytes(p) for p in broken], root1, root2)
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(size1, size2, proof[1:], root1, root2)
    if size1 < size2:
        other = merkle.root_of(ALL[1 : size1 + 1])
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(size1, size2, proof, other, root2)


@settings(max_examples=50, deadline=None)
@given(cuts=st.lists(st.integers(0, 400), min_size=1, max_size=8))
def test_appending_in_any_chunks_stores_exactly_the_complete_subtrees(cuts: list[int]) -> None:
    size, edge, stored = 0, [], {}
    for chunk in cuts:
        edge, completed = merkle.append(size, edge, ALL[size : size + chunk])
        for level, index, h in completed:
            assert (level, index) not in stored
            stored[(level, index)] = h
        size += chunk
        assert edge == [NODES[node] for node in merkle.frontier(size)]
    expected = {k: v for k, v in _stored(ALL[:size]).items() if k[0] > 0}
    assert stored == expected


def test_proofs_need_few_stored_nodes() -> None:
    size = 1_000_000
    for index in (0, 1, 499_999, 999_999):
        wanted = merkle.nodes_for(lambda g, i=index: merkle.inclusion_proof(i, size, g))
        assert len(wanted) <= 2 * size.bit_length()
    wanted = merkle.nodes_for(lambda g: merkle.consistency_proof(777_777, size, g))
    assert len(wanted) <= 3 * size.bit_length()


@pytest.mark.parametrize(
    ("index", "size"), [(0, 0), (1, 1), (-1, 5), (5, 5), (2**64 - 1, 8)], ids=str
)
def test_inclusion_outside_the_tree_is_refused(index: int, size: int) -> None:
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(ALL[0], index, size, [], ALL[0])
    if size > 0 and not 0 <= index < size:
        with pytest.raises(merkle.ProofError):
            merkle.inclusion_proof(index, size, _get)


def test_malformed_hashes_are_refused() -> None:
    proof = merkle.inclusion_proof(3, 8, _get)
    root = merkle.root(8, _get)
    with pytest.raises(merkle.ProofError, match="32-byte"):
        merkle.verify_inclusion(ALL[3], 3, 8, [*proof[:-1], proof[-1] + b"\x00"], root)
    with pytest.raises(merkle.ProofError, match="leaf hash"):
        merkle.verify_inclusion(ALL[3][:31], 3, 8, proof, root)
    with pytest.raises(merkle.ProofError):
        merkle.consistency_proof(0, 8, _get)
    with pytest.raises(merkle.ProofError):
        merkle.consistency_proof(9, 8, _get)
    assert merkle.consistency_proof(8, 8, _get) == []
