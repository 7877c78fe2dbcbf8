"""A report goes through the API from the KUI to the verdict, as a system would drive it."""

from __future__ import annotations

from typing import Any

import pytest

from tergeu.cases.models import Case, Stage
from tergeu.intake.models import Report, ReportStatus
from tergeu.integrity.models import Event
from tests import factories as f

from .conftest import ApiClient, client_for, report_body

pytestmark = pytest.mark.django_db


def _move(client: ApiClient, erdr: str, transition: str, **fields: Any) -> dict[str, Any]:
    card = client.get(f"/cases/{erdr}").json()
    names = [t["name"] for t in card["available_transitions"]]
    assert transition in names, names
    r = client.post(
        f"/cases/{erdr}/moves", {"transition": transition, "version": card["version"], **fields}
    )
    assert r.status_code == 200, r.json()
    return r.json()  # type: ignore[no-any-return]


def test_from_report_to_verdict(unit: f.Unit) -> None:
    duty = client_for(unit.duty)
    r = duty.post("/reports", report_body(offence_at="2025-01-10T22:00:00+05:00"))
    assert r.status_code == 201, r.json()
    report = r.json()
    assert report["status"] == "new"
    assert report["kui_number"].endswith("-000001")
    assert report["organisation"]["code"] == unit.police.code
    assert report["decision_deadline"] > report["received_at"]

    r = duty.post(
        f"/reports/{report['id']}/register",
        {"article": "188", "part": "1", "investigator_id": unit.investigator.pk},
    )
    assert r.status_code == 201, r.json()
    card = r.json()
    erdr = card["erdr_number"]
    assert len(erdr) == 15
    assert card["stage"] == "registered"
    assert card["kui_number"] == report["kui_number"]
    assert card["received_at"] == report["received_at"]
    assert card["offence_at"].startswith("2025-01-10T17:00:00")
    assert card["qualification"]["article"] == "188"
    assert card["qualification"]["part"] == "1"
    assert card["qualification"]["title"]
    assert card["qualification"]["text"]
    assert card["investigator"] == {"id": unit.investigator.pk, "name": str(unit.investigator)}
    assert card["prosecutor"]["id"] == unit.prosecutor.pk
    assert card["available_transitions"] == []  # the duty officer only sees the case
    assert duty.get(f"/reports/{report['id']}").json()["case"]["erdr_number"] == erdr

    investigator = client_for(unit.investigator)
    card = _move(investigator, erdr, "accept", form="preliminary")
    assert (card["stage"], card["form"]) == ("investigation", "preliminary")
    interrupt = next(t for t in card["available_transitions"] if t["name"] == "interrupt")
    assert interrupt["needs_ground"]
    assert interrupt["rule"] == "CPC art. 45(7)"
    assert "45.7.1" in [g["code"] for g in interrupt["grounds"]]
    card = _move(investigator, erdr, "interrupt", ground="45.7.1")
    assert card["stage"] == "interrupted"
    card = _move(investigator, erdr, "resume", reason="Личность установлена")
    card = _move(investigator, erdr, "send_to_prosecutor")
    assert card["stage"] == "at_prosecutor"

    card = _move(client_for(unit.prosecutor), erdr, "send_to_court")
    assert card["stage"] == "in_court"
    card = _move(client_for(unit.judge), erdr, "deliver_verdict", reason="Обвинительный приговор")
    assert card["stage"] == "verdict"
    assert card["version"] == 7

    case = Case.objects.get(erdr_number=erdr)
    assert case.stage == Stage.VERDICT
    assert Report.objects.get(pk=report["id"]).status == ReportStatus.REGISTERED

    history = investigator.get(f"/cases/{erdr}/history?size=200").json()
    actions = [e["action"] for e in history["items"]]
    for action in (
        "case.registered",
        "case.accept",
        "case.interrupt",
        "case.resume",
        "case.send_to_prosecutor",
        "case.send_to_court",
        "case.deliver_verdict",
    ):
        assert action in actions
    seqs = [e["seq"] for e in history["items"]]
    assert seqs == sorted(seqs)
    verdict = next(e for e in history["items"] if e["action"] == "case.deliver_verdict")
    assert verdict["payload"]["data"]["reason"] == "Обвинительный приговор"
    assert verdict["actor"] == str(unit.judge)
    assert Event.objects.filter(action="case.deliver_verdict", actor=unit.judge).count() == 1


def test_other_decisions_on_reports(unit: f.Unit) -> None:
    duty = client_for(unit.duty)
    ids = [duty.post("/reports", report_body()).json()["id"] for _ in range(3)]
    r = duty.post(f"/reports/{ids[0]}/incident", {"reason": "Гражданско-правовой спор"})
    assert (r.status_code, r.json()["status"]) == (200, "incident")
    r = duty.post(
        f"/reports/{ids[1]}/refer",
        {"reason": "Подследственность", "to_organisation_code": unit.prosecutor_office.code},
    )
    assert r.status_code == 200, r.json()
    assert r.json()["referred_to"]["code"] == unit.prosecutor_office.code
    r = duty.post(f"/reports/{ids[2]}/administrative", {"reason": "Административное"})
    assert (r.status_code, r.json()["status"]) == (200, "administrative")
    r = duty.post(f"/reports/{ids[2]}/incident", {"reason": "again"})
    assert r.status_code == 409
    assert r.json()["code"] == "conflict"


def test_investigator_qualification_and_participants(unit: f.Unit) -> None:
    case = unit.case()
    head, inv = client_for(unit.head), client_for(unit.investigator)
    r = head.post(
        f"/cases/{case.erdr_number}/investigator", {"investigator_id": unit.inquiry_officer.pk}
    )
    assert r.status_code == 200, r.json()
    assert r.json()["investigator"]["id"] == unit.inquiry_officer.pk

    r = head.post(
        f"/cases/{case.pk}/qualification",
        {"article": "188", "part": "2", "paragraph": "1", "reason": "Группой лиц"},
    )
    assert r.status_code == 200, r.json()
    q = r.json()["qualification"]
    assert (q["article"], q["part"], q["paragraph"]) == ("188", "2", "1")

    body = {
        "status": "victim",
        "last_name": "Сейтқали",
        "first_name": "Әлия",
        "iin": unit.investigator.iin,
        "birth_date": "1985-01-01",
        "phone": "8 701 234 56 78",
    }
    officer = client_for(unit.inquiry_officer)
    r = officer.post(f"/cases/{case.erdr_number}/participants", body)
    assert r.status_code == 201, r.json()
    person = r.json()
    assert person["phone"] == "+77012345678"
    assert person["status_label"] == "Victim"

    r = officer.patch(f"/participants/{person['id']}", {"phone": None, "address": "Алматы"})
    assert r.status_code == 200, r.json()
    assert (r.json()["phone"], r.json()["address"], r.json()["iin"]) == (
        "",
        "Алматы",
        unit.investigator.iin,
    )
    listing = officer.get(f"/cases/{case.erdr_number}/participants").json()
    assert listing["total"] == 1

    r = officer.delete(f"/participants/{person['id']}?reason=Ошибочно")
    assert r.status_code == 200, r.json()
    assert r.json()["removed_at"] is not None
    assert officer.get(f"/cases/{case.erdr_number}/participants").json()["total"] == 0
    # the old investigator lost the case with the reassignment
    assert inv.get(f"/cases/{case.erdr_number}/participants").status_code == 404


def test_removal_reason_in_the_body(unit: f.Unit) -> None:
    case = unit.case()
    inv = client_for(unit.investigator)
    person = inv.post(
        f"/cases/{case.pk}/participants",
        {"status": "witness", "last_name": "Ахметов", "first_name": "Ерлан"},
    ).json()
    r = inv.delete(f"/participants/{person['id']}")
    assert r.status_code == 422
    assert "reason" in r.json()["fields"]
    r = inv.delete(f"/participants/{person['id']}", {"reason": "Ошибочно"})
    assert r.status_code == 200, r.json()
