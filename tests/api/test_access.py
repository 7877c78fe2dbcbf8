"""Need-to-know over the API: strangers get 404 (journaled), rules 409, roles 403."""

from __future__ import annotations

import json

import pytest

from tergeu.cases.models import Stage
from tergeu.integrity.models import Event
from tests import factories as f

from .conftest import client_for, report_body

pytestmark = pytest.mark.django_db


def _denials(user: object) -> list[dict[str, object]]:
    return [
        json.loads(e.payload)["data"]
        for e in Event.objects.filter(action="access.denied", actor=user).order_by("seq")
    ]


def test_another_units_case_does_not_exist_for_them(unit: f.Unit) -> None:
    case = unit.case()
    stranger = f.Unit(district_code="02")
    other = client_for(stranger.investigator)
    for path in (
        f"/cases/{case.erdr_number}",
        f"/cases/{case.pk}",
        f"/cases/{case.pk}/history",
        f"/cases/{case.pk}/participants",
    ):
        r = other.get(path)
        assert r.status_code == 404, path
        assert r.json() == {"code": "not_found", "message": "Not found."}
    r = other.post(f"/cases/{case.erdr_number}/moves", {"transition": "interrupt"})
    assert r.status_code == 404
    denials = _denials(stranger.investigator)
    assert len(denials) == 5
    assert all(d["detail"] == "no grant" for d in denials)
    assert other.get("/cases").json()["total"] == 0
    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.INVESTIGATION, 1)


def test_another_units_report_does_not_exist_for_them(unit: f.Unit) -> None:
    report = unit.report()
    stranger = f.Unit(district_code="02")
    other = client_for(stranger.duty)
    assert other.get(f"/reports/{report.pk}").status_code == 404
    assert other.post(f"/reports/{report.pk}/incident", {"reason": "x"}).status_code == 404
    r = other.post(f"/reports/{report.pk}/register", {"article": "188", "part": "1"})
    assert r.status_code == 404
    assert len(_denials(stranger.duty)) == 3
    assert other.get("/reports").json()["total"] == 0
    report.refresh_from_db()
    assert report.status == "new"


def test_unknown_keys_are_404(unit: f.Unit) -> None:
    inv = client_for(unit.investigator)
    for path in ("/cases/nonsense", "/cases/000000000000000", "/reports/nonsense"):
        assert inv.get(path).status_code == 404
    assert inv.patch("/participants/nonsense", {"address": "x"}).status_code == 404


def test_illegal_transition_is_409_with_the_rule(unit: f.Unit) -> None:
    case = unit.case()
    inv = client_for(unit.investigator)
    r = inv.post(f"/cases/{case.erdr_number}/moves", {"transition": "resume", "reason": "x"})
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "rule_violation"
    assert body["rule"] == "CPC art. 45(9)"
    assert body["message"] == (
        "'Resume the investigation' is not possible while the case is 'Under investigation'."
    )
    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.INVESTIGATION, 1)


def test_stale_version_is_409_conflict(unit: f.Unit) -> None:
    case = unit.case()
    inv = client_for(unit.investigator)
    path = f"/cases/{case.erdr_number}/moves"
    assert (
        inv.post(path, {"transition": "interrupt", "ground": "45.7.1", "version": 1}).status_code
        == 200
    )
    r = inv.post(path, {"transition": "resume", "reason": "Найден", "version": 1})
    assert r.status_code == 409
    assert r.json()["code"] == "conflict"
    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.INTERRUPTED, 2)


def test_a_move_of_another_role_is_403(unit: f.Unit) -> None:
    case = unit.case()
    inv = client_for(unit.investigator)
    card = inv.get(f"/cases/{case.pk}").json()
    assert "send_to_court" not in [t["name"] for t in card["available_transitions"]]
    r = inv.post(f"/cases/{case.pk}/moves", {"transition": "send_to_court"})
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert _denials(unit.investigator)[-1]["detail"] == "grant lacks permission"
    r = inv.post(f"/cases/{case.pk}/investigator", {"investigator_id": unit.inquiry_officer.pk})
    assert r.status_code == 403


def test_roles_that_do_not_record_reports(unit: f.Unit) -> None:
    r = client_for(unit.judge).post("/reports", report_body())
    assert r.status_code == 403
    assert client_for(unit.prosecutor).get("/reports").json()["total"] == 0


def test_a_bug_is_a_json_500_and_is_logged(
    unit: f.Unit, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("tergeu.intake.services.record_report", broken)
    r = client_for(unit.duty).post("/reports", report_body())
    assert r.status_code == 500
    assert r.json()["code"] == "server_error"
    assert "boom" not in r.content.decode()
    assert any(rec.exc_info and "boom" in str(rec.exc_info[1]) for rec in caplog.records)
