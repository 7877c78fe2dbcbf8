"""Checks of user input shared by services: lengths, IINs, phones, e-mails, times."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from . import clock
from .errors import Message, ValidationFailed
from .iin import iin_error

_PHONE = re.compile(r"^\+7\d{10}$")


class Checker:
    """Collects field errors, then raises them all at once as :class:`ValidationFailed`."""

    def __init__(self) -> None:
        self.errors: dict[str, list[Message]] = {}

    def add(self, field: str, message: Message) -> None:
        self.errors.setdefault(field, []).append(message)

    def required(self, field: str, value: Any) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(field, _("This field is required."))

    def max_length(self, field: str, value: str, limit: int) -> None:
        if value and len(value) > limit:
            self.add(field, _("At most %(limit)d characters, please.") % {"limit": limit})

    def iin(self, field: str, value: str) -> None:
        if value:
            error = iin_error(value)
            if error:
                self.add(field, error)

    def email(self, field: str, value: str) -> None:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                self.add(field, _("Enter a valid e-mail address."))

    def phone(self, field: str, value: str) -> str:
        """Check and normalise a Kazakhstan phone number to +7XXXXXXXXXX."""
        if not value:
            return ""
        digits = re.sub(r"[\s()\-]", "", value)
        if digits.startswith("8") and len(digits) == 11:
            digits = "+7" + digits[1:]
        elif digits.startswith("7") and len(digits) == 11:
            digits = "+" + digits
        if not _PHONE.match(digits):
            self.add(field, _("Enter a phone number like +7 701 234 56 78."))
        return digits

    def not_future(self, field: str, value: dt.datetime | None) -> None:
        if value is not None and value > clock.now() + dt.timedelta(minutes=5):
            self.add(field, _("This time is in the future."))

    def choice(self, field: str, value: str, choices: Any) -> None:
        if value not in {c for c, _label in choices}:
            self.add(field, _("Choose one of the offered values."))

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
