"""Detention and custody: services, their journal events, refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.cases import detention as d
from tergeu.cases.models import Detention, Participant, ParticipantStatus
from tergeu.cases.services import add_participant, remove_participant, update_participant
from tergeu.core import clock
from tergeu.core.errors import NotFound, RuleViolation, ValidationFailed
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


class PastUnit(f.Unit):
    """A unit whose cases were registered two days ago."""

    def case(self, *args: Any, **kwargs: Any) -> Any:
        with clock.frozen(clock.now() - dt.timedelta(days=2)):
            return super().case(*args, **kwargs)


@pytest.fixture
def unit() -> f.Unit:
    return PastUnit()


def person(
    unit: f.Unit, case: Any, status: str = ParticipantStatus.SUSPECT, **extra: Any
) -> Participant:
    return add_participant(
        unit.investigator,
        case.pk,
        status=status,
        last_name="Ахметов",
        first_name="Ерлан",
        **extra,
    )


def events(case: Any, action: str) -> list[dict[str, Any]]:
    rows = Event.objects.filter(case_id=case.pk, action=action).order_by("seq")
    return [payload_of(r)["data"] for r in rows]


def snapshot(case: Any) -> tuple[int, list[tuple[Any, ...]]]:
    rows = Detention.objects.filter(case=case).order_by("created_at")
    return (
        Event.objects.filter(case_id=case.pk).exclude(action="access.denied").count(),
        [
            (r.detained_at, r.delivered_at, r.protocol_at, r.released_at, r.custody_until)
            for r in rows
        ],
    )


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def test_detention_path_and_journal_events(unit: f.Unit) -> None:
    case = unit.case()
    suspect = person(unit, case)
    now = clock.now()
    t0 = now - 10 * H
    inv = unit.investigator
    row = d.detain(inv, case.pk, suspect.pk, detained_at=t0, place="ул. Абая 1")
    assert row.detained_now
    assert not row.minor
    d.mark_delivered(inv, case.pk, suspect.pk, at=t0 + H)
    d.draw_protocol(inv, case.pk, suspect.pk, at=t0 + 2 * H)
    d.notify_prosecutor(inv, case.pk, suspect.pk, at=t0 + 3 * H)
    d.release(inv, case.pk, suspect.pk, at=t0 + 4 * H, ground="133.1.1")
    row.refresh_from_db()
    assert not row.active
    assert row.release_ground == "133.1.1"
    pid = str(suspect.pk)
    assert events(case, "participant.detained") == [
        {"participant": pid, "detained_at": iso(t0), "minor": False, "grounds_72h": False}
    ]
    assert events(case, "participant.delivered") == [{"participant": pid, "at": iso(t0 + H)}]
    assert events(case, "detention.protocol_drawn") == [{"participant": pid, "at": iso(t0 + 2 * H)}]
    assert events(case, "detention.prosecutor_notified") == [
        {"participant": pid, "at": iso(t0 + 3 * H)}
    ]
    assert events(case, "participant.released") == [
        {"participant": pid, "at": iso(t0 + 4 * H), "ground": "133.1.1"}
    ]
    # Released, the person may be detained again.
    d.detain(inv, case.pk, suspect.pk, detained_at=t0 + 5 * H, grounds_72h=True)
    assert events(case, "participant.detained")[-1]["grounds_72h"] is True


def test_custody_after_detention_extension_and_end(unit: f.Unit) -> None:
    case = unit.case()
    suspect = person(unit, case)
    inv = unit.investigator
    t0 = clock.now() - 30 * H
    d.detain(inv, case.pk, suspect.pk, detained_at=t0)
    until = clock.local(t0).date() + dt.timedelta(days=40)
    row = d.order_custody(
        inv, case.pk, suspect.pk, from_=t0, until=until.isoformat(), court_order_ref="№ 12"
    )
    assert row.in_custody
    assert not row.detained_now
    assert Detention.objects.filter(case=case).count() == 1  # the detention became custody
    [ordered] = events(case, "custody.ordered")
    assert set(ordered) == {"participant", "from", "until"}
    assert ordered["from"] == iso(t0)
    later = until + dt.timedelta(days=30)
    d.extend_custody(inv, case.pk, suspect.pk, until=later.isoformat(), court_order_ref="№ 15")
    [extended] = events(case, "custody.extended")
    assert set(extended) == {"participant", "until"}
    d.end_custody(inv, case.pk, suspect.pk, at=clock.now(), ground="153.1")
    [ended] = events(case, "custody.ended")
    assert set(ended) == {"participant", "at", "ground"}
    row.refresh_from_db()
    assert not row.active


def test_custody_without_detention_for_an_accused(unit: f.Unit) -> None:
    """CPC art. 147: custody needs a suspect or accused, not a prior detention."""
    case = unit.case()
    accused = person(unit, case, ParticipantStatus.ACCUSED)
    start = clock.now() - H
    row = d.order_custody(
        unit.investigator,
        case.pk,
        accused.pk,
        from_=start,
        until=(clock.local(start).date() + dt.timedelta(days=30)).isoformat(),
        court_order_ref="№ 3",
    )
    assert row.detained_at is None
    assert row.in_custody


def test_detaining_a_witness_makes_them_a_suspect_and_a_minor_is_recognised(
    unit: f.Unit,
) -> None:
    case = unit.case()
    born = clock.local(clock.now()).date() - dt.timedelta(days=16 * 365)
    witness = person(unit, case, ParticipantStatus.WITNESS, birth_date=born.isoformat())
    row = d.detain(unit.investigator, case.pk, witness.pk, detained_at=clock.now() - H)
    witness.refresh_from_db()
    assert witness.status == ParticipantStatus.SUSPECT
    assert row.minor
    changed = events(case, "participant.updated")[-1]
    assert changed["after"] == {"status": "suspect"}
    assert changed["rule"] == "CPC art. 64(1)(2)"


def refused(exc: pytest.ExceptionInfo[RuleViolation], rule: str) -> None:
    assert rule in exc.value.rule
    assert rule in exc.value.text()


def test_refusals_name_the_rule_and_change_nothing(unit: f.Unit) -> None:
    case = unit.case()
    suspect = person(unit, case)
    victim = person(unit, case, ParticipantStatus.VICTIM)
    inv = unit.investigator
    now = clock.now()
    before = snapshot(case)
    # Before registration.
    with pytest.raises(RuleViolation) as exc:
        d.detain(inv, case.pk, suspect.pk, detained_at=case.registered_at - H)
    refused(exc, "179(1)")
    assert "registered" in exc.value.text()
    # A victim is not detained in their own case.
    with pytest.raises(RuleViolation) as exc:
        d.detain(inv, case.pk, victim.pk, detained_at=now - H)
    refused(exc, "128(1)")
    # Not detained: no delivery, protocol, notice, release.
    for action in (d.mark_delivered, d.draw_protocol, d.notify_prosecutor):
        with pytest.raises(RuleViolation):
            action(inv, case.pk, suspect.pk, at=now - H)
    with pytest.raises(RuleViolation) as exc:
        d.release(inv, case.pk, suspect.pk, at=now - H, ground="133.1.1")
    refused(exc, "133")
    assert snapshot(case) == before

    t0 = now - 5 * H
    d.detain(inv, case.pk, suspect.pk, detained_at=t0)
    before = snapshot(case)
    # Double detention.
    with pytest.raises(RuleViolation) as exc:
        d.detain(inv, case.pk, suspect.pk, detained_at=t0 + H)
    refused(exc, "128(5)")
    assert "already detained" in exc.value.text()
    # Delivery, protocol, release before the detention.
    with pytest.raises(RuleViolation) as exc:
        d.mark_delivered(inv, case.pk, suspect.pk, at=t0 - H)
    refused(exc, "129(1)")
    with pytest.raises(RuleViolation) as exc:
        d.draw_protocol(inv, case.pk, suspect.pk, at=t0 - H)
    refused(exc, "131(2)")
    with pytest.raises(RuleViolation) as exc:
        d.release(inv, case.pk, suspect.pk, at=t0 - H, ground="133.1.1")
    refused(exc, "133")
    # Notice before any protocol.
    with pytest.raises(RuleViolation) as exc:
        d.notify_prosecutor(inv, case.pk, suspect.pk, at=t0 + H)
    refused(exc, "131(3)")
    # A detained person keeps the status of a suspect and stays in the case.
    with pytest.raises(RuleViolation):
        update_participant(inv, suspect.pk, status=ParticipantStatus.WITNESS)
    with pytest.raises(RuleViolation):
        remove_participant(inv, suspect.pk, reason="ошибка")
    assert snapshot(case) == before

    d.release(inv, case.pk, suspect.pk, at=t0 + H, ground="133.1.2")
    before = snapshot(case)
    # Released: no second release, no delivery.
    with pytest.raises(RuleViolation):
        d.release(inv, case.pk, suspect.pk, at=t0 + 2 * H, ground="133.1.2")
    with pytest.raises(RuleViolation):
        d.mark_delivered(inv, case.pk, suspect.pk, at=t0 + 2 * H)
    assert snapshot(case) == before


def test_field_errors(unit: f.Unit) -> None:
    case = unit.case()
    suspect = person(unit, case)
    inv = unit.investigator
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        d.detain(inv, case.pk, suspect.pk, detained_at=clock.now() + 2 * H)
    assert exc.value.field_texts() == {"detained_at": ["This time is in the future."]}
    with pytest.raises(ValidationFailed) as exc:
        d.detain(inv, case.pk, suspect.pk, detained_at="yesterday")
    assert "detained_at" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        d.detain(inv, case.pk, "not-a-person", detained_at=clock.now() - H)
    assert exc.value.field_texts() == {"participant_id": ["Choose a participant of this case."]}
    d.detain(inv, case.pk, suspect.pk, detained_at=clock.now() - 3 * H)
    with pytest.raises(ValidationFailed) as exc:
        d.release(inv, case.pk, suspect.pk, at=clock.now() - H, ground="because")
    assert "ground" in exc.value.fields
    start = clock.now() - 2 * H
    with pytest.raises(ValidationFailed) as exc:
        d.order_custody(inv, case.pk, suspect.pk, from_=start, until=start - H, court_order_ref="")
    assert set(exc.value.fields) == {"until", "court_order_ref"}
    with pytest.raises(RuleViolation) as exc:
        d.order_custody(
            inv,
            case.pk,
            suspect.pk,
            from_=start,
            until=d.add_months(start, 3),
            court_order_ref="№ 1",
        )
    refused(exc, "151(1)")
    assert snapshot(case)[1][0][4] is None
    assert len(snapshot(case)[1]) == len(before[1]) + 1


def test_custody_refusals(unit: f.Unit) -> None:
    case = unit.case()
    witness = person(unit, case, ParticipantStatus.WITNESS)
    suspect = person(unit, case)
    inv = unit.investigator
    start = clock.now() - H
    until = (clock.local(start).date() + dt.timedelta(days=30)).isoformat()
    with pytest.raises(RuleViolation) as exc:
        d.order_custody(inv, case.pk, witness.pk, from_=start, until=until, court_order_ref="1")
    refused(exc, "147(1)")
    with pytest.raises(RuleViolation) as exc:
        d.extend_custody(inv, case.pk, suspect.pk, until=until)
    refused(exc, "151(2)")
    with pytest.raises(RuleViolation):
        d.end_custody(inv, case.pk, suspect.pk, at=start, ground="153.1")
    d.order_custody(inv, case.pk, suspect.pk, from_=start, until=until, court_order_ref="1")
    with pytest.raises(RuleViolation) as exc:
        d.order_custody(inv, case.pk, suspect.pk, from_=start, until=until, court_order_ref="2")
    refused(exc, "151")
    with pytest.raises(ValidationFailed):
        d.extend_custody(inv, case.pk, suspect.pk, until=until)
    with pytest.raises(RuleViolation) as exc:
        d.extend_custody(inv, case.pk, suspect.pk, until=d.add_months(start, 19).date().isoformat())
    refused(exc, "151(4)")
    with pytest.raises(RuleViolation):
        d.detain(inv, case.pk, suspect.pk, detained_at=start)
    with pytest.raises(RuleViolation):
        d.end_custody(inv, case.pk, suspect.pk, at=start - H, ground="153.1")


def test_access_other_unit_is_not_found(unit: f.Unit) -> None:
    case = unit.case()
    suspect = person(unit, case)
    outsider = f.Unit().investigator
    with pytest.raises(NotFound):
        d.detain(outsider, case.pk, suspect.pk, detained_at=clock.now() - H)
    with pytest.raises(NotFound):
        d.detentions(outsider, case.pk)
    assert not Detention.objects.filter(case=case).exists()
    assert Event.objects.filter(case_id=case.pk, action="access.denied").exists()


def test_add_months_month_ends() -> None:
    jan31 = dt.datetime(2025, 1, 31, 12, tzinfo=clock.KZ_TZ)
    assert clock.local(d.add_months(jan31, 1)).date() == dt.date(2025, 2, 28)
    assert clock.local(d.add_months(jan31, 13)).date() == dt.date(2026, 2, 28)
    leap = dt.datetime(2024, 1, 31, 12, tzinfo=clock.KZ_TZ)
    assert clock.local(d.add_months(leap, 1)).date() == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", "до регистрации дела в ЕРДР"), ("kk", "СДТБТ-да тіркелгенге дейін")],
)
def test_refusal_in_the_users_language(unit: f.Unit, language: str, words: str) -> None:
    from django.utils import translation

    from tergeu.web.translations import compile_catalogues

    compile_catalogues()
    case = unit.case()
    suspect = person(unit, case)
    with translation.override(language), pytest.raises(RuleViolation) as exc:
        d.detain(unit.investigator, case.pk, suspect.pk, detained_at=case.registered_at - H)
    with translation.override(language):
        assert words in exc.value.text()
