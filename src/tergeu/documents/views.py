"""Pages of procedural documents: the case's list (an HTMX fragment), drafting, editing,
finalising (= signing) and superseding, the signed PDF and its signatures, countersigning.
Every change goes through :mod:`.services`; their refusals are shown next to the fields or
as messages, in the user's language.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tergeu.cases.access import Perm
from tergeu.cases.models import Case
from tergeu.core.errors import AccessDenied, Conflict, NotFound, RuleViolation, ValidationFailed

from . import services
from .catalogue import LANGUAGES, DocType, get_type
from .forms import DocumentForm, EditForm, SupersedeForm, TypeChoiceForm
from .models import Document, SignatureRole
from .rendering import basis
from .signatures import check_signatures, latest_pdf_sha256


@contextmanager
def http_errors() -> Iterator[None]:
    """A service's NotFound becomes a 404 page, AccessDenied a 403 page."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.text()) from exc
    except AccessDenied as exc:
        raise PermissionDenied(exc.text()) from exc


def _spec(doc: Document) -> DocType:
    spec = get_type(doc.doc_type)
    if spec is None:
        raise Http404(_("This document type is no longer in the catalogue."))
    return spec


def _form_page(request: HttpRequest, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
    spec: DocType = ctx["doc_type"]
    reader = (translation.get_language() or "ru")[:2]
    ctx.setdefault("basis", basis(spec.articles, reader if reader in LANGUAGES else "ru"))
    return render(request, "documents/form.html", ctx, status=status)


@login_required
@require_GET
def case_documents(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The documents of a case: a fragment for HTMX, a whole page otherwise."""
    with http_errors():
        case = services.case_of(request.user, case_id)
        docs = list(services.documents_of(request.user, case_id))
    replaced = {d.supersedes_id: d for d in docs if d.supersedes_id}
    ctx = {
        "case": case,
        "rows": [{"doc": d, "replaced_by": replaced.get(d.pk)} for d in docs],
        "can_work": services.may_work(request.user, case),
    }
    htmx = getattr(request, "htmx", False)
    template = "documents/_list.html" if htmx else "documents/case_documents.html"
    return render(request, template, ctx)


@login_required
@require_http_methods(["GET", "POST"])
def new_document(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Step 1: choose the type and language; step 2: fill in the fields and save a draft."""
    with http_errors():
        case: Case = services.case_of(request.user, case_id, Perm.WORK)
        data = request.POST if request.method == "POST" else request.GET
        spec = get_type(data.get("doc_type", ""))
        language = data.get("language", "")
        if spec is None or language not in LANGUAGES:
            chooser = TypeChoiceForm(request.GET if "doc_type" in request.GET else None)
            if chooser.is_bound:
                chooser.is_valid()
            return render(request, "documents/choose_type.html", {"case": case, "form": chooser})
        ctx: dict[str, Any] = {
            "case": case,
            "doc_type": spec,
            "language": language,
            "heading": spec.title.text(),
            "submit": _("Save the draft"),
            "hidden": {"doc_type": spec.code, "language": language},
        }
        if request.method != "POST":
            return _form_page(request, {**ctx, "form": DocumentForm(spec, case)})
        form = DocumentForm(spec, case, request.POST)
        if form.is_valid():
            try:
                doc = services.create_draft(
                    request.user, case.pk, spec.code, form.service_fields(), language
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            except (Conflict, RuleViolation) as exc:
                form.add_error(None, exc.text())
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("documents:detail", doc.pk)
        return _form_page(request, {**ctx, "form": form}, status=422)


@login_required
@require_GET
def document_detail(request: HttpRequest, doc_id: uuid.UUID) -> HttpResponse:
    """A document: text, status, hashes, signatures as verified now, corrections (journaled)."""
    with http_errors():
        doc = services.get_document(request.user, doc_id)
    chain = services.supersession_chain(doc)
    replaced_by = next((d for d in chain if d.supersedes_id == doc.pk), None)
    roles = services.countersign_roles(request.user, doc)
    ctx = {
        "doc": doc,
        "case": doc.case,
        "doc_type": get_type(doc.doc_type),
        "chain": chain if len(chain) > 1 else [],
        "replaced_by": replaced_by,
        "can_work": services.may_work(request.user, doc.case),
        "signatures": check_signatures(doc) if doc.is_final else [],
        "pdf_sha256": latest_pdf_sha256(doc) if doc.is_final else None,
        "sign_approval": SignatureRole.APPROVAL in roles,
        "sign_prosecutor": SignatureRole.PROSECUTOR in roles,
    }
    return render(request, "documents/detail.html", ctx)


@login_required
@require_GET
def document_pdf(request: HttpRequest, doc_id: uuid.UUID) -> HttpResponse:
    """The document as PDF: as signed and stored if final, an unsigned preview if a draft."""
    with http_errors():
        try:
            doc, data = services.signed_pdf(request.user, doc_id)
        except Conflict as exc:
            messages.error(request, exc.text())
            return redirect("documents:detail", doc_id)
    suffix = "" if doc.is_final else "-draft"
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    filename = f"{doc.case.erdr_number}-{doc.number}{suffix}.pdf"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def countersign_document(request: HttpRequest, doc_id: uuid.UUID) -> HttpResponse:
    """Add the head of unit's approval or the prosecutor's signature (``role`` posted)."""
    with http_errors():
        try:
            services.countersign(request.user, doc_id, role=request.POST.get("role", ""))
        except (Conflict, RuleViolation) as exc:
            messages.error(request, exc.text())
        except ValidationFailed as exc:
            for texts in exc.field_texts().values():
                for text in texts:
                    messages.error(request, text)
        else:
            messages.success(request, _("Your signature is added to the document."))
    return redirect("documents:detail", doc_id)


@login_required
@require_http_methods(["GET", "POST"])
def edit_document(request: HttpRequest, doc_id: uuid.UUID) -> HttpResponse:
    """Edit a draft; the form carries the version it started from (stale → 409)."""
    with http_errors():
        doc = services.get_document(request.user, doc_id)
        if doc.is_final:
            messages.error(request, _("A finalised document cannot be edited."))
            return redirect("documents:detail", doc.pk)
        spec = _spec(doc)
        ctx: dict[str, Any] = {
            "case": doc.case,
            "doc": doc,
            "doc_type": spec,
            "language": doc.language,
            "heading": _("Edit draft No. %(number)s") % {"number": doc.number},
            "submit": _("Save the draft"),
        }
        if request.method != "POST":
            form = EditForm(spec, doc.case, values=doc.fields, initial={"version": doc.version})
            return _form_page(request, {**ctx, "form": form})
        form = EditForm(spec, doc.case, request.POST)
        status = 422
        if form.is_valid():
            try:
                services.update_draft(
                    request.user, doc.pk, form.service_fields(), form.cleaned_data["version"]
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            except (Conflict, RuleViolation) as exc:
                form.add_error(None, exc.text())
                status = 409
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("documents:detail", doc.pk)
        return _form_page(request, {**ctx, "form": form}, status=status)


@login_required
@require_POST
def finalise_document(request: HttpRequest, doc_id: uuid.UUID) -> HttpResponse:
    """Finalise a draft (the button posts the version shown)."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    with http_errors():
        try:
            services.finalise(request.user, doc_id, version)
        except (Conflict, RuleViolation) as exc:
            messages.error(request, exc.text())
        except ValidationFailed as exc:
            code = Document.objects.filter(pk=doc_id).values_list("doc_type", flat=True).first()
            spec = get_type(code or "")
            for name, texts in exc.field_texts().items():
                field = spec.field(name) if spec else None
                label = field.label.text() if field else name
                for text in texts:
                    messages.error(request, f"{label}: {text}")
            return redirect("documents:edit", doc_id)
        else:
            messages.success(
                request, _("The document is finalised and signed; it can no longer change.")
            )
    return redirect("documents:detail", doc_id)


@login_required
@require_http_methods(["GET", "POST"])
def supersede_document(request: HttpRequest, doc_id: uuid.UUID) -> HttpResponse:
    """Draft a correction of a finalised document, starting from its fields."""
    with http_errors():
        old = services.get_document(request.user, doc_id)
        spec = _spec(old)
        ctx: dict[str, Any] = {
            "case": old.case,
            "doc": old,
            "doc_type": spec,
            "language": old.language,
            "heading": _("Correction of document No. %(number)s") % {"number": old.number},
            "submit": _("Save the correction as a draft"),
        }
        if request.method != "POST":
            return _form_page(
                request, {**ctx, "form": SupersedeForm(spec, old.case, values=old.fields)}
            )
        form = SupersedeForm(spec, old.case, request.POST)
        status = 422
        if form.is_valid():
            try:
                doc = services.supersede(
                    request.user, old.pk, form.service_fields(), form.cleaned_data["reason"]
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            except (Conflict, RuleViolation) as exc:
                form.add_error(None, exc.text())
                status = 409
            else:
                messages.success(request, _("The correction is saved as a draft."))
                return redirect("documents:detail", doc.pk)
        return _form_page(request, {**ctx, "form": form}, status=status)


@login_required
@require_POST
def discard_document(request: HttpRequest, doc_id: uuid.UUID) -> HttpResponse:
    """Discard a draft and go back to the case's documents."""
    case_id = Document.objects.filter(pk=doc_id).values_list("case_id", flat=True).first()
    with http_errors():
        try:
            services.discard_draft(request.user, doc_id)
        except Conflict as exc:
            messages.error(request, exc.text())
            return redirect("documents:detail", doc_id)
    messages.success(request, _("The draft is discarded."))
    return redirect("documents:case_documents", case_id)
