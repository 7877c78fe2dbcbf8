"""Filing a report on the public form in a real browser, for the browser tests to reuse.

``file_public_report(page, ...)`` goes through the three steps (identity, the code read
from the outbox, the report) and returns the filed :class:`Report`, with the browser on
its status page. The review-queue tests continue from there as the duty officer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect

from tergeu.core.iin import make_iin
from tergeu.intake.models import Report
from tergeu.notifications.models import Message

IIN = make_iin(dt.date(1988, 3, 8), False, 2718)
PHONE = "+77017654321"
DESCRIPTION = (
    "Вчера вечером из моей квартиры по ул. Абая, 10 похитили ноутбук Lenovo и золотое кольцо, "
    "входная дверь была взломана."
)


def switch_language(page: Any, language: str) -> None:
    """Press the language button (labelled by its code) in the header."""
    page.locator(".lang-switch").get_by_role("button", name=language.upper(), exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def code_sent_to(recipient: str) -> str:
    """The one-time code of the latest SMS or e-mail to ``recipient`` in the outbox."""
    message = Message.objects.filter(recipient=recipient, kind="otp").order_by("-created_at")[0]
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


def file_public_report(
    page: Any,
    *,
    language: str = "kk",
    iin: str = IIN,
    full_name: str = "Сейтқали Әлия Нұрланқызы",
    phone: str = PHONE,
    kind: str = "theft",
    description: str = DESCRIPTION,
    offence_at: dt.datetime | None = None,
    region: str = "75",
    district: str = "75:01",
    address: str = "Алматы, ул. Абая, 10, кв. 5",
    amount: str = "450000",
    shot: Any = None,
) -> Report:
    """File a report as a citizen with the UI in ``language``; return it (on its status page)."""
    snap = shot or (lambda _page, _name: None)
    offence_at = offence_at or (dt.datetime.now() - dt.timedelta(days=1)).replace(
        hour=21, minute=15, second=0, microsecond=0
    )
    page.goto("/report/")
    switch_language(page, language)
    expect(page).to_have_url(re.compile(r"/report/$"))
    page.locator("#id_iin").fill(iin)
    page.locator("#id_full_name").fill(full_name)
    page.locator("#id_phone").fill(phone)
    page.locator("#id_language").select_option(language)
    snap(page, f"public-identity-{language}")
    page.locator("main button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/report/code/$"))
    page.locator("#id_code").fill(code_sent_to(phone))
    snap(page, f"public-code-{language}")
    page.locator("main button[type=submit]").first.click()

    expect(page).to_have_url(re.compile(r"/report/new/$"))
    page.locator("#id_event_kind").select_option(kind)
    if kind in ("theft", "fraud", "robbery", "property_damage", "vehicle", "other"):
        expect(page.locator("#id_damage")).to_be_visible()  # HTMX swapped the questions in
        page.locator("#id_damage").check()
        page.locator("#id_amount").fill(amount)
    page.locator("#id_description").fill(description)
    page.locator("#id_offence_at").fill(offence_at.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_region_code").select_option(region)
    page.locator("#id_district").select_option(district)
    page.locator("#id_address").fill(address)
    page.locator("#id_confirm_liability").check()
    snap(page, f"public-report-{language}")
    page.locator("main button[value=submit]").click()

    expect(page).to_have_url(re.compile(r"/report/status/[\w-]+/$"))
    report = Report.objects.filter(applicant_iin=iin, submitted_online=True).latest("received_at")
    expect(page.locator("#kui-number")).to_have_text(report.kui_number)
    return report
