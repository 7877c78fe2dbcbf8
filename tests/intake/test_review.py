"""The proposals stored and journaled with each report, and every decision journaled beside
them, agreeing or not, so the agreement rate can be measured (issue 4, review queue)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tergeu.accounts.models import OrgKind
from tergeu.cases.services import register_report
from tergeu.intake.review import agreement
from tergeu.intake.services import move_to_incident, refer, send_administrative
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

THEFT = "Ночью неизвестный проник в мою квартиру через окно и похитил ноутбук и золотые серьги."
CIVIL = (
    "Сосед взял у меня в долг 200 000 тенге по расписке и не возвращает деньги уже полгода, "
    "прошу помочь взыскать долг."
)


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def _events(action: str) -> list[dict[str, Any]]:
    return [
        json.loads(p)["data"]
        for p in Event.objects.filter(action=action).values_list("payload", flat=True)
    ]


def test_a_recorded_report_gets_the_proposals_and_they_are_journaled(unit: f.Unit) -> None:
    report = unit.report(description=THEFT)
    assert report.assessment["kind"] == "crime"
    top = report.assessment["candidates"][0]
    assert (top["article"], top["part"]) == ("188", "3")
    assert top["quote"]
    proposal = report.allocation_proposal
    assert proposal["own_body"] is True
    assert proposal["body"]["organisation"]["code"] == unit.police.code
    assert proposal["officer"]["username"] in {
        unit.investigator.username,
        unit.inquiry_officer.username,
    }
    [event] = _events("report.assessed")
    assert event["assessment"] == report.assessment
    assert event["allocation"] == proposal


def test_registration_with_the_proposed_qualification_is_journaled_as_agreement(
    unit: f.Unit,
) -> None:
    report = unit.report(description=THEFT)
    register_report(unit.duty, report.pk, article="188", part="3", form="preliminary")
    [review] = _events("report.reviewed")
    assert review["decision"] == "registered"
    assert review["proposed_kind"] == "crime"
    assert review["triage_agreed"] is True
    assert review["chosen"] == {"article": "188", "part": "3", "paragraph": ""}
    assert review["article_rank"] == 1
    assert review["part_agreed"] is True


def test_a_changed_qualification_is_journaled_as_disagreement(unit: f.Unit) -> None:
    report = unit.report(description=THEFT)
    register_report(unit.duty, report.pk, article="188", part="1", form="preliminary")
    register_report(unit.duty, unit.report(description=THEFT).pk, article="293", part="1")
    first, second = _events("report.reviewed")
    assert first["article_rank"] == 1
    assert first["part_agreed"] is False
    assert second["chosen"]["article"] == "293"
    assert second["part_agreed"] is False
    assert second["article_rank"] != 1


def test_refusing_a_proposed_crime_is_a_triage_disagreement(unit: f.Unit) -> None:
    report = unit.report(description=THEFT)
    move_to_incident(unit.duty, report.pk, reason="Ноутбук нашёлся у родственников.")
    [review] = _events("report.reviewed")
    assert review == {
        "kui_number": report.kui_number,
        "organisation": unit.police.code,
        "decision": "incident",
        "proposed_kind": "crime",
        "proposed": review["proposed"],
        "triage_agreed": False,
    }
    assert review["proposed"][0]["article"] == "188"


def test_a_civil_dispute_moved_to_incidents_is_agreement(unit: f.Unit) -> None:
    report = unit.report(description=CIVIL)
    assert report.assessment["kind"] == "civil"
    assert report.assessment["candidates"] == []
    send_administrative(unit.duty, unit.report(description=THEFT).pk, reason="Мелкое хищение.")
    move_to_incident(unit.duty, report.pk, reason="Гражданско-правовой спор.")
    administrative, civil = _events("report.reviewed")
    assert administrative["triage_agreed"] is False
    assert civil["triage_agreed"] is True


def test_referral_to_the_proposed_body_is_journaled(unit: f.Unit) -> None:
    corruption = f.org(OrgKind.ANTICORRUPTION, region_code="75", district_code="01")
    report = unit.report(
        description=(
            "Начальник отдела акимата потребовал у меня взятку 500 000 тенге за выдачу "
            "разрешения на строительство."
        ),
        region_code="75",
        district_code="01",
    )
    body = report.allocation_proposal["body"]
    assert report.allocation_proposal["own_body"] is False
    assert body["organisation"]["code"] == corruption.code
    assert report.allocation_proposal["officer"] is None
    refer(
        unit.duty,
        report.pk,
        reason="Подследственность (УПК ст. 187).",
        to_organisation_code=corruption.code,
    )
    [review] = _events("report.reviewed")
    assert review["triage_agreed"] is True
    assert review["body_agreed"] is True


def test_agreement_counts_the_reviews(unit: f.Unit) -> None:
    other = f.Unit(region_code="75", district_code="02")
    register_report(unit.duty, unit.report(description=THEFT).pk, article="188", part="3")
    register_report(unit.duty, unit.report(description=THEFT).pk, article="188", part="1")
    register_report(unit.duty, unit.report(description=THEFT).pk, article="99", part="1")
    move_to_incident(unit.duty, unit.report(description=CIVIL).pk, reason="Спор о долге.")
    move_to_incident(other.duty, other.report(description=THEFT).pk, reason="Не подтвердилось.")
    mine = agreement(organisation=unit.police.code)
    assert (mine.reviewed, mine.triage_agreed, mine.registered) == (4, 4, 3)
    assert (mine.article_at_1, mine.part_at_1) == (2, 1)
    assert mine.article_rate_1 == pytest.approx(2 / 3)
    every = agreement()
    assert (every.reviewed, every.triage_agreed) == (5, 4)
    assert every.triage_rate == pytest.approx(0.8)
    assert agreement(organisation="999999").triage_rate is None


def test_the_agreement_command(unit: f.Unit, capsys: pytest.CaptureFixture[str]) -> None:
    from tergeu.intake.review import agreement_command

    register_report(unit.duty, unit.report(description=THEFT).pk, article="188", part="3")
    move_to_incident(unit.duty, unit.report(description=CIVIL).pk, reason="Спор о долге.")
    assert agreement_command(days=30, body=unit.police.code) == 0
    out = capsys.readouterr().out
    assert f"body {unit.police.code}, last 30 days): 2" in out
    assert "triage agreed (crime / not a crime): 100.0%" in out
    assert "chosen article was the first proposal: 100.0%" in out
    assert agreement_command(days=0, as_json=True) == 0
    figures = json.loads(capsys.readouterr().out)
    assert (figures["reviewed"], figures["registered"]) == (2, 1)
    assert agreement_command(days=-1) == 2
    assert "--days must be 0 or more" in capsys.readouterr().err
