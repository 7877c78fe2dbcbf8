"""The Detention panel of the case card: forms without JavaScript, errors on the form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tergeu.cases.models import Detention, ParticipantStatus
from tergeu.cases.services import add_participant
from tergeu.core import clock
from tests import factories as f

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


def local(moment: dt.datetime) -> str:
    return clock.local(moment).strftime("%Y-%m-%dT%H:%M")


def setup() -> tuple[f.Unit, Any, Any, Client]:
    unit = f.Unit()
    with clock.frozen(clock.now() - dt.timedelta(days=2)):
        case = unit.case()
    person = add_participant(
        unit.investigator,
        case.pk,
        status=ParticipantStatus.SUSPECT,
        last_name="Ахметов",
        first_name="Ерлан",
    )
    client = Client()
    client.force_login(unit.investigator)
    return unit, case, person, client


def test_panel_detain_and_actions() -> None:
    _unit, case, person, client = setup()
    card = reverse("web:case", args=[case.pk])
    page = client.get(card).content.decode()
    assert 'id="detention"' in page
    assert "Nobody has been detained" in page
    t0 = clock.now() - 5 * H
    r = client.post(
        reverse("web:detention_detain", args=[case.pk]),
        {"participant_id": str(person.pk), "detained_at": local(t0), "place": "ТЦ"},
    )
    assert r.status_code == 302
    assert r["Location"].endswith("#detention")
    row = Detention.objects.get(case=case)
    assert row.detained_now
    page = client.get(card).content.decode()
    assert clock.local(t0).strftime("%d.%m.%Y %H:%M") in page  # shown in local time
    prefix = f"delivered-{row.pk}"
    assert f'name="{prefix}-at"' in page
    url = reverse("web:detention_action", args=[case.pk, person.pk, "delivered"])
    r = client.post(url, {"prefix": prefix, f"{prefix}-at": local(t0 + H)})
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.delivered_at is not None
    # A refusal shows the form again with the rule.
    url = reverse("web:detention_action", args=[case.pk, person.pk, "release"])
    r = client.post(url, {"at": local(t0 - H), "ground": "133.1.1"})
    assert r.status_code == 200
    assert "CPC art. 133" in r.content.decode()
    row.refresh_from_db()
    assert row.released_at is None
    # The form on its own page (GET) works too.
    assert client.get(url).status_code == 200


def test_field_errors_and_other_unit() -> None:
    _unit, case, person, client = setup()
    url = reverse("web:detention_detain", args=[case.pk])
    r = client.post(
        url, {"participant_id": str(person.pk), "detained_at": local(clock.now() + 3 * H)}
    )
    assert r.status_code == 200
    assert "This time is in the future." in r.content.decode()
    assert not Detention.objects.filter(case=case).exists()
    outsider = Client()
    outsider.force_login(f.Unit().investigator)
    r = outsider.post(url, {"participant_id": str(person.pk), "detained_at": local(clock.now())})
    assert r.status_code == 404
    assert not Detention.objects.filter(case=case).exists()
