"""Registration of a KUI report in ERDR: the card, the number, the grants."""

from __future__ import annotations

import datetime as dt

import pytest

from tergeu.cases.access import Perm, get_case, perms_of, visible_cases
from tergeu.cases.models import Case, GrantRole, Stage
from tergeu.cases.services import register_report
from tergeu.core import clock
from tergeu.core.errors import Conflict, NotFound, ValidationFailed
from tergeu.intake.models import ReportStatus
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def test_registration_fills_the_card_and_closes_the_report(unit: f.Unit) -> None:
    offence = dt.datetime(2026, 11, 27, 15, 30, tzinfo=dt.UTC)
    report = unit.report(offence_at=offence)
    at = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    with clock.frozen(at):
        case = register_report(
            unit.duty,
            report.pk,
            article="188",
            part="2",
            paragraph="1",
            investigator_id=unit.investigator.pk,
            form="preliminary",
        )
    assert case.erdr_number == f"26{unit.police.code}0000001"
    assert len(case.erdr_number) == 15
    assert case.registered_at == at
    assert case.report == report
    assert case.offence_at == offence
    assert case.fabula == report.description
    assert case.qualification == "188 ч.2 п.1"
    assert case.stage == Stage.INVESTIGATION
    assert case.prosecutor == unit.prosecutor
    report.refresh_from_db()
    assert report.status == ReportStatus.REGISTERED
    registered = Event.objects.get(action="case.registered")
    assert registered.case_id == case.pk


def test_grants_go_to_the_team_and_the_supervising_prosecutor(unit: f.Unit) -> None:
    case = unit.case()
    roles = dict(case.grants.values_list("user__username", "role"))
    assert roles[unit.investigator.username] == GrantRole.INVESTIGATOR
    assert roles[unit.head.username] == GrantRole.HEAD
    assert roles[unit.prosecutor.username] == GrantRole.PROSECUTOR
    assert roles[unit.duty.username] == GrantRole.REGISTRAR
    assert Perm.WORK in perms_of(unit.investigator, case)
    assert perms_of(unit.duty, case) == {Perm.VIEW}
    assert Perm.SUPERVISE in perms_of(unit.prosecutor, case)


def test_nobody_else_sees_the_case(unit: f.Unit) -> None:
    case = unit.case()
    other = f.Unit(region_code="71")
    for stranger in (other.investigator, other.prosecutor, unit.judge, unit.inquiry_officer):
        assert not visible_cases(stranger).exists()
        with pytest.raises(NotFound):
            get_case(stranger, case.pk)
        with pytest.raises(NotFound):
            get_case(stranger, case.erdr_number)
    denied = Event.objects.filter(action="access.denied", case_id=case.pk)
    assert denied.count() == 8


def test_garbage_case_keys_are_not_found(unit: f.Unit) -> None:
    for key in ("not-a-uuid", "000", "'; drop table"):
        with pytest.raises(NotFound):
            get_case(unit.investigator, key)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"article": "9999"}, "article"),
        ({"article": "188", "part": "9"}, "part"),
        ({"article": "188", "part": "2", "paragraph": "2"}, "paragraph"),
        ({"article": "188", "part": "1", "form": "magic"}, "form"),
        ({"article": "188", "part": "1", "investigator_id": "abc"}, "investigator_id"),
        ({"article": "188", "part": "1", "fabula": "x" * 20_001}, "fabula"),
    ],
)
def test_bad_registration_changes_nothing(unit: f.Unit, kwargs: dict[str, str], field: str) -> None:
    report = unit.report()
    with pytest.raises(ValidationFailed) as exc:
        register_report(unit.duty, report.pk, **kwargs)
    assert field in exc.value.fields
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW
    assert Case.objects.count() == 0
    # the number was not consumed: the next registration gets 0000001
    case = register_report(unit.duty, report.pk, article="188", part="1")
    assert case.erdr_number.endswith("0000001")


def test_offence_after_registration_is_refused(unit: f.Unit) -> None:
    report = unit.report()
    with pytest.raises(ValidationFailed) as exc:
        register_report(
            unit.duty,
            report.pk,
            article="188",
            part="1",
            offence_at=clock.now() + dt.timedelta(days=2),
        )
    assert "later than its registration" in exc.value.field_texts()["offence_at"][0]


def test_investigator_of_another_body_cannot_be_assigned(unit: f.Unit) -> None:
    other = f.Unit(region_code="71")
    report = unit.report()
    with pytest.raises(ValidationFailed) as exc:
        register_report(
            unit.duty, report.pk, article="188", part="1", investigator_id=other.investigator.pk
        )
    assert "investigator_id" in exc.value.fields


def test_double_registration_is_a_conflict(unit: f.Unit) -> None:
    report = unit.report()
    register_report(unit.duty, report.pk, article="188", part="1")
    with pytest.raises(Conflict):
        register_report(unit.duty, report.pk, article="188", part="1")
    assert Case.objects.count() == 1


def test_numbers_restart_each_year_and_per_body(unit: f.Unit) -> None:
    with clock.frozen(dt.datetime(2025, 12, 31, 18, 30, tzinfo=dt.UTC)):  # 2025-12-31 23:30 +05
        a = unit.case()
    with clock.frozen(dt.datetime(2025, 12, 31, 19, 30, tzinfo=dt.UTC)):  # 2026-01-01 00:30 +05
        b = unit.case()
    other = f.Unit(region_code="71").case()
    assert a.erdr_number[:2] + a.erdr_number[-7:] == "250000001"
    assert b.erdr_number[:2] + b.erdr_number[-7:] == "260000001"
    assert other.erdr_number.endswith("0000001")
