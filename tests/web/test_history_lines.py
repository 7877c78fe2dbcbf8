"""The History tab reads evidence and document events as sentences, not action codes."""

from __future__ import annotations

import datetime as dt

import pytest

from tergeu.core import clock
from tergeu.evidence import services as evidence
from tergeu.evidence.models import ItemKind
from tergeu.integrity.models import Event
from tergeu.web.history import describe_events
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_evidence_receipt_is_a_sentence() -> None:
    unit = f.Unit()
    case = unit.case()
    evidence.register_item(
        unit.investigator,
        case.pk,
        description="Ноутбук Lenovo",
        kind=ItemKind.OBJECT,
        seized_at=clock.now() - dt.timedelta(hours=1),
        seized_where="Алматы, ул. Абая, 10",
    )
    events = list(Event.objects.filter(case_id=case.pk).select_related("actor"))
    lines = {line.action: line.text for line in describe_events(events)}
    assert lines["Evidence: Receipt"] == "item No. 1"
    assert not any(action.startswith("evidence.") for action in lines)
