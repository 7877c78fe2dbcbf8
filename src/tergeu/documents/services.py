"""Procedural documents of a case: drafting, editing, finalising, superseding, reading.

A document is a draft until it is finalised; then it never changes (the database refuses
UPDATE and DELETE of a final row, migration 0002). A correction is a new draft that
``supersedes`` the final document; the old row stays as it was. Numbers are given per
case in order, under a lock on the case row, so concurrent drafts get distinct numbers
with no gaps (a discarded last draft gives its number back).

Signing (issue 3) slots in at :func:`finalise`: ``content_sha256`` is the SHA-256 of the
canonical content (:mod:`.content`) and is exactly what the signature covers. With PAdES,
finalising becomes "render the PDF from ``body``, embed ``content_sha256`` and the
canonical content as an attachment, sign it with the official's key (CMS, RFC 3161
timestamp), store the signed PDF in the content-addressed store" inside the same
transaction, i.e. *finalise = sign*. A signature row will reference the document and the
hash; the document row itself needs no change and stays immutable.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.db.models import Max, QuerySet
from django.utils.translation import gettext_lazy as _

from tergeu.cases.access import Perm, get_case, perms_of
from tergeu.cases.models import Case
from tergeu.core import clock
from tergeu.core.errors import Conflict, Message, NotFound, ValidationFailed
from tergeu.integrity.journal import canonical_json, deny, record, service

from .catalogue import LANGUAGES, DocType, get_type
from .content import content_hash
from .effects import apply_effect, check_precondition
from .models import DocStatus, Document
from .rendering import render_body
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
    """Finalise a draft: render its text as of now, hash it, and apply its effect.

    From here on the row is immutable; this is where signing will happen (module note).
    """
    case, doc = _locked(user, doc_id, Perm.WORK, "finalise")
    if doc.is_final:
        raise Conflict(_("The document is already finalised."))
    if doc.version != version:
        raise Conflict(STALE)
    spec = _spec_of(doc)
    doc.fields = clean_fields(spec, doc.fields, case)  # participants may have changed
    doc.status = DocStatus.FINAL
    doc.finalised_at = clock.now()
    doc.finalised_by = user
    doc.version += 1
    doc.body = _render(doc, spec, case, user)
    doc.content_sha256 = content_hash(doc)
    doc.save()
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
            "supersedes": str(previous.pk) if previous else None,
        },
    )
    apply_effect(spec.effect, user, case, doc)
    return doc


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
def get_document(user: Any, doc_id: uuid.UUID | str) -> Document:
    """A document of a case the user may see; the reading is journaled."""
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
        data={"number": doc.number, "status": doc.status, "version": doc.version},
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
