"""Checking a document's fields against its type in the catalogue.

Values are normalised to JSON: text is stripped, dates are ``YYYY-MM-DD``, date-times are
ISO 8601 in UTC (a time without zone is Kazakhstan local time), participants are UUIDs.
Every problem is collected and raised at once as :class:`ValidationFailed` keyed by field.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from tergeu.cases.models import Case, Participant, ParticipantStatus
from tergeu.core.clock import KZ_TZ
from tergeu.core.errors import Message, ValidationFailed

from .catalogue import DocType, FieldSpec, Label

_INTEGER = re.compile(r"^-?\d{1,9}$")


def _render(message: Message, params: dict[str, Any]) -> str:
    values = {k: str(v) if isinstance(v, Promise | Label) else v for k, v in params.items()}
    return str(message) % values


_lazy_render = lazy(_render, str)


def fmt(message: Message, **params: Any) -> Message:
    """``message % params``, translated when it is shown (not when it is made)."""
    return _lazy_render(message, params)


class _Bad(Exception):
    def __init__(self, message: Message) -> None:
        self.message = message


def is_empty(value: Any) -> bool:
    """True for values that count as 'not given'."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(_("Enter text."))
    text = value.strip() if spec.type == "text" else value.strip("\n").rstrip()
    if spec.type == "text" and ("\n" in text or "\r" in text):
        raise _Bad(_("Enter a single line."))
    if spec.max_length is not None and len(text) > spec.max_length:
        raise _Bad(fmt(_("At most %(limit)d characters, please."), limit=spec.max_length))
    if spec.pattern and not re.match(spec.pattern, text):
        raise _Bad(_("The value has the wrong form."))
    return text


def _integer(spec: FieldSpec, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(_("Enter a whole number."))
    if isinstance(value, str):
        if not _INTEGER.match(value.strip()):
            raise _Bad(_("Enter a whole number."))
        value = int(value.strip())
    if spec.min_value is not None and value < spec.min_value:
        raise _Bad(fmt(_("At least %(min)d."), min=spec.min_value))
    if spec.max_value is not None and value > spec.max_value:
        raise _Bad(fmt(_("At most %(max)d."), max=spec.max_value))
    return int(value)


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise _Bad(_("Enter a date as YYYY-MM-DD."))
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        parsed = parse_date(value.strip()) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise _Bad(_("Enter a date as YYYY-MM-DD."))
    return parsed.isoformat()


def _datetime(value: Any) -> str:
    moment: dt.datetime | None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(value.strip()) if isinstance(value, str) else None
        except ValueError:
            moment = None
    if moment is None:
        raise _Bad(_("Enter a date and time as YYYY-MM-DDTHH:MM."))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=KZ_TZ)
    return moment.astimezone(dt.UTC).isoformat()


def _choice(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str) or spec.choice(value) is None:
        raise _Bad(_("Choose one of the offered values."))
    return value


def _participant(spec: FieldSpec, value: Any, case: Case) -> str:
    try:
        pk = uuid.UUID(str(value))
    except ValueError as exc:
        raise _Bad(_("Choose a participant of this case.")) from exc
    person = Participant.objects.filter(case=case, pk=pk, removed_at__isnull=True).first()
    if person is None:
        raise _Bad(_("Choose a participant of this case."))
    if spec.statuses and person.status not in spec.statuses:
        wanted = ", ".join(str(ParticipantStatus(s).label) for s in spec.statuses)
        raise _Bad(fmt(_("The person must have the procedural status: %(status)s."), status=wanted))
    return str(pk)


def _clean(spec: FieldSpec, value: Any, case: Case) -> Any:
    if spec.type in ("text", "textarea"):
        return _text(spec, value)
    if spec.type == "integer":
        return _integer(spec, value)
    if spec.type == "date":
        return _date(value)
    if spec.type == "datetime":
        return _datetime(value)
    if spec.type == "choice":
        return _choice(spec, value)
    return _participant(spec, value, case)


def _cross_checks(doc_type: DocType, clean: dict[str, Any], errors: dict[str, list[Any]]) -> None:
    for spec in doc_type.fields:
        other = spec.not_before
        if other and spec.name in clean and other in clean:
            later = _moment(spec.type, clean[spec.name])
            earlier = _moment(spec.type, clean[other])
            if later < earlier:
                label = doc_type.field(other).label  # type: ignore[union-attr]
                errors.setdefault(spec.name, []).append(
                    fmt(_("Cannot be earlier than “%(other)s”."), other=label)
                )
        chosen = spec.choice(clean.get(spec.name))
        for capped, cap in chosen.caps.items() if chosen else ():
            if capped in clean and clean[capped] > cap:
                errors.setdefault(capped, []).append(
                    fmt(
                        _("At most %(cap)d when addressed to %(who)s (%(rule)s)."),
                        cap=cap,
                        who=chosen.label,  # type: ignore[union-attr]
                        rule=chosen.rule,  # type: ignore[union-attr]
                    )
                )
    duration = doc_type.duration
    if duration and duration.start in clean and duration.end in clean:
        start = _moment("datetime", clean[duration.start])
        end = _moment("datetime", clean[duration.end])
        if end - start > dt.timedelta(hours=duration.hours):
            errors.setdefault(duration.end, []).append(
                fmt(
                    _("At most %(hours)d hours after the start (%(rule)s)."),
                    hours=duration.hours,
                    rule=duration.rule,
                )
            )


def _moment(ftype: str, value: str) -> dt.datetime:
    if ftype == "date":
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(value)


def clean_fields(doc_type: DocType, raw: Any, case: Case) -> dict[str, Any]:
    """Check ``raw`` against ``doc_type`` and return the normalised fields.

    Raises :class:`ValidationFailed` naming every unknown, missing, mistyped or too long
    field (and violations of the type's cross-field rules).
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ValidationFailed.one("fields", _("The fields must be a JSON object."))
    errors: dict[str, list[Message]] = {}
    for key in raw:
        if doc_type.field(str(key)) is None:
            errors.setdefault(str(key), []).append(_("Unknown field."))
    clean: dict[str, Any] = {}
    for spec in doc_type.fields:
        value = raw.get(spec.name)
        if is_empty(value):
            if spec.required:
                errors.setdefault(spec.name, []).append(_("This field is required."))
            continue
        try:
            clean[spec.name] = _clean(spec, value, case)
        except _Bad as bad:
            errors.setdefault(spec.name, []).append(bad.message)
    _cross_checks(doc_type, clean, errors)
    if errors:
        raise ValidationFailed(errors)
    return clean
