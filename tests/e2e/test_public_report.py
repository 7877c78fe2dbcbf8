"""A citizen files a report in Kazakh on the public form (JavaScript on: HTMX shows the
questions of the chosen kind), reads the code from the outbox, and sees the status page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tergeu.notifications.models import Message
from tests import factories as f

from .public_report import PHONE, file_public_report

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
