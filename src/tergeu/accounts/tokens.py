"""API tokens: bearer tokens that let a system call the API on behalf of a user.

A token is ``tg_`` and 40 URL-safe characters. It is shown once, when issued; the
database keeps only its SHA-256 (:meth:`ApiToken.digest_of`) and the first characters
(``prefix``) so a person can tell their tokens apart. Issuing and revoking are journaled,
the token itself never is.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tergeu.core import clock
from tergeu.core.errors import Conflict, NotFound
from tergeu.core.validation import Checker
from tergeu.integrity.journal import deny, record, service

from .models import ApiToken, User

#: Every token starts with this, so scanners of leaked secrets can recognise it.
TOKEN_PREFIX = "tg_"
#: Length of the random part (URL-safe base64 characters, 6 bits each: 240 bits).
TOKEN_CHARS = 40
#: ``last_used_at`` is written at most this often, so reads do not turn into writes.
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_CHARS)[:TOKEN_CHARS]


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones included)."""
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-id")


def is_active(token: ApiToken) -> bool:
    """True if ``token`` is neither revoked nor expired."""
    return token.revoked_at is None and token.expires_at > clock.now()


@service
def issue_token(user: Any, *, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the token, which is never shown again.

    ``days`` defaults to, and may not exceed, ``settings.API_TOKEN_DAYS``.
    """
    limit = int(settings.API_TOKEN_DAYS)
    days = limit if days is None else days
    check = Checker()
    check.required("name", name)
    check.max_length("name", name, 100)
    if not 1 <= days <= limit:
        check.add("days", _("A token lives from 1 to %(limit)d days.") % {"limit": limit})
    if not user.is_active:
        check.add("user", _("This account is disabled."))
    check.done()
    token = _new_token()
    row = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        digest=ApiToken.digest_of(token),
        prefix=token[:8],
        expires_at=clock.now() + dt.timedelta(days=days),
    )
    record(
        "token.issued",
        actor=user,
        obj=row,
        data={"name": row.name, "prefix": row.prefix, "expires_at": row.expires_at},
    )
    return row, token


@service
def revoke_token(user: Any, token_id: uuid.UUID | str) -> ApiToken:
    """Revoke one of the user's own tokens; somebody else's token is 'not found' (journaled)."""
    try:
        row = (
            ApiToken.objects.select_for_update()
            .filter(pk=uuid.UUID(str(token_id)), user_id=user.pk)
            .first()
        )
    except ValueError:
        row = None
    if row is None:
        raise deny(NotFound(), user, "token.revoke", None, f"token {str(token_id)[:40]}")
    if row.revoked_at is not None:
        raise Conflict(_("This token has already been revoked."))
    row.revoked_at = clock.now()
    row.save(update_fields=["revoked_at", "updated_at"])
    record("token.revoked", actor=user, obj=row, data={"name": row.name, "prefix": row.prefix})
    return row


def authenticate(token: str) -> User | None:
    """The active user a valid, unrevoked, unexpired token belongs to, else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) != len(TOKEN_PREFIX) + TOKEN_CHARS:
        return None
    now = clock.now()
    row = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    stale = now - LAST_USED_GRANULARITY
    if row.last_used_at is None or row.last_used_at < stale:
        # A bookkeeping write, not a change of procedural state: not journaled.
        ApiToken.objects.filter(pk=row.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
        ).update(last_used_at=now)
    return row.user
