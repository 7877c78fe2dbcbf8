"""The Participants tab: list, add, edit, remove; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.cases.models import Participant
from tergeu.cases.services import add_participant
from tergeu.core.iin import make_iin
from tests import factories as f

pytestmark = pytest.mark.django_db

IIN = make_iin(dt.date(1990, 5, 31), False, 7)


def _person(**extra: Any) -> dict[str, str]:
    data = {
        "status": "victim",
        "last_name": "Жұмабаева",
        "first_name": "Гүлнар",
        "patronymic": "",
        "iin": IIN,
        "birth_date": "1990-05-31",
        "phone": "8 701 234 56 78",
        "email": "",
        "address": "Алматы, Абай даңғылы 1",
        "language": "kk",
    }
    data.update(extra)
    return data


def test_add_a_participant(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    client = signed_in(unit.investigator)
    response = client.post(f"/cases/{case.pk}/participants/add/", _person(), follow=True)
    assert response.redirect_chain[-1][0] == f"/cases/{case.pk}/?tab=participants"
    person = Participant.objects.get(case=case)
    assert (person.last_name, person.iin, person.phone) == ("Жұмабаева", IIN, "+77012345678")
    html = response.content.decode()
    assert "Жұмабаева Гүлнар" in html
    assert "Victim" in html
    assert "31.05.1990" in html


def test_bad_iin_shows_the_message_and_adds_nobody(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    client = signed_in(unit.investigator)
    response = client.post(f"/cases/{case.pk}/participants/add/", _person(iin="123456789012"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_iin_error"' in html
    assert 'id="add-participant" open' in html
    assert not Participant.objects.filter(case=case).exists()


def test_missing_name_and_bad_phone(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    client = signed_in(unit.investigator)
    html = client.post(
        f"/cases/{case.pk}/participants/add/", _person(last_name="", phone="12345")
    ).content.decode()
    assert "This field is required." in html
    assert not Participant.objects.filter(case=case).exists()
    html = client.post(
        f"/cases/{case.pk}/participants/add/", _person(phone="12345")
    ).content.decode()
    assert "Enter a phone number like +7 701 234 56 78." in html
    assert not Participant.objects.filter(case=case).exists()


def test_edit_a_participant(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    person = add_participant(
        unit.investigator, case.pk, status="witness", last_name="Ахметов", first_name="Ерлан"
    )
    client = signed_in(unit.investigator)
    url = f"/cases/{case.pk}/participants/{person.pk}/edit/"
    html = client.get(url).content.decode()
    assert 'value="Ахметов"' in html
    data = _person(status="suspect", last_name="Ахметов", first_name="Ерлан", iin="")
    response = client.post(url, data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == "suspect"
    response = client.post(url, {**data, "email": "not-an-address"})
    assert "Enter a valid email address." in response.content.decode()
    person.refresh_from_db()
    assert person.email == ""


def test_remove_needs_reasons(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    person = add_participant(
        unit.investigator, case.pk, status="witness", last_name="Ахметов", first_name="Ерлан"
    )
    client = signed_in(unit.investigator)
    url = f"/cases/{case.pk}/participants/{person.pk}/remove/"
    assert "Ахметов" in client.get(url).content.decode()
    html = client.post(url, {"reason": ""}).content.decode()
    assert "This field is required." in html
    person.refresh_from_db()
    assert person.removed_at is None
    response = client.post(url, {"reason": "Ошибочно внесён"}, follow=True)
    person.refresh_from_db()
    assert person.removed_at is not None
    assert "No participants yet." in response.content.decode()


def test_readers_cannot_change_participants(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    person = add_participant(
        unit.investigator, case.pk, status="witness", last_name="Ахметов", first_name="Ерлан"
    )
    client = signed_in(unit.prosecutor)
    html = client.get(f"/cases/{case.pk}/?tab=participants").content.decode()
    assert "Ахметов" in html
    assert "/participants/add/" not in html
    response = client.get(f"/cases/{case.pk}/participants/{person.pk}/edit/")
    assert response.status_code == 403
    response = client.post(f"/cases/{case.pk}/participants/add/", _person())
    assert "You are not allowed to do this." in response.content.decode()
    assert Participant.objects.filter(case=case).count() == 1


def test_participants_of_another_units_case_are_404(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    person = add_participant(
        unit.investigator, case.pk, status="witness", last_name="Ахметов", first_name="Ерлан"
    )
    other = f.Unit(district_code="02")
    client = signed_in(other.investigator)
    assert client.get(f"/cases/{case.pk}/participants/{person.pk}/edit/").status_code == 404
    response = client.post(f"/cases/{case.pk}/participants/{person.pk}/remove/", {"reason": "x"})
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.removed_at is None
