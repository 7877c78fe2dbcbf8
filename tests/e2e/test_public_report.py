"""A citizen files a report in Kazakh on the public form (JavaScript on: HTMX shows the
questions of the chosen kind), reads the code from the outbox, and sees the status page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tergeu.cases.models import Case
from tergeu.integrity.models import Event
from tergeu.notifications.models import Message
from tests import factories as f

from .public_report import PHONE, file_public_report, switch_language
from .test_investigator_flow import english, field, sign_in

pytestmark = pytest.mark.e2e


def test_citizen_files_a_report_in_kazakh(page: Any, shot: Any) -> None:
    unit = f.Unit()
    report = file_public_report(page, language="kk", shot=shot)

    assert report.organisation == unit.police
    assert report.recorded_by is None
    assert report.facts["amount"] == "450000.00"
    ack = Message.objects.get(kind="report_received", recipient=PHONE)
    assert ack.language == "kk"
    assert report.tracking_number in ack.body

    with translation.override("kk"):
        received = str(translation.gettext("Report received"))
        heading = str(translation.gettext("Report %(number)s")) % {"number": report.tracking_number}
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("#decision-clock")).to_be_visible()
    expect(page.locator("#notices")).to_contain_text(received)
    expect(page.get_by_role("status")).to_contain_text(report.tracking_number)
    shot(page, "public-status-kk")


KAZAKH_THEFT = (
    "Кеше кешке Абай көшесі 10 мекенжайындағы пәтерімнің есігін бұзып кіріп, Lenovo "
    "ноутбугі мен алтын сақинаны ұрлап кетті."
)


def test_duty_officer_registers_a_kazakh_report_with_the_proposed_qualification(
    page: Any, shot: Any
) -> None:
    """Issue 4: a citizen files in Kazakh; the duty officer registers it as proposed."""
    unit = f.Unit()
    report = file_public_report(page, language="kk", description=KAZAKH_THEFT, shot=shot)
    top = report.assessment["candidates"][0]
    assert report.assessment["kind"] == "crime"
    assert report.assessment["language"] == "kk"

    page.goto("/login/")
    switch_language(page, "en")  # the citizen left the browser in Kazakh
    sign_in(page, english(unit.duty))
    page.goto("/reports/?status=new")
    row = page.locator("tr", has=page.get_by_role("link", name=report.kui_number))
    expect(row).to_contain_text(f"Art. {top['article']}")
    row.get_by_role("link", name=report.kui_number).click()

    panel = page.locator("#proposals")
    expect(panel).to_contain_text("Proposals of the software")
    expect(panel.locator(".candidate").first).to_contain_text(top["quote"].splitlines()[0])
    form = page.locator("#decision-register")
    expect(form).to_have_attribute("open", "")
    expect(field(form, "Article of the Criminal Code")).to_have_value(top["article"])
    expect(field(form, "Part")).to_have_value(top["part"])
    shot(page, "review-report-en")
    form.locator("button[type=submit]").click()

    case = Case.objects.get(report=report)
    expect(page.locator("h1")).to_contain_text(case.erdr_number)
    assert (case.article_id, case.part.number if case.part else "") == (
        top["article"],
        top["part"],
    )
    review = json.loads(Event.objects.get(action="report.reviewed").payload)["data"]
    assert review["article_rank"] == 1
    assert review["part_agreed"] is True
    notice = Message.objects.get(kind="report_registered", recipient=PHONE)
    assert notice.language == "kk"
    assert case.erdr_number in notice.body
