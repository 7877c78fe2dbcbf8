"""The engine hears the detention and custody services of the cases app (their events)."""

from __future__ import annotations

from tergeu.cases import detention
from tergeu.core import clock
from tergeu.deadlines.models import ClockStatus
from tests.deadlines.conftest import kz, one

S = ClockStatus


def test_detention_services_drive_the_clocks(unit, case, suspect) -> None:
    at = kz(2026, 2, 12, 22, 47)
    with clock.frozen(kz(2026, 2, 12, 23)):
        detention.detain(unit.investigator, case.pk, suspect.pk, detained_at=at)
    assert one(case, "detention.term").due_at == kz(2026, 2, 14, 22, 47)
    assert one(case, "detention.delivery").due_at == kz(2026, 2, 13, 1, 47)
    with clock.frozen(kz(2026, 2, 12, 23, 30)):
        detention.mark_delivered(unit.investigator, case.pk, suspect.pk, at=kz(2026, 2, 12, 23, 20))
        detention.draw_protocol(unit.investigator, case.pk, suspect.pk, at=kz(2026, 2, 12, 23, 25))
    assert one(case, "detention.delivery").status == S.MET
    assert one(case, "detention.protocol").status == S.MET
    assert one(case, "detention.prosecutor_notice").due_at == kz(2026, 2, 13, 11, 25)
    with clock.frozen(kz(2026, 2, 14, 10)):
        detention.order_custody(
            unit.investigator,
            case.pk,
            suspect.pk,
            from_=kz(2026, 2, 14, 10),
            until=kz(2026, 4, 14),
            court_order_ref="3-1/2026",
        )
    assert one(case, "detention.term").status == S.MET
    custody = one(case, "custody.term")
    assert custody.due_at == kz(2026, 4, 14)
    assert custody.subject_participant_id == suspect.pk
