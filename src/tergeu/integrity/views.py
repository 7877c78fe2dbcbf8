"""Web pages of integrity: the verifiable export of a case (a button on the case card).

The button (``integrity/_export_button.html``, included by the case card) posts here; the
archive is written by :func:`.export.export_case` (journaled ``case.exported``) and sent
as a download. The temporary file is unlinked as soon as it is open, so nothing is left
behind, whatever happens to the download.
"""

from __future__ import annotations

import base64
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tergeu.core.errors import AccessDenied, Conflict, NotFound

from . import export


def archive_response(case_key: uuid.UUID | str, user: object, include_files: bool) -> FileResponse:
    """The export of a case as a ZIP download with its SHA-256 in ``Repr-Digest`` (RFC 9530).

    Raises the service's errors (NotFound, AccessDenied, Conflict).
    """
    case = export.authorise_export(user, case_key)
    path = export.export_case(user, case.pk, include_files=include_files)
    digest = export.sha256_file(path)
    content = path.open("rb")
    path.unlink()  # the open file stays readable until the response closes it
    response = FileResponse(
        content,
        as_attachment=True,
        filename=export.default_name(case),
        content_type="application/zip",
    )
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(digest)).decode()}:"
    return response


@login_required
@require_POST
def export_case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponseBase:
    """Download the verifiable export of the case (``files=0`` for evidence hashes only)."""
    try:
        return archive_response(case_id, request.user, request.POST.get("files", "1") != "0")
    except NotFound as exc:
        raise Http404(exc.text()) from exc
    except AccessDenied as exc:
        raise PermissionDenied(exc.text()) from exc
    except Conflict as exc:
        messages.error(request, exc.text())
        return redirect("web:case", case_id)
