"""Messages and labels follow Accept-Language: Kazakh, Russian, English."""

from __future__ import annotations

import pytest

from tests import factories as f

from .conftest import ApiClient, client_for, report_body

pytestmark = pytest.mark.django_db

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
KK = {"HTTP_ACCEPT_LANGUAGE": "kk"}


def test_validation_messages_in_russian_and_kazakh(unit: f.Unit) -> None:
    duty = client_for(unit.duty)
    body = report_body(applicant_iin="12345", description="")
    ru = duty.post("/reports", body, **RU).json()
    assert ru["message"] == "Исправьте, пожалуйста, ошибки ниже."
    assert ru["fields"]["applicant_iin"] == ["ИИН состоит ровно из 12 цифр."]
    assert ru["fields"]["description"] == ["Это поле обязательно."]
    kk = duty.post("/reports", body, **KK).json()
    assert kk["message"] == "Төмендегі қателерді түзетіңіз."
    assert kk["fields"]["applicant_iin"] == ["ЖСН дәл 12 цифрдан тұрады."]
    en = duty.post("/reports", body, HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["fields"]["applicant_iin"] == ["An IIN has exactly 12 digits."]


def test_schema_errors_are_translated_too(unit: f.Unit) -> None:
    duty = client_for(unit.duty)
    body = report_body(offence_at="2025-01-10T22:00:00", address="x" * 501)
    kk = duty.post("/reports", body, **KK).json()
    assert kk["fields"]["offence_at"] == [
        "Уақыт белдеуін көрсетіңіз, мысалы 2025-01-31T14:30:00+05:00."
    ]
    assert kk["fields"]["address"] == ["Ең көбі 500 таңба."]
    ru = duty.get("/reports?size=500", **RU).json()
    assert ru["fields"]["size"] == ["Наибольшее допустимое значение: 200."]


def test_rule_violation_and_labels_in_kazakh(unit: f.Unit) -> None:
    case = unit.case()
    inv = client_for(unit.investigator)
    r = inv.post(f"/cases/{case.pk}/moves", {"transition": "resume", "reason": "x"}, **KK)
    assert r.status_code == 409
    assert r.json()["message"] == (
        "Іс «Тергелуде» сатысында тұрғанда «Тергеп-тексеруді қайта бастау» мүмкін емес."
    )
    assert r.json()["rule"] == "CPC art. 45(9)"
    card = inv.get(f"/cases/{case.pk}", **KK).json()
    assert card["stage_label"] == "Тергелуде"
    assert card["form_label"] == "Алдын ала тергеу"
    labels = {t["name"]: t["label"] for t in card["available_transitions"]}
    assert labels["interrupt"] == "Тергеп-тексеру мерзімдерін үзу"
    grounds = next(t for t in card["available_transitions"] if t["name"] == "interrupt")["grounds"]
    assert grounds[0]["label"] == "Қылмыстық құқық бұзушылық жасаған адам анықталмаған"
    card = inv.get(f"/cases/{case.pk}", **RU).json()
    assert card["stage_label"] == "Расследуется"


def test_refusals_in_russian(unit: f.Unit) -> None:
    r = ApiClient().get("/cases", **RU)
    assert r.status_code == 401
    assert r.json()["message"].startswith("Войдите в систему")
    stranger = client_for(f.Unit(district_code="02").investigator)
    r = stranger.get(f"/cases/{unit.case().pk}", **RU)
    assert r.json() == {"code": "not_found", "message": "Не найдено."}
    r = client_for(unit.judge).post("/reports", report_body(), **KK)
    assert r.json()["message"] == "Бұл әрекетке құқығыңыз жоқ."


def test_report_labels(unit: f.Unit) -> None:
    duty = client_for(unit.duty)
    report = duty.post("/reports", report_body(), **RU).json()
    assert (report["source_label"], report["status_label"]) == ("Лично", "Ожидает решения")
    report = duty.get(f"/reports/{report['id']}", **KK).json()
    assert (report["source_label"], report["status_label"]) == ("Жеке өзі", "Шешім күтілуде")


def test_answers_are_utf8_json_not_escapes(unit: f.Unit) -> None:
    r = client_for(unit.duty).post("/reports", report_body(), **KK)
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert "Сейтқали Әлия".encode() in r.content
