"""An investigator's day in a real browser: a report into the KUI, its registration in
ERDR, a participant and a procedural document in the e-case, the case's history; and
need-to-know access: an investigator of another unit cannot open the case or find it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tergeu.accounts.models import User
from tergeu.cases.models import Case
from tergeu.integrity.models import Event
from tests import factories as f

pytestmark = pytest.mark.e2e

HARM = "Похищен ноутбук Lenovo, ущерб 450 000 тенге."
FABULA = "Из квартиры по ул. Абая, 10 похищен ноутбук Lenovo стоимостью 450 000 тенге."


def english(user: User) -> User:
    """Users sign in to their own language (Russian by default); this test reads English."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def sign_in(page: Any, user: User) -> None:
    page.goto("/login/")
    field(page, "User name").fill(user.username)
    field(page, "Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def field(scope: Any, label: str) -> Any:
    """The form control labelled exactly ``label`` (Django adds a colon to labels)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def tab(page: Any, name: str) -> None:
    """Open the tab ``name`` of the case card."""
    tabs = page.get_by_role("navigation", name="Sections of the case")
    tabs.get_by_role("link", name=name, exact=True).click()
    expect(tabs.get_by_role("link", name=name, exact=True)).to_have_attribute(
        "aria-current", "page"
    )


def card_value(page: Any, term: str) -> Any:
    """The <dd> of the ERDR card's <dt> ``term``."""
    return page.locator(f"dl.card dt:text-is('{term}') + dd")


def test_investigator_registers_a_report_and_finalises_a_document(
    page: Any, live_server: Any, shot: Any
) -> None:
    unit = f.Unit()
    investigator = english(unit.investigator)
    stranger = english(f.Unit(region_code="71").investigator)
    offence_at = (dt.datetime.now() - dt.timedelta(days=1)).replace(
        hour=22, minute=30, second=0, microsecond=0
    )

    # Sign in and record a report in the KUI.
    sign_in(page, investigator)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="KUI reports"
    ).click()
    expect(page.get_by_role("heading", name="KUI reports")).to_be_visible()
    page.get_by_role("link", name="New report").click()
    expect(page.get_by_role("heading", name="New report")).to_be_visible()
    field(page, "Source").select_option("in_person")
    field(page, "Applicant").fill("Сейтқали Әлия Маратқызы")
    field(page, "Phone").fill("+77011234567")
    field(page, "What happened").fill(FABULA)
    field(page, "Time of the offence").fill(offence_at.strftime("%Y-%m-%dT%H:%M"))
    field(page, "Region").select_option("75")
    field(page, "District").select_option("75:01")
    field(page, "Place").fill("Алматы, ул. Абая, 10, кв. 5")
    shot(page, "report-new")
    page.get_by_role("button", name="Record the report").click()

    # The report's page, with its KUI number; register it in ERDR as art. 188 part 1.
    status = page.get_by_role("status")
    expect(status).to_contain_text("The report is recorded in the KUI under No.")
    heading = page.get_by_role("heading", name=re.compile(r"^Report No\. "))
    expect(heading).to_be_visible()
    kui_number = heading.inner_text().removeprefix("Report No. ").strip()
    assert re.fullmatch(r"\d{4}-\d+-\d{6}", kui_number), kui_number
    expect(page.locator("dl.card")).to_contain_text(FABULA)

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="KUI reports"
    ).click()
    page.get_by_role("link", name=kui_number).click()

    register = page.locator("#decision-register")
    # A theft reported to this body: the register form is open, filled with the proposal.
    expect(register).to_have_attribute("open", "")
    expect(field(register, "Article of the Criminal Code")).to_have_value("188")
    field(register, "Article of the Criminal Code").fill("188")
    field(register, "Part").fill("1")
    field(register, "Paragraph").fill("")  # the proposal's paragraph is of another part
    expect(field(register, "Description (fabula)")).to_have_value(FABULA)
    field(register, "Form of investigation").select_option(label="Preliminary investigation")
    shot(page, "report-register")
    register.get_by_role("button", name="Register in ERDR").click()

    # The case card: ERDR number, KUI number, qualification, fabula, form.
    expect(page).to_have_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    case_url = page.url
    expect(page.get_by_role("status")).to_contain_text("Registered in ERDR under No.")
    erdr_number = card_value(page, "ERDR number").inner_text().strip()
    assert re.fullmatch(r"\d{15}", erdr_number), erdr_number
    expect(page.get_by_role("heading", name=f"Case No. {erdr_number}")).to_be_visible()
    expect(card_value(page, "KUI number")).to_contain_text(kui_number)
    expect(card_value(page, "Qualification")).to_contain_text("188")
    expect(card_value(page, "Description (fabula)")).to_have_text(FABULA)
    expect(card_value(page, "Form of investigation")).to_have_text("Preliminary investigation")
    expect(card_value(page, "Investigator")).to_contain_text(investigator.last_name)
    case = Case.objects.get(erdr_number=erdr_number)
    assert case_url.endswith(f"/cases/{case.pk}/")
    shot(page, "case-card")

    # Participants: the applicant becomes the victim.
    tab(page, "Participants")
    add = page.locator("#add-participant")
    add.locator("summary").click()
    field(add, "Procedural status").select_option("victim")
    field(add, "Last name").fill("Сейтқали")
    field(add, "First name").fill("Әлия")
    field(add, "Patronymic").fill("Маратқызы")
    add.get_by_role("button", name="Add", exact=True).click()
    victim_row = page.get_by_role("row").filter(has_text="Сейтқали Әлия")
    expect(victim_row).to_contain_text("Victim")
    shot(page, "participants")

    # Documents: a resolution on recognition as a victim, drafted and finalised.
    tab(page, "Documents")
    documents = page.locator("#case-documents")
    expect(documents.get_by_role("heading", name="Procedural documents")).to_be_visible()
    expect(documents).to_contain_text("No documents yet.")
    documents.get_by_role("link", name="New document").click()
    expect(page.get_by_role("heading", name="New document")).to_be_visible()
    field(page, "Type of document").select_option(label="Resolution on recognition as a victim")
    field(page, "Language of the document").select_option("ru")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Resolution on recognition as a victim")
    ).to_be_visible()
    field(page, "Victim").select_option(label="Сейтқали Әлия Маратқызы (Victim)")
    field(page, "Kind of harm").select_option("property")
    field(page, "Description and amount of the harm").fill(HARM)
    field(page, "Established circumstances").fill(FABULA)
    shot(page, "document-form")
    page.get_by_role("button", name="Save the draft").click()

    expect(page.get_by_role("status")).to_contain_text("The draft is saved.")
    expect(page).to_have_url(re.compile(r"/documents/[0-9a-f-]{36}/$"))
    document_url = page.url
    head = page.locator(".page-head")
    expect(head.get_by_role("heading", level=1)).to_contain_text("No. 1")
    expect(head.locator(".badge")).to_have_text("Draft")
    text = page.locator("pre")
    expect(text).to_contain_text("Сейтқали")
    expect(text).to_contain_text(HARM)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_be_visible()
    shot(page, "document-draft")
    page.get_by_role("button", name="Finalise").click()

    expect(page.get_by_role("status")).to_contain_text("The document is finalised")
    expect(head.locator(".badge")).to_have_text("Finalised")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Finalise")).to_have_count(0)
    expect(page.get_by_role("button", name="Discard the draft")).to_have_count(0)
    expect(page.get_by_role("link", name="Correct (supersede)")).to_be_visible()
    expect(page.locator("dd.mono")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(text).to_contain_text(HARM)
    shot(page, "document-final")

    page.goto(case_url + "?tab=documents")
    document_path = document_url.removeprefix(live_server.url)
    row = (
        page.locator("#case-documents")
        .get_by_role("row")
        .filter(has=page.locator(f"a[href='{document_path}']"))
    )
    expect(row).to_contain_text("Finalised")
    expect(row.locator("td").first).to_have_text("1")
    shot(page, "case-documents")

    # History: registration, grants, the participant and the document are journaled.
    tab(page, "History")
    history = page.locator("section.tab-panel table")
    expect(history).to_contain_text("Registered in ERDR")
    expect(history).to_contain_text(erdr_number)
    expect(history).to_contain_text("Participant added")
    expect(history).to_contain_text("Сейтқали Әлия Маратқызы (Victim)")
    expect(history).to_contain_text("Document drafted")
    expect(history).to_contain_text("Document finalised")
    shot(page, "history")

    # The case is in the investigator's list.
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My cases"
    ).click()
    expect(page.get_by_role("link", name=erdr_number)).to_be_visible()
    shot(page, "my-cases")
    sign_out(page)

    # An investigator of another unit: the case does not exist for them.
    sign_in(page, stranger)
    response = page.goto(case_url)
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    shot(page, "not-found")
    content = page.content()
    assert erdr_number not in content
    assert FABULA not in content
    assert kui_number not in content
    for url in (document_url, case_url + "documents/", case_url + "?tab=history"):
        response = page.goto(url)
        assert response is not None
        assert response.status == 404, url
        assert erdr_number not in page.content()
        assert HARM not in page.content()
    page.goto("/cases/")
    expect(page.get_by_text("No cases found.")).to_be_visible()
    assert erdr_number not in page.content()
    page.goto(f"/cases/?q={erdr_number}")
    expect(page.get_by_text("No cases found.")).to_be_visible()
    assert Event.objects.filter(action="access.denied", case_id=case.pk, actor=stranger).exists()
