"""Warnings before a term runs out, escalation after it, the release alert of a detention:
each at its moment (the clock is frozen, nothing sleeps) and each once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.accounts.models import User
from tergeu.cases.models import Case, Participant
from tergeu.cases.services import add_participant
from tergeu.core import clock
from tergeu.deadlines.alerts import run_alerts, warned_for
from tergeu.deadlines.models import Clock, ClockStatus
from tergeu.integrity.models import Event
from tergeu.notifications.models import Message
from tests import factories as f
from tests.api.conftest import _catalogues  # noqa: F401  (compiled .mo files, kk/ru/en)

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.fixture
def unit(db: Any) -> f.Unit:
    unit = f.Unit()
    User.objects.filter(pk=unit.investigator.pk).update(phone="+77011110001", language="kk")
    User.objects.filter(pk=unit.head.pk).update(phone="+77011110002", email="head@example.kz")
    User.objects.filter(pk=unit.prosecutor.pk).update(phone="+77011110003", language="en")
    return unit


@pytest.fixture
def case(unit: f.Unit) -> Case:
    return unit.case()


@pytest.fixture
def suspect(unit: f.Unit, case: Case) -> Participant:
    return add_participant(
        unit.investigator, case.pk, status="suspect", last_name="Жумабеков", first_name="Ерлан"
    )


def make_clock(
    case: Case, rule: str, hours: int, user: User, *, start: dt.datetime = START, **extra: Any
) -> Clock:
    """A running clock of ``rule`` in ``case`` (the engine's part is tested elsewhere)."""
    return Clock.objects.create(
        case=case,
        rule=rule,
        started_at=start,
        due_at=start + hours * H,
        responsible_user=user,
        responsible_role=user.role,
        organisation=case.organisation,
        source_event=0,
        **extra,
    )


def sent(kind: str, row: Clock) -> list[Message]:
    return list(Message.objects.filter(kind=kind, case_id=row.case_id).order_by("recipient"))


def events(action: str, row: Clock) -> int:
    return Event.objects.filter(action=action, object_id=str(row.pk)).count()


def at(moment: dt.datetime) -> dict[str, int]:
    with clock.frozen(moment):
        return run_alerts()


def test_a_detention_is_warned_at_24_and_2_hours_each_once(
    unit: f.Unit, case: Case, suspect: Participant
) -> None:
    row = make_clock(case, "detention.term", 48, unit.investigator, subject_participant=suspect)
    at(START + 23 * H + dt.timedelta(minutes=59))
    assert sent("deadline_warning", row) == []

    at(START + 24 * H)
    first = sent("deadline_warning", row)
    assert len(first) == 1  # the investigator has a phone only: one SMS
    assert first[0].recipient == "+77011110001"
    assert first[0].channel == "sms"
    assert first[0].language == "kk"
    assert case.erdr_number in first[0].subject
    assert "Жумабеков" in first[0].body
    row.refresh_from_db()
    assert warned_for(row.warned, row.due_at) == [24]
    assert events("deadline.warned", row) == 1

    at(START + 25 * H)
    assert len(sent("deadline_warning", row)) == 1  # the same threshold is not warned again

    at(START + 46 * H)
    assert len(sent("deadline_warning", row)) == 2
    at(START + 47 * H)
    assert len(sent("deadline_warning", row)) == 2
    row.refresh_from_db()
    assert sorted(warned_for(row.warned, row.due_at)) == [2, 24]


def test_thresholds_crossed_together_send_one_warning(unit: f.Unit, case: Case) -> None:
    row = make_clock(case, "detention.term", 48, unit.investigator)
    at(START + 47 * H)  # the worker was down through both thresholds
    assert len(sent("deadline_warning", row)) == 1
    row.refresh_from_db()
    assert sorted(warned_for(row.warned, row.due_at)) == [2, 24]


def test_an_expired_detention_is_escalated_once_and_the_release_asked(
    unit: f.Unit, case: Case, suspect: Participant
) -> None:
    row = make_clock(case, "detention.term", 48, unit.investigator, subject_participant=suspect)
    row.warned = [24, 2]
    row.save(update_fields=["warned"])
    before = at(START + 48 * H - dt.timedelta(seconds=1))
    assert before["escalated"] == 0
    assert sent("deadline_expired", row) == []

    done = at(START + 48 * H)
    assert done["escalated"] == 1
    assert done["release"] == 1
    row.refresh_from_db()
    assert row.status == ClockStatus.EXPIRED
    assert row.escalated_at == START + 48 * H
    escalated = sent("deadline_expired", row)
    recipients = {m.recipient for m in escalated}
    # the head by SMS and e-mail, the supervising prosecutor by SMS; not the investigator
    assert recipients == {"+77011110002", "head@example.kz", "+77011110003"}
    english = next(m for m in escalated if m.recipient == "+77011110003")
    assert english.language == "en"
    assert "Time limit missed" in english.subject
    assert events("deadline.escalated", row) == 1

    release = sent("deadline_release", row)
    assert {m.recipient for m in release} == {
        "+77011110001",
        "+77011110002",
        "head@example.kz",
        "+77011110003",
    }
    text = next(m for m in release if m.recipient == "+77011110003").body
    assert "Жумабеков" in text
    assert "CPC art. 133(2)" in text
    assert events("deadline.release_required", row) == 1

    again = at(START + 50 * H)
    assert again["escalated"] == 0
    assert again["release"] == 0
    assert len(sent("deadline_expired", row)) == 3
    assert len(sent("deadline_release", row)) == 4
    assert events("deadline.escalated", row) == 1


def test_a_term_met_in_time_is_neither_warned_nor_escalated(unit: f.Unit, case: Case) -> None:
    row = make_clock(case, "detention.term", 48, unit.investigator)
    Clock.objects.filter(pk=row.pk).update(status=ClockStatus.MET, ended_at=START + H)
    at(START + 47 * H)
    at(START + 49 * H)
    assert sent("deadline_warning", row) == []
    assert sent("deadline_expired", row) == []
    assert sent("deadline_release", row) == []


def test_an_expired_term_that_is_not_detention_asks_no_release(unit: f.Unit, case: Case) -> None:
    row = make_clock(case, "motion.decision", 72, unit.investigator)
    done = at(START + 73 * H)
    assert done["escalated"] >= 1
    assert done["release"] == 0
    assert len(sent("deadline_expired", row)) == 3
    assert sent("deadline_release", row) == []


def test_a_short_term_is_not_warned_before_it_starts(unit: f.Unit, case: Case) -> None:
    """Only thresholds shorter than the term apply: a 3-hour term gets no 24-hour warning."""
    row = make_clock(case, "detention.delivery", 3, unit.investigator)
    at(START + dt.timedelta(minutes=1))
    assert sent("deadline_warning", row) == []
    at(START + 2 * H)
    assert len(sent("deadline_warning", row)) == 1


@pytest.mark.django_db(transaction=True)  # db_worker closes the connection
def test_worker_once_sends_the_warnings_due() -> None:
    from tergeu.cli import main

    unit = f.Unit()
    User.objects.filter(pk=unit.investigator.pk).update(phone="+77011110001")
    case = unit.case()
    row = make_clock(case, "detention.term", 48, unit.investigator)
    with clock.frozen(START + 24 * H):
        assert main(["worker", "--once"]) == 0
    assert len(sent("deadline_warning", row)) == 1
    row.refresh_from_db()
    assert warned_for(row.warned, row.due_at) == [24]


def test_a_detention_recorded_by_the_service_is_warned_and_released(
    unit: f.Unit, case: Case, suspect: Participant
) -> None:
    """Events in, alerts out: the detention service starts the 48 hours; the worker warns
    at 24 h left and asks for the release when no court order came."""
    from tergeu.cases.detention import detain

    detained_at = case.registered_at + dt.timedelta(minutes=30)
    with clock.frozen(detained_at + dt.timedelta(minutes=5)):
        detain(unit.investigator, case.pk, suspect.pk, detained_at=detained_at)
    row = Clock.objects.get(case=case, rule="detention.term")
    assert row.due_at == detained_at + 48 * H  # from the minute, never moved (art. 48(5))
    at(detained_at + 23 * H)
    assert events("deadline.warned", row) == 0
    at(detained_at + 24 * H)
    assert events("deadline.warned", row) == 1
    row.refresh_from_db()
    assert warned_for(row.warned, row.due_at) == [24]
    done = at(detained_at + 48 * H)
    assert done["release"] >= 1
    row.refresh_from_db()
    assert row.escalated_at is not None
    assert events("deadline.escalated", row) == 1
    assert events("deadline.release_required", row) == 1
    release = Message.objects.filter(kind="deadline_release", body__contains="Жумабеков")
    assert {m.recipient for m in release} >= {"+77011110001", "+77011110003"}


def test_a_kui_report_term_warns_the_duty_officers_of_the_body(unit: f.Unit) -> None:
    """The 24 hours to decide on a report (CPC art. 179(1)) warn at 6 h and 1 h left."""
    User.objects.filter(pk=unit.duty.pk).update(phone="+77011110009", language="ru")
    received = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
    with clock.frozen(received):
        report = unit.report()
    row = Clock.objects.get(report=report, rule="report.decision")
    at(row.due_at - 6 * H - dt.timedelta(minutes=1))
    assert events("deadline.warned", row) == 0
    at(row.due_at - 6 * H)
    assert events("deadline.warned", row) == 1
    message = Message.objects.get(kind="deadline_warning", recipient="+77011110009")
    assert report.kui_number in message.subject
    assert message.language == "ru"
    assert "Срок" in message.subject
    done = at(row.due_at + H)
    assert done["escalated"] == 1
    escalated = Message.objects.filter(kind="deadline_expired", subject__contains=report.kui_number)
    assert {m.recipient for m in escalated} == {"+77011110002", "head@example.kz"}


def test_an_extension_arms_the_warnings_again(unit: f.Unit, case: Case) -> None:
    """Warnings sent before an extension do not count for the new end of the term."""
    from tergeu.deadlines.services import extend_clock

    row = make_clock(case, "investigation.preliminary", 24 * 60, unit.investigator)
    at(row.due_at - 100 * H)  # 240 h and 120 h crossed: one warning
    assert events("deadline.warned", row) == 1
    with clock.frozen(row.due_at - 99 * H):
        extend_clock(
            unit.investigator,
            row.pk,
            until=row.due_at + dt.timedelta(days=20),
            reason="экспертиза",
            authority="district_prosecutor",
        )
    row.refresh_from_db()
    assert warned_for(row.warned, row.due_at) == []
    at(row.due_at - 241 * H)
    assert events("deadline.warned", row) == 1
    at(row.due_at - 240 * H)
    assert events("deadline.warned", row) == 2
    row.refresh_from_db()
    assert warned_for(row.warned, row.due_at) == [240]
