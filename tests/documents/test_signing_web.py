"""Signed documents in the pages and the API: the PDF, verified signatures, countersigning."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client
from ninja.testing import TestClient

from tergeu.cases.models import Case
from tergeu.core import blobs
from tergeu.documents import services
from tergeu.documents.models import Document, DocumentSignature
from tergeu.documents.signatures import latest_pdf_sha256
from tergeu.integrity.journal import payload_of
from tergeu.integrity.models import Event

from .samples import sample_fields
from .test_api import _api

pytestmark = pytest.mark.django_db

ACCEPT = "resolution_acceptance"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _final(user: Any, case: Case, people: dict[str, str]) -> Document:
    doc = services.create_draft(user, case.pk, ACCEPT, sample_fields(ACCEPT, people), "ru")
    return services.finalise(user, doc.pk, version=1)


def test_the_page_shows_the_signature_and_the_pdf_downloads(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    web = _client(investigator)
    draft = services.create_draft(investigator, case.pk, ACCEPT, sample_fields(ACCEPT, people))
    page = web.get(f"/documents/{draft.pk}/").content.decode()
    assert f"/documents/{draft.pk}/pdf/" in page  # a preview of the draft
    preview = web.get(f"/documents/{draft.pk}/pdf/")
    assert preview["Content-Type"] == "application/pdf"
    assert preview.content.startswith(b"%PDF-")
    assert b"/ByteRange" not in preview.content  # not signed

    response = web.post(f"/documents/{draft.pk}/finalise/", {"version": "1"}, follow=True)
    text = response.content.decode()
    assert "The document is finalised and signed" in text
    assert "Signatures" in text
    assert "Verifies" in text
    assert "Does not verify" not in text
    assert "Sign as approval" not in text  # the investigator is not the head
    sha = latest_pdf_sha256(Document.objects.get(pk=draft.pk))
    assert sha in text

    before = Event.objects.filter(action="document.read").count()
    pdf = web.get(f"/documents/{draft.pk}/pdf/?download=1")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{case.erdr_number}-1.pdf"'
    assert pdf["Cache-Control"] == "private, no-store"
    assert hashlib.sha256(pdf.content).hexdigest() == sha
    reads = Event.objects.filter(action="document.read").order_by("seq")
    assert reads.count() == before + 1
    data = payload_of(reads.last())["data"]  # type: ignore[arg-type]
    assert (data["purpose"], data["pdf_sha256"]) == ("pdf", sha)


def test_a_stranger_gets_no_pdf(
    case: Case, investigator: Any, outsider: Any, people: dict[str, str]
) -> None:
    doc = _final(investigator, case, people)
    assert _client(outsider).get(f"/documents/{doc.pk}/pdf/").status_code == 404
    denial = Event.objects.filter(action="access.denied").last()
    assert denial is not None
    assert payload_of(denial)["data"]["attempted"] == "case.view"


def test_the_head_signs_from_the_page_then_the_prosecutor(
    case: Case, investigator: Any, head: Any, prosecutor: Any, people: dict[str, str]
) -> None:
    doc = _final(investigator, case, people)
    web = _client(head)
    page = web.get(f"/documents/{doc.pk}/").content.decode()
    assert "Sign as approval" in page
    assert "Sign as prosecutor" not in page
    response = web.post(f"/documents/{doc.pk}/countersign/", {"role": "approval"}, follow=True)
    text = response.content.decode()
    assert "Your signature is added to the document." in text
    assert "Sign as approval" not in text
    assert text.count("Verifies") == 2

    web = _client(prosecutor)
    assert "Sign as prosecutor" in web.get(f"/documents/{doc.pk}/").content.decode()
    wrong = web.post(f"/documents/{doc.pk}/countersign/", {"role": "approval"})
    assert wrong.status_code == 403
    response = web.post(f"/documents/{doc.pk}/countersign/", {"role": "prosecutor"}, follow=True)
    text = response.content.decode()
    assert text.count("Verifies") == 3
    again = web.post(f"/documents/{doc.pk}/countersign/", {"role": "prosecutor"}, follow=True)
    assert "The document already bears this signature." in again.content.decode()
    assert DocumentSignature.objects.filter(document=doc).count() == 3


def test_a_broken_pdf_shows_on_the_page_in_russian(
    case: Case, investigator: Any, people: dict[str, str]
) -> None:
    doc = _final(investigator, case, people)
    sha = latest_pdf_sha256(doc)
    assert sha is not None
    path = blobs.path_of(sha)
    data = bytearray(path.read_bytes())
    at = data.index(b"stream\n", 2000) + 20
    data[at] ^= 0x01
    path.chmod(0o644)
    path.write_bytes(bytes(data))
    try:
        web = _client(investigator)
        web.cookies["django_language"] = "ru"
        text = web.get(f"/documents/{doc.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        assert "Не проходит проверку" in text
        assert "подписанное содержимое изменено" in text
    finally:
        path.unlink()


def test_the_api_serves_the_pdf_the_signatures_and_countersigns(
    case: Case, investigator: Any, head: Any, outsider: Any, people: dict[str, str]
) -> None:
    client = TestClient(_api())
    doc = _final(investigator, case, people)
    read = client.get(f"/documents/{doc.pk}", user=investigator).json()
    assert read["pdf_sha256"] == latest_pdf_sha256(doc)

    pdf = client.get(f"/documents/{doc.pk}/pdf", user=investigator)
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.content).hexdigest() == read["pdf_sha256"]

    signed = client.post(f"/documents/{doc.pk}/countersign", json={"role": "approval"}, user=head)
    assert signed.status_code == 200, signed.json()
    assert signed.json()["pdf_sha256"] != read["pdf_sha256"]

    signatures = client.get(f"/documents/{doc.pk}/signatures", user=investigator).json()
    assert [(s["sequence"], s["role"], s["ok"]) for s in signatures] == [
        (1, "author", True),
        (2, "approval", True),
    ]
    assert signatures[1]["pdf_sha256"] == signed.json()["pdf_sha256"]
    assert signatures[1]["whole_document"] is True
    assert signatures[0]["whole_document"] is False
    assert signatures[0]["timestamp"] is not None
    assert signatures[0]["problems"] == []

    refused = client.post(
        f"/documents/{doc.pk}/countersign", json={"role": "prosecutor"}, user=head
    )
    assert refused.status_code == 403
    hidden = client.get(f"/documents/{doc.pk}/signatures", user=outsider)
    assert hidden.status_code == 404
    bad = client.post(f"/documents/{doc.pk}/countersign", json={"role": "boss"}, user=head)
    assert bad.status_code == 422
    assert bad.json()["fields"] == {"role": ["Choose the approval or the prosecutor's signature."]}
