"""The signed content of a finalised document and its SHA-256.

``content_sha256`` is the SHA-256 of the RFC 8785 canonical JSON of :func:`content_of`.
It is what a signature covers: anyone holding the document row (or an export of it) can
recompute it with :func:`content_hash` and compare.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from tergeu.integrity.journal import canonical_json

from .models import Document


def content_of(doc: Document) -> dict[str, Any]:
    """What a finalised document says, as a JSON object (the object its hash covers).

    Besides type, title, case, number, fields, text, language, author and time of
    finalisation it names the document it supersedes (by that document's hash) and the
    reason, so that a signed correction also signs what it corrects.
    """
    finalised_at = doc.finalised_at.astimezone(dt.UTC) if doc.finalised_at else None
    previous = doc.supersedes
    return {
        "type": doc.doc_type,
        "title": doc.title,
        "case": doc.case.erdr_number,
        "number": doc.number,
        "fields": doc.fields,
        "body": doc.body,
        "language": doc.language,
        "author": str(doc.author_id),
        "finalised_at": finalised_at.isoformat() if finalised_at else None,
        "supersedes": previous.content_sha256 if previous is not None else None,
        "reason": doc.correction_reason or "",
    }


def content_hash(doc: Document) -> str:
    """SHA-256 (hex) of the canonical JSON of :func:`content_of`."""
    return hashlib.sha256(canonical_json(content_of(doc)).encode()).hexdigest()
