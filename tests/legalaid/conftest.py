"""A police unit with a case and a suspect, a bar with its head and duty lawyers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.accounts.models import Organisation, OrgKind, Role, User
from tergeu.cases.models import Case, Participant
from tergeu.cases.services import add_participant
from tergeu.core import clock
from tergeu.legalaid import roster
from tergeu.legalaid.models import DutySlot
from tests import factories as f
from tests.api.conftest import _catalogues  # noqa: F401  (compiled .mo files, kk/ru/en)


@pytest.fixture
def unit(db: Any) -> f.Unit:
    return f.Unit()


@pytest.fixture
def case(unit: f.Unit) -> Case:
    return unit.case()


@pytest.fixture
def suspect(unit: f.Unit, case: Case) -> Participant:
    return add_participant(
        unit.investigator,
        case.pk,
        status="suspect",
        last_name="Жумабеков",
        first_name="Ерлан",
        language="kk",
    )


@pytest.fixture
def bar(db: Any) -> Organisation:
    return f.org(OrgKind.BAR, region_code="75")


@pytest.fixture
def bar_head(bar: Organisation) -> User:
    return f.user(Role.HEAD_OF_UNIT, bar)


_phones = iter(range(1000000, 9999999))


def lawyer(bar: Organisation, language: str = "ru", **extra: Any) -> User:
    """A defender of the bar with a phone (and the given language)."""
    return f.user(Role.DEFENDER, bar, phone=f"+7701{next(_phones):07d}", language=language, **extra)


@pytest.fixture
def lawyers(bar: Organisation) -> list[User]:
    return [lawyer(bar, "ru"), lawyer(bar, "kk", email="a@example.kz"), lawyer(bar, "en")]


def on_duty(
    head: User, who: User, *, capacity: int = 1, start: dt.datetime | None = None, hours: int = 8
) -> DutySlot:
    """Put ``who`` on duty from ``start`` (an hour ago by default) for ``hours``."""
    begin = start or clock.now() - dt.timedelta(hours=1)
    return roster.add_slot(
        head,
        lawyer_id=who.pk,
        starts_at=begin,
        ends_at=begin + dt.timedelta(hours=hours),
        capacity=capacity,
    )
