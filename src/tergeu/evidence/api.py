"""JSON API of evidence: items of a case, their files and their chain of custody.

Every endpoint calls :mod:`.services`; a case the caller holds no grant on is 'not found'
(journaled). Files are uploaded as ``multipart/form-data`` (field ``file``) and
downloaded as they were stored, after their SHA-256 is checked; each download is
journaled. The ``Repr-Digest`` header (RFC 9530) carries the SHA-256 of the content.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import uuid
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Query, Router, Schema, UploadedFile
from pydantic import AwareDatetime

from tergeu.core.api_helpers import ERRORS, PageOut, PageParams, actor, labelled, paged

from . import services
from .models import CustodyEvent, CustodyKind, EvidenceFile, EvidenceItem, ItemKind, ItemStatus
from .rules import allowed_moves

router = Router(tags=["evidence"])

# ---------------------------------------------------------------- schemas


class FileOut(Schema):
    """A file of an item, stored under its SHA-256."""

    id: uuid.UUID
    item_id: uuid.UUID
    sha256: str = Field(..., description="SHA-256 of the content (hex); the blob's name.")
    size: int = Field(..., description="Size in bytes.")
    name: str = Field(..., description="The file name given at upload.")
    content_type: str = Field(..., description="The type recognised from the content.")
    uploaded_by: str
    uploaded_at: dt.datetime


class CustodyOut(Schema):
    """One link of the chain of custody."""

    id: uuid.UUID
    kind: str = Field(..., description="received, transferred, examination_sent, ...")
    kind_label: str
    from_holder: str = Field(..., description="Who held the item before.")
    to: str = Field(..., description="Who received it, as a person reads it.")
    to_holder: str = Field(..., description="The free text of the receiving holder.")
    to_organisation: str | None = Field(None, description="Code of the receiving body.")
    to_user_id: int | None = None
    at: dt.datetime
    by: str = Field(..., description="The official who recorded it.")
    note: str
    rule: str = Field(..., description="The article of the CPC the move comes from.")
    journal_event_uid: uuid.UUID = Field(..., description="Its event in the journal.")


class MoveOut(Schema):
    """A custody move open to the item now (the caller may still lack the right)."""

    name: str = Field(..., description="Value for 'move' of POST /evidence/{id}/custody.")
    label: str
    rule: str


class ItemOut(Schema):
    """An item of evidence, its files and its chain of custody."""

    id: uuid.UUID
    case_id: uuid.UUID
    number: int = Field(..., description="Number of the item in the case (1, 2, ...).")
    description: str
    kind: str
    kind_label: str
    seized_at: dt.datetime
    seized_where: str
    holder: str = Field(..., description="Who holds it now, as a person reads it.")
    holder_text: str
    holder_organisation: str | None = Field(None, description="Code of the holding body.")
    holder_user_id: int | None = None
    status: str = Field(..., description="in_custody, transferred, under_examination, ...")
    status_label: str
    version: int = Field(..., description="Send it back with a move to detect concurrent edits.")
    registered_at: dt.datetime
    files: list[FileOut]
    custody: list[CustodyOut]
    moves: list[MoveOut]


class ItemIn(Schema):
    """An item to register in the case (its receipt)."""

    description: str = Field(..., max_length=2000, description="What the item is.")
    kind: ItemKind
    seized_at: AwareDatetime = Field(..., description="When it was seized or provided.")
    seized_where: str = Field(..., max_length=500, description="Where, or by whom provided.")
    holder: str = Field("", max_length=300, description="Who keeps it (default: the caller).")
    holder_organisation: str = Field("", max_length=6, description="Code of the keeping body.")
    holder_user: int | None = Field(None, description="User id of the keeping official.")


class MoveIn(Schema):
    """A move of the item along its chain of custody; see 'moves' of the item."""

    move: str = Field(..., max_length=40, description="transfer, send_for_examination, ...")
    to_holder: str = Field("", max_length=300, description="Who receives the item.")
    to_organisation: str = Field("", max_length=6, description="Code of the receiving body.")
    to_user: int | None = Field(None, description="User id of the receiving official.")
    note: str = Field("", max_length=2000, description="Grounds: resolution, sentence, act.")
    version: int | None = Field(None, ge=1, description="The item's version you saw.")


class FileCheckOut(Schema):
    """Whether a stored file still matches its SHA-256."""

    file_id: uuid.UUID
    item_number: int
    name: str
    sha256: str
    ok: bool


class VerificationOut(Schema):
    """The result of re-hashing every file of a case."""

    checked: int
    failed: int
    files: list[FileCheckOut]


# ---------------------------------------------------------------- conversions


def file_out(row: EvidenceFile) -> dict[str, Any]:
    """The API representation of a file."""
    return {
        "id": row.pk,
        "item_id": row.item_id,
        "sha256": row.sha256,
        "size": row.size,
        "name": row.name,
        "content_type": row.content_type,
        "uploaded_by": str(row.uploaded_by),
        "uploaded_at": row.uploaded_at,
    }


def custody_out(link: CustodyEvent) -> dict[str, Any]:
    """The API representation of a custody event."""
    return {
        "id": link.pk,
        "kind": link.kind,
        "kind_label": labelled(link.kind, CustodyKind.choices),
        "from_holder": link.from_holder,
        "to": link.to_label,
        "to_holder": link.to_holder,
        "to_organisation": link.to_organisation.code if link.to_organisation else None,
        "to_user_id": link.to_user_id,
        "at": link.at,
        "by": str(link.by),
        "note": link.note,
        "rule": link.rule,
        "journal_event_uid": link.journal_event_uid,
    }


def item_out(item: EvidenceItem) -> dict[str, Any]:
    """The API representation of an item (files and custody prefetched)."""
    return {
        "id": item.pk,
        "case_id": item.case_id,
        "number": item.number,
        "description": item.description,
        "kind": item.kind,
        "kind_label": labelled(item.kind, ItemKind.choices),
        "seized_at": item.seized_at,
        "seized_where": item.seized_where,
        "holder": item.holder_label,
        "holder_text": item.holder,
        "holder_organisation": item.holder_organisation.code if item.holder_organisation else None,
        "holder_user_id": item.holder_user_id,
        "status": item.status,
        "status_label": labelled(item.status, ItemStatus.choices),
        "version": item.version,
        "registered_at": item.created_at,
        "files": [file_out(f) for f in item.files.all()],
        "custody": [custody_out(c) for c in item.custody.all()],
        "moves": [
            {"name": m.name, "label": str(m.label), "rule": m.rule}
            for m in allowed_moves(item.status)
        ],
    }


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in data.items()}


# ---------------------------------------------------------------- endpoints


@router.get(
    "/cases/{key}/evidence",
    response={200: PageOut[ItemOut], **ERRORS},
    summary="Evidence of a case",
)
def list_items(request: HttpRequest, key: str, params: Query[PageParams]) -> dict[str, Any]:
    """Items of evidence of a case (id or ERDR number) in number order, with files and custody."""
    return paged(services.items_of(actor(request), key), params, item_out)


@router.post(
    "/cases/{key}/evidence",
    response={201: ItemOut, **ERRORS},
    summary="Register an item of evidence",
)
def create_item(request: HttpRequest, key: str, payload: ItemIn) -> tuple[int, dict[str, Any]]:
    """Register an item in the case: its receipt, the first link of its chain of custody."""
    user = actor(request)
    item = services.register_item(user, key, **_plain(payload.dict()))
    return 201, item_out(services.get_item(user, item.pk))


@router.get("/evidence/{item_id}", response={200: ItemOut, **ERRORS}, summary="An item")
def read_item(request: HttpRequest, item_id: uuid.UUID) -> dict[str, Any]:
    """An item of evidence with its files and chain of custody."""
    return item_out(services.get_item(actor(request), item_id))


@router.post(
    "/evidence/{item_id}/files",
    response={201: FileOut, **ERRORS},
    summary="Attach a file to an item",
)
def upload_file(
    request: HttpRequest, item_id: uuid.UUID, file: File[UploadedFile]
) -> tuple[int, dict[str, Any]]:
    """Upload a photo, recording, scan or document (``multipart/form-data``, field ``file``).

    The content decides the type: JPEG, PNG, TIFF, HEIC/HEIF, WebP, PDF, MP3, WAV, OGG,
    M4A, AMR, FLAC, MP4, MOV, 3GP, WebM, MKV, AVI. Larger than TERGEU_EVIDENCE_MAX_BYTES
    (200 MB by default) is refused.
    """
    row = services.attach_file(
        actor(request),
        item_id,
        name=file.name or "",
        content_type=file.content_type or "",
        stream=file,  # type: ignore[arg-type]
        size=file.size,
    )
    return 201, file_out(row)


@router.get(
    "/evidence/files/{file_id}",
    response={**ERRORS},
    summary="Download a file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file as stored; Repr-Digest carries its SHA-256.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_file(request: HttpRequest, file_id: uuid.UUID) -> FileResponse:
    """The stored file (the reading is journaled). 409 if it no longer matches its SHA-256."""
    row = services.read_file(actor(request), file_id)
    response = FileResponse(
        services.open_verified(row),
        as_attachment=True,
        filename=row.name,
        content_type=row.content_type,
    )
    digest = base64.b64encode(bytes.fromhex(row.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response


@router.post(
    "/evidence/{item_id}/custody",
    response={200: ItemOut, **ERRORS},
    summary="Move an item along its chain of custody",
)
def move_item(request: HttpRequest, item_id: uuid.UUID, payload: MoveIn) -> dict[str, Any]:
    """Transfer, send for examination, receive back, return to the owner or destroy (409 with
    the article of the CPC if the item's status does not allow it)."""
    user = actor(request)
    data = payload.dict()
    services.move_item(user, item_id, data.pop("move"), **data)
    return item_out(services.get_item(user, item_id))


@router.get(
    "/evidence/{item_id}/custody",
    response={200: PageOut[CustodyOut], **ERRORS},
    summary="Chain of custody of an item",
)
def custody(request: HttpRequest, item_id: uuid.UUID, params: Query[PageParams]) -> Any:
    """The custody events of an item, oldest first, each with its journal event."""
    return paged(services.custody_of(actor(request), item_id), params, custody_out)


@router.get(
    "/cases/{key}/evidence/verification",
    response={200: VerificationOut, **ERRORS},
    summary="Verify the files of a case",
)
def verify(request: HttpRequest, key: str) -> dict[str, Any]:
    """Re-hash every stored file of the case and compare it with its recorded SHA-256."""
    results = services.check_files(actor(request), key)
    files = [
        {
            "file_id": row.pk,
            "item_number": row.item.number,
            "name": row.name,
            "sha256": row.sha256,
            "ok": ok,
        }
        for row, ok in results
    ]
    return {"checked": len(files), "failed": sum(not f["ok"] for f in files), "files": files}
