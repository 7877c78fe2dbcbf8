"""KUI through the forms: record a report, decide on it within 24 hours, register in ERDR."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tergeu.accounts.models import Role
from tergeu.cases.models import Case, Stage
from tergeu.core import clock
from tergeu.intake.models import Report, ReportStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def _new_report(**extra: str) -> dict[str, str]:
    data = {
        "source": "in_person",
        "received_at": "",
        "applicant_name": "Сейтқали Әлия",
        "applicant_iin": "",
        "applicant_phone": "+7 701 111 22 33",
        "applicant_email": "",
        "applicant_language": "kk",
        "description": "Из квартиры похищен ноутбук.",
        "offence_at": "",
        "region": "",
        "district": "",
        "address": "Алматы",
    }
    data.update(extra)
    return data


def _register(**extra: Any) -> dict[str, Any]:
    data = {
        "register-article": "188",
        "register-part": "2",
        "register-paragraph": "1",
        "register-fabula": "Тайное хищение ноутбука из квартиры.",
        "register-offence_at": "",
        "register-investigator": "",
        "register-form": "preliminary",
    }
    data.update(extra)
    return data


def test_kui_flow_record_then_register(unit: f.Unit, signed_in: Any) -> None:
    client = signed_in(unit.duty)
    response = client.post("/reports/new/", _new_report(), follow=True)
    report = Report.objects.get()
    assert response.redirect_chain[-1][0] == f"/reports/{report.pk}/"
    html = response.content.decode()
    assert f"The report is recorded in the KUI under No. {report.kui_number}." in html
    assert "Awaiting decision" in html
    assert "23 h 59 min" in html or "24 h 00 min" in html
    assert report.applicant_phone == "+77011112233"

    data = _register(**{"register-investigator": str(unit.inquiry_officer.pk)})
    response = client.post(f"/reports/{report.pk}/register/", data, follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == f"/cases/{case.pk}/"
    html = response.content.decode()
    assert f"Registered in ERDR under No. {case.erdr_number}." in html
    assert case.investigator == unit.inquiry_officer
    assert (case.article_id, case.paragraph, case.stage) == ("188", "1", Stage.INVESTIGATION)
    report.refresh_from_db()
    assert report.status == ReportStatus.REGISTERED
    html = client.get(f"/reports/{report.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/"' in html
    assert "/register/" not in html  # no decision forms once decided


def test_investigators_to_choose_are_of_the_body(unit: f.Unit, signed_in: Any) -> None:
    report = unit.report()
    other = f.Unit(district_code="02")
    html = signed_in(unit.duty).get(f"/reports/{report.pk}/").content.decode()
    assert str(unit.investigator) in html
    assert str(unit.inquiry_officer) in html
    assert str(other.investigator) not in html
    response = signed_in(unit.duty).post(
        f"/reports/{report.pk}/register/",
        _register(**{"register-investigator": str(other.investigator.pk)}),
    )
    assert "Select a valid choice." in response.content.decode()
    assert not Case.objects.exists()


def test_bad_qualification_shows_the_message_and_registers_nothing(
    unit: f.Unit, signed_in: Any
) -> None:
    report = unit.report()
    client = signed_in(unit.duty)
    response = client.post(f"/reports/{report.pk}/register/", _register(**{"register-part": "9"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Article 188 has no part 9" in html
    assert 'id="decision-register" open' in html
    assert 'id="id_register-part_error"' in html
    response = client.post(
        f"/reports/{report.pk}/register/", _register(**{"register-article": "1"})
    )
    assert "does not define a criminal offence" in response.content.decode()
    assert not Case.objects.exists()
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


def test_bad_report_shows_the_messages_and_records_nothing(unit: f.Unit, signed_in: Any) -> None:
    client = signed_in(unit.duty)
    response = client.post(
        "/reports/new/",
        _new_report(applicant_name="", applicant_iin="123", description=""),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert not Report.objects.exists()
    future = (clock.local(clock.now()) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/reports/new/", _new_report(applicant_name="", offence_at=future))
    html = response.content.decode()
    assert "Name the applicant (or choose officer&#x27;s report)." in html
    assert 'id="id_offence_at_error"' in html
    assert not Report.objects.exists()


def test_place_of_the_report(unit: f.Unit, signed_in: Any) -> None:
    client = signed_in(unit.duty)
    response = client.post("/reports/new/", _new_report(district="75:01"))
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.region_id, report.district.code if report.district else "") == ("75", "01")


@pytest.mark.parametrize(
    ("decision", "extra", "status"),
    [
        ("incident", {}, ReportStatus.INCIDENT),
        ("administrative", {}, ReportStatus.ADMINISTRATIVE),
        ("refer", {"refer-to_text": "Департамент госдоходов"}, ReportStatus.REFERRED),
    ],
)
def test_other_decisions(
    decision: str, extra: dict[str, str], status: str, unit: f.Unit, signed_in: Any
) -> None:
    report = unit.report()
    client = signed_in(unit.duty)
    url = f"/reports/{report.pk}/{decision}/"
    html = client.post(url, {f"{decision}-reason": "", **extra}).content.decode()
    assert "This field is required." in html
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW
    response = client.post(url, {f"{decision}-reason": "Нет признаков", **extra}, follow=True)
    assert "The decision on the report is recorded." in response.content.decode()
    report.refresh_from_db()
    assert report.status == status
    assert report.decision_reason == "Нет признаков"
    response = client.post(url, {f"{decision}-reason": "Ещё раз", **extra}, follow=True)
    assert "This report has already been decided." in response.content.decode()


def test_referral_to_a_body_of_the_list(unit: f.Unit, signed_in: Any) -> None:
    report = unit.report()
    target = f.org()
    client = signed_in(unit.duty)
    html = client.post(
        f"/reports/{report.pk}/refer/", {"refer-reason": "Подследственность"}
    ).content.decode()
    assert "Name the body the report is referred to." in html
    response = client.post(
        f"/reports/{report.pk}/refer/",
        {"refer-reason": "Подследственность", "refer-to_organisation": target.code},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.referred_to == target


def test_list_shows_time_left_and_overdue(unit: f.Unit, signed_in: Any) -> None:
    now = clock.now()
    fresh = unit.report(received_at=now - dt.timedelta(hours=2))
    late = unit.report(received_at=now - dt.timedelta(hours=25, minutes=30))
    html = signed_in(unit.duty).get("/reports/").content.decode()
    assert fresh.kui_number in html
    assert late.kui_number in html
    assert "21 h 59 min" in html or "22 h 00 min" in html
    assert "overdue by 1 h 30 min" in html or "overdue by 1 h 29 min" in html
    assert html.count('class="overdue"') == 1
    html = signed_in(unit.duty).get("/reports/", {"status": "registered"}).content.decode()
    assert fresh.kui_number not in html


def test_reports_of_another_body_are_404(unit: f.Unit, signed_in: Any) -> None:
    report = unit.report()
    other = f.Unit(district_code="02")
    client = signed_in(other.duty)
    assert report.kui_number not in client.get("/reports/").content.decode()
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    response = client.post(f"/reports/{report.pk}/incident/", {"incident-reason": "x"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


def test_roles_that_do_not_record_reports(signed_in: Any) -> None:
    prosecutor = f.user(Role.PROSECUTOR, f.org("prosecutor"))
    client = signed_in(prosecutor)
    assert "No reports." in client.get("/reports/").content.decode()
    response = client.post("/reports/new/", _new_report())
    assert "You are not allowed to do this." in response.content.decode()
    assert not Report.objects.exists()


def test_article_search_fragment(unit: f.Unit, signed_in: Any) -> None:
    client = signed_in(unit.duty)
    html = client.get("/reports/articles/", {"register-article": "188"}).content.decode()
    assert '<option value="188">188. Кража</option>' in html
    assert "<html" not in html
    html = client.get("/reports/articles/", {"q": "кража"}).content.decode()
    assert '<option value="188">' in html
    html = client.get("/reports/articles/", {"q": "zzzz"}).content.decode()
    assert "No article of the Special Part matches." in html
    report = unit.report()
    html = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'hx-get="/reports/articles/"' in html
    assert 'list="article-options"' in html
