"""The Criminal Code API router, mounted on a tiny API as the project's API mounts it."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.constants import NOT_SET
from ninja.testing import TestClient

from tergeu.core.errors import ServiceError
from tergeu.qualification.api import router
from tergeu.qualification.models import Article

pytestmark = pytest.mark.usefixtures("code")

api = NinjaAPI(urls_namespace="test-qualification")


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """What the project's API does with a refusal: its status, code and message."""
    return api.create_response(
        request, {"code": exc.code, "message": exc.text()}, status=exc.status
    )


api.add_router("/code/", router)


@pytest.fixture
def client() -> TestClient:
    return TestClient(router)


def test_router_leaves_auth_to_the_api_that_mounts_it() -> None:
    assert router.auth is NOT_SET


def test_search_by_number(client: TestClient) -> None:
    response = client.get("/articles?q=188")
    assert response.status_code == 200
    body = response.json()
    assert body["page"] == 1
    assert body["total"] == len(body["items"]) >= 2
    assert body["items"][0] == {
        "number": "188",
        "title": "Кража",
        "chapter": "6",
        "special_part": True,
        "repealed": False,
    }


def test_search_by_title_word(client: TestClient) -> None:
    body = client.get("/articles", query_params={"q": "кража"}).json()
    assert "188" in [item["number"] for item in body["items"]]


def test_list_is_paginated(client: TestClient) -> None:
    total = Article.objects.filter(special_part=True, repealed=False).count()
    first = client.get("/articles?page=1&size=10").json()
    second = client.get("/articles?page=2&size=10").json()
    assert first["total"] == second["total"] == total
    assert (first["size"], len(first["items"]), second["page"]) == (10, 10, 2)
    assert first["items"][0]["number"] == "99"
    assert not {i["number"] for i in first["items"]} & {i["number"] for i in second["items"]}


def test_article_with_parts(client: TestClient) -> None:
    response = client.get("/articles/188")
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["title"]) == ("188", "Кража")
    assert [part["number"] for part in body["parts"]] == ["1", "2", "3", "4"]
    assert body["parts"][1]["paragraphs"] == ["1", "4"]
    assert body["parts"][1]["text"].startswith("2. Кража, совершенная:")


def test_article_with_a_hyphenated_number(client: TestClient) -> None:
    body = client.get("/articles/188-1").json()
    assert body["number"] == "188-1"


def test_unknown_article_is_404_through_the_api() -> None:
    response = TestClient(api).get("/code/articles/9999", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Article 9999 of the Criminal Code does not exist.",
    }


def test_openapi_schema_has_the_tagged_endpoints() -> None:
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    assert set(paths) == {"/api/v1/code/articles", "/api/v1/code/articles/{number}"}
    for operations in paths.values():
        for operation in operations.values():
            assert operation["tags"] == ["criminal code"]
            assert "security" not in operation
