"""The JSON API under ``/api/v1/``: authentication, errors, and the routers of the apps.

Systems authenticate with a bearer token (``Authorization: Bearer tg_...``), people in
the browser with their session (CSRF-protected). Every refusal has one shape::

    {"code": "validation_failed", "message": "...", "fields": {"field": ["..."]}}

with ``message`` in the language of the request (``Accept-Language``), and the status of
the error: 422 bad input, 404 not found (or not yours to know), 403 not allowed,
409 against a rule of procedure (``rule`` names it) or a concurrent change, 401 no
valid credentials.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from tergeu.accounts import tokens
from tergeu.accounts.api import router as accounts_router
from tergeu.core.api_helpers import ERRORS, PageOut, PageParams, actor, paged
from tergeu.core.errors import AccessDenied, RuleViolation, ServiceError, ValidationFailed

logger = logging.getLogger("tergeu.api")

# ---------------------------------------------------------------- authentication


class BearerToken(HttpBearer):
    """``Authorization: Bearer tg_...``: an API token issued to a user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = tokens.authenticate(token.strip())
        if user is not None:
            request.api_token_used = True  # type: ignore[attr-defined]
        return user


class Session(SessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token.

    Without a signed-in user there is nothing to protect, so the CSRF check is skipped and
    the answer is a plain 401 rather than a CSRF failure.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


class Utf8Json(JSONRenderer):
    """JSON with Kazakh and Russian text as it is, not as \\u escapes (the body is UTF-8)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Tergeu API",
    version="1",
    description=(
        "Electronic criminal proceedings of the Republic of Kazakhstan: the KUI, the ERDR "
        "register and the electronic criminal case. Authenticate with "
        "`Authorization: Bearer <token>` (issue one with `tergeu manage issue_token`) or a "
        "signed-in session. Errors: `{code, message, fields?, rule?}` in the language of "
        "`Accept-Language` (kk, ru, en)."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[BearerToken(), Session()],
    renderer=Utf8Json(),
)


# ---------------------------------------------------------------- errors

#: Messages for pydantic's error types, in our words and so in our three languages.
_TYPE_MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    "string_type": _("Enter text."),
    "int_type": _("Enter a whole number."),
    "int_parsing": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "bool_type": _("Enter true or false."),
    "bool_parsing": _("Enter true or false."),
    "datetime_type": _("Enter a date and time like 2025-01-31T14:30:00+05:00."),
    "datetime_parsing": _("Enter a date and time like 2025-01-31T14:30:00+05:00."),
    "datetime_from_date_parsing": _("Enter a date and time like 2025-01-31T14:30:00+05:00."),
    "timezone_aware": _("Give the time zone, e.g. 2025-01-31T14:30:00+05:00."),
    "date_type": _("Enter a date like 1990-05-31."),
    "date_parsing": _("Enter a date like 1990-05-31."),
    "date_from_datetime_parsing": _("Enter a date like 1990-05-31."),
    "date_from_datetime_inexact": _("Enter a date like 1990-05-31."),
    "uuid_type": _("Enter a valid identifier (UUID)."),
    "uuid_parsing": _("Enter a valid identifier (UUID)."),
    "enum": _("Choose one of the offered values."),
    "literal_error": _("Choose one of the offered values."),
    "extra_forbidden": _("Unknown field."),
    "model_type": _("Send a JSON object."),
    "model_attributes_type": _("Send a JSON object."),
    "dict_type": _("Send a JSON object."),
    "list_type": _("Send a list."),
    "json_invalid": _("The request body is not valid JSON."),
}

_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(loc: list[Any]) -> str:
    """Field name from a ninja error location: ('body', 'payload', 'a', 0) -> 'a.0'."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        where = parts.pop(0)
        if where == "body" and parts:
            parts.pop(0)  # the name of the view's body parameter
    return ".".join(str(p) for p in parts) or "body"


def _message(error: dict[str, Any]) -> str:
    """One pydantic error in the language of the request."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "string_too_long" and "max_length" in ctx:
        return str(_("At most %(limit)d characters, please.")) % {"limit": ctx["max_length"]}
    if kind == "string_too_short" and "min_length" in ctx:
        return str(_("At least %(limit)d characters, please.")) % {"limit": ctx["min_length"]}
    if kind == "greater_than_equal" and "ge" in ctx:
        return str(_("The smallest allowed value is %(limit)s.")) % {"limit": ctx["ge"]}
    if kind == "less_than_equal" and "le" in ctx:
        return str(_("The largest allowed value is %(limit)s.")) % {"limit": ctx["le"]}
    if kind in _TYPE_MESSAGES:
        return str(_TYPE_MESSAGES[kind])
    return str(_("This value is not valid."))


def error_body(
    code: str,
    message: str,
    *,
    fields: dict[str, list[str]] | None = None,
    rule: str | None = None,
) -> dict[str, Any]:
    """The one shape of every error answer."""
    body: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    if rule is not None:
        body["rule"] = rule
    return body


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """A service refused: its status, code and message (fields or rule when it has them)."""
    fields = exc.field_texts() if isinstance(exc, ValidationFailed) else None
    rule = exc.rule if isinstance(exc, RuleViolation) else None
    message = str(exc.message) % exc.params if exc.params else str(exc.message)
    body = error_body(exc.code, message, fields=fields, rule=rule)
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """The request does not fit the schema: 422 with messages for each field."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", [])), []).append(_message(error))
    body = error_body(
        ValidationFailed.code, str(_("Please correct the errors below.")), fields=fields
    )
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """No valid token or session: 401 and how to authenticate."""
    body = error_body(
        "unauthorized",
        str(_("Sign in or send a valid API token: Authorization: Bearer <token>.")),
    )
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="tergeu"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Errors ninja raises itself (unreadable body, CSRF) in the same shape."""
    if exc.status_code == 403 and "CSRF" in exc.message:
        body = error_body(
            "csrf_failed",
            str(_("The CSRF check failed: send the X-CSRFToken header with the session.")),
        )
    elif exc.status_code == 400:
        body = error_body("bad_request", str(_("The request body is not valid JSON.")))
    else:
        body = error_body(f"http_{exc.status_code}", exc.message)
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Django's own 404 in the same shape as ours."""
    return api.create_response(request, error_body("not_found", str(_("Not found."))), status=404)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """Django's own refusal in the same shape as ours."""
    body = error_body(AccessDenied.code, str(_("You are not allowed to do this.")))
    return api.create_response(request, body, status=403)


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """A request Django refuses to read (too large, malformed headers)."""
    body = error_body("bad_request", str(_("The request is malformed or too large.")))
    return api.create_response(request, body, status=400)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: logged with its traceback; the client gets JSON, not an HTML error page."""
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    body = error_body(
        "server_error", str(_("Something went wrong on our side; the error has been logged."))
    )
    return api.create_response(request, body, status=500)


# ---------------------------------------------------------------- tokens

tokens_router = Router(tags=["tokens"])


class TokenOut(Schema):
    """An API token of the caller (never the token itself)."""

    id: uuid.UUID
    name: str
    prefix: str = Field(..., description="The first characters of the token.")
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool


class IssuedTokenOut(TokenOut):
    """A newly issued token: ``token`` is shown only this once."""

    token: str = Field(..., description="The bearer token. Store it now: it is not kept.")


class TokenIn(Schema):
    """A token to issue for the caller."""

    name: str = Field(..., max_length=100, description="What the token is for.")
    days: int | None = Field(
        None, description="Lifetime in days (default and maximum: TERGEU_API_TOKEN_DAYS)."
    )


def token_out(row: Any) -> dict[str, Any]:
    """The API representation of a token row."""
    return {
        "id": row.pk,
        "name": row.name,
        "prefix": row.prefix,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "last_used_at": row.last_used_at,
        "revoked_at": row.revoked_at,
        "active": tokens.is_active(row),
    }


@tokens_router.get("/tokens", response={200: PageOut[TokenOut], **ERRORS}, summary="My tokens")
def list_tokens(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """The caller's API tokens, newest first, revoked and expired ones included."""
    return paged(tokens.tokens_of(actor(request)), params, token_out)


@tokens_router.post("/tokens", response={201: IssuedTokenOut, **ERRORS}, summary="Issue a token")
def issue_token(request: HttpRequest, payload: TokenIn) -> tuple[int, dict[str, Any]]:
    """Issue a token for the caller. Only in a signed-in session: a token cannot breed tokens."""
    if getattr(request, "api_token_used", False):
        raise AccessDenied(_("Tokens are issued in a signed-in session, not with another token."))
    row, token = tokens.issue_token(actor(request), name=payload.name, days=payload.days)
    return 201, {**token_out(row), "token": token}


@tokens_router.delete(
    "/tokens/{token_id}", response={200: TokenOut, **ERRORS}, summary="Revoke a token"
)
def revoke_token(request: HttpRequest, token_id: str) -> dict[str, Any]:
    """Revoke one of the caller's tokens; it stops working at once."""
    return token_out(tokens.revoke_token(actor(request), token_id))


# ---------------------------------------------------------------- routers

api.add_router("/", tokens_router)
api.add_router("/", accounts_router)
api.add_router("/", "tergeu.intake.api.router")
api.add_router("/", "tergeu.cases.api.router")
api.add_router("/", "tergeu.cases.api_detention.router")
api.add_router("/code/", "tergeu.qualification.api.router")
api.add_router("/", "tergeu.documents.api.router")
api.add_router("/", "tergeu.evidence.api.router")
api.add_router("/", "tergeu.allocation.api.router")
api.add_router("/", "tergeu.integrity.api.router")
api.add_router("/", "tergeu.integrity.export_api.router")
api.add_router("/", "tergeu.summons.api.router")
api.add_router("/", "tergeu.legalaid.api.router")
api.add_router("/", "tergeu.deadlines.api.router")
api.add_router("/", "tergeu.notifications.api.router")
