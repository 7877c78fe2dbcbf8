"""KUI: recording reports and the decisions other than registration (CPC art. 179-181)."""

from __future__ import annotations

import datetime as dt

import pytest

from tergeu.accounts.models import Role
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from tergeu.intake.models import Report, ReportStatus
from tergeu.intake.services import (
    decision_deadline,
    get_report,
    move_to_incident,
    refer,
    reports_for,
    send_administrative,
)
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def test_report_gets_kui_number_deadline_and_event(unit: f.Unit) -> None:
    at = dt.datetime(2026, 11, 28, 20, 0, tzinfo=dt.UTC)
    with clock.frozen(at):
        report = unit.report(applicant_phone="8 (701) 234-56-78")
    assert report.kui_number == f"2026-{unit.police.code}-000001"
    assert report.applicant_phone == "+77012345678"
    assert decision_deadline(report) == at + dt.timedelta(hours=24)
    event = Event.objects.get(action="report.recorded")
    assert event.object_id == str(report.pk)
    assert event.actor == unit.duty


def test_kui_numbers_follow_each_other(unit: f.Unit) -> None:
    numbers = [unit.report().kui_number[-6:] for _ in range(3)]
    assert numbers == ["000001", "000002", "000003"]


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"description": "  "}, "description", "required"),
        ({"description": "x" * 20_001}, "description", "At most 20000"),
        ({"applicant_iin": "900101300011"}, "applicant_iin", "check digit"),
        ({"applicant_phone": "12345"}, "applicant_phone", "+7"),
        ({"applicant_email": "not-an-email"}, "applicant_email", "e-mail"),
        ({"source": "pigeon"}, "source", "Choose"),
        ({"applicant_name": ""}, "applicant_name", "applicant"),
        ({"region_code": "99"}, "region_code", "Unknown region"),
    ],
)
def test_bad_report_is_refused_and_nothing_is_written(
    unit: f.Unit, fields: dict[str, str], field: str, fragment: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        unit.report(**fields)
    assert fragment in " ".join(exc.value.field_texts()[field])
    assert Report.objects.count() == 0
    assert not Event.objects.filter(action="report.recorded").exists()


def test_offence_after_report_is_refused(unit: f.Unit) -> None:
    now = clock.now()
    with pytest.raises(ValidationFailed) as exc:
        unit.report(received_at=now - dt.timedelta(hours=2), offence_at=now - dt.timedelta(hours=1))
    assert "offence_at" in exc.value.fields


def test_future_report_time_is_refused(unit: f.Unit) -> None:
    with pytest.raises(ValidationFailed) as exc:
        unit.report(received_at=clock.now() + dt.timedelta(days=1))
    assert "received_at" in exc.value.fields


def test_roles_outside_prosecution_bodies_cannot_record(unit: f.Unit) -> None:
    with pytest.raises(AccessDenied):
        unit.report(by=unit.prosecutor)
    assert Event.objects.filter(action="access.denied", actor=unit.prosecutor).exists()


def test_incident_referral_and_administrative_decisions(unit: f.Unit) -> None:
    other = f.org(code="750199")
    r1, r2, r3 = unit.report(), unit.report(), unit.report()
    move_to_incident(unit.duty, r1.pk, reason="Нет признаков уголовного правонарушения")
    refer(unit.duty, r2.pk, reason="По подследственности", to_organisation_code=other.code)
    send_administrative(unit.duty, r3.pk, reason="Административное правонарушение")
    r1.refresh_from_db()
    r2.refresh_from_db()
    r3.refresh_from_db()
    assert (r1.status, r2.status, r3.status) == (
        ReportStatus.INCIDENT,
        ReportStatus.REFERRED,
        ReportStatus.ADMINISTRATIVE,
    )
    assert r2.referred_to == other
    assert r1.decided_by == unit.duty
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"report.incident", "report.referred", "report.administrative"} <= actions


def test_double_decision_is_a_conflict_and_changes_nothing(unit: f.Unit) -> None:
    report = unit.report()
    move_to_incident(unit.duty, report.pk, reason="Нет состава")
    with pytest.raises(Conflict):
        send_administrative(unit.duty, report.pk, reason="Повторно")
    report.refresh_from_db()
    assert report.status == ReportStatus.INCIDENT


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "x", "to_organisation_code": "000000"}, "to_organisation_code"),
        ({"reason": "x"}, "to_organisation_code"),
    ],
)
def test_bad_referral_is_refused(unit: f.Unit, kwargs: dict[str, str], field: str) -> None:
    report = unit.report()
    with pytest.raises(ValidationFailed) as exc:
        refer(unit.duty, report.pk, **kwargs)
    assert field in exc.value.fields
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


def test_reports_of_another_body_are_invisible(unit: f.Unit) -> None:
    report = unit.report()
    stranger = f.Unit(region_code="71").duty
    assert not reports_for(stranger).exists()
    with pytest.raises(NotFound):
        get_report(stranger, report.pk)
    with pytest.raises(NotFound):
        move_to_incident(stranger, report.pk, reason="чужое")
    assert Event.objects.filter(action="access.denied", actor=stranger).count() == 2
    assert reports_for(f.user(Role.ANALYST, unit.police)).count() == 0
