"""Staff reading the files of an online report: only the report's body, journaled."""

from __future__ import annotations

import uuid
from typing import Any

from tergeu.core import blobs
from tergeu.core.errors import NotFound
from tergeu.integrity.journal import deny, record, service

from .models import ReportAttachment
from .services import reports_for


@service
def read_attachment(user: Any, attachment_id: uuid.UUID | str) -> tuple[ReportAttachment, bytes]:
    """The file and its bytes, for a user of the body whose KUI holds the report."""
    try:
        pk = uuid.UUID(str(attachment_id))
    except ValueError:
        pk = None
    row = (
        ReportAttachment.objects.filter(pk=pk, report__in=reports_for(user))
        .select_related("report")
        .first()
        if pk
        else None
    )
    if row is None:
        raise deny(NotFound(), user, "report.attachment_read", None, f"attachment {attachment_id}")
    try:
        data = blobs.read_bytes(row.sha256)
    except FileNotFoundError as exc:
        raise NotFound() from exc
    record(
        "report.attachment_read",
        actor=user,
        obj=row.report,
        data={"attachment": str(row.pk), "sha256": row.sha256, "filename": row.filename},
    )
    return row, data
