"""My cases and the case card: need-to-know access, search and filters, tabs, stage moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from tergeu.accounts.models import Role
from tergeu.cases.models import Case, Stage
from tergeu.cases.services import add_participant, register_report
from tergeu.core import clock
from tergeu.integrity.models import Event
from tergeu.web import history
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db: Any) -> f.Unit:
    """A unit in another district, with cases of its own."""
    return f.Unit(district_code="02")


def test_list_shows_only_granted_cases(unit: f.Unit, other: f.Unit, signed_in: Any) -> None:
    mine = unit.case()
    theirs = other.case()
    html = signed_in(unit.investigator).get("/cases/").content.decode()
    assert mine.erdr_number in html
    assert theirs.erdr_number not in html
    html = signed_in(other.investigator).get("/cases/").content.decode()
    assert theirs.erdr_number in html
    assert mine.erdr_number not in html


def test_a_person_without_cases_sees_an_empty_list(unit: f.Unit, signed_in: Any) -> None:
    unit.case()
    stranger = f.user("investigator", f.org())
    html = signed_in(stranger).get("/cases/").content.decode()
    assert "No cases found." in html
    assert "0 cases found" in html


def test_card_of_a_case_without_grant_is_404_and_journaled(
    unit: f.Unit, other: f.Unit, signed_in: Any
) -> None:
    case = unit.case()
    client = signed_in(other.investigator)
    for path in (f"/cases/{case.pk}/", f"/cases/{case.pk}/?tab=history"):
        response = client.get(path)
        assert response.status_code == 404
        html = response.content.decode()
        assert case.erdr_number not in html
        assert case.fabula not in html
        assert "Page not found" in html
    denied = Event.objects.filter(action="access.denied", actor=other.investigator)
    assert denied.count() == 2


def test_moves_on_a_case_without_grant_are_404_and_change_nothing(
    unit: f.Unit, other: f.Unit, signed_in: Any
) -> None:
    case = unit.case()
    client = signed_in(other.investigator)
    response = client.post(f"/cases/{case.pk}/move/interrupt/", {"interrupt-ground": "45.7.1"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION


def test_unknown_case_is_404(unit: f.Unit, signed_in: Any) -> None:
    client = signed_in(unit.investigator)
    assert client.get("/cases/01234567-89ab-7def-8123-456789abcdef/").status_code == 404
    assert client.get("/cases/not-a-uuid/").status_code == 404


def _numbers(html: str, cases: list[Case]) -> set[str]:
    return {c.erdr_number for c in cases if c.erdr_number in html}


def test_search_and_filters(unit: f.Unit, signed_in: Any) -> None:
    theft = unit.case(article="188", part="1")
    robbery = unit.case(article="191", part="1", fabula="Открыто похищен телефон у прохожего.")
    fraud = unit.case(article="190", part="1", form="")
    add_participant(
        unit.investigator,
        theft.pk,
        status="victim",
        last_name="Жұмабаева",
        first_name="Гүлнар",
        iin="",
    )
    everything = [theft, robbery, fraud]
    client = signed_in(unit.investigator)

    def found(**params: str) -> set[str]:
        return _numbers(client.get("/cases/", params).content.decode(), everything)

    assert found() == {c.erdr_number for c in everything}
    assert found(q=robbery.erdr_number) == {robbery.erdr_number}
    assert found(q="191") == {robbery.erdr_number}
    assert found(q="Жұмабаева") == {theft.erdr_number}
    assert found(q="телефон") == {robbery.erdr_number}
    assert found(article="190") == {fraud.erdr_number}
    assert found(stage=Stage.REGISTERED) == {fraud.erdr_number}
    today = clock.local(clock.now()).date()
    assert found(date_from=today.isoformat(), date_to=today.isoformat()) == {
        c.erdr_number for c in everything
    }
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert found(date_from=tomorrow) == set()


def test_search_by_iin(unit: f.Unit, signed_in: Any) -> None:
    from tergeu.core.iin import make_iin

    case = unit.case()
    unit.case()
    iin = make_iin(dt.date(1990, 5, 31), False, 42)
    add_participant(
        unit.investigator, case.pk, status="witness", last_name="А", first_name="Б", iin=iin
    )
    html = signed_in(unit.investigator).get("/cases/", {"q": iin}).content.decode()
    assert "1 case found" in html
    assert case.erdr_number in html


def test_bad_filter_shows_the_message(unit: f.Unit, signed_in: Any) -> None:
    unit.case()
    client = signed_in(unit.investigator)
    html = client.get("/cases/", {"date_from": "2026-11-10", "date_to": "2026-11-01"}).content
    assert "The end of the period is before its beginning." in html.decode()
    html = client.get("/cases/", {"date_from": "yesterday"}).content.decode()
    assert "Enter a valid date." in html


def test_list_is_paginated(unit: f.Unit, signed_in: Any) -> None:
    from tergeu.web.views.common import PAGE_SIZE

    cases = [unit.case() for _ in range(PAGE_SIZE + 2)]
    client = signed_in(unit.investigator)
    first = client.get("/cases/").content.decode()
    second = client.get("/cases/", {"page": "2"}).content.decode()
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second
    assert cases[0].erdr_number in second  # oldest last
    assert cases[0].erdr_number not in first
    assert cases[-1].erdr_number in first


def test_htmx_filter_returns_only_the_results(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    response = signed_in(unit.investigator).get(
        "/cases/", {"q": case.erdr_number}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-results"
    )
    html = response.content.decode()
    assert html.startswith('<div id="case-results">')
    assert "<html" not in html
    assert case.erdr_number in html
    response = signed_in(unit.investigator).get(
        "/cases/", {"date_from": "never"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-results"
    )
    assert "Registered from: Enter a valid date." in response.content.decode()


def test_card_tab_shows_the_erdr_card(unit: f.Unit, signed_in: Any) -> None:
    offence = dt.datetime(2026, 11, 1, 17, 30, tzinfo=dt.UTC)  # 22:30 in Almaty
    case = unit.case(article="188", part="2", paragraph="1", offence_at=offence)
    html = signed_in(unit.investigator).get(f"/cases/{case.pk}/").content.decode()
    assert case.erdr_number in html
    assert case.report is not None
    assert case.report.kui_number in html
    assert unit.police.name_en in html
    assert "01.11.2026 22:30" in html
    assert "Art. 188(2)(1) CC" in html
    assert "Кража" in html
    assert case.fabula in html
    assert "Preliminary investigation" in html
    assert str(unit.investigator) in html
    assert str(unit.prosecutor) in html
    assert 'aria-current="page">Card<' in html


def test_card_offers_only_the_moves_allowed_to_the_user(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    html = signed_in(unit.investigator).get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/move/interrupt/" in html
    assert f"/cases/{case.pk}/move/send_to_prosecutor/" in html
    assert "/move/send_to_court/" not in html
    html = signed_in(unit.prosecutor).get(f"/cases/{case.pk}/").content.decode()
    assert "/move/" not in html
    assert "No procedural actions are open to you at this stage." in html


def test_move_with_a_ground_changes_the_stage(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    client = signed_in(unit.investigator)
    response = client.post(
        f"/cases/{case.pk}/move/interrupt/",
        {"interrupt-ground": "45.7.1", "interrupt-version": case.version},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.stage == Stage.INTERRUPTED
    html = response.content.decode()
    assert "Done: Interrupt the terms of investigation." in html
    assert f"/cases/{case.pk}/move/resume/" in html


def test_move_without_its_ground_shows_the_error_and_changes_nothing(
    unit: f.Unit, signed_in: Any
) -> None:
    case = unit.case()
    client = signed_in(unit.investigator)
    response = client.post(f"/cases/{case.pk}/move/interrupt/", {"interrupt-ground": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert 'id="move-interrupt" open' in html
    response = client.post(
        f"/cases/{case.pk}/move/join/", {"join-target_case": "999", "join-reason": "Одно лицо"}
    )
    assert "No case with this ERDR number among your cases." in response.content.decode()
    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.INVESTIGATION, 1)


def test_stale_version_is_a_conflict(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    client = signed_in(unit.investigator)
    response = client.post(
        f"/cases/{case.pk}/move/interrupt/",
        {"interrupt-ground": "45.7.1", "interrupt-version": "7"},
    )
    assert "The case was changed by someone else meanwhile" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION


def test_move_the_grant_does_not_allow_is_refused_on_the_form(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    client = signed_in(unit.prosecutor)
    response = client.post(f"/cases/{case.pk}/move/terminate/", {"terminate-ground": "35.1.1"})
    assert response.status_code == 200
    assert "You are not allowed to do this." in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION
    assert client.post(f"/cases/{case.pk}/move/teleport/").status_code == 404


def test_history_tab_lists_the_events_readably(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    client = signed_in(unit.investigator)
    client.post(f"/cases/{case.pk}/move/interrupt/", {"interrupt-ground": "45.7.3"})
    html = client.get(f"/cases/{case.pk}/?tab=history").content.decode()
    assert "Registered in ERDR" in html
    assert f"No. {case.erdr_number}, Art. 188(1) CC" in html
    assert "Access granted" in html
    assert "Interrupt the terms of investigation" in html
    assert "45.7.3: The suspect or accused has absconded" in html
    assert str(unit.investigator) in html


def test_documents_tab_loads_the_fragment_with_a_link_fallback(
    unit: f.Unit, signed_in: Any
) -> None:
    case = unit.case()
    html = signed_in(unit.investigator).get(f"/cases/{case.pk}/?tab=documents").content.decode()
    assert f'hx-get="/cases/{case.pk}/documents/"' in html
    assert f'<a href="/cases/{case.pk}/documents/">' in html


def test_change_of_qualification(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case(article="188", part="1")
    client = signed_in(unit.investigator)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/qualification/" in html
    url = f"/cases/{case.pk}/qualification/"
    data = {"requalify-article": "188", "requalify-part": "9", "requalify-reason": "Ущерб"}
    html = client.post(url, data).content.decode()
    assert "Article 188 has no part 9" in html
    assert 'id="action-requalify" open' in html
    html = client.post(url, {**data, "requalify-part": "2", "requalify-reason": ""}).content
    assert "This field is required." in html.decode()
    case.refresh_from_db()
    assert (case.part.number if case.part else "", case.version) == ("1", 1)
    response = client.post(url, {**data, "requalify-part": "2", "requalify-paragraph": "4"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.article_id, case.paragraph) == ("188", "4")
    html = client.get(f"/cases/{case.pk}/?tab=history").content.decode()
    assert "Qualification changed" in html
    assert "from Art. 188(1) CC to Art. 188(2)(4) CC: Ущерб" in html


def test_head_of_unit_assigns_the_investigator(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    html = signed_in(unit.investigator).get(f"/cases/{case.pk}/").content.decode()
    assert "/assign/" not in html
    client = signed_in(unit.head)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/assign/" in html
    response = client.post(f"/cases/{case.pk}/assign/", {"assign-investigator": ""})
    assert "This field is required." in response.content.decode()
    response = client.post(
        f"/cases/{case.pk}/assign/", {"assign-investigator": str(unit.inquiry_officer.pk)}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.investigator == unit.inquiry_officer
    html = signed_in(unit.investigator).get("/cases/").content.decode()
    assert case.erdr_number not in html  # the old investigator's grant is revoked


@pytest.mark.parametrize(
    ("language", "stored", "shown"),
    [
        ("ru", "188 ч.2 п.1", "ст. 188 ч. 2 п. 1 УК РК"),
        ("kk", "188 ч.2 п.1", "188-бап 2-бөлік 1-тармақ"),
        ("en", "188 ч.2", "Art. 188(2) CC"),
        ("en", "188", "Art. 188 CC"),
        ("en", "188 п.3", "Art. 188 para. 3 CC"),
        ("en", "", ""),
        ("en", "not a qualification", "not a qualification"),
    ],
)
def test_requalification_in_the_history_is_in_the_active_language(
    language: str, stored: str, shown: str
) -> None:
    with translation.override(language):
        assert history._stored_qualification(stored) == shown


def test_history_shows_the_allocation_accepted_or_overridden(unit: f.Unit, signed_in: Any) -> None:
    accepted = unit.case()
    html = signed_in(unit.investigator).get(f"/cases/{accepted.pk}/?tab=history").content
    assert "Officer proposed" in html.decode()
    assert "Proposed officer accepted" in html.decode()
    second = f.user(Role.INVESTIGATOR, unit.police)
    report = unit.report()
    proposed = report.allocation_proposal["officer"]["user"]
    chosen = second if proposed != second.pk else unit.investigator
    other = unit.investigator if chosen == second else second
    case = register_report(
        unit.duty,
        report.pk,
        article="188",
        part="1",
        form="preliminary",
        investigator_id=chosen.pk,
        allocation_reason="Знает потерпевшего по прошлому делу.",
    )
    html = signed_in(unit.head).get(f"/cases/{case.pk}/?tab=history").content.decode()
    assert "Another officer chosen" in html
    assert f"{chosen} instead of {other}: Знает потерпевшего по прошлому делу." in html
