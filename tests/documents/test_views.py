"""The documents pages with Django's test client (signed in with force_login)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tergeu.cases.models import Case
from tergeu.documents import services
from tergeu.documents.models import DocStatus, Document
from tergeu.integrity.models import Event

from .samples import sample_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(investigator: Any) -> Client:
    client = Client()
    client.force_login(investigator)
    return client


def _draft(
    user: Any, case: Case, people: dict[str, str], code: str = "resolution_acceptance"
) -> Document:
    return services.create_draft(user, case.pk, code, sample_fields(code, people), "ru")


def test_the_case_list_is_a_fragment_for_htmx_and_a_page_otherwise(
    web: Client, case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    url = f"/cases/{case.pk}/documents/"
    fragment = web.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "<html" not in text
    assert doc.title in text
    assert f"/documents/{doc.pk}/" in text
    assert f"/cases/{case.pk}/documents/new/" in text
    page = web.get(url)
    assert "<html" in page.content.decode()
    assert doc.title in page.content.decode()


def test_a_stranger_gets_404(
    case: Case, outsider: Any, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/cases/{case.pk}/documents/").status_code == 404
    assert client.get(f"/documents/{doc.pk}/").status_code == 404
    assert client.post(f"/documents/{doc.pk}/finalise/", {"version": 1}).status_code == 404
    assert Event.objects.filter(action="access.denied", actor=outsider).count() == 3
    assert Document.objects.get(pk=doc.pk).status == DocStatus.DRAFT


def test_new_document_in_two_steps(web: Client, case: Case, people: dict[str, str]) -> None:
    url = f"/cases/{case.pk}/documents/new/"
    chooser = web.get(url)
    assert chooser.status_code == 200
    assert "Resolution on recognition as a victim" in chooser.content.decode()
    form = web.get(url, {"doc_type": "resolution_victim", "language": "ru"})
    page = form.content.decode()
    assert form.status_code == 200
    assert 'name="harm_description"' in page
    assert "Жумабеков Данияр Маратович" in page
    assert "Ким Ольга" not in page  # a witness cannot be recognised as the victim here
    response = web.post(
        url,
        {
            "doc_type": "resolution_victim",
            "language": "ru",
            **sample_fields("resolution_victim", people),
        },
    )
    doc = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/documents/{doc.pk}/"
    assert doc.language == "ru"
    assert doc.fields["harm"] == "property"


def test_service_errors_are_shown_next_to_the_fields_in_the_users_language(
    web: Client, case: Case, people: dict[str, str]
) -> None:
    fields = sample_fields("resolution_victim", people)
    fields["harm_description"] = ""
    response = web.post(
        f"/cases/{case.pk}/documents/new/",
        {"doc_type": "resolution_victim", "language": "ru", **fields},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_harm_description_error"' in page
    assert "Это поле обязательно." in page
    assert not Document.objects.exists()


def test_a_view_is_journaled_and_shows_text_and_actions(
    web: Client, case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    response = web.get(f"/documents/{doc.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Дело передано по подследственности." in page
    assert f"/documents/{doc.pk}/finalise/" in page
    assert f"/documents/{doc.pk}/edit/" in page
    assert Event.objects.filter(action="document.read", object_id=str(doc.pk)).count() == 1


def test_edit_with_the_version_and_a_double_submission(
    web: Client, case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    url = f"/documents/{doc.pk}/edit/"
    form = web.get(url).content.decode()
    assert 'name="version" value="1"' in form
    data = {"version": "1", "established": "Исправленный текст."}
    assert web.post(url, data).status_code == 302
    stale = web.post(url, {**data, "established": "Другой текст."})
    assert stale.status_code == 409
    assert "changed meanwhile" in stale.content.decode()
    doc.refresh_from_db()
    assert (doc.version, doc.fields["established"]) == (2, "Исправленный текст.")


def test_finalise_then_supersede(
    web: Client, case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    response = web.post(f"/documents/{doc.pk}/finalise/", {"version": "1"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.status == DocStatus.FINAL
    page = web.get(f"/documents/{doc.pk}/").content.decode()
    assert doc.content_sha256 in page
    assert f"/documents/{doc.pk}/supersede/" in page
    again = web.post(f"/documents/{doc.pk}/finalise/", {"version": "2"}, follow=True)
    assert "The document is already finalised." in again.content.decode()
    assert web.get(f"/documents/{doc.pk}/edit/").status_code == 302

    url = f"/documents/{doc.pk}/supersede/"
    form = web.get(url).content.decode()
    assert "Дело передано по подследственности." in form  # the old fields to start from
    missing = web.post(url, {"established": "Новый текст."})
    assert missing.status_code == 422
    assert "Give the reason for the correction." in missing.content.decode()
    done = web.post(url, {"established": "Новый текст.", "reason": "Опечатка"})
    new = Document.objects.get(supersedes=doc)
    assert done["Location"] == f"/documents/{new.pk}/"
    chain = web.get(f"/documents/{new.pk}/").content.decode()
    assert "Опечатка" in chain
    assert f"/documents/{doc.pk}/" in chain
    old_page = web.get(f"/documents/{doc.pk}/").content.decode()
    assert "A correction of this document is being drafted (No. 2)." in old_page


def test_discard_a_draft(
    web: Client, case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    response = web.post(f"/documents/{doc.pk}/discard/")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/documents/"
    assert not Document.objects.exists()


def test_pages_speak_kazakh(
    web: Client, case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _draft(investigator, case, people)
    web.cookies["tergeu_language"] = "kk"
    page = web.get(f"/documents/{doc.pk}/").content.decode()
    assert "Құжаттың мәтіні" in page
    assert "Түпкілікті ресімдеу" in page
    listing = web.get(f"/cases/{case.pk}/documents/", headers={"HX-Request": "true"})
    assert "Процестік құжаттар" in listing.content.decode()


def test_finalising_an_invalid_draft_names_the_field(
    web: Client, case: Case, investigator: Any, people: dict[str, str]
) -> None:
    from tergeu.cases.models import Participant
    from tergeu.core import clock

    doc = _draft(investigator, case, people, "resolution_victim")
    Participant.objects.filter(pk=people["victim"]).update(removed_at=clock.now())
    response = web.post(f"/documents/{doc.pk}/finalise/", {"version": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/documents/{doc.pk}/edit/"
    assert "Victim: Choose a participant of this case." in response.content.decode()
    doc.refresh_from_db()
    assert doc.status == DocStatus.DRAFT
