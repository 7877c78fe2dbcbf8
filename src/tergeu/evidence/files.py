"""Files of evidence: storing them by SHA-256, reading them (journaled), verifying them.

Files go to the content-addressed store (:mod:`tergeu.core.blobs`). Storing a large file
takes time, so :func:`attach_file` does it between two short transactions: the first
checks the user's right, the second (after the copy) records the file and journals
``evidence.file_attached`` with its SHA-256, size and name. A file refused for its size
or type is never stored; a file whose record is then refused (it is already attached to
the item) leaves only an unreferenced blob, which changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tergeu.cases.access import Perm, get_case
from tergeu.cases.models import Case
from tergeu.core import blobs, clock
from tergeu.core.errors import Conflict, NotFound, ValidationFailed
from tergeu.integrity.journal import deny, record, service
from tergeu.settings.env import env_int

from . import filetypes
from .common import clean_text, fmt, item_and_case, uuid_or_none
from .models import EvidenceFile

#: Largest file accepted unless TERGEU_EVIDENCE_MAX_BYTES says otherwise (200 MB).
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
NAME_MAX = 255

ALTERED = _(
    "The stored file “%(name)s” no longer matches its SHA-256: it was altered or damaged. "
    "Report it to the administrator."
)
MISSING = _("The stored file “%(name)s” is missing from the store. Report it to the administrator.")


def max_upload_bytes() -> int:
    """The largest evidence file accepted (setting or environment TERGEU_EVIDENCE_MAX_BYTES)."""
    value = getattr(settings, "TERGEU_EVIDENCE_MAX_BYTES", None)
    if value:
        return int(value)
    return env_int("TERGEU_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


class _Guarded:
    """A stream whose first bytes were already read, refused once it passes ``limit``."""

    def __init__(self, head: bytes, stream: BinaryIO, limit: int, name: str) -> None:
        self.head, self.stream, self.limit, self.name = head, stream, limit, name
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        if self.head:
            chunk, self.head = self.head, b""
        else:
            chunk = self.stream.read(size)
        self.size += len(chunk)
        if self.size > self.limit:
            raise _too_large(self.name, self.limit)
        return chunk


def _too_large(name: str, limit: int) -> ValidationFailed:
    return ValidationFailed.one(
        "file",
        fmt(
            _("The file “%(name)s” is larger than %(limit)s MB, the most a file may be."),
            name=name,
            limit=f"{limit / (1024 * 1024):g}",
        ),
    )


def _read_head(stream: BinaryIO) -> bytes:
    head = b""
    while len(head) < filetypes.HEAD_BYTES:
        chunk = stream.read(filetypes.HEAD_BYTES - len(head))
        if not chunk:
            break
        head += chunk
    return head


_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def _file_name(name: Any) -> str:
    """The file's own name without any directory part or control characters."""
    base = re.split(r"[/\\]", clean_text(name))[-1]
    return _UNSAFE.sub("", base).strip()


@service
def _may_attach(user: Any, item_id: uuid.UUID | str) -> None:
    item_and_case(user, item_id, Perm.WORK, "file_attach")


def attach_file(
    user: Any,
    item_id: uuid.UUID | str,
    *,
    name: str,
    content_type: str,
    stream: BinaryIO,
    size: int | None = None,
) -> EvidenceFile:
    """Store a photo, recording, scan or document of an item and record it (journaled).

    The content's first bytes decide its type (:mod:`.filetypes`); the declared type must
    not name a type that is not allowed. ``size`` is the announced size, if known; the
    limit is enforced on the bytes read either way.
    """
    _may_attach(user, item_id)
    clean = _file_name(name)
    if not clean:
        raise ValidationFailed.one("file", _("The file has no name."))
    if len(clean) > NAME_MAX:
        raise ValidationFailed.one(
            "file", fmt(_("The file name is longer than %(limit)s characters."), limit=NAME_MAX)
        )
    declared = filetypes.normalise(content_type or "")
    if declared not in filetypes.GENERIC and declared not in filetypes.DECLARABLE:
        raise ValidationFailed.one(
            "file",
            fmt(
                _("Files of type %(type)s cannot be attached. Allowed formats: %(allowed)s."),
                type=declared,
                allowed=filetypes.NAMES,
            ),
        )
    limit = max_upload_bytes()
    if size is not None and size > limit:
        raise _too_large(clean, limit)
    head = _read_head(stream)
    if not head:
        raise ValidationFailed.one("file", fmt(_("The file “%(name)s” is empty."), name=clean))
    detected = filetypes.sniff(head)
    if detected is None:
        raise ValidationFailed.one(
            "file",
            fmt(
                _(
                    "The content of “%(name)s” is not a photo, recording, scan or document of "
                    "an allowed format (%(allowed)s), whatever its name or declared type says."
                ),
                name=clean,
                allowed=filetypes.NAMES,
            ),
        )
    sha256, stored = blobs.put_stream(_Guarded(head, stream, limit, clean))  # type: ignore[arg-type]
    return _record_file(
        user, item_id, sha256=sha256, size=stored, name=clean, mime=detected, declared=declared
    )


@service
def _record_file(
    user: Any,
    item_id: uuid.UUID | str,
    *,
    sha256: str,
    size: int,
    name: str,
    mime: str,
    declared: str,
) -> EvidenceFile:
    case, item = item_and_case(user, item_id, Perm.WORK, "file_attach", lock=True)
    same = EvidenceFile.objects.filter(item=item, sha256=sha256).first()
    if same is not None:
        raise Conflict(
            _("This file is already attached to item No. %(number)s as “%(name)s”."),
            number=item.number,
            name=same.name,
        )
    row = EvidenceFile(
        item=item,
        case=case,
        sha256=sha256,
        size=size,
        name=name,
        content_type=mime,
        uploaded_by=user,
        uploaded_at=clock.now(),
    )
    event = record(
        "evidence.file_attached",
        actor=user,
        case_id=case.pk,
        obj=row,
        data={
            "number": item.number,
            "item": str(item.pk),
            "sha256": sha256,
            "size": size,
            "name": name,
            "content_type": mime,
            "declared_type": declared,
        },
    )
    row.journal_event_uid = event.uid
    row.save(force_insert=True)
    return row


@service
def read_file(user: Any, file_id: uuid.UUID | str) -> EvidenceFile:
    """A file of evidence the user may see; the reading is journaled (``evidence.file_read``)."""
    pk = uuid_or_none(file_id)
    row = EvidenceFile.objects.select_related("item").filter(pk=pk).first() if pk else None
    if row is None:
        raise deny(NotFound(), user, "evidence.file_read", None, f"no file {str(file_id)[:40]}")
    get_case(user, row.case_id, Perm.VIEW)
    record(
        "evidence.file_read",
        actor=user,
        case_id=row.case_id,
        obj=row,
        data={"number": row.item.number, "sha256": row.sha256, "name": row.name, "size": row.size},
    )
    return row


def open_verified(row: EvidenceFile) -> BinaryIO:
    """The stored content of ``row``, open at its start, after checking its SHA-256.

    The check reads the same open file that is then served, so what is served is what
    was checked. Raises :class:`Conflict` if the blob is missing or altered.
    """
    try:
        fh = blobs.path_of(row.sha256).open("rb")
    except FileNotFoundError:
        raise Conflict(MISSING, name=row.name) from None
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(blobs.CHUNK), b""):
        digest.update(chunk)
    if digest.hexdigest() != row.sha256:
        fh.close()
        raise Conflict(ALTERED, name=row.name)
    fh.seek(0)
    return fh


# ---------------------------------------------------------------- verification


def verify_files(case: Case | uuid.UUID) -> list[tuple[EvidenceFile, bool]]:
    """Every file of the case and whether its blob is present and matches its SHA-256.

    Each distinct blob is hashed once. The caller has the right to the case.
    """
    rows = list(
        EvidenceFile.objects.filter(case_id=getattr(case, "pk", case))
        .select_related("item")
        .order_by("item__number", "uploaded_at", "id")
    )
    ok: dict[str, bool] = {}
    for row in rows:
        if row.sha256 not in ok:
            ok[row.sha256] = blobs.verify(row.sha256)
    return [(row, ok[row.sha256]) for row in rows]


@service
def check_files(user: Any, case_key: uuid.UUID | str) -> list[tuple[EvidenceFile, bool]]:
    """:func:`verify_files` for a case the user may see."""
    return verify_files(get_case(user, case_key, Perm.VIEW))


_checked: dict[str, tuple[tuple[int, int, int, int], bool]] = {}
_RACY_SECONDS = 2.0
_CACHE_MAX = 50_000


def blob_ok(sha256: str) -> bool:
    """Whether a blob is present and matches its hash, re-hashed only when its file changed.

    For pages that show many files. The answer is remembered with the file's inode, size,
    modification and change times; writing to the file moves its change time (which no
    program can set back), so a changed file is hashed again. A file changed in the last
    seconds is always hashed, as its times may not have moved yet (git's "racy" entries).
    :func:`verify_files` always hashes.
    """
    path = blobs.path_of(sha256)
    try:
        st = path.stat()
    except FileNotFoundError:
        _checked.pop(str(path), None)
        return False
    key = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    hit = _checked.get(str(path))
    if hit is not None and hit[0] == key:
        return hit[1]
    ok = blobs.verify(sha256)
    if time.time() - max(st.st_mtime, st.st_ctime) > _RACY_SECONDS:
        if len(_checked) >= _CACHE_MAX:
            _checked.clear()
        _checked[str(path)] = (key, ok)
    return ok
