"""The order of events (cases/procedure.py): refusals naming the rule, nothing changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.cases import detention as d
from tergeu.cases import procedure
from tergeu.cases.models import Case, ParticipantStatus
from tergeu.cases.services import add_participant, move, register_report, update_participant
from tergeu.core import clock
from tergeu.core.errors import RuleViolation
from tergeu.documents.models import Document
from tergeu.documents.services import create_draft, update_draft
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def old_case(unit: f.Unit, registered_ago: dt.timedelta = 3 * DAY) -> Case:
    """A case registered ``registered_ago``, from a report received a day before that."""
    at = clock.now() - registered_ago
    with clock.frozen(at):
        report = unit.report(received_at=at - DAY)
        return register_report(
            unit.duty,
            report.pk,
            article="188",
            part="1",
            form="preliminary",
            investigator_id=unit.investigator.pk,
        )


def local(moment: dt.datetime) -> str:
    return clock.local(moment).strftime("%Y-%m-%dT%H:%M")


def interrogation(person: Any, started: dt.datetime) -> dict[str, Any]:
    return {
        "started_at": local(started),
        "ended_at": local(started + H),
        "place": "г. Алматы, ул. Желтоксан, 96, каб. 214",
        "testimony": "Показания.",
        "participant": str(person.pk),
        "prior_convictions": "не судим",
        "guilt_plea": "denies",
    }


def test_every_rule_names_an_article_and_a_known_requirement() -> None:
    for rule in procedure.RULES:
        assert rule.article.startswith("CPC art. ")
        assert rule.requires in procedure.REQUIREMENTS
        assert str(rule.message)


def test_interrogation_of_a_person_not_yet_a_suspect(unit: f.Unit) -> None:
    case = old_case(unit)
    now = clock.now()
    with clock.frozen(now - 40 * H):
        person = add_participant(
            unit.investigator,
            case.pk,
            status=ParticipantStatus.WITNESS,
            last_name="Ахметов",
            first_name="Ерлан",
        )
    with clock.frozen(now - 20 * H):
        update_participant(unit.investigator, person.pk, status=ParticipantStatus.SUSPECT)
    count = Event.objects.count()
    with pytest.raises(RuleViolation) as exc:
        create_draft(
            unit.investigator,
            case.pk,
            "protocol_interrogation_suspect",
            interrogation(person, now - 30 * H),
        )
    assert "216" in exc.value.rule
    assert "not recognised as a suspect" in exc.value.text()
    assert not Document.objects.filter(case=case).exists()
    assert Event.objects.count() == count
    doc = create_draft(
        unit.investigator,
        case.pk,
        "protocol_interrogation_suspect",
        interrogation(person, now - 10 * H),
    )
    # Editing the draft back to before the recognition is refused too.
    with pytest.raises(RuleViolation):
        update_draft(unit.investigator, doc.pk, interrogation(person, now - 30 * H), doc.version)
    doc.refresh_from_db()
    assert doc.version == 1


def test_detention_recognises_a_suspect_from_its_minute(unit: f.Unit) -> None:
    case = old_case(unit)
    now = clock.now()
    with clock.frozen(now - 40 * H):
        person = add_participant(
            unit.investigator,
            case.pk,
            status=ParticipantStatus.WITNESS,
            last_name="Ахметов",
            first_name="Ерлан",
        )
    d.detain(unit.investigator, case.pk, person.pk, detained_at=now - 30 * H)
    assert procedure.suspect_since(person) == now - 30 * H
    create_draft(
        unit.investigator,
        case.pk,
        "protocol_interrogation_suspect",
        interrogation(person, now - 29 * H),
    )


def test_document_dated_before_the_case(unit: f.Unit) -> None:
    case = old_case(unit)
    before_day = clock.local(case.registered_at).date() - DAY
    count = Event.objects.count()
    with pytest.raises(RuleViolation) as exc:
        create_draft(
            unit.investigator,
            case.pk,
            "resolution_interruption",
            {"ground": "1", "interrupted_from": before_day.isoformat(), "established": "x"},
        )
    assert exc.value.rule == "CPC art. 179(1)"
    assert "before the case is registered" in exc.value.text()
    assert not Document.objects.filter(case=case).exists()
    assert Event.objects.count() == count
    # The day of the registration itself is fine.
    create_draft(
        unit.investigator,
        case.pk,
        "resolution_interruption",
        {
            "ground": "1",
            "interrupted_from": clock.local(case.registered_at).date().isoformat(),
            "established": "x",
        },
    )


def test_scene_inspection_may_precede_registration_but_not_the_report(unit: f.Unit) -> None:
    """CPC art. 179(1)-(2): an urgent investigative action may come before the registration."""
    case = old_case(unit)
    assert case.report is not None
    fields = {
        "place": "г. Алматы",
        "description": "Осмотр.",
    }
    start = case.registered_at - 2 * H
    create_draft(
        unit.investigator,
        case.pk,
        "protocol_scene_inspection",
        {**fields, "started_at": local(start), "ended_at": local(start + H)},
    )
    start = case.report.received_at - 2 * H
    with pytest.raises(RuleViolation) as exc:
        create_draft(
            unit.investigator,
            case.pk,
            "protocol_scene_inspection",
            {**fields, "started_at": local(start), "ended_at": local(start + H)},
        )
    assert exc.value.rule == "CPC art. 179(1)"


def test_resumption_without_interruption_is_refused_by_the_stage_machine(unit: f.Unit) -> None:
    case = unit.case()
    assert case.stage == "investigation"
    with pytest.raises(RuleViolation) as exc:
        move(unit.investigator, case.pk, "resume", reason="Установлено лицо")
    assert exc.value.rule == "CPC art. 45(9)"
