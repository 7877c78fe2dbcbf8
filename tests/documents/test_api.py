"""The documents router through a small NinjaAPI that answers service errors as JSON."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.testing import TestClient

from tergeu.cases.models import Case
from tergeu.core.errors import ServiceError, ValidationFailed
from tergeu.documents.api import router
from tergeu.documents.models import DocStatus, Document
from tergeu.integrity.models import Event

from .samples import sample_fields

pytestmark = pytest.mark.django_db


def _api() -> NinjaAPI:
    api = NinjaAPI(urls_namespace=f"documents-test-{uuid.uuid4().hex}")

    @api.exception_handler(ServiceError)
    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        body: dict[str, Any] = {"code": exc.code, "message": exc.text()}
        if isinstance(exc, ValidationFailed):
            body["fields"] = exc.field_texts()
        return api.create_response(request, body, status=exc.status)

    api.add_router("", router)
    return api


@pytest.fixture
def client() -> TestClient:
    return TestClient(_api())


def test_document_types_list_the_catalogue(client: TestClient) -> None:
    response = client.get("/document-types")
    assert response.status_code == 200
    types = {t["code"]: t for t in response.json()}
    victim = types["resolution_victim"]
    assert victim["title"]["kk"] == "Жәбірленуші деп тану туралы қаулы"
    assert victim["articles"] == ["CPC art. 71(1)", "CPC art. 71(3)", "CPC art. 198(1)"]
    assert victim["participant_status"] == "victim"
    harm = next(f for f in victim["fields"] if f["name"] == "harm")
    assert [c["value"] for c in harm["choices"]] == ["property", "physical", "moral"]
    assert types["resolution_electronic_format"]["effect"] == "electronic_format"


def test_the_life_of_a_document(
    client: TestClient, case: Case, investigator: Any, people: dict[str, str]
) -> None:
    fields = sample_fields("resolution_victim", people)
    created = client.post(
        f"/cases/{case.pk}/documents",
        json={"doc_type": "resolution_victim", "fields": fields, "language": "kk"},
        user=investigator,
    )
    assert created.status_code == 201, created.json()
    doc = created.json()
    assert (doc["number"], doc["status"], doc["language"]) == (1, "draft", "kk")
    assert "Жәбірленуші деп тану туралы" in doc["body"]

    listed = client.get(f"/cases/{case.erdr_number}/documents", user=investigator)
    assert [d["id"] for d in listed.json()] == [doc["id"]]
    assert "body" not in listed.json()[0]

    fields["harm"] = "moral"
    updated = client.put(
        f"/documents/{doc['id']}", json={"fields": fields, "version": 1}, user=investigator
    )
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    stale = client.put(
        f"/documents/{doc['id']}", json={"fields": fields, "version": 1}, user=investigator
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"

    final = client.post(f"/documents/{doc['id']}/finalise", json={"version": 2}, user=investigator)
    assert final.status_code == 200
    assert final.json()["status"] == "final"
    assert len(final.json()["content_sha256"]) == 64
    again = client.post(f"/documents/{doc['id']}/finalise", json={"version": 3}, user=investigator)
    assert again.status_code == 409

    correction = client.post(
        f"/documents/{doc['id']}/supersede",
        json={"reason": "Уточнён вред", "fields": None},
        user=investigator,
    )
    assert correction.status_code == 201
    assert correction.json()["supersedes_id"] == doc["id"]
    read = client.get(f"/documents/{doc['id']}", user=investigator)
    assert read.json()["superseded_by_id"] == correction.json()["id"]
    assert Event.objects.filter(action="document.read").count() == 1

    gone = client.delete(f"/documents/{correction.json()['id']}", user=investigator)
    assert gone.status_code == 204
    assert not Document.objects.filter(pk=correction.json()["id"]).exists()


def test_bad_fields_answer_422_with_field_messages(
    client: TestClient, case: Case, investigator: Any
) -> None:
    response = client.post(
        f"/cases/{case.pk}/documents",
        json={"doc_type": "resolution_acceptance", "fields": {"established": "", "x": 1}},
        user=investigator,
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "x": ["Unknown field."],
        "established": ["This field is required."],
    }
    assert not Document.objects.exists()


def test_without_a_grant_the_answer_is_404_and_journaled(
    client: TestClient, case: Case, investigator: Any, outsider: Any, people: dict[str, str]
) -> None:
    doc = client.post(
        f"/cases/{case.pk}/documents",
        json={
            "doc_type": "resolution_acceptance",
            "fields": sample_fields("resolution_acceptance", people),
        },
        user=investigator,
    ).json()
    assert client.get(f"/documents/{doc['id']}", user=outsider).status_code == 404
    assert client.get(f"/cases/{case.pk}/documents", user=outsider).status_code == 404
    response = client.post(f"/documents/{doc['id']}/finalise", json={"version": 1}, user=outsider)
    assert response.status_code == 404
    assert Event.objects.filter(action="access.denied", actor=outsider).count() == 3
    assert Document.objects.get(pk=doc["id"]).status == DocStatus.DRAFT


def test_the_token_user_is_the_actor(
    client: TestClient, case: Case, investigator: Any, outsider: Any, people: dict[str, str]
) -> None:
    from tergeu.documents.api import actor

    request = HttpRequest()
    request.user = outsider
    request.auth = investigator  # type: ignore[attr-defined]
    assert actor(request) == investigator
    request.auth = None  # type: ignore[attr-defined]
    assert actor(request) == outsider
