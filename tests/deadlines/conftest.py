"""A police unit, a case registered at a known local time, and a helper to journal events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tergeu.cases.models import Case, Participant
from tergeu.cases.services import add_participant
from tergeu.core import clock
from tergeu.core.clock import KZ_TZ
from tergeu.deadlines import calendar
from tergeu.deadlines.models import Clock
from tergeu.integrity.journal import record
from tests import factories as f


def kz(*args: int) -> dt.datetime:
    """A Kazakhstan local time (UTC+5) as an aware datetime."""
    return dt.datetime(*args, tzinfo=KZ_TZ)  # type: ignore[misc]


def journal(
    action: str, case: Case | None = None, at: dt.datetime | None = None, **data: Any
) -> None:
    """Append ``action`` to the journal at ``at`` (frozen clock), as a service would."""
    with clock.frozen(at or clock.now()), transaction.atomic():
        record(action, case_id=case.pk if case else None, obj=case, data=data)


def clocks(case: Case, rule: str | None = None) -> list[Clock]:
    qs = Clock.objects.filter(case=case).order_by("due_at", "rule")
    return list(qs.filter(rule=rule) if rule else qs)


def one(case: Case, rule: str) -> Clock:
    found = clocks(case, rule)
    assert len(found) == 1, [str(c) for c in clocks(case)]
    return found[0]


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()


@pytest.fixture
def unit(db: Any) -> f.Unit:
    return f.Unit()


@pytest.fixture
def registered_at() -> dt.datetime:
    """Tuesday 10 February 2026, 10:15 local."""
    return kz(2026, 2, 10, 10, 15)


@pytest.fixture
def case(unit: f.Unit, registered_at: dt.datetime) -> Case:
    with clock.frozen(registered_at):
        return unit.case(form="preliminary")


@pytest.fixture
def suspect(unit: f.Unit, case: Case) -> Participant:
    return add_participant(
        unit.investigator, case.pk, status="suspect", last_name="Жумабеков", first_name="Ерлан"
    )
