"""The journal: canonical payloads, append-only in the database, denials survive rollback."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction

from tergeu.core.errors import NotFound
from tergeu.core.triggers import maintenance
from tergeu.integrity.journal import canonical_json, deny, record, service
from tergeu.integrity.models import Event


def test_canonical_json_sorts_keys_and_has_no_spaces() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "ә"]}) == '{"a":[true,null,"ә"],"b":1}'


@pytest.mark.django_db
def test_recorded_event_hashes_its_payload() -> None:
    event = record("test.happened", data={"x": 1})
    assert event.payload_sha256 == hashlib.sha256(event.payload.encode()).hexdigest()
    assert json.loads(event.payload)["data"] == {"x": 1}


@pytest.mark.django_db
def test_events_cannot_be_updated_or_deleted() -> None:
    event = record("test.happened")
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(action="test.rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.get(pk=event.pk).action == "test.happened"


@pytest.mark.django_db(transaction=True)
def test_maintenance_escape_is_per_block() -> None:
    record("test.happened")
    with maintenance(connection):
        Event.objects.all().delete()
    record("test.again")
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.all().delete()


@pytest.mark.django_db
def test_denial_is_journaled_although_the_service_rolls_back() -> None:
    @service
    def forbidden() -> None:
        record("test.should_vanish")
        raise deny(NotFound(), None, "test.read", None, "no grant")

    with pytest.raises(NotFound):
        forbidden()
    actions = list(Event.objects.values_list("action", flat=True))
    assert actions == ["access.denied"]
