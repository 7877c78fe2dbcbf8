"""Procedural documents of a case: drafting, editing, finalising, superseding, reading.

A document is a draft until it is finalised; then it never changes (the database refuses
UPDATE and DELETE of a final row, migration 0002). A correction is a new draft that
``supersedes`` the final document; the old row stays as it was. Numbers are given per
case in order, under a lock on the case row, so concurrent drafts get distinct numbers
with no gaps (a discarded last draft gives its number back).

Finalising is signing (issue 3): ``content_sha256`` is the SHA-256 of the canonical
content (:mod:`.content`); the PDF rendered from it (:mod:`.pdf`, reproducible) is signed
PAdES with an RFC 3161 timestamp as the author, stored in the content-addressed store, and
its SHA-256 becomes ``pdf_sha256`` in the same UPDATE that makes the row final (the row is
still a draft for the trigger). Further signatures (:func:`countersign`: the head of unit's
approval, the supervising prosecutor's) are incremental; each is an append-only
:class:`~.models.DocumentSignature` naming the PDF after it, so the final row never
changes. A blob written by a transaction that then rolls back is an orphan, never a lie:
nothing refers to it.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.db.models import Max, QuerySet
from django.utils.translation import gettext_lazy as _

from tergeu.cases.access import Perm, get_case, perms_of
from tergeu.cases.models import Case
from tergeu.cases.procedure import check_document
from tergeu.core import blobs, clock
from tergeu.core.errors import Conflict, Message, NotFound, ValidationFailed
from tergeu.integrity.journal import canonical_json, deny, record, service

from .catalogue import LANGUAGES, DocType, get_type
from .content import content_hash
from .effects import apply_effect, check_precondition
from .models import DocStatus, Document, DocumentSignature, SignatureRole
from .pdf import render_pdf
from .rendering import render_body
from .signatures import FIELDS, latest_pdf_sha256, read_pdf, sign_as, signer_certificate
from .validation import clean_fields, fmt

REASON_MAX = 2000

STALE = _("The document was changed meanwhile (perhaps by a second submission). Reload it.")
IS_FINAL = _("The document is finalised and can no longer be changed; supersede it instead.")


def _fields_digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()


def _doc_type(code: Any, errors: dict[str, list[Message]]) -> DocType | None:
    spec = get_type(code) if isinstance(code, str) else None
    if spec is None:
        errors.setdefault("doc_type", []).append(_("Unknown document type."))
    return spec


def _check_language(language: Any, errors: dict[str, list[Message]]) -> None:
    if language not in LANGUAGES:
        errors.setdefault("language", []).append(_("Choose Kazakh, Russian or English."))


def _next_number(case: Case) -> int:
    """The next number of a document in ``case``; the caller holds the case row lock."""
    top = Document.objects.filter(case=case).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _locked(user: Any, doc_id: Any, perm: Perm, verb: str) -> tuple[Case, Document]:
    """Lock the document's case, then the document (always in this order)."""
    pk = _uuid(doc_id)
    case_id = (
        Document.objects.filter(pk=pk).values_list("case_id", flat=True).first() if pk else None
    )
    if case_id is None or pk is None:
        raise deny(NotFound(), user, f"document.{verb}", None, f"no document {str(doc_id)[:40]}")
    case = get_case(user, case_id, perm, lock=True)
    doc = Document.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if doc is None:  # discarded by someone else while we waited for the lock
        raise NotFound()
    doc.case = case
    return case, doc


def _spec_of(doc: Document) -> DocType:
    spec = get_type(doc.doc_type)
    if spec is None:  # the type left the catalogue after the draft was made
        raise Conflict(_("This document type is no longer in the catalogue."))
    return spec


def _render(doc: Document, spec: DocType, case: Case, signer: Any) -> str:
    return render_body(
        spec,
        case,
        doc.fields,
        doc.language,
        number=doc.number,
        signer=signer,
        when=doc.finalised_at or clock.now(),
        supersedes=doc.supersedes,
        reason=doc.correction_reason or "",
    )


@service
def create_draft(
    user: Any,
    case_key: uuid.UUID | str,
    doc_type: str,
    fields: dict[str, Any] | None,
    language: str = "ru",
) -> Document:
    """Draft a document of ``doc_type`` in the case, numbered next in the case."""
    case = get_case(user, case_key, Perm.WORK, lock=True)
    errors: dict[str, list[Message]] = {}
    spec = _doc_type(doc_type, errors)
    _check_language(language, errors)
    clean: dict[str, Any] = {}
    if spec is not None:
        try:
            clean = clean_fields(spec, fields, case)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors or spec is None:
        raise ValidationFailed(errors)
    check_precondition(spec.effect, case)
    check_document(spec, clean, case)
    doc = Document(
        case=case,
        doc_type=spec.code,
        number=_next_number(case),
        title=spec.title.text(language),
        fields=clean,
        language=language,
        author=user,
    )
    doc.body = _render(doc, spec, case, user)
    doc.save()
    record(
        "document.created",
        actor=user,
        case_id=case.pk,
        obj=doc,
        data={
            "type": doc.doc_type,
            "number": doc.number,
            "language": language,
            "fields_sha256": _fields_digest(clean),
        },
    )
    return doc


@service
def update_draft(
    user: Any, doc_id: uuid.UUID | str, fields: dict[str, Any], version: int
) -> Document:
    """Replace the fields of a draft; ``version`` must be the one the user edited."""
    case, doc = _locked(user, doc_id, Perm.WORK, "update")
    if doc.is_final:
        raise Conflict(IS_FINAL)
    if doc.version != version:
        raise Conflict(STALE)
    spec = _spec_of(doc)
    clean = clean_fields(spec, fields, case)
    check_document(spec, clean, case)
    changed = sorted(k for k in set(clean) | set(doc.fields) if clean.get(k) != doc.fields.get(k))
    doc.fields = clean
    doc.version += 1
    doc.body = _render(doc, spec, case, doc.author)
    doc.save()
    record(
        "document.updated",
        actor=user,
        case_id=case.pk,
        obj=doc,
        data={
            "number": doc.number,
            "version": doc.version,
            "changed": changed,
            "fields_sha256": _fields_digest(clean),
        },
    )
    return doc


@service
def finalise(user: Any, doc_id: uuid.UUID | str, version: int) -> Document:
    """Finalise a draft: render its text as of now, hash it, sign its PDF, apply its effect.

    The author signs (enrolled on their first signature); from here on the row is
    immutable and its signed PDF is in the store under ``pdf_sha256``.
    """
    case, doc = _locked(user, doc_id, Perm.WORK, "finalise")
    if doc.is_final:
        raise Conflict(_("The document is already finalised."))
    if doc.version != version:
        raise Conflict(STALE)
    spec = _spec_of(doc)
    doc.fields = clean_fields(spec, doc.fields, case)  # participants may have changed
    check_document(spec, doc.fields, case)
    doc.status = DocStatus.FINAL
    doc.finalised_at = clock.now()
    doc.finalised_by = user
    doc.version += 1
    doc.body = _render(doc, spec, case, user)
    doc.content_sha256 = content_hash(doc)
    certificate = signer_certificate(user)
    rendered = render_pdf(doc)
    _signed, doc.pdf_sha256 = sign_as(doc, user, SignatureRole.AUTHOR, rendered)
    doc.save()
    _signature_row(doc, user, SignatureRole.AUTHOR, 1, certificate.serial)
    previous = doc.supersedes
    record(
        "document.finalised",
        actor=user,
        case_id=case.pk,
        obj=doc,
        data={
            "type": doc.doc_type,
            "number": doc.number,
            "content_sha256": doc.content_sha256,
            "rendered_pdf_sha256": hashlib.sha256(rendered).hexdigest(),
            "pdf_sha256": doc.pdf_sha256,
            "certificate": certificate.serial,
            "supersedes": str(previous.pk) if previous else None,
        },
    )
    apply_effect(spec.effect, user, case, doc)
    return doc


def _signature_row(
    doc: Document, user: Any, role: str, sequence: int, serial: str, pdf_sha256: str = ""
) -> DocumentSignature:
    return DocumentSignature.objects.create(
        document=doc,
        case_id=doc.case_id,
        sequence=sequence,
        role=role,
        signer=user,
        signed_at=clock.now(),
        field_name=FIELDS[SignatureRole(role)],
        pdf_sha256=pdf_sha256 or doc.pdf_sha256 or "",
        certificate_serial=serial,
    )


#: Who may add which further signature: the permission on the case it needs.
COUNTERSIGN_PERMS = {SignatureRole.APPROVAL: Perm.MANAGE, SignatureRole.PROSECUTOR: Perm.SUPERVISE}


@service
def countersign(user: Any, doc_id: uuid.UUID | str, *, role: str) -> Document:
    """Add the head of unit's approval or the prosecutor's signature to a finalised document.

    The signature is appended incrementally to the current PDF (earlier signatures stay
    valid), the new PDF is stored, and a :class:`DocumentSignature` names it. Each role
    signs once, and nobody signs the same document twice.
    """
    if role not in COUNTERSIGN_PERMS:
        raise ValidationFailed.one("role", _("Choose the approval or the prosecutor's signature."))
    case, doc = _locked(user, doc_id, COUNTERSIGN_PERMS[SignatureRole(role)], "countersign")
    if not doc.is_final:
        raise Conflict(_("Only a finalised document can be signed by others."))
    signed = list(DocumentSignature.objects.filter(document=doc).order_by("sequence"))
    if any(s.role == role for s in signed):
        raise Conflict(_("The document already bears this signature."))
    if any(s.signer_id == user.pk for s in signed):
        raise Conflict(_("You have already signed this document."))
    current = signed[-1].pdf_sha256 if signed else doc.pdf_sha256
    if not current:
        raise Conflict(_("This document was finalised without a signed PDF."))
    certificate = signer_certificate(user)
    _pdf, sha = sign_as(doc, user, role, read_pdf(current))
    row = _signature_row(doc, user, role, len(signed) + 1, certificate.serial, sha)
    record(
        "document.countersigned",
        actor=user,
        case_id=case.pk,
        obj=doc,
        data={
            "number": doc.number,
            "role": role,
            "sequence": row.sequence,
            "content_sha256": doc.content_sha256,
            "previous_pdf_sha256": current,
            "pdf_sha256": sha,
            "certificate": certificate.serial,
        },
    )
    return doc


def countersign_roles(user: Any, doc: Document) -> list[str]:
    """The further signatures ``user`` may add to ``doc`` now (for the buttons)."""
    if not doc.is_final or not doc.pdf_sha256:
        return []
    perms = perms_of(user, doc.case)
    signed = list(DocumentSignature.objects.filter(document=doc).values_list("role", "signer_id"))
    if any(signer == user.pk for _role, signer in signed):
        return []
    taken = {r for r, _signer in signed}
    return [r for r, p in COUNTERSIGN_PERMS.items() if p in perms and r not in taken]


@service
def signed_pdf(user: Any, doc_id: uuid.UUID | str) -> tuple[Document, bytes]:
    """The document as PDF: the signed one if final, else an unsigned preview (journaled).

    A final document gives its current PDF (after the last signature) exactly as stored.
    """
    doc = get_document(user, doc_id, purpose="pdf")
    if not doc.is_final:
        return doc, render_pdf(doc)
    sha = latest_pdf_sha256(doc)
    if not sha:
        raise NotFound(_("This document has no signed PDF."))
    try:
        return doc, blobs.read_bytes(sha)
    except FileNotFoundError as exc:
        raise Conflict(_("The signed PDF of this document is missing from the store.")) from exc


@service
def supersede(
    user: Any, doc_id: uuid.UUID | str, fields: dict[str, Any] | None, reason: str
) -> Document:
    """Draft a correction of a finalised document (``fields`` None copies the old ones).

    A document is superseded at most once; to correct a correction, supersede that one.
    """
    case, old = _locked(user, doc_id, Perm.WORK, "supersede")
    if not old.is_final:
        raise Conflict(_("Only a finalised document can be superseded; edit the draft instead."))
    taken = Document.objects.filter(supersedes=old).values_list("number", flat=True).first()
    if taken is not None:
        raise Conflict(
            _("This document has already been superseded by document No. %(number)s."),
            number=taken,
        )
    spec = _spec_of(old)
    errors: dict[str, list[Message]] = {}
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = [_("Give the reason for the correction.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [fmt(_("At most %(limit)d characters, please."), limit=REASON_MAX)]
    clean: dict[str, Any] = {}
    try:
        clean = clean_fields(spec, old.fields if fields is None else fields, case)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors)
    doc = Document(
        case=case,
        doc_type=old.doc_type,
        number=_next_number(case),
        title=old.title,
        fields=clean,
        language=old.language,
        author=user,
        supersedes=old,
        correction_reason=reason,
    )
    doc.body = _render(doc, spec, case, user)
    doc.save()
    record(
        "document.correction_created",
        actor=user,
        case_id=case.pk,
        obj=doc,
        data={
            "number": doc.number,
            "supersedes": str(old.pk),
            "supersedes_number": old.number,
            "reason": reason,
            "fields_sha256": _fields_digest(clean),
        },
    )
    return doc


@service
def discard_draft(user: Any, doc_id: uuid.UUID | str) -> None:
    """Delete a draft (a finalised document is never deleted)."""
    case, doc = _locked(user, doc_id, Perm.WORK, "discard")
    if doc.is_final:
        raise Conflict(_("A finalised document cannot be discarded."))
    record(
        "document.discarded",
        actor=user,
        case_id=case.pk,
        obj=doc,
        data={"type": doc.doc_type, "number": doc.number, "version": doc.version},
    )
    doc.delete()


@service
def case_of(user: Any, case_key: uuid.UUID | str, perm: Perm = Perm.VIEW) -> Case:
    """The case, if the user holds ``perm`` on it (a refusal is journaled)."""
    return get_case(user, case_key, perm)


def may_work(user: Any, case: Case) -> bool:
    """Whether the user may draft and change documents of ``case``."""
    return Perm.WORK in perms_of(user, case)


@service
def documents_of(user: Any, case_key: uuid.UUID | str) -> QuerySet[Document]:
    """The documents of a case the user may see, in number order (no text is read here)."""
    case = get_case(user, case_key, Perm.VIEW)
    return (
        Document.objects.filter(case=case)
        .select_related("case", "supersedes")
        .order_by("number")
        .defer("body")
    )


@service
def get_document(user: Any, doc_id: uuid.UUID | str, *, purpose: str = "") -> Document:
    """A document of a case the user may see; the reading is journaled.

    ``purpose`` says what was read when it is not the page ("pdf", "signatures").
    """
    pk = _uuid(doc_id)
    doc = (
        Document.objects.select_related("case", "author", "finalised_by", "supersedes")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if doc is None:
        raise deny(NotFound(), user, "document.read", None, f"no document {str(doc_id)[:40]}")
    doc.case = get_case(user, doc.case_id, Perm.VIEW)
    record(
        "document.read",
        actor=user,
        case_id=doc.case_id,
        obj=doc,
        data={
            "number": doc.number,
            "status": doc.status,
            "version": doc.version,
            **({"purpose": purpose} if purpose else {}),
            **({"pdf_sha256": latest_pdf_sha256(doc)} if purpose == "pdf" and doc.is_final else {}),
        },
    )
    return doc


def supersession_chain(doc: Document) -> list[Document]:
    """The documents ``doc`` replaced and those that replaced it, oldest first.

    Read with :func:`get_document` first (the caller has the right to the case).
    """
    chain = [doc]
    seen = {doc.pk}
    current = doc
    while current.supersedes_id and current.supersedes_id not in seen:
        current = Document.objects.get(pk=current.supersedes_id)
        chain.insert(0, current)
        seen.add(current.pk)
    current = doc
    while True:
        nxt = Document.objects.filter(supersedes=current).first()
        if nxt is None or nxt.pk in seen:
            break
        chain.append(nxt)
        seen.add(nxt.pk)
        current = nxt
    return chain
