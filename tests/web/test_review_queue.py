"""The duty officer's review queue: reports awaiting a decision by the time left, with the
software's triage, candidate qualifications and allocation; the register form filled in
with the proposal the officer picks (issue 4, part 4)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from tergeu.accounts.models import OrgKind
from tergeu.cases.models import Case
from tergeu.core import clock
from tests import factories as f

pytestmark = pytest.mark.django_db

THEFT = "Ночью неизвестный проник в мою квартиру через окно и похитил ноутбук и золотые серьги."
BRIBE = (
    "Начальник отдела акимата потребовал у меня взятку 500 000 тенге за выдачу разрешения "
    "на строительство."
)


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def _value(html: str, name: str) -> str:
    """The value of the form field ``name`` in ``html`` ('' when empty)."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    option = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    return option.group(1) if option else ""


def test_the_queue_puts_the_least_time_left_first(unit: f.Unit, signed_in: Any) -> None:
    now = clock.now()
    fresh = unit.report(received_at=now - dt.timedelta(hours=1), description=THEFT)
    urgent = unit.report(received_at=now - dt.timedelta(hours=20), description=THEFT)
    middle = unit.report(received_at=now - dt.timedelta(hours=10), description=THEFT)
    html = signed_in(unit.duty).get("/reports/", {"status": "new"}).content.decode()
    positions = [html.index(r.kui_number) for r in (urgent, middle, fresh)]
    assert positions == sorted(positions)
    assert "Crime" in html or "Criminal offence" in html
    assert "Art. 188(3)" in html


def test_the_report_shows_the_proposals_and_fills_the_register_form(
    unit: f.Unit, signed_in: Any
) -> None:
    report = unit.report(description=THEFT)
    html = signed_in(unit.duty).get(f"/reports/{report.pk}/").content.decode()
    assert "Proposals of the software" in html
    assert "Candidate qualifications" in html
    assert "незаконным проникновением в жилое" in html  # the quoted part of art. 188(3)
    assert _value(html, "register-article") == "188"
    assert _value(html, "register-part") == "3"
    assert _selected(html, "register-form") == report.allocation_proposal["body"]["form"]
    assert 'id="decision-register" open' in html


def test_another_candidate_fills_the_form_on_request(unit: f.Unit, signed_in: Any) -> None:
    report = unit.report(description=THEFT)
    candidates = report.assessment["candidates"]
    assert len(candidates) > 1
    second = candidates[1]
    html = signed_in(unit.duty).get(f"/reports/{report.pk}/", {"use": "1"}).content.decode()
    assert _value(html, "register-article") == second["article"]
    assert _value(html, "register-part") == second["part"]
    # A wrong choice falls back to the top candidate, and the page still answers.
    for bad in ("99", "-1", "x"):
        page = signed_in(unit.duty).get(f"/reports/{report.pk}/", {"use": bad})
        assert page.status_code == 200
        assert _value(page.content.decode(), "register-article") == candidates[0]["article"]


def test_registering_with_the_proposal_agrees(unit: f.Unit, signed_in: Any) -> None:
    report = unit.report(description=THEFT)
    client: Client = signed_in(unit.duty)
    response = client.post(
        f"/reports/{report.pk}/register/",
        {
            "register-article": "188",
            "register-part": "3",
            "register-paragraph": "",
            "register-fabula": THEFT,
            "register-offence_at": "",
            "register-investigator": "",
            "register-form": report.allocation_proposal["body"]["form"],
            "register-allocation_reason": "",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(report=report)
    assert (case.article_id, case.part.number) == ("188", "3")
    assert case.investigator.username == report.allocation_proposal["officer"]["username"]


def test_a_crime_of_another_body_proposes_a_referral(unit: f.Unit, signed_in: Any) -> None:
    corruption = f.org(OrgKind.ANTICORRUPTION, region_code="75", district_code="01")
    report = unit.report(description=BRIBE, region_code="75", district_code="01")
    html = signed_in(unit.duty).get(f"/reports/{report.pk}/").content.decode()
    assert "Another body has jurisdiction" in html
    assert _selected(html, "refer-to_organisation") == corruption.code
    assert 'id="decision-refer" open' in html
    assert "Use this qualification" not in html


def test_a_civil_dispute_has_no_candidates(unit: f.Unit, signed_in: Any) -> None:
    report = unit.report(
        description="Сосед взял у меня в долг 200 000 тенге по расписке и не возвращает."
    )
    html = signed_in(unit.duty).get(f"/reports/{report.pk}/").content.decode()
    assert "Civil dispute" in html
    assert "Candidate qualifications" not in html
    assert _value(html, "register-article") == ""


def test_the_proposals_are_shown_in_the_readers_language(unit: f.Unit, signed_in: Any) -> None:
    report = unit.report(description=THEFT, applicant_language="ru")
    unit.duty.language = "kk"
    unit.duty.save()
    client: Client = signed_in(unit.duty)
    client.cookies["django_language"] = "kk"
    html = client.get(f"/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    kk_reasons = report.allocation_proposal["reasons"]["kk"]["body"]
    assert kk_reasons
    assert kk_reasons[0] in html.replace("&#x27;", "'").replace("&quot;", '"')
    assert "Proposals of the software" not in html
