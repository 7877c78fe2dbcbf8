"""The OpenAPI description is served, valid, and describes every endpoint and its errors."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from openapi_spec_validator import validate

from .conftest import BASE

pytestmark = pytest.mark.django_db


def test_openapi_description_is_valid() -> None:
    r = Client().get(f"{BASE}/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    validate(spec)
    assert spec["info"] == {
        "title": "Tergeu API",
        "version": "1",
        "description": spec["info"]["description"],
    }
    paths = spec["paths"]
    for path in (
        "/api/v1/reports",
        "/api/v1/reports/{report_id}/register",
        "/api/v1/cases/{key}/moves",
        "/api/v1/cases/{key}/history",
        "/api/v1/participants/{participant_id}",
        "/api/v1/tokens",
    ):
        assert path in paths
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    register = paths["/api/v1/reports/{report_id}/register"]["post"]
    assert {"201", "401", "404", "409", "422"} <= set(register["responses"])
    report_in = spec["components"]["schemas"]["ReportIn"]["properties"]
    assert report_in["description"]["maxLength"] == 20_000
    assert report_in["applicant_iin"]["description"]


def test_every_list_is_paginated() -> None:
    spec = Client().get(f"{BASE}/openapi.json").json()
    ours = ("tergeu_api_", "tergeu_intake_api_", "tergeu_cases_api_")
    lists = 0
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None or not get["operationId"].startswith(ours):
            continue
        if "{" in path.rsplit("/", 1)[-1]:
            continue  # a single object, not a list
        names = {p["name"] for p in get.get("parameters", [])}
        assert {"page", "size"} <= names, path
        page = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert page.split("/")[-1].startswith("PageOut"), path
        lists += 1
    assert lists == 5


def test_docs_page_is_served() -> None:
    r = Client().get(f"{BASE}/docs")
    assert r.status_code == 200
    assert b"openapi.json" in r.content


@pytest.mark.skipif(
    "ninja" not in settings.INSTALLED_APPS,
    reason="the vendored Swagger UI needs 'ninja' in INSTALLED_APPS (else ninja uses a CDN)",
)
def test_docs_page_uses_no_cdn() -> None:
    r = Client().get(f"{BASE}/docs")
    assert b"cdn." not in r.content
