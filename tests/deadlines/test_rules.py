"""A scenario per rule: journal events in (with a frozen clock), expected due times out."""

from __future__ import annotations

import datetime as dt

import pytest

from tergeu.cases.services import move
from tergeu.core import clock
from tergeu.deadlines.models import Clock, ClockStatus
from tergeu.deadlines.rules import RULES, RulesError, parse_rules
from tests.deadlines.conftest import clocks, journal, kz, one

S = ClockStatus


def test_every_rule_cites_an_article_and_has_a_responsible_role() -> None:
    for rule in RULES.values():
        assert "CPC art." in rule.article, rule.code
        assert rule.responsible


def test_bad_rules_file_is_refused_with_every_problem() -> None:
    with pytest.raises(RulesError) as exc:
        parse_rules(
            """
[[rule]]
code = "x"
title = "X"
article = "CPC art. 1"
scope = "galaxy"
start = ["nodot"]
amount = -1
unit = "weeks"
counting = "lunar"
responsible = "astronaut"
colour = "red"
"""
        )
    text = "\n".join(exc.value.errors)
    for fragment in ("scope", "nodot", "amount", "unit", "counting", "responsible", "colour"):
        assert fragment in text


# ---------------------------------------------------------------- KUI


def test_report_decision_24_hours_then_registered(unit) -> None:
    with clock.frozen(kz(2026, 2, 10, 10, 15)):
        report = unit.report()
    rows = {c.rule: c for c in Clock.objects.filter(report=report)}
    assert rows["report.decision"].due_at == kz(2026, 2, 11, 11, 0)  # hour 10 not counted
    assert rows["report.decision"].responsible_role == "duty_officer"
    assert rows["report.decision"].organisation_id == unit.police.pk
    assert rows["report.referral"].due_at == kz(2026, 2, 14)  # 3 days, 24:00 of the 13th
    assert rows["report.administrative"].due_at == kz(2026, 2, 14)
    from tergeu.cases.services import register_report

    with clock.frozen(kz(2026, 2, 10, 18)):
        register_report(
            unit.duty, report.pk, article="188", part="1", investigator_id=unit.investigator.pk
        )
    rows = {c.rule: c for c in Clock.objects.filter(report=report)}
    assert rows["report.decision"].status == S.MET
    assert rows["report.referral"].status == S.ENDED
    assert rows["report.administrative"].status == S.ENDED


def test_report_decision_late_is_expired(unit) -> None:
    from tergeu.intake.services import move_to_incident

    with clock.frozen(kz(2026, 2, 10, 10, 15)):
        report = unit.report()
    with clock.frozen(kz(2026, 2, 12, 9)):
        move_to_incident(unit.duty, report.pk, reason="Нет признаков")
    c = Clock.objects.get(report=report, rule="report.decision")
    assert c.status == S.EXPIRED
    assert c.ended_at == kz(2026, 2, 12, 9)


# ---------------------------------------------------------------- investigation


def test_preliminary_term_two_months_from_registration(case) -> None:
    term = one(case, "investigation.preliminary")
    assert term.started_at == kz(2026, 2, 10, 10, 15)
    assert term.due_at == kz(2026, 4, 11)  # Friday 10 April, 24:00
    assert term.responsible_user_id == case.investigator_id
    request = one(case, "investigation.preliminary.request")
    assert request.due_at == kz(2026, 4, 6)  # 5 days before (art. 192(6))
    assert request.responsible_role == "head_of_unit"
    assert request.parent_id == term.pk


def test_inquiry_one_month_moves_off_the_weekend(unit) -> None:
    with clock.frozen(kz(2026, 1, 28, 9)):
        case = unit.case(form="inquiry")
    # 28 February 2026 is a Saturday: the term ends on Monday 2 March, 24:00
    assert one(case, "investigation.inquiry").due_at == kz(2026, 3, 3)


def test_form_chosen_at_acceptance_counts_from_registration(unit) -> None:
    with clock.frozen(kz(2026, 2, 10, 10, 15)):
        case = unit.case(form="")
    assert clocks(case) == []
    with clock.frozen(kz(2026, 2, 12, 9)):
        move(unit.investigator, case.pk, "accept", form="inquiry")
    assert one(case, "investigation.inquiry").due_at == kz(2026, 3, 11)


def test_send_to_prosecutor_ends_the_term(unit, case) -> None:
    with clock.frozen(kz(2026, 3, 1, 12)):
        move(unit.investigator, case.pk, "send_to_prosecutor")
    term = one(case, "investigation.preliminary")
    assert term.status == S.MET
    assert one(case, "investigation.preliminary.request").status == S.ENDED


def test_interruption_and_resumption_keep_the_remaining_days(unit, case) -> None:
    # term due 10 April 24:00; interrupted on 1 March: 40 days left (2 March - 10 April)
    with clock.frozen(kz(2026, 3, 1, 12)):
        move(unit.investigator, case.pk, "interrupt", ground="45.7.1")
    term = one(case, "investigation.preliminary")
    assert term.status == S.PAUSED
    assert term.remaining == dt.timedelta(days=40)
    assert one(case, "investigation.preliminary.request").status == S.PAUSED
    with clock.frozen(kz(2026, 6, 15, 9)):
        move(unit.investigator, case.pk, "resume", reason="Лицо установлено")
    term = one(case, "investigation.preliminary")
    assert term.status == S.RUNNING
    # resumed 15 June (not counted) + 40 days = 25 July, a Saturday -> Monday 27 July
    assert term.due_at == kz(2026, 7, 28)
    assert term.adjustments[-1]["kind"] == "resumed"
    assert term.adjustments[-1]["remaining_days"] == 40
    assert one(case, "investigation.preliminary.request").status == S.RUNNING
    assert one(case, "investigation.preliminary.request").due_at == kz(2026, 7, 23)


def test_return_for_additional_investigation_one_month(unit, case) -> None:
    with clock.frozen(kz(2026, 3, 2, 12)):
        move(unit.investigator, case.pk, "send_to_prosecutor")
    with clock.frozen(kz(2026, 3, 5, 12)):
        move(unit.prosecutor, case.pk, "return_for_investigation", reason="Допросить свидетеля")
    # 5 April is a Sunday: Monday 6 April, 24:00
    assert one(case, "investigation.additional").due_at == kz(2026, 4, 7)


def test_accelerated_fifteen_days_and_prosecutor_three_days(unit) -> None:
    with clock.frozen(kz(2026, 2, 10, 10)):
        case = unit.case(form="accelerated", allocation_reason="Признание вины")
    assert one(case, "investigation.accelerated").due_at == kz(2026, 2, 26)
    with clock.frozen(kz(2026, 2, 20, 16)):
        move(unit.investigator, case.pk, "send_to_prosecutor")
    decision = one(case, "accelerated.prosecutor_decision")
    # 3 days from Friday 20 Feb: Monday 23 Feb, 24:00 (art. 190(7))
    assert decision.due_at == kz(2026, 2, 24)
    assert decision.responsible_user_id == case.prosecutor_id
    assert decision.responsible_role == "prosecutor"
    with clock.frozen(kz(2026, 2, 23, 11)):
        move(unit.prosecutor, case.pk, "send_to_court")
    assert one(case, "accelerated.prosecutor_decision").status == S.MET


# ---------------------------------------------------------------- detention and custody


def _detain(case, suspect, at, **flags):
    journal(
        "participant.detained",
        case,
        at=at,
        participant=str(suspect.pk),
        detained_at=at.astimezone(dt.UTC).isoformat(),
        minor=flags.get("minor", False),
        grounds_72h=flags.get("grounds_72h", False),
    )


def test_detention_clocks_from_the_minute(case, suspect) -> None:
    at = kz(2026, 3, 7, 22, 47)  # Saturday, before the 8 March holiday
    _detain(case, suspect, at)
    assert one(case, "detention.delivery").due_at == kz(2026, 3, 8, 1, 47)
    assert one(case, "detention.protocol").due_at == kz(2026, 3, 8, 1, 47)
    term = one(case, "detention.term")
    assert term.due_at == kz(2026, 3, 9, 22, 47)  # 48 h, not moved off the holiday
    assert term.subject_participant_id == suspect.pk
    assert one(case, "detention.defender").due_at == kz(2026, 3, 8, 22, 47)
    assert RULES["detention.term"].on_expiry == "release"

    journal("participant.delivered", case, at=kz(2026, 3, 7, 23, 30), participant=str(suspect.pk))
    assert one(case, "detention.delivery").status == S.MET
    journal(
        "detention.protocol_drawn",
        case,
        at=kz(2026, 3, 8, 0, 40),
        participant=str(suspect.pk),
        at_=None,
    )
    assert one(case, "detention.protocol").status == S.MET
    notice = one(case, "detention.prosecutor_notice")
    assert notice.due_at == kz(2026, 3, 8, 12, 40)  # 12 h from the protocol (art. 131(3))
    journal(
        "detention.prosecutor_notified",
        case,
        at=kz(2026, 3, 8, 14),
        participant=str(suspect.pk),
    )
    assert one(case, "detention.prosecutor_notice").status == S.EXPIRED  # too late

    start = kz(2026, 3, 9, 15)
    journal(
        "custody.ordered",
        case,
        at=start,
        participant=str(suspect.pk),
        **{"from": start.isoformat(), "until": kz(2026, 5, 9).isoformat()},
    )
    assert one(case, "detention.term").status == S.MET
    custody = one(case, "custody.term")
    assert custody.due_at == kz(2026, 5, 9)
    assert one(case, "custody.term.request").due_at == kz(2026, 4, 29)  # 10 days (151(6))
    journal(
        "custody.extended",
        case,
        at=kz(2026, 4, 25, 10),
        participant=str(suspect.pk),
        until=kz(2026, 6, 9).isoformat(),
    )
    custody = one(case, "custody.term")
    assert custody.due_at == kz(2026, 6, 9)
    assert custody.adjustments[-1]["before"] == kz(2026, 5, 9).astimezone(dt.UTC).isoformat()
    # three months reached: the next request is due 15 days before (art. 151(7))
    assert one(case, "custody.term.request").due_at == kz(2026, 5, 25)
    journal("custody.ended", case, at=kz(2026, 5, 20, 10), participant=str(suspect.pk))
    assert one(case, "custody.term").status == S.MET


def test_minor_detention_24_hours(case, suspect) -> None:
    _detain(case, suspect, kz(2026, 3, 2, 10, 5), minor=True)
    assert one(case, "detention.term_minor").due_at == kz(2026, 3, 3, 10, 5)
    assert clocks(case, "detention.term") == []
    assert clocks(case, "detention.term_72h") == []


def test_detention_72_hours_in_the_cases_of_131_4(case, suspect) -> None:
    _detain(case, suspect, kz(2026, 3, 2, 10, 5), grounds_72h=True)
    assert one(case, "detention.term_72h").due_at == kz(2026, 3, 5, 10, 5)
    assert clocks(case, "detention.term") == []


def test_release_ends_detention_and_cancels_delivery(case, suspect) -> None:
    _detain(case, suspect, kz(2026, 3, 2, 10, 5))
    journal("participant.released", case, at=kz(2026, 3, 2, 12), participant=str(suspect.pk))
    assert one(case, "detention.term").status == S.MET
    assert one(case, "detention.delivery").status == S.ENDED
    assert one(case, "detention.defender").status == S.ENDED


def test_defender_within_24_hours_met_by_legal_aid(case, suspect) -> None:
    _detain(case, suspect, kz(2026, 3, 2, 10, 5))
    journal("legalaid.offer_accepted", case, at=kz(2026, 3, 2, 18), represents=str(suspect.pk))
    assert one(case, "detention.defender").status == S.MET


def test_motion_three_days(case) -> None:
    journal("motion.filed", case, at=kz(2026, 3, 4, 16), motion="m-1")
    journal("motion.filed", case, at=kz(2026, 3, 5, 9), motion="m-2")
    first, second = clocks(case, "motion.decision")
    # 7 March Saturday, 8 Sunday, 9 the day off moved from 8 March: Tuesday 10, 24:00
    assert first.due_at == kz(2026, 3, 11)
    assert second.subject == "m-2"
    journal("motion.decided", case, at=kz(2026, 3, 6, 9), motion="m-1")
    assert {c.subject: c.status for c in clocks(case, "motion.decision")} == {
        "m-1": S.MET,
        "m-2": S.RUNNING,
    }


# ---------------------------------------------------------------- events out of order


def test_events_that_fit_no_clock_change_nothing(case, suspect, caplog) -> None:
    before = [(c.rule, c.status, c.due_at) for c in clocks(case)]
    journal("custody.extended", case, participant=str(suspect.pk), until="2026-09-01")
    journal("participant.delivered", case, participant=str(suspect.pk))
    journal("case.resume", case, reason="x")  # not interrupted
    journal("deadline.adjusted", case, rule="nope", subject="", source_event=1, after="2030-01-01")
    assert [(c.rule, c.status, c.due_at) for c in clocks(case)] == before
    assert "resumed but not interrupted" in caplog.text
    assert "no clock" in caplog.text


def test_second_detained_event_does_not_start_a_second_clock(case, suspect) -> None:
    _detain(case, suspect, kz(2026, 3, 2, 10, 5))
    _detain(case, suspect, kz(2026, 3, 2, 10, 9))
    assert one(case, "detention.term").due_at == kz(2026, 3, 4, 10, 5)


def test_a_late_end_resolves_an_expired_clock(unit, case) -> None:
    from tergeu.deadlines.services import expire_overdue

    expire_overdue(kz(2026, 4, 12))
    assert one(case, "investigation.preliminary").status == S.EXPIRED
    with clock.frozen(kz(2026, 4, 14, 10)):
        move(unit.investigator, case.pk, "send_to_prosecutor")
    term = one(case, "investigation.preliminary")
    assert term.status == S.EXPIRED  # a violation stays a violation
    assert term.ended_at == kz(2026, 4, 14, 10)


def test_report_terms_count_from_its_receipt(unit) -> None:
    received = kz(2026, 2, 10, 8, 40)
    with clock.frozen(kz(2026, 2, 10, 13, 5)):
        report = unit.report(received_at=received)
    decision = Clock.objects.get(report=report, rule="report.decision")
    assert decision.started_at == received
    assert decision.due_at == kz(2026, 2, 11, 9, 0)
