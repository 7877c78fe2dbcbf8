"""Extensions (art. 192, 151), recompute from the journal, outages, and who sees which clock."""

from __future__ import annotations

import datetime as dt

import pytest

from tergeu.accounts.models import Role
from tergeu.cases.services import move
from tergeu.core import clock
from tergeu.core.errors import AccessDenied, NotFound, ValidationFailed
from tergeu.deadlines import services
from tergeu.deadlines.models import Clock, ClockStatus, Outage
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f
from tests.deadlines.conftest import clocks, journal, kz, one

S = ClockStatus


def _term(case) -> Clock:
    return one(case, "investigation.preliminary")


# ---------------------------------------------------------------- extensions


def test_district_prosecutor_extends_to_three_months(unit, case) -> None:
    term = _term(case)
    with clock.frozen(kz(2026, 4, 1, 10)):
        c = services.extend_clock(
            unit.prosecutor,
            term.pk,
            until=dt.date(2026, 5, 8),
            reason="Сложность дела",
            authority="district_prosecutor",
        )
    assert c.due_at == kz(2026, 5, 9)
    assert c.extended_until == kz(2026, 5, 9)
    assert c.adjustments[-1]["kind"] == "extended"
    assert c.adjustments[-1]["authority"] == "district_prosecutor"
    ev = Event.objects.filter(action="deadline.extended").get()
    data = payload_of(ev)["data"]
    assert data["before"] == kz(2026, 4, 11).astimezone(dt.UTC).isoformat()
    assert data["after"] == kz(2026, 5, 9).astimezone(dt.UTC).isoformat()
    assert data["article"] == "CPC art. 192(4)"
    # the request clock follows the new expiry
    assert one(case, "investigation.preliminary.request").due_at == kz(2026, 5, 4)


def test_extension_beyond_the_authority_is_refused(unit, case) -> None:
    with clock.frozen(kz(2026, 4, 1, 10)), pytest.raises(ValidationFailed) as exc:
        services.extend_clock(
            unit.prosecutor,
            _term(case).pk,
            until=dt.date(2026, 6, 1),
            reason="Сложность дела",
            authority="district_prosecutor",
        )
    # three months from 10 February: 10 May (Sunday), 11 May (day off) -> 12 May, 24:00
    assert "2026-05-13 00:00" in str(exc.value.field_texts()["until"])
    assert "192(4)" in str(exc.value.field_texts()["until"])
    assert not Event.objects.filter(action="deadline.extended").exists()
    # the regional prosecutor may go up to twelve months
    with clock.frozen(kz(2026, 4, 1, 10)):
        c = services.extend_clock(
            unit.prosecutor,
            _term(case).pk,
            until=dt.date(2026, 6, 1),
            reason="Особая сложность",
            authority="regional_prosecutor",
        )
    assert c.due_at == kz(2026, 6, 2)


def test_extension_after_expiry_is_refused(unit, case) -> None:
    with clock.frozen(kz(2026, 4, 12, 9)), pytest.raises(ValidationFailed) as exc:
        services.extend_clock(
            unit.prosecutor,
            _term(case).pk,
            until=dt.date(2026, 5, 1),
            reason="Поздно",
            authority="district_prosecutor",
        )
    assert "expired" in str(exc.value.field_texts()["until"])


def test_extension_bad_input(unit, case) -> None:
    with clock.frozen(kz(2026, 4, 1, 9)), pytest.raises(ValidationFailed) as exc:
        services.extend_clock(
            unit.prosecutor, _term(case).pk, until="soon", reason="", authority="mayor"
        )
    assert set(exc.value.fields) == {"until", "reason", "authority"}
    with clock.frozen(kz(2026, 4, 1, 9)), pytest.raises(ValidationFailed) as exc:
        services.extend_clock(
            unit.prosecutor,
            _term(case).pk,
            until=dt.date(2026, 4, 1),
            reason="x",
            authority="district_prosecutor",
        )
    assert "later than the current" in str(exc.value.field_texts()["until"])


def test_extension_by_an_outsider_is_not_found(unit, case) -> None:
    other = f.Unit(district_code="02")
    with clock.frozen(kz(2026, 4, 1, 9)), pytest.raises(NotFound):
        services.extend_clock(
            other.investigator,
            _term(case).pk,
            until=dt.date(2026, 5, 1),
            reason="x",
            authority="district_prosecutor",
        )
    assert Event.objects.filter(action="access.denied").exists()


# ---------------------------------------------------------------- recompute


def _snapshot(case):
    return sorted(
        (
            str(c.pk),
            c.rule,
            c.subject,
            c.status,
            c.due_at,
            c.started_at,
            c.parent_id,
            len(c.adjustments),
        )
        for c in clocks(case)
    )


def test_recompute_rebuilds_the_same_clocks(unit, case, suspect) -> None:
    with clock.frozen(kz(2026, 3, 1, 12)):
        move(unit.investigator, case.pk, "interrupt", ground="45.7.1")
    with clock.frozen(kz(2026, 3, 20, 12)):
        move(unit.investigator, case.pk, "resume", reason="Лицо установлено")
    journal(
        "participant.detained",
        case,
        at=kz(2026, 3, 21, 10),
        participant=str(suspect.pk),
        detained_at=kz(2026, 3, 21, 10).isoformat(),
    )
    with clock.frozen(kz(2026, 4, 1, 10)):
        services.extend_clock(
            unit.prosecutor,
            _term(case).pk,
            until=dt.date(2026, 5, 20),
            reason="Сложность",
            authority="district_prosecutor",
        )
    Clock.objects.filter(case=case, rule="investigation.preliminary").update(warned=[120])
    before = _snapshot(case)
    with clock.frozen(kz(2026, 3, 21, 11)):
        services.recompute_case(case, now=kz(2026, 3, 21, 11))
        services.recompute_case(case, now=kz(2026, 3, 21, 11))
    assert _snapshot(case) == before
    assert _term(case).warned == [120]


def test_recompute_marks_overdue_running_clocks_expired(unit, case) -> None:
    assert services.expire_overdue(kz(2026, 4, 7)) == 1  # the request clock
    assert one(case, "investigation.preliminary.request").status == S.EXPIRED
    services.recompute_case(case, now=kz(2026, 4, 12))
    assert _term(case).status == S.EXPIRED
    assert one(case, "investigation.preliminary.request").status == S.EXPIRED


# ---------------------------------------------------------------- outages


def test_outage_extends_running_terms_visibly_but_never_detention(unit, case, suspect) -> None:
    journal(
        "participant.detained",
        case,
        at=kz(2026, 4, 10, 20),
        participant=str(suspect.pk),
        detained_at=kz(2026, 4, 10, 20).isoformat(),
    )
    admin = f.user(Role.ADMINISTRATOR, unit.police)
    with clock.frozen(kz(2026, 4, 11, 9)):
        outage = services.record_outage(
            admin,
            started_at=kz(2026, 4, 10, 22),
            ended_at=kz(2026, 4, 11, 3),
            reason="Отказ центра обработки данных",
            rule="extend_by_duration",
        )
    term = _term(case)
    assert term.due_at == kz(2026, 4, 11, 5)  # 24:00 10 April + 5 hours
    assert term.adjustments[-1]["kind"] == "outage"
    assert term.adjustments[-1]["outage"] == str(outage.pk)
    assert one(case, "detention.term").due_at == kz(2026, 4, 12, 20)  # unchanged
    adjusted = [payload_of(e)["data"] for e in Event.objects.filter(action="deadline.adjusted")]
    assert {d["rule"] for d in adjusted} == {"investigation.preliminary"}
    assert adjusted[0]["before"] == kz(2026, 4, 11).astimezone(dt.UTC).isoformat()
    assert Event.objects.filter(action="deadline.outage_recorded").count() == 1
    assert Outage.objects.get().clocks_adjusted == 1
    # a rebuild from the journal keeps the adjustment
    services.recompute_case(case, now=kz(2026, 4, 11, 4))
    assert _term(case).due_at == kz(2026, 4, 11, 5)


def test_outage_to_next_working_day(unit, case) -> None:
    admin = f.user(Role.ADMINISTRATOR, unit.police)
    with clock.frozen(kz(2026, 4, 11, 9)):
        services.record_outage(
            admin,
            started_at=kz(2026, 4, 10, 22),
            ended_at=kz(2026, 4, 11, 3),
            reason="Сбой",
            rule="extend_to_next_working_day",
        )
    # outage ended on Saturday 11 April: the next working day is Monday 13 April
    assert _term(case).due_at == kz(2026, 4, 14)


def test_outage_bad_input_and_non_admin(unit) -> None:
    with pytest.raises(AccessDenied):
        services.record_outage(
            unit.head,
            started_at=kz(2026, 4, 10, 22),
            ended_at=kz(2026, 4, 11, 3),
            reason="x",
            rule="extend_by_duration",
        )
    admin = f.user(Role.ADMINISTRATOR, unit.police)
    with clock.frozen(kz(2026, 4, 11, 9)), pytest.raises(ValidationFailed) as exc:
        services.record_outage(
            admin,
            started_at=kz(2026, 4, 11, 3),
            ended_at=kz(2026, 4, 10, 22),
            reason="",
            rule="pray",
        )
    assert set(exc.value.fields) == {"ended_at", "reason", "rule"}
    assert not Outage.objects.exists()


# ---------------------------------------------------------------- reading


def test_who_sees_which_clock(unit, case) -> None:
    assert [c.rule for c in services.clocks_for_case(unit.investigator, case.pk)] == [
        "investigation.preliminary.request",
        "investigation.preliminary",
    ]
    with pytest.raises(NotFound):
        services.clocks_for_case(f.Unit(district_code="02").investigator, case.pk)
    mine = list(services.my_clocks(unit.investigator))
    assert [c.rule for c in mine] == ["investigation.preliminary"]
    assert [c.rule for c in services.my_clocks(unit.head)] == ["investigation.preliminary.request"]
    assert list(services.my_clocks(unit.judge)) == []


def test_supervisor_sees_violations_first(unit, case) -> None:
    with clock.frozen(kz(2026, 2, 11, 9)):
        late = unit.case(form="inquiry")
    Clock.objects.filter(case=late, rule="investigation.inquiry").update(status=S.EXPIRED)
    rows = list(services.supervised_clocks(unit.prosecutor))
    assert rows[0].case_id == late.pk
    assert rows[0].status == S.EXPIRED
    assert {c.case_id for c in rows} == {case.pk, late.pk}
    assert list(services.supervised_clocks(f.Unit(district_code="02").prosecutor)) == []


def test_due_between_and_time_left(unit, case) -> None:
    due = list(services.due_between(kz(2026, 4, 5), kz(2026, 4, 12)))
    assert [c.rule for c in due] == [
        "investigation.preliminary.request",
        "investigation.preliminary",
    ]
    term = _term(case)
    assert services.time_left(term, kz(2026, 4, 10, 12)) == dt.timedelta(hours=12)
    assert services.time_left(term, kz(2026, 4, 11, 1)) == -dt.timedelta(hours=1)
    with clock.frozen(kz(2026, 3, 1, 12)):
        move(unit.investigator, case.pk, "interrupt", ground="45.7.1")
    assert services.time_left(_term(case), kz(2027, 1, 1)) == dt.timedelta(days=40)


def test_outage_extends_a_kui_report_clock(unit) -> None:
    with clock.frozen(kz(2026, 4, 10, 21, 30)):
        report = unit.report()
    admin = f.user(Role.ADMINISTRATOR, unit.police)
    with clock.frozen(kz(2026, 4, 11, 9)):
        services.record_outage(
            admin,
            started_at=kz(2026, 4, 11, 1),
            ended_at=kz(2026, 4, 11, 3, 30),
            reason="Сбой",
            rule="extend_by_duration",
        )
    decision = Clock.objects.get(report=report, rule="report.decision")
    assert decision.due_at == kz(2026, 4, 11, 22, 0) + dt.timedelta(hours=2, minutes=30)
    assert decision.adjustments[-1]["kind"] == "outage"


def test_recompute_command(unit, case, capsys) -> None:
    from tergeu.cli import main

    Clock.objects.filter(case=case).delete()
    assert main(["deadlines", "recompute", case.erdr_number]) == 0
    assert "recomputed the clocks of 1 cases" in capsys.readouterr().out
    assert _term(case).due_at == kz(2026, 4, 11)
    Clock.objects.filter(case=case).delete()
    assert main(["deadlines", "recompute"]) == 0
    assert _term(case).due_at == kz(2026, 4, 11)
    assert main(["deadlines", "recompute", "999999999999999"]) == 1
    assert "no case 999999999999999" in capsys.readouterr().err
