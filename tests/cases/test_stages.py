"""The stage machine: legal paths, illegal moves refused with the rule, who may move."""

from __future__ import annotations

import pytest

from tergeu.cases.models import Case, Form, GrantRole, Stage
from tergeu.cases.services import available_transitions, move
from tergeu.cases.stages import TRANSITIONS
from tergeu.core.errors import AccessDenied, Conflict, RuleViolation, ValidationFailed
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def test_a_case_goes_from_registration_to_the_archive(unit: f.Unit) -> None:
    case = unit.case(form="")
    assert case.stage == Stage.REGISTERED
    inv, pro, judge = unit.investigator, unit.prosecutor, unit.judge
    case = move(inv, case.pk, "accept", form=Form.INQUIRY)
    assert (case.stage, case.form) == (Stage.INVESTIGATION, Form.INQUIRY)
    case = move(inv, case.pk, "interrupt", ground="45.7.1")
    assert (case.stage, case.stage_ground) == (Stage.INTERRUPTED, "45.7.1")
    case = move(inv, case.pk, "resume", reason="Личность установлена")
    case = move(inv, case.pk, "send_to_prosecutor")
    case = move(pro, case.pk, "return_for_investigation", reason="Допросить свидетеля")
    case = move(inv, case.pk, "send_to_prosecutor")
    case = move(pro, case.pk, "send_to_court")
    assert case.grants.filter(user=judge, role=GrantRole.COURT).exists()
    case = move(judge, case.pk, "deliver_verdict", reason="Обвинительный приговор")
    case = move(judge, case.pk, "begin_execution")
    case = move(unit.head, case.pk, "archive")
    assert case.stage == Stage.ARCHIVED
    moves = Event.objects.filter(case_id=case.pk, action__startswith="case.").values_list(
        "action", flat=True
    )
    assert {"case.resume", "case.archive"} <= set(moves)


def test_illegal_move_names_the_rule_and_changes_nothing(unit: f.Unit) -> None:
    case = unit.case()
    with pytest.raises(RuleViolation) as exc:
        move(unit.investigator, case.pk, "resume", reason="x")
    assert "CPC art. 45(9)" in exc.value.text()
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION
    assert case.version == 1


def test_interruption_needs_a_ground_of_article_45(unit: f.Unit) -> None:
    case = unit.case()
    with pytest.raises(ValidationFailed) as exc:
        move(unit.investigator, case.pk, "interrupt", ground="45.7.99")
    assert "CPC art. 45(7)" in exc.value.field_texts()["ground"][0]


def test_unknown_transition_and_stale_version(unit: f.Unit) -> None:
    case = unit.case()
    with pytest.raises(ValidationFailed):
        move(unit.investigator, case.pk, "teleport")
    with pytest.raises(Conflict):
        move(unit.investigator, case.pk, "interrupt", ground="45.7.1", version=99)
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION


def test_roles_move_only_what_their_grant_allows(unit: f.Unit) -> None:
    case = unit.case()
    move(unit.investigator, case.pk, "send_to_prosecutor")
    with pytest.raises(AccessDenied):
        move(unit.investigator, case.pk, "send_to_court")
    with pytest.raises(AccessDenied):
        move(unit.duty, case.pk, "return_for_investigation", reason="x")
    assert Event.objects.filter(action="access.denied", case_id=case.pk).count() == 2
    names = {t.name for t in available_transitions(unit.prosecutor, Case.objects.get(pk=case.pk))}
    assert names == {"return_for_investigation", "send_to_court"}


def test_split_makes_a_new_case_with_the_same_team(unit: f.Unit) -> None:
    case = unit.case()
    move(unit.investigator, case.pk, "split", reason="Эпизод в отношении второго лица")
    new = Case.objects.get(parent=case)
    assert new.erdr_number != case.erdr_number
    assert new.erdr_number.endswith("0000002")
    assert set(new.grants.values_list("user", "role")) == set(
        case.grants.values_list("user", "role")
    )


def test_join_needs_a_visible_case_under_investigation(unit: f.Unit) -> None:
    a, b = unit.case(), unit.case()
    foreign = f.Unit(region_code="71").case()
    for target in ("", a.erdr_number, foreign.erdr_number):
        with pytest.raises(ValidationFailed):
            move(unit.investigator, a.pk, "join", reason="Одно лицо", target_case=target)
    joined = move(unit.investigator, a.pk, "join", reason="Одно лицо", target_case=b.erdr_number)
    assert (joined.stage, joined.joined_into) == (Stage.JOINED, b)


def test_terminated_case_can_be_reopened_only_by_the_prosecutor(unit: f.Unit) -> None:
    case = unit.case()
    move(unit.investigator, case.pk, "terminate", ground="35.1.2")
    with pytest.raises(AccessDenied):
        move(unit.investigator, case.pk, "reopen", reason="x")
    case = move(unit.prosecutor, case.pk, "reopen", reason="Неполнота проверки")
    assert case.stage == Stage.INVESTIGATION


def test_every_transition_cites_the_code() -> None:
    for t in TRANSITIONS.values():
        assert t.rule.startswith("CPC art.")
        assert t.target in Stage.values
        assert t.sources <= set(Stage.values)
