"""Notices of the decision on a report to the applicant (CPC art. 179-181), in their language,
by SMS and/or e-mail, with the reasons and how to appeal (CPC art. 100, 105, 106)."""

from __future__ import annotations

import pytest

from tergeu.cases.services import register_report
from tergeu.intake.services import move_to_incident, refer, send_administrative
from tergeu.notifications.models import Message
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> f.Unit:
    return f.Unit()


def test_incident_notice_by_sms_and_email_in_kazakh(unit: f.Unit) -> None:
    report = unit.report(
        applicant_phone="+77012345678", applicant_email="aliya@example.kz", applicant_language="kk"
    )
    move_to_incident(unit.duty, report.pk, reason="Азаматтық-құқықтық дау.")
    notices = list(Message.objects.filter(kind="report_incident").order_by("channel"))
    assert [(m.channel, m.recipient) for m in notices] == [
        ("email", "aliya@example.kz"),
        ("sms", "+77012345678"),
    ]
    for message in notices:
        assert message.language == "kk"
        assert message.report == report
        assert report.kui_number in message.body
        assert "Азаматтық-құқықтық дау." in message.body
        assert "тергеу судьясына" in message.body
        assert "106" in message.body


def test_referral_notice_names_the_body_in_russian(unit: f.Unit) -> None:
    other = f.org(region_code="71")
    report = unit.report(applicant_phone="+77012345678", applicant_language="ru")
    refer(
        unit.duty,
        report.pk,
        reason="Подследственно другому органу.",
        to_organisation_code=other.code,
    )
    message = Message.objects.get(kind="report_referred")
    assert message.language == "ru"
    assert other.name_ru in message.body
    assert "прокурору" in message.body
    assert "Подследственно другому органу." in message.body


def test_administrative_notice_in_english(unit: f.Unit) -> None:
    report = unit.report(applicant_email="john@example.com", applicant_language="en")
    send_administrative(unit.duty, report.pk, reason="An administrative offence (CAO art. 434).")
    message = Message.objects.get(kind="report_administrative")
    assert (message.channel, message.language) == ("email", "en")
    assert "administrative or disciplinary action" in message.body
    assert "investigating judge" in message.body


def test_registration_notice_holds_the_erdr_number(unit: f.Unit) -> None:
    report = unit.report(applicant_phone="+77012345678", applicant_language="ru")
    case = register_report(unit.duty, report.pk, article="188", part="1")
    message = Message.objects.get(kind="report_registered")
    assert case.erdr_number in message.body
    assert "ЕРДР" in message.subject
    assert message.case_id == case.pk
    assert message.language == "ru"


def test_no_contact_no_notice(unit: f.Unit) -> None:
    report = unit.report()
    move_to_incident(unit.duty, report.pk, reason="Нет признаков.")
    assert not Message.objects.exists()
