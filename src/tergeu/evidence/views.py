"""The evidence page of a case: items with their files (verified against their SHA-256)
and chain of custody, and the forms to register an item, attach a file and move an item.

Every change goes through :mod:`.services`. A refused form is shown again, open, with the
service's messages at its fields in the user's language; pages work without JavaScript.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tergeu.cases.access import Perm
from tergeu.cases.models import Case
from tergeu.core.errors import AccessDenied, Conflict, NotFound, RuleViolation, ValidationFailed
from tergeu.core.pagination import paginate

from . import services
from .forms import ItemForm, MoveForm, UploadForm, apply_error, forensic_centres
from .models import CustodyEvent, EvidenceFile, EvidenceItem
from .rules import MOVES, RECEIPT_RULE, Move, allowed_moves

#: Items per page.
PAGE_SIZE = 20

#: Errors a form shows (the others become 404 or 403 pages).
FORM_ERRORS = (ValidationFailed, Conflict, RuleViolation)


@contextmanager
def http_errors() -> Iterator[None]:
    """A service's NotFound becomes a 404 page, AccessDenied a 403 page."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.text()) from exc
    except AccessDenied as exc:
        raise PermissionDenied(exc.text()) from exc


@dataclass
class Bound:
    """A submitted form that failed, to show again in its place."""

    item_id: uuid.UUID
    name: str  # "upload" or the name of a move
    form: Any


@dataclass
class Row:
    """One item as the page shows it."""

    item: EvidenceItem
    files: list[tuple[EvidenceFile, bool]]
    custody: list[CustodyEvent]
    upload: UploadForm | None = None
    upload_open: bool = False
    moves: list[tuple[Move, MoveForm, bool]] = field(default_factory=list)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _item_url(case_id: Any, number: int) -> str:
    page = (number - 1) // PAGE_SIZE + 1
    query = f"?page={page}" if page > 1 else ""
    return f"{reverse('evidence:case', args=[case_id])}{query}#item-{number}"


def _row(item: EvidenceItem, can_work: bool, forensic: list[Any], bound: Bound | None) -> Row:
    mine = bound if bound is not None and bound.item_id == item.pk else None
    row = Row(
        item=item,
        files=[(f, services.blob_ok(f.sha256)) for f in item.files.all()],
        custody=list(item.custody.all()),
    )
    if not can_work:
        return row
    prefix = f"id_item{item.number}_%s"
    if mine is not None and mine.name == "upload":
        row.upload, row.upload_open = mine.form, True
    else:
        row.upload = UploadForm(auto_id=f"id_item{item.number}_upload_%s")
    moves = allowed_moves(item.status)
    if mine is not None and mine.name in MOVES and MOVES[mine.name] not in moves:
        moves.append(MOVES[mine.name])  # refused by the rules: show why, in its place
    for move in moves:
        if mine is not None and mine.name == move.name:
            row.moves.append((move, mine.form, True))
            continue
        form = MoveForm(
            move=move,
            forensic=forensic,
            initial={"version": item.version},
            auto_id=prefix.replace("%s", f"{move.name}_%s"),
        )
        row.moves.append((move, form, False))
    return row


def _render_page(
    request: HttpRequest,
    case: Case,
    *,
    item_form: ItemForm | None = None,
    bound: Bound | None = None,
    status: int = 200,
) -> HttpResponse:
    can_work = services.may_work(request.user, case)
    page = paginate(services.item_queryset(case), _page_number(request), PAGE_SIZE)
    forensic = forensic_centres() if can_work else []
    context = {
        "case": case,
        "page": page,
        "query": "",
        "rows": [_row(item, can_work, forensic, bound) for item in page.items],
        "can_work": can_work,
        "item_form": item_form or (ItemForm() if can_work else None),
        "item_form_open": item_form is not None,
        "max_mb": f"{services.max_upload_bytes() / (1024 * 1024):g}",
        "receipt_rule": RECEIPT_RULE,
        "nav_section": "cases",
    }
    return render(request, "evidence/case_evidence.html", context, status=status)


@login_required
@require_GET
def case_evidence(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The evidence of a case; a case without a grant is a 404 page (journaled)."""
    with http_errors():
        case = services.case_of(request.user, case_id)
    return _render_page(request, case)


@login_required
@require_POST
def register(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Register an item of evidence (its receipt)."""
    with http_errors():
        case = services.case_of(request.user, case_id, Perm.WORK)
    form = ItemForm(request.POST)
    status = 422
    if form.is_valid():
        with http_errors():
            try:
                item = services.register_item(request.user, case.pk, **form.service_fields())
            except FORM_ERRORS as exc:
                apply_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request, _("Item No. %(number)s is registered.") % {"number": item.number}
                )
                return redirect(_item_url(case.pk, item.number))
    return _render_page(request, case, item_form=form, status=status)


@login_required
@require_POST
def upload(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    """Attach a file to an item (a multipart form)."""
    with http_errors():
        item = services.get_item(request.user, item_id)
    form = UploadForm(request.POST, request.FILES, auto_id=f"id_item{item.number}_upload_%s")
    status = 422
    if form.is_valid():
        upload = form.cleaned_data["file"]
        with http_errors():
            try:
                row = services.attach_file(
                    request.user,
                    item.pk,
                    name=upload.name or "",
                    content_type=upload.content_type or "",
                    stream=upload,
                    size=upload.size,
                )
            except FORM_ERRORS as exc:
                apply_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("The file “%(name)s” is attached to item No. %(number)s.")
                    % {"name": row.name, "number": item.number},
                )
                return redirect(_item_url(item.case_id, item.number))
    return _render_page(request, item.case, bound=Bound(item.pk, "upload", form), status=status)


@login_required
@require_POST
def move(request: HttpRequest, item_id: uuid.UUID, name: str) -> HttpResponse:
    """Move an item along its chain of custody."""
    spec = MOVES.get(name)
    if spec is None:
        raise Http404
    with http_errors():
        item = services.get_item(request.user, item_id)
    form = MoveForm(
        request.POST,
        move=spec,
        forensic=forensic_centres(),
        auto_id=f"id_item{item.number}_{name}_%s",
    )
    status = 422
    if form.is_valid():
        with http_errors():
            try:
                services.move_item(request.user, item.pk, name, **form.service_fields())
            except FORM_ERRORS as exc:
                apply_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Done: %(action)s, item No. %(number)s.")
                    % {"action": spec.label, "number": item.number},
                )
                return redirect(_item_url(item.case_id, item.number))
    return _render_page(request, item.case, bound=Bound(item.pk, name, form), status=status)


@login_required
@require_GET
def download(request: HttpRequest, file_id: uuid.UUID) -> HttpResponseBase:
    """A file of evidence as stored, after checking its SHA-256 (the reading is journaled)."""
    with http_errors():
        row = services.read_file(request.user, file_id)
    try:
        content = services.open_verified(row)
    except Conflict as exc:
        messages.error(request, exc.text())
        return redirect(_item_url(row.case_id, row.item.number))
    return FileResponse(
        content, as_attachment=True, filename=row.name, content_type=row.content_type
    )
