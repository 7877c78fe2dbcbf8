"""JSON API of the verifiable export: ``GET /cases/{key}/export`` answers the ZIP itself.

The same service as the web button (:func:`.export.export_case`, journaled
``case.exported``); the archive's format is in docs/export-format.md. Who may: the case
team, the supervising prosecutor and the court; anyone else gets 404 (no grant) or 403
(a grant without the right), and the refusal is journaled.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from ninja import Router

from tergeu.core.api_helpers import ERRORS, actor

from .views import archive_response

router = Router(tags=["journal"])


@router.get(
    "/cases/{key}/export",
    response={**ERRORS},
    summary="Verifiable export of a case",
    openapi_extra={
        "responses": {
            "200": {
                "description": (
                    "The ZIP archive (docs/export-format.md); Repr-Digest carries its SHA-256. "
                    "Check it offline with `tergeu verify ARCHIVE`."
                ),
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_case(request: HttpRequest, key: str, files: bool = True) -> FileResponse:
    """The case's signed documents, evidence files (``files=false``: hashes only), journal
    events with their inclusion proofs, a signed checkpoint, certificates and CRLs, in one
    ZIP that anyone can verify offline."""
    return archive_response(key, actor(request), files)
