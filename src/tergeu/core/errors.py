"""Errors raised by services; views and the API turn them into answers in the user's language.

A service never returns a half-done result: it raises one of these and its transaction
rolls back, so bad input changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Message = str | Promise


class ServiceError(Exception):
    """Base of every refusal a service gives; ``code`` is stable, ``message`` translatable."""

    status = 400
    code = "error"

    def __init__(self, message: Message, *, code: str | None = None, **params: Any) -> None:
        self.message = message
        self.params = params
        if code:
            self.code = code
        super().__init__(str(message))

    def text(self) -> str:
        """The message in the active language, with its parameters filled in."""
        return str(self.message) % self.params if self.params else str(self.message)


class ValidationFailed(ServiceError):
    """Input is wrong; ``fields`` maps a field name to its messages."""

    status = 422
    code = "validation_failed"

    def __init__(self, fields: dict[str, list[Message]], message: Message | None = None) -> None:
        self.fields = fields
        super().__init__(message or _("Please correct the errors below."))

    @classmethod
    def one(cls, field: str, message: Message) -> ValidationFailed:
        """A failure of a single field."""
        return cls({field: [message]})

    def field_texts(self) -> dict[str, list[str]]:
        """Field messages rendered in the active language."""
        return {name: [str(m) for m in msgs] for name, msgs in self.fields.items()}


class NotFound(ServiceError):
    """The object does not exist, or the user may not know that it does."""

    status = 404
    code = "not_found"

    def __init__(self, message: Message | None = None) -> None:
        super().__init__(message or _("Not found."))


class AccessDenied(ServiceError):
    """The user may see the object but not do this to it."""

    status = 403
    code = "forbidden"

    def __init__(self, message: Message | None = None) -> None:
        super().__init__(message or _("You are not allowed to do this."))


class RuleViolation(ServiceError):
    """The action contradicts a rule of procedure; ``rule`` names it (e.g. 'CPC art. 45(9)')."""

    status = 409
    code = "rule_violation"

    def __init__(self, message: Message, *, rule: str, **params: Any) -> None:
        self.rule = rule
        super().__init__(message, **params)

    def text(self) -> str:
        return f"{super().text()} ({self.rule})"


class Conflict(ServiceError):
    """The object changed or was already processed (double submission, stale version)."""

    status = 409
    code = "conflict"
