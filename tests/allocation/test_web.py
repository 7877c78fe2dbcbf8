"""The register form: no choice gives the case to the proposed officer; another choice
needs the reason, shown on the field when missing."""

from __future__ import annotations

import pytest
from django.test import Client

from tergeu.accounts.models import Role
from tergeu.cases.models import Case
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db


def _data(**extra: str) -> dict[str, str]:
    data = {
        "register-article": "188",
        "register-part": "2",
        "register-paragraph": "1",
        "register-fabula": "Тайное хищение ноутбука из квартиры.",
        "register-offence_at": "",
        "register-investigator": "",
        "register-form": "preliminary",
        "register-allocation_reason": "",
    }
    data.update(extra)
    return data


def test_register_form_override_and_proposal() -> None:
    unit = f.Unit()
    other = f.user(Role.INVESTIGATOR, unit.police, username="zz-other")
    client = Client()
    client.force_login(unit.duty)
    report = unit.report()
    html = client.get(f"/reports/{report.pk}/").content.decode()
    assert "Reason for choosing another officer" in html
    assert "The proposed officer" in html

    response = client.post(
        f"/reports/{report.pk}/register/", _data(**{"register-investigator": str(other.pk)})
    )
    assert "give the reason for the override" in response.content.decode()
    assert not Case.objects.exists()

    response = client.post(
        f"/reports/{report.pk}/register/",
        _data(**{"register-investigator": str(other.pk), "register-allocation_reason": "Roster."}),
    )
    assert response.status_code == 302
    assert Case.objects.get().investigator == other
    assert Event.objects.filter(action="allocation.overridden").count() == 1

    second = unit.report()
    client.post(f"/reports/{second.pk}/register/", _data())
    assert Case.objects.get(report=second).investigator == unit.investigator  # lighter
    assert Event.objects.filter(action="allocation.accepted").count() == 1
