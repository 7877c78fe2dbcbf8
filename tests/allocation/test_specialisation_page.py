"""The administrator's page for an officer's specialisation: shown, saved and journaled,
bad numbers refused on their field, and closed to everyone but administrators."""

from __future__ import annotations

import pytest
from django.test import Client

from tergeu.accounts.models import Role
from tergeu.allocation.models import Specialisation
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_administrator_sets_a_specialisation() -> None:
    unit = f.Unit()
    admin = _client(f.user(Role.ADMINISTRATOR))
    page = admin.get(f"/admin/users/{unit.investigator.pk}/").content.decode()
    assert f'href="/admin/users/{unit.investigator.pk}/specialisation/"' in page
    url = f"/admin/users/{unit.investigator.pk}/specialisation/"
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"chapters": "13", "articles": "190, 188;200"})
    assert response.status_code == 302
    spec = Specialisation.objects.get(user=unit.investigator)
    assert (spec.chapters, spec.articles) == (["13"], ["188", "190", "200"])
    assert Event.objects.filter(action="allocation.specialisation_set").count() == 1
    html = admin.get(url).content.decode()
    assert 'value="188, 190, 200"' in html


def test_bad_numbers_are_refused_and_nothing_changes() -> None:
    unit = f.Unit()
    admin = _client(f.user(Role.ADMINISTRATOR))
    url = f"/admin/users/{unit.investigator.pk}/specialisation/"
    html = admin.post(url, {"chapters": "", "articles": "188, 9999"}).content.decode()
    assert "Article 9999 of the Criminal Code does not exist or defines no offence." in html
    html = admin.post(url, {"chapters": "99", "articles": ""}).content.decode()
    assert "Chapter 99 of the Criminal Code has no offences." in html
    assert not Specialisation.objects.exists()
    html = admin.post(f"/admin/users/{unit.duty.pk}/specialisation/", {"articles": "188"})
    assert "Only investigators and inquiry officers have specialisations." in html.content.decode()
    assert admin.get("/admin/users/999999/specialisation/").status_code == 404


def test_only_administrators() -> None:
    unit = f.Unit()
    url = f"/admin/users/{unit.investigator.pk}/specialisation/"
    assert _client(unit.head).get(url).status_code == 403
    assert _client(unit.head).post(url, {"articles": "188"}).status_code == 403
    assert not Specialisation.objects.exists()
    assert Client().get(url).status_code == 302  # to the sign-in page
