"""Appending events to the journal, and the service runner that ties writes to events.

Every service that changes state runs inside :func:`service`: one transaction for the
authorisation, validation, writes and the journal event. A refusal of access is
journaled after the rollback, so the denial itself survives.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import rfc8785
from django.db import transaction
from django.db.models.signals import post_save

from tergeu.core import clock
from tergeu.core.errors import AccessDenied, NotFound

from .models import Event

P = ParamSpec("P")
R = TypeVar("R")


def _jsonable(value: Any) -> Any:
    """Convert values rfc8785 cannot encode (UUID, dates, Decimals) to strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str | float):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def canonical_json(data: dict[str, Any]) -> str:
    """RFC 8785 canonical JSON of ``data`` (keys sorted, no spaces, stable numbers)."""
    return rfc8785.dumps(_jsonable(data)).decode()


def event(
    action: str,
    *,
    actor: Any = None,
    case_id: uuid.UUID | None = None,
    obj: Any = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """An event not yet appended: what :func:`record` writes, for :func:`record_all`."""
    body = {
        "action": action,
        "actor": str(actor.pk) if actor is not None else None,
        "case": str(case_id) if case_id else None,
        "object": f"{type(obj).__name__}:{obj.pk}" if obj is not None else None,
        "data": data or {},
    }
    payload = canonical_json(body)
    return Event(
        occurred_at=clock.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=str(actor)[:200] if actor is not None else "",
        action=action,
        case_id=case_id,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        payload=payload,
        payload_sha256=hashlib.sha256(payload.encode()).hexdigest(),
    )


def record(
    action: str,
    *,
    actor: Any = None,
    case_id: uuid.UUID | None = None,
    obj: Any = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append an event; call it inside the service's transaction."""
    row = event(action, actor=actor, case_id=case_id, obj=obj, data=data)
    row.save(force_insert=True)
    return row


def record_all(events: list[Event]) -> list[Event]:
    """Append several events, in their order, with one statement (inside the transaction).

    Listeners of the journal hear each of them as if :func:`record` had written it.
    """
    rows = Event.objects.bulk_create(events)
    for row in rows:
        post_save.send(sender=Event, instance=row, created=True, raw=False, using="default")
    return rows


class Denial:
    """What a refused access attempt was, attached to the exception that refuses it."""

    def __init__(self, actor: Any, action: str, case_id: uuid.UUID | None, detail: str) -> None:
        self.actor, self.action, self.case_id, self.detail = actor, action, case_id, detail


def deny(
    exc: AccessDenied | NotFound, actor: Any, action: str, case_id: Any, detail: str = ""
) -> Any:
    """Mark ``exc`` as a denial to be journaled by :func:`service`, and return it to raise."""
    exc.denial = Denial(actor, action, case_id, detail)  # type: ignore[union-attr]
    return exc


_depth = threading.local()


def service(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` in one transaction; journal a denial of access after its rollback.

    Services call each other; only the outermost one journals the denial, after its own
    transaction has rolled back, so the denial survives the rollback.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        depth = getattr(_depth, "value", 0)
        _depth.value = depth + 1
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except (AccessDenied, NotFound) as exc:
            denial: Denial | None = getattr(exc, "denial", None)
            if depth == 0 and denial is not None:
                with transaction.atomic():
                    record(
                        "access.denied",
                        actor=denial.actor,
                        case_id=denial.case_id,
                        data={
                            "attempted": denial.action,
                            "detail": denial.detail,
                            "service": fn.__qualname__,
                        },
                    )
            raise
        finally:
            _depth.value = depth

    return wrapper


def payload_of(event: Event) -> dict[str, Any]:
    """The decoded payload of an event."""
    return json.loads(event.payload)
