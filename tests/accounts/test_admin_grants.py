"""Case grants that follow changes of accounts: a head appointed later gets the body's open
cases, a move to another body or another role takes away what no longer fits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.accounts import admin_services as svc
from tergeu.accounts.models import OrgKind, Role, User
from tergeu.cases.access import Perm, get_case, perms_of, visible_cases
from tergeu.cases.models import Case, Grant, GrantRole, Stage
from tergeu.core.errors import NotFound
from tergeu.core.iin import make_iin
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "Qazaq-ELi-2026!"


@pytest.fixture
def admin() -> User:
    return f.user(Role.ADMINISTRATOR)


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def _active(user: Any, role: str) -> set[Any]:
    return set(
        Grant.objects.filter(user=user, role=role, revoked_at__isnull=True).values_list(
            "case_id", flat=True
        )
    )


def _new_head(admin: User, unit: f.Unit, **extra: Any) -> User:
    return svc.create_user(
        admin,
        username="newhead",
        last_name="Жаңабаев",
        first_name="Серік",
        iin=make_iin(dt.date(1979, 5, 5), True, 777),
        role=Role.HEAD_OF_UNIT,
        organisation_code=unit.police.code,
        password=PASSWORD,
        **extra,
    )


def test_a_head_appointed_later_gets_the_open_cases_of_the_body(admin: User, unit: f.Unit) -> None:
    open_cases = [unit.case(), unit.case(form="")]
    archived = unit.case()
    Case.objects.filter(pk=archived.pk).update(stage=Stage.ARCHIVED)
    elsewhere = f.Unit(district_code="02").case()

    head = _new_head(admin, unit)

    assert _active(head, GrantRole.HEAD) == {c.pk for c in open_cases}
    assert set(visible_cases(head)) == set(open_cases)
    assert Perm.MANAGE in perms_of(head, open_cases[0])
    with pytest.raises(NotFound):
        get_case(head, elsewhere.pk)
    events = Event.objects.filter(
        action="case.access_granted", case_id__in=[c.pk for c in open_cases]
    )
    granted = [payload_of(e)["data"] for e in events.filter(actor=admin)]
    assert granted == [{"user": str(head.pk), "role": "head", "reason": "head of unit"}] * 2
    grant = Grant.objects.get(user=head, case=open_cases[0])
    assert grant.granted_by == admin


def test_a_promoted_investigator_becomes_head_of_the_open_cases(admin: User, unit: f.Unit) -> None:
    case = unit.case()
    other = unit.case()
    Grant.objects.filter(case=other, user=unit.investigator).update(revoked_at=other.registered_at)
    officer = unit.inquiry_officer
    svc.update_user(admin, officer.pk, role=Role.HEAD_OF_UNIT)
    assert _active(officer, GrantRole.HEAD) == {case.pk, other.pk}
    # Called again, nothing is granted twice.
    svc.update_user(admin, officer.pk, role=Role.INQUIRY_OFFICER)
    svc.update_user(admin, officer.pk, role=Role.HEAD_OF_UNIT)
    assert Grant.objects.filter(user=officer, role=GrantRole.HEAD, revoked_at=None).count() == 2


def test_a_blocked_head_gets_no_grants(admin: User, unit: f.Unit) -> None:
    unit.case()
    svc.deactivate_user(admin, unit.inquiry_officer.pk, "Уволен")
    svc.update_user(admin, unit.inquiry_officer.pk, role=Role.HEAD_OF_UNIT)
    assert _active(unit.inquiry_officer, GrantRole.HEAD) == set()


def test_moving_an_investigator_to_another_body_revokes_the_old_bodys_grants(
    admin: User, unit: f.Unit
) -> None:
    cases = [unit.case(), unit.case()]
    other = f.Unit(district_code="02")
    officer = unit.investigator
    assert _active(officer, GrantRole.INVESTIGATOR) == {c.pk for c in cases}

    svc.update_user(admin, officer.pk, organisation_code=other.police.code)

    assert _active(officer, GrantRole.INVESTIGATOR) == set()
    assert list(visible_cases(officer)) == []
    revoked = Grant.objects.filter(user=officer, role=GrantRole.INVESTIGATOR)
    assert all(g.revoked_at is not None for g in revoked)
    events = Event.objects.filter(action="case.access_revoked").order_by("seq")
    assert {e.case_id for e in events} == {c.pk for c in cases}
    assert all(e.actor == admin for e in events)
    data = payload_of(events[0])["data"]
    assert (data["user"], data["role"], data["organisation"]) == (
        str(officer.pk),
        "investigator",
        other.police.code,
    )
    # Everyone else keeps their access.
    assert _active(unit.head, GrantRole.HEAD) == {c.pk for c in cases}
    assert _active(unit.prosecutor, GrantRole.PROSECUTOR) == {c.pk for c in cases}


def test_moving_a_head_swaps_the_bodies_cases(admin: User, unit: f.Unit) -> None:
    old = unit.case()
    other = f.Unit(district_code="02")
    new = other.case()
    svc.update_user(admin, unit.head.pk, organisation_code=other.police.code)
    assert _active(unit.head, GrantRole.HEAD) == {new.pk}
    assert Grant.objects.get(user=unit.head, case=old).revoked_at is not None


def test_grants_on_cases_of_the_new_body_are_kept(admin: User, unit: f.Unit) -> None:
    other = f.Unit(district_code="02")
    joint = other.case()
    Grant.objects.create(
        case=joint, user=unit.investigator, role=GrantRole.TEAM, granted_at=joint.registered_at
    )
    svc.update_user(admin, unit.investigator.pk, organisation_code=other.police.code)
    assert _active(unit.investigator, GrantRole.TEAM) == {joint.pk}


def test_a_role_change_revokes_grants_of_the_old_role_only(admin: User, unit: f.Unit) -> None:
    case = unit.case()
    svc.update_user(admin, unit.investigator.pk, role=Role.DUTY_OFFICER)
    assert _active(unit.investigator, GrantRole.INVESTIGATOR) == set()
    svc.update_user(admin, unit.duty.pk, role=Role.INQUIRY_OFFICER)
    assert _active(unit.duty, GrantRole.REGISTRAR) == {case.pk}  # still one who may register


def test_a_prosecutor_moved_to_another_office_loses_the_supervised_cases(
    admin: User, unit: f.Unit
) -> None:
    case = unit.case()
    office = f.org(OrgKind.PROSECUTOR, region_code="75", district_code="02")
    svc.update_user(admin, unit.prosecutor.pk, organisation_code=office.code)
    assert _active(unit.prosecutor, GrantRole.PROSECUTOR) == set()
    assert Grant.objects.get(user=unit.prosecutor, case=case).revoked_at is not None


def test_a_prosecutor_moved_to_the_supervising_office_keeps_its_cases(
    admin: User, unit: f.Unit
) -> None:
    case = unit.case()
    office = f.org(OrgKind.PROSECUTOR, region_code="75", district_code="02")
    prosecutor = f.user(Role.PROSECUTOR, office)
    Grant.objects.create(
        case=case, user=prosecutor, role=GrantRole.PROSECUTOR, granted_at=case.registered_at
    )
    svc.update_user(admin, prosecutor.pk, organisation_code=unit.prosecutor_office.code)
    assert _active(prosecutor, GrantRole.PROSECUTOR) == {case.pk}


def test_a_defenders_grants_are_personal(admin: User, unit: f.Unit) -> None:
    case = unit.case()
    bar = f.org(OrgKind.BAR)
    other_bar = f.org(OrgKind.BAR)
    lawyer = f.user(Role.DEFENDER, bar)
    Grant.objects.create(
        case=case, user=lawyer, role=GrantRole.DEFENDER, granted_at=case.registered_at
    )
    svc.update_user(admin, lawyer.pk, organisation_code=other_bar.code)
    assert _active(lawyer, GrantRole.DEFENDER) == {case.pk}
