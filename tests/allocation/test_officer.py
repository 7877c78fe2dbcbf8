"""Officer proposals (role by form, specialisation, load) and allocation at registration."""

from __future__ import annotations

import pytest

from tergeu.accounts.models import OrgKind, Role
from tergeu.allocation.models import Specialisation
from tergeu.allocation.proposals import loads, propose_body, propose_officer
from tergeu.cases.models import Case, Stage
from tergeu.cases.services import register_report
from tergeu.core.errors import ValidationFailed
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def register(unit: f.Unit, **kwargs: object) -> Case:
    data: dict[str, object] = {"article": "188", "part": "2", "form": "preliminary"}
    data.update(kwargs)
    return register_report(unit.duty, unit.report().pk, **data)  # type: ignore[arg-type]


def test_role_follows_the_form_of_the_article(unit: f.Unit) -> None:
    inquiry = propose_officer(unit.police, article="188", part="1")
    assert (inquiry.user, inquiry.form, inquiry.role) == (
        unit.inquiry_officer,
        "inquiry",
        Role.INQUIRY_OFFICER,
    )
    preliminary = propose_officer(unit.police, article="188", part="2")
    assert preliminary.user == unit.investigator
    assert [r["user"] for r in preliminary.ranking] == [unit.investigator.pk]
    assert any("lightest load" in r for r in preliminary.reasons)
    none_left = propose_officer(unit.police, article="188", part="2", exclude=[unit.investigator])
    assert none_left.user == unit.inquiry_officer  # the other role, said so
    assert any("no active" in r for r in none_left.reasons)


def test_lightest_load_weighted_by_stage_and_gravity(unit: f.Unit) -> None:
    register(unit, investigator_id=unit.investigator.pk)  # 188/2 medium, registered: 1.5
    second = f.user(Role.INVESTIGATOR, unit.police, username="b-second")
    assert loads([unit.investigator.pk, second.pk]) == {
        unit.investigator.pk: (1.5, 1),
        second.pk: (0.0, 0),
    }
    proposal = propose_officer(unit.police, article="188", part="2")
    assert proposal.user == second
    assert [(r["user"], r["load"]) for r in proposal.ranking] == [
        (second.pk, 0.0),
        (unit.investigator.pk, 1.5),
    ]
    # A terminated case no longer counts.
    Case.objects.update(stage=Stage.TERMINATED)
    assert loads([unit.investigator.pk]) == {unit.investigator.pk: (0.0, 0)}


def test_specialist_first(unit: f.Unit) -> None:
    specialist = f.user(Role.INVESTIGATOR, unit.police, username="zz-specialist")
    register(unit, investigator_id=specialist.pk, allocation_reason="busy")  # he has load
    Specialisation.objects.create(user=specialist, chapters=["6"])  # crimes against property
    proposal = propose_officer(unit.police, article="188", part="2")
    assert proposal.user == specialist
    assert proposal.ranking[0]["specialist"] is True
    assert any("specialises" in r for r in proposal.reasons)
    assert propose_officer(unit.police, article="99", part="1").user == unit.investigator


def test_no_investigator_chosen_the_proposed_one_gets_it_and_both_are_journaled(
    unit: f.Unit,
) -> None:
    case = register(unit)
    assert case.investigator == unit.investigator
    proposed = Event.objects.get(action="allocation.proposed", case_id=case.pk)
    data = payload_of(proposed)["data"]
    assert data["officer"]["user"] == unit.investigator.pk
    assert data["body"]["organisation"]["code"] == unit.police.code
    accepted = payload_of(Event.objects.get(action="allocation.accepted", case_id=case.pk))
    assert accepted["data"] == {
        "proposed": unit.investigator.pk,
        "chosen": unit.investigator.pk,
        "reason": "",
    }


def test_override_needs_a_reason(unit: f.Unit) -> None:
    other = f.user(Role.INVESTIGATOR, unit.police, username="zz-other")
    report = unit.report()
    with pytest.raises(ValidationFailed) as exc:
        register_report(
            unit.duty,
            report.pk,
            article="188",
            part="2",
            form="preliminary",
            investigator_id=other.pk,
        )
    assert [str(m) for m in exc.value.fields["allocation_reason"]] == [
        f"You chose an officer other than the proposed {unit.investigator.full_name}: "
        "give the reason for the override."
    ]
    assert not Case.objects.exists()
    assert not Event.objects.filter(action__startswith="allocation.").exists()

    case = register_report(
        unit.duty,
        report.pk,
        article="188",
        part="2",
        form="preliminary",
        investigator_id=other.pk,
        allocation_reason="Knows the victim's building.",
    )
    assert case.investigator == other
    overridden = payload_of(Event.objects.get(action="allocation.overridden", case_id=case.pk))
    assert overridden["data"] == {
        "proposed": unit.investigator.pk,
        "chosen": other.pk,
        "reason": "Knows the victim's building.",
        "self_assigned": False,
    }
    assert Event.objects.filter(action="allocation.proposed", case_id=case.pk).count() == 1


def test_override_reason_in_russian(unit: f.Unit, settings: object) -> None:
    from django.utils import translation

    other = f.user(Role.INVESTIGATOR, unit.police, username="zz-other")
    with translation.override("ru"), pytest.raises(ValidationFailed) as exc:
        register(unit, investigator_id=other.pk)
    with translation.override("ru"):
        text = str(exc.value.fields["allocation_reason"][0])
    assert "причин" in text


def test_an_investigator_registering_for_himself_needs_no_reason(unit: f.Unit) -> None:
    me = f.user(Role.INVESTIGATOR, unit.police, username="zz-me")
    case = register_report(
        me, unit.report().pk, article="188", part="2", form="preliminary", investigator_id=me.pk
    )
    assert case.investigator == me
    event = payload_of(Event.objects.get(action="allocation.overridden", case_id=case.pk))
    assert event["data"]["self_assigned"] is True


def test_choosing_the_other_role_chooses_the_form_not_an_override(unit: f.Unit) -> None:
    case = register(unit, article="188", part="1", form="", investigator_id=unit.investigator.pk)
    assert case.investigator == unit.investigator
    assert Event.objects.filter(action="allocation.accepted", case_id=case.pk).exists()


def test_bad_input_changes_nothing(unit: f.Unit) -> None:
    with pytest.raises(ValidationFailed) as exc:
        propose_body(region_code="99", article="188", part="1")
    assert list(exc.value.fields) == ["region_code"]
    with pytest.raises(ValidationFailed) as exc:
        propose_body(region_code="75", district_code="88", article="9999")
    assert set(exc.value.fields) == {"district_code", "article"}
    with pytest.raises(ValidationFailed) as exc:
        register(unit, allocation_reason="x" * 2001, investigator_id="")
    assert "allocation_reason" in exc.value.fields
    assert not Case.objects.exists()
    assert not Event.objects.filter(action__startswith="allocation.").exists()


def test_body_proposals(unit: f.Unit) -> None:
    anti = f.org(OrgKind.ANTICORRUPTION, code="750150")
    econ = f.org(OrgKind.ECONOMIC, code="750160")
    assert (
        propose_body(region_code="75", district_code="01", article="188", part="1").organisation
        == unit.police
    )
    bribe = propose_body(region_code="75", district_code="01", article="366", part="1")
    assert (bribe.organisation, bribe.kind, bribe.form) == (
        anti,
        OrgKind.ANTICORRUPTION,
        "preliminary",
    )
    assert "CPC art. 187 part 3" in bribe.citations
    assert (
        propose_body(region_code="75", district_code="01", article="214", part="1").organisation
        == econ
    )
    treason = propose_body(region_code="75", district_code="01", article="175", part="1")
    assert treason.organisation == unit.police
    assert treason.jurisdiction == ""
    assert any("national security" in r for r in treason.reasons)
    assert any("CPC art. 181(5)" in r for r in treason.reasons)
    theft = propose_body(region_code="75", district_code="01", article="188", part="1")
    assert theft.form == "inquiry"
    assert theft.gravity == "medium"
    assert any("art. 190(2)" in r for r in theft.reasons)
    assert theft.as_json()["organisation"]["code"] == unit.police.code
    f.district("75", "02")
    elsewhere = propose_body(region_code="75", district_code="02", article="188", part="1")
    assert elsewhere.organisation is None
