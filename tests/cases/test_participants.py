"""Participants of a case: statuses, contact data, bad input, removal."""

from __future__ import annotations

import datetime as dt

import pytest

from tergeu.cases.models import Participant, ParticipantStatus
from tergeu.cases.services import (
    add_participant,
    assign_investigator,
    remove_participant,
    requalify,
    search_cases,
    update_participant,
)
from tergeu.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from tergeu.core.iin import make_iin
from tests import factories as f

pytestmark = pytest.mark.django_db

IIN = make_iin(dt.date(1990, 5, 31), False, 17)


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def test_add_update_remove(unit: f.Unit) -> None:
    case = unit.case()
    person = add_participant(
        unit.investigator,
        case.pk,
        status=ParticipantStatus.VICTIM,
        last_name="Сейтқали",
        first_name="Әлия",
        iin=IIN,
        phone="+7 701 111 22 33",
        language="kk",
    )
    assert person.phone == "+77011112233"
    update_participant(unit.investigator, person.pk, status=ParticipantStatus.CIVIL_PLAINTIFF)
    person.refresh_from_db()
    assert person.status == ParticipantStatus.CIVIL_PLAINTIFF
    remove_participant(unit.investigator, person.pk, reason="Ошибочно внесена")
    person.refresh_from_db()
    assert person.removed_at is not None
    assert search_cases(unit.investigator, q=IIN).count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"status": "king"}, "status"),
        ({"last_name": ""}, "last_name"),
        ({"iin": "123456789012"}, "iin"),
        ({"phone": "555"}, "phone"),
        ({"email": "@"}, "email"),
        ({"birth_date": "2990-01-01"}, "birth_date"),
        ({"birth_date": "31.05.1990"}, "birth_date"),
        ({"last_name": "Я" * 151}, "last_name"),
        ({"nickname": "x"}, "nickname"),
    ],
)
def test_bad_participant_is_refused(unit: f.Unit, fields: dict[str, str], field: str) -> None:
    case = unit.case()
    data = {"status": ParticipantStatus.WITNESS, "last_name": "Иванов", "first_name": "Иван"}
    data.update(fields)
    with pytest.raises(ValidationFailed) as exc:
        add_participant(unit.investigator, case.pk, **data)
    assert field in exc.value.fields
    assert Participant.objects.count() == 0


def test_same_person_same_status_twice_is_a_conflict(unit: f.Unit) -> None:
    case = unit.case()
    data = {
        "status": ParticipantStatus.SUSPECT,
        "last_name": "Ким",
        "first_name": "Олег",
        "iin": IIN,
    }
    add_participant(unit.investigator, case.pk, **data)
    with pytest.raises(Conflict):
        add_participant(unit.investigator, case.pk, **data)


def test_only_the_team_edits_participants(unit: f.Unit) -> None:
    case = unit.case()
    data = {"status": ParticipantStatus.WITNESS, "last_name": "Ли", "first_name": "Анна"}
    with pytest.raises(AccessDenied):
        add_participant(unit.prosecutor, case.pk, **data)
    with pytest.raises(NotFound):
        add_participant(f.Unit(region_code="71").investigator, case.pk, **data)


def test_requalify_and_reassign(unit: f.Unit) -> None:
    case = unit.case()
    case = requalify(unit.investigator, case.pk, article="191", part="1", reason="Открытое хищение")
    assert case.qualification == "191 ч.1"
    with pytest.raises(ValidationFailed):
        requalify(unit.investigator, case.pk, article="191", part="1", reason="")
    with pytest.raises(AccessDenied):
        assign_investigator(unit.investigator, case.pk, investigator_id=unit.inquiry_officer.pk)
    case = assign_investigator(unit.head, case.pk, investigator_id=unit.inquiry_officer.pk)
    assert case.investigator == unit.inquiry_officer
    assert not case.grants.filter(user=unit.investigator, revoked_at__isnull=True).exists()
