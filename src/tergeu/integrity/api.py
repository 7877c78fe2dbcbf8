"""JSON API of the journal's Merkle tree: checkpoints, inclusion and consistency proofs.

Hashes, roots and leaf bytes are base64 (standard alphabet, padded), as in the
checkpoints themselves and the RFC 9162 test vectors. docs/journal.md shows how to check
the answers by hand.

Who may read what: the public key is public; checkpoints and consistency proofs are for
any signed-in user (they reveal only sizes and hashes); the inclusion proof of an event
(which carries the event itself) for users who can see its case, and for events without
a case, for administrators, analysts and prosecutors only. Anyone else gets 404 and the
refusal is journaled.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from tergeu.core.api_helpers import ERRORS, actor
from tergeu.core.errors import Conflict, NotFound, ValidationFailed

from . import checkpoints, tree
from .journal import deny, service
from .models import Checkpoint, Event, Leaf

router = Router(tags=["journal"])

#: Roles that may read proofs of events that belong to no case.
JOURNAL_READERS = frozenset({"administrator", "analyst", "prosecutor"})


def b64(data: bytes | memoryview) -> str:
    """Standard base64 with padding."""
    return base64.b64encode(bytes(data)).decode()


# ---------------------------------------------------------------- schemas


class CheckpointOut(Schema):
    """A signed checkpoint: the C2SP signed note and its fields."""

    origin: str = Field(..., description="The log's origin (first line of the note).")
    size: int = Field(..., description="Number of events (leaves) the checkpoint commits to.")
    root: str = Field(..., description="Root hash of the tree of that size, base64.")
    key_id: str = Field(..., description="4-byte key hash of the signing key, hex.")
    note: str = Field(..., description="The signed note, byte for byte as signed.")
    created_at: dt.datetime


class ProofOut(Schema):
    """An RFC 9162 inclusion proof of one event."""

    event: uuid.UUID
    seq: int = Field(..., description="The event's number in the journal.")
    leaf_index: int = Field(..., description="The event's leaf in the tree, from 0.")
    tree_size: int = Field(..., description="Size of the tree the proof is for.")
    leaf: str = Field(
        ..., description="The leaf data (canonical JSON of the event), base64; hash it."
    )
    leaf_hash: str = Field(..., description="SHA-256(0x00 || leaf), base64.")
    hashes: list[str] = Field(..., description="The audit path, bottom-up, base64.")
    root: str = Field(..., description="Root of the tree of tree_size, base64.")
    checkpoint: CheckpointOut | None = Field(
        None, description="The signed checkpoint of tree_size, if one was issued."
    )


class ProofQuery(Schema):
    """Which tree the proof is for."""

    size: int | None = Field(
        None,
        ge=1,
        description="Tree size (default: the newest checkpoint that holds the event, else "
        "the tree now).",
    )


class ConsistencyQuery(Schema):
    """The two tree sizes."""

    from_: int = Field(..., alias="from", ge=1, description="The older (smaller) tree size.")
    to: int | None = Field(None, ge=1, description="The newer tree size (default: now).")


class ConsistencyOut(Schema):
    """An RFC 9162 consistency proof between two tree sizes."""

    size1: int
    size2: int
    root1: str = Field(..., description="Root of the tree of size1, base64.")
    root2: str = Field(..., description="Root of the tree of size2, base64.")
    hashes: list[str] = Field(..., description="The consistency proof, base64.")


class PublicKeyOut(Schema):
    """The log's Ed25519 public key, in the forms verifiers want."""

    name: str = Field(..., description="Key name, the log's origin.")
    algorithm: str = "Ed25519"
    key_id: str = Field(..., description="4-byte key hash, hex.")
    vkey: str = Field(..., description="Signed-note verifier key: name+hex key ID+base64 key.")
    pem: str = Field(..., description="SubjectPublicKeyInfo PEM (for openssl).")


def checkpoint_out(row: Checkpoint) -> dict[str, Any]:
    """The API representation of a checkpoint."""
    return {
        "origin": row.origin,
        "size": row.size,
        "root": b64(row.root_hash),
        "key_id": row.key_id,
        "note": row.note,
        "created_at": row.created_at,
    }


# ---------------------------------------------------------------- access


@service
def readable_event(user: Any, uid: uuid.UUID) -> Event:
    """The event ``uid`` if ``user`` may read it (journaled NotFound otherwise)."""
    from tergeu.cases.access import visible_cases  # cases sits above integrity

    event = Event.objects.filter(uid=uid).first()
    if event is None:
        raise deny(NotFound(), user, "journal.proof", None, f"no event {uid}")
    if event.case_id is None:
        if not (user.is_superuser or getattr(user, "role", "") in JOURNAL_READERS):
            raise deny(NotFound(), user, "journal.proof", None, "event without a case")
    elif not visible_cases(user).filter(pk=event.case_id).exists():
        raise deny(NotFound(), user, "journal.proof", event.case_id, "no grant")
    return event


# ---------------------------------------------------------------- endpoints


@router.get(
    "/journal/checkpoint",
    response={200: CheckpointOut, **ERRORS},
    summary="Latest checkpoint",
)
def latest_checkpoint(request: HttpRequest) -> dict[str, Any]:
    """The newest signed checkpoint of the journal."""
    actor(request)
    row = checkpoints.latest()
    if row is None:
        raise NotFound(_("No checkpoint has been issued yet."))
    return checkpoint_out(row)


@router.post(
    "/journal/checkpoints",
    response={200: CheckpointOut, 201: CheckpointOut, **ERRORS},
    summary="Issue a checkpoint now",
)
def issue_checkpoint(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    """Sign a checkpoint of the journal now: 201 if the tree grew, else 200 with the newest."""
    actor(request)
    before = checkpoints.latest()
    try:
        row = checkpoints.issue_checkpoint()
    except checkpoints.InconsistentLog as exc:
        raise Conflict(
            _("The journal does not extend its last checkpoint; no checkpoint was issued."),
            code="journal_inconsistent",
        ) from exc
    fresh = before is None or before.pk != row.pk
    return (201 if fresh else 200), checkpoint_out(row)


@router.get(
    "/journal/events/{uid}/proof",
    response={200: ProofOut, **ERRORS},
    summary="Inclusion proof of an event",
)
def event_proof(request: HttpRequest, uid: uuid.UUID, query: Query[ProofQuery]) -> dict[str, Any]:
    """The event's leaf and its RFC 9162 audit path to the root of a tree size."""
    event = readable_event(actor(request), uid)
    leaf = Leaf.objects.filter(event_id=event.seq).values_list("index", "hash").first()
    if leaf is None:
        raise Conflict(
            _("The event is not in the tree yet; ask again after the next checkpoint."),
            code="not_integrated",
        )
    index, leaf_hash = leaf
    current = tree.tree_size()
    newest = checkpoints.latest()
    size = query.size
    if size is None:
        size = newest.size if newest is not None and newest.size > index else current
    if size > current:
        raise ValidationFailed.one(
            "size", str(_("The tree has only %(size)d events.")) % {"size": current}
        )
    if size <= index:
        raise ValidationFailed.one("size", _("The event is not in the tree of this size."))
    path, root = tree.inclusion_proof_and_root(index, size)[1:]
    if newest is None or newest.size != size:
        newest = Checkpoint.objects.filter(size=size).first()
    return {
        "event": event.uid,
        "seq": event.seq,
        "leaf_index": index,
        "tree_size": size,
        "leaf": b64(tree.event_leaf_bytes(event)),
        "leaf_hash": b64(leaf_hash),
        "hashes": [b64(h) for h in path],
        "root": b64(root),
        "checkpoint": checkpoint_out(newest) if newest is not None else None,
    }


@router.get(
    "/journal/consistency",
    response={200: ConsistencyOut, **ERRORS},
    summary="Consistency proof between two tree sizes",
)
def consistency(request: HttpRequest, query: Query[ConsistencyQuery]) -> dict[str, Any]:
    """The RFC 9162 proof that the tree of size ``to`` extends the tree of size ``from``."""
    actor(request)
    current = tree.tree_size()
    size2 = current if query.to is None else query.to
    if size2 > current:
        raise ValidationFailed.one(
            "to", str(_("The tree has only %(size)d events.")) % {"size": current}
        )
    if query.from_ > size2:
        raise ValidationFailed.one("from", _("Must not be larger than 'to'."))
    return {
        "size1": query.from_,
        "size2": size2,
        "root1": b64(tree.root(query.from_)),
        "root2": b64(tree.root(size2)),
        "hashes": [b64(h) for h in tree.consistency(query.from_, size2)],
    }


@router.get(
    "/journal/public-key",
    response={200: PublicKeyOut, **ERRORS},
    auth=None,
    summary="The log's public key",
)
def public_key(request: HttpRequest) -> dict[str, Any]:
    """The Ed25519 key that signs the checkpoints (no sign-in needed)."""
    name = checkpoints.origin()
    key = checkpoints.public_key()
    return {
        "name": name,
        "algorithm": "Ed25519",
        "key_id": checkpoints.key_id(name, key).hex(),
        "vkey": checkpoints.vkey(name, key),
        "pem": checkpoints.public_key_pem(key),
    }
