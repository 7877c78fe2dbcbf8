"""The journal's API: checkpoints, inclusion and consistency proofs, who may read them."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tergeu.accounts.models import Role
from tergeu.cases.models import Case
from tergeu.integrity import checkpoints, merkle, tree
from tergeu.integrity.journal import record
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1/journal"
ORIGIN = "tergeu.test/journal"


@pytest.fixture(autouse=True)
def log_key(settings: Any, tmp_path: Path) -> Path:
    """A journal signing key of this test, and a test origin."""
    path = checkpoints.generate_key(tmp_path / "journal.pem")
    settings.TERGEU_LOG_KEY_FILE = str(path)
    settings.TERGEU_LOG_ORIGIN = ORIGIN
    return path


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


@pytest.fixture
def case(unit: f.Unit) -> Case:
    return unit.case()


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _b(text: str) -> bytes:
    return base64.b64decode(text)


def _case_event(case: Case) -> Event:
    event = Event.objects.filter(case_id=case.pk).order_by("seq").first()
    assert event is not None
    return event


def test_an_investigator_proves_an_event_of_their_case(unit: f.Unit, case: Case) -> None:
    checkpoints.issue_checkpoint()
    event = _case_event(case)
    client = _client(unit.investigator)
    response = client.get(f"{BASE}/events/{event.uid}/proof")
    assert response.status_code == 200, response.content
    body = response.json()
    leaf = _b(body["leaf"])
    assert json.loads(leaf)["uid"] == str(event.uid)
    assert _b(body["leaf_hash"]) == hashlib.sha256(b"\x00" + leaf).digest()
    root = _b(body["root"])
    merkle.verify_inclusion(
        _b(body["leaf_hash"]),
        body["leaf_index"],
        body["tree_size"],
        [_b(h) for h in body["hashes"]],
        root,
    )
    # The proof is for the newest checkpoint, signed by the key the API publishes.
    key = _client(None).get(f"{BASE}/public-key").json()
    assert key["name"] == ORIGIN
    assert key["vkey"] == checkpoints.vkey()
    note = body["checkpoint"]["note"]
    assert checkpoints.verify_note(note, key["vkey"], expected_origin=ORIGIN) == (
        ORIGIN,
        body["tree_size"],
        root,
    )


def test_another_units_officer_gets_404_and_the_refusal_is_journaled(case: Case) -> None:
    checkpoints.issue_checkpoint()
    event = _case_event(case)
    stranger = f.Unit(district_code="02").investigator
    response = _client(stranger).get(f"{BASE}/events/{event.uid}/proof")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    denial = Event.objects.filter(action="access.denied").order_by("-seq").first()
    assert denial is not None
    assert json.loads(denial.payload)["data"]["attempted"] == "journal.proof"
    assert denial.case_id == case.pk


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMINISTRATOR, 200),
        (Role.ANALYST, 200),
        (Role.PROSECUTOR, 200),
        (Role.INVESTIGATOR, 404),
        (Role.DUTY_OFFICER, 404),
    ],
)
def test_events_without_a_case_only_for_some_roles(unit: f.Unit, role: str, status: int) -> None:
    event = record("test.happened")
    checkpoints.issue_checkpoint()
    user = f.user(role, unit.police)
    assert _client(user).get(f"{BASE}/events/{event.uid}/proof").status_code == status


def test_unknown_event_and_bad_sizes(unit: f.Unit, case: Case) -> None:
    client = _client(unit.investigator)
    event = _case_event(case)
    response = client.get(f"{BASE}/events/{event.uid}/proof")
    assert response.status_code == 409
    assert response.json()["code"] == "not_integrated"

    checkpoints.issue_checkpoint()
    size = tree.tree_size()
    index = tree.leaf_of(event.seq).index
    response = client.get(f"{BASE}/events/{event.uid}/proof?size={size + 1}")
    assert response.status_code == 422
    assert response.json()["fields"]["size"] == [f"The tree has only {size} events."]
    response = client.get(f"{BASE}/events/{event.uid}/proof?size={index}")
    assert response.status_code == 422  # the event is leaf `index`: not in a tree of that size
    response = client.get(f"{BASE}/events/{event.uid}/proof?size={index + 1}")
    assert response.status_code == 200
    assert response.json()["tree_size"] == index + 1
    assert client.get(f"{BASE}/events/{'0' * 32}/proof").status_code == 404
    assert client.get(f"{BASE}/events/not-a-uuid/proof").status_code == 422


def test_checkpoints_on_demand_and_the_latest(unit: f.Unit) -> None:
    client = _client(unit.duty)
    response = client.get(f"{BASE}/checkpoint")
    assert response.status_code == 404
    record("test.happened")
    response = client.post(f"{BASE}/checkpoints")
    assert response.status_code == 201
    first = response.json()
    assert first["size"] == tree.tree_size()
    assert _b(first["root"]) == tree.root()
    response = client.post(f"{BASE}/checkpoints")
    assert response.status_code == 200
    assert response.json() == first
    latest = client.get(f"{BASE}/checkpoint").json()
    assert latest == first
    assert checkpoints.verify_note(latest["note"], checkpoints.public_key())[1] == first["size"]
    assert latest["key_id"] == checkpoints.key_id(ORIGIN, checkpoints.public_key()).hex()


def test_consistency_proofs(unit: f.Unit) -> None:
    for i in range(9):
        record("test.happened", data={"i": i})
    checkpoints.issue_checkpoint()
    size = tree.tree_size()
    client = _client(unit.investigator)
    response = client.get(f"{BASE}/consistency?from=3&to={size}")
    assert response.status_code == 200, response.content
    body = response.json()
    merkle.verify_consistency(
        3, size, [_b(h) for h in body["hashes"]], _b(body["root1"]), _b(body["root2"])
    )
    assert _b(body["root2"]) == bytes(checkpoints.latest().root_hash)  # type: ignore[union-attr]
    assert client.get(f"{BASE}/consistency?from=3").json()["size2"] == size

    for query, field in [
        (f"from={size}&to=2", "from"),
        (f"from=1&to={size + 1}", "to"),
        ("from=0&to=2", "from"),
        ("to=2", "from"),
    ]:
        response = client.get(f"{BASE}/consistency?{query}")
        assert response.status_code == 422, query
        assert field in response.json()["fields"], query


def test_signing_in_is_needed_except_for_the_public_key(case: Case) -> None:
    checkpoints.issue_checkpoint()
    anonymous = _client(None)
    event = _case_event(case)
    for path in ["/checkpoint", f"/events/{event.uid}/proof", "/consistency?from=1"]:
        assert anonymous.get(BASE + path).status_code == 401, path
    assert anonymous.post(f"{BASE}/checkpoints").status_code == 401
    key = anonymous.get(f"{BASE}/public-key").json()
    assert key["algorithm"] == "Ed25519"
    assert key["pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert checkpoints.parse_vkey(key["vkey"])[0] == ORIGIN
