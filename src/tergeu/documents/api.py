"""JSON API of procedural documents (a django-ninja router, mounted under /api/v1/).

Every endpoint calls a service; service errors propagate and are turned into 4xx answers
by the API's central exception handler.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from . import services
from .catalogue import CATALOGUE, DocType, FieldSpec, Label
from .models import Document
from .signatures import SignatureCheck, check_signatures, latest_pdf_sha256

router = Router(tags=["documents"])


def actor(request: HttpRequest) -> Any:
    """The acting user: the API token's user if the request was authenticated by one."""
    auth = getattr(request, "auth", None)
    return auth if auth is not None else request.user


class LabelOut(Schema):
    kk: str
    ru: str
    en: str


def _label(label: Label) -> LabelOut:
    return LabelOut(kk=label.kk, ru=label.ru, en=label.en)


class ChoiceOut(Schema):
    value: str
    label: LabelOut
    ref: str | None = None


class FieldOut(Schema):
    name: str
    type: str
    required: bool
    label: LabelOut
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    pattern: str = ""
    statuses: list[str] = Field(default_factory=list)
    choices: list[ChoiceOut] = Field(default_factory=list)


class DocTypeOut(Schema):
    code: str
    kind: str
    title: LabelOut
    articles: list[str]
    participant_status: str | None = None
    effect: str | None = None
    fields: list[FieldOut]


def _field_out(spec: FieldSpec) -> FieldOut:
    return FieldOut(
        name=spec.name,
        type=spec.type,
        required=spec.required,
        label=_label(spec.label),
        max_length=spec.max_length,
        min=spec.min_value,
        max=spec.max_value,
        pattern=spec.pattern,
        statuses=list(spec.statuses),
        choices=[
            ChoiceOut(value=c.value, label=_label(c.label), ref=str(c.ref) if c.ref else None)
            for c in spec.choices
        ],
    )


def _type_out(spec: DocType) -> DocTypeOut:
    return DocTypeOut(
        code=spec.code,
        kind=spec.kind,
        title=_label(spec.title),
        articles=[str(r) for r in spec.articles],
        participant_status=spec.participant_status,
        effect=spec.effect,
        fields=[_field_out(f) for f in spec.fields],
    )


class DocumentSummary(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    number: int
    doc_type: str
    title: str
    language: str
    status: str
    version: int
    content_sha256: str
    supersedes_id: uuid.UUID | None = None
    created_at: dt.datetime
    finalised_at: dt.datetime | None = None


class DocumentOut(DocumentSummary):
    fields: dict[str, Any]
    body: str
    author_id: int
    finalised_by_id: int | None = None
    correction_reason: str | None = None
    superseded_by_id: uuid.UUID | None = None
    pdf_sha256: str | None = Field(
        None, description="SHA-256 of the current signed PDF (after the last signature)"
    )


def _out(doc: Document) -> DocumentOut:
    nxt = Document.objects.filter(supersedes=doc).values_list("pk", flat=True).first()
    return DocumentOut(
        id=doc.pk,
        case_id=doc.case_id,
        number=doc.number,
        doc_type=doc.doc_type,
        title=doc.title,
        language=doc.language,
        status=doc.status,
        version=doc.version,
        content_sha256=doc.content_sha256,
        supersedes_id=doc.supersedes_id,
        created_at=doc.created_at,
        finalised_at=doc.finalised_at,
        fields=doc.fields,
        body=doc.body,
        author_id=doc.author_id,
        finalised_by_id=doc.finalised_by_id,
        correction_reason=doc.correction_reason,
        superseded_by_id=nxt,
        pdf_sha256=latest_pdf_sha256(doc) if doc.is_final else None,
    )


class SignatureOut(Schema):
    """A recorded signature of a document and what verifying the current PDF says of it."""

    sequence: int
    role: str
    field: str
    signer_id: int
    signer: str = Field(description="The signer's name as the certificate gives it")
    signed_at: dt.datetime
    certificate_serial: str
    pdf_sha256: str = Field(description="SHA-256 of the PDF right after this signature")
    ok: bool = Field(description="Intact, valid, trusted now and timestamped")
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    timestamp_ok: bool
    timestamp: dt.datetime | None = None
    whole_document: bool = Field(description="The signature covers the whole current file")
    problems: list[str] = Field(
        default_factory=list,
        description="unreadable, broken, invalid, untrusted, revoked, no_timestamp, "
        "timestamp, modified, missing",
    )


def _signature_out(check: SignatureCheck) -> SignatureOut:
    row, verdict = check.row, check.verdict
    return SignatureOut(
        sequence=row.sequence,
        role=row.role,
        field=row.field_name,
        signer_id=row.signer_id,
        signer=verdict.signer if verdict and verdict.signer else str(row.signer),
        signed_at=row.signed_at,
        certificate_serial=row.certificate_serial,
        pdf_sha256=row.pdf_sha256,
        ok=check.ok,
        intact=bool(verdict and verdict.intact),
        valid=bool(verdict and verdict.valid),
        trusted=bool(verdict and verdict.trusted),
        revoked=bool(verdict and verdict.revoked),
        timestamp_ok=bool(verdict and verdict.timestamp_ok),
        timestamp=verdict.timestamp if verdict else None,
        whole_document=bool(verdict and verdict.whole_document),
        problems=list(check.problems),
    )


class DocumentIn(Schema):
    doc_type: str
    fields: dict[str, Any] = Field(default_factory=dict)
    language: str = "ru"


class DocumentUpdate(Schema):
    fields: dict[str, Any]
    version: int


class FinaliseIn(Schema):
    version: int


class SupersedeIn(Schema):
    reason: str
    fields: dict[str, Any] | None = None


class CountersignIn(Schema):
    role: str = Field(description="approval (head of unit) or prosecutor")


_PDF = {
    "responses": {
        200: {
            "description": "The PDF: as signed and stored if final, an unsigned preview if a draft",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("/document-types", response=list[DocTypeOut])
def document_types(request: HttpRequest) -> list[DocTypeOut]:
    """The catalogue of procedural documents, with their fields and legal basis."""
    return [_type_out(t) for t in CATALOGUE]


@router.get("/cases/{case_id}/documents", response=list[DocumentSummary])
def list_documents(request: HttpRequest, case_id: str) -> Any:
    """Documents of a case (id or ERDR number), in number order."""
    return list(services.documents_of(actor(request), case_id))


@router.post("/cases/{case_id}/documents", response={201: DocumentOut})
def create_document(request: HttpRequest, case_id: str, payload: DocumentIn) -> Any:
    """Draft a new document in the case."""
    doc = services.create_draft(
        actor(request), case_id, payload.doc_type, payload.fields, payload.language
    )
    return 201, _out(doc)


@router.get("/documents/{doc_id}", response=DocumentOut)
def read_document(request: HttpRequest, doc_id: uuid.UUID) -> DocumentOut:
    """A document with its text (the reading is journaled)."""
    return _out(services.get_document(actor(request), doc_id))


@router.put("/documents/{doc_id}", response=DocumentOut)
def update_document(request: HttpRequest, doc_id: uuid.UUID, payload: DocumentUpdate) -> Any:
    """Replace a draft's fields; ``version`` must match (else 409)."""
    return _out(services.update_draft(actor(request), doc_id, payload.fields, payload.version))


@router.post("/documents/{doc_id}/finalise", response=DocumentOut)
def finalise_document(request: HttpRequest, doc_id: uuid.UUID, payload: FinaliseIn) -> Any:
    """Finalise a draft; from then on it is immutable."""
    return _out(services.finalise(actor(request), doc_id, payload.version))


@router.post("/documents/{doc_id}/supersede", response={201: DocumentOut})
def supersede_document(request: HttpRequest, doc_id: uuid.UUID, payload: SupersedeIn) -> Any:
    """Draft a correction that supersedes a finalised document."""
    doc = services.supersede(actor(request), doc_id, payload.fields, payload.reason)
    return 201, _out(doc)


@router.get("/documents/{doc_id}/pdf", openapi_extra=_PDF)
def document_pdf(request: HttpRequest, doc_id: uuid.UUID) -> HttpResponse:
    """The document as PDF (the reading is journaled)."""
    doc, data = services.signed_pdf(actor(request), doc_id)
    response = HttpResponse(data, content_type="application/pdf")
    suffix = "" if doc.is_final else "-draft"
    filename = f"{doc.case.erdr_number}-{doc.number}{suffix}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/documents/{doc_id}/signatures", response=list[SignatureOut])
def document_signatures(request: HttpRequest, doc_id: uuid.UUID) -> list[SignatureOut]:
    """The signatures of a document, verified now against our roots and CRLs (journaled)."""
    doc = services.get_document(actor(request), doc_id, purpose="signatures")
    return [_signature_out(c) for c in check_signatures(doc)] if doc.is_final else []


@router.post("/documents/{doc_id}/countersign", response=DocumentOut)
def countersign_document(request: HttpRequest, doc_id: uuid.UUID, payload: CountersignIn) -> Any:
    """Add the head of unit's approval or the supervising prosecutor's signature."""
    return _out(services.countersign(actor(request), doc_id, role=payload.role))


@router.delete("/documents/{doc_id}", response={204: None})
def discard_document(request: HttpRequest, doc_id: uuid.UUID) -> Any:
    """Discard a draft."""
    services.discard_draft(actor(request), doc_id)
    return 204, None
